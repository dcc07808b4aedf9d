//! Generated files stay in step with the clap definitions: `man/` and `completions/` are
//! regenerated into a temporary directory and compared byte for byte.

use clap::CommandFactory;
use std::path::Path;

#[test]
fn cli_definition_is_consistent() {
    ipfixkit::cmd::Cli::command().debug_assert();
}

fn compare_dirs(generated: &Path, committed: &Path) {
    let mut names: Vec<_> = std::fs::read_dir(generated)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for n in &names {
        let want = std::fs::read(generated.join(n)).unwrap();
        let have = std::fs::read(committed.join(n)).unwrap_or_default();
        assert!(
            want == have,
            "{} is out of date: run `cargo run -- docs man man && cargo run -- docs completions completions`",
            committed.join(n).display()
        );
    }
    let committed_count = std::fs::read_dir(committed).unwrap().count();
    assert_eq!(
        committed_count,
        names.len(),
        "{} has stale files",
        committed.display()
    );
}

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = std::env::temp_dir().join(format!("ipfixkit-gen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("man")).unwrap();
    std::fs::create_dir_all(tmp.join("completions")).unwrap();
    ipfixkit::cmd::docs::write_man(&tmp.join("man")).unwrap();
    ipfixkit::cmd::docs::write_completions(&tmp.join("completions")).unwrap();
    compare_dirs(&tmp.join("man"), &root.join("man"));
    compare_dirs(&tmp.join("completions"), &root.join("completions"));
    let _ = std::fs::remove_dir_all(&tmp);
}
