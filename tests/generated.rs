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

/// Every directory and file of `src/` under `dir`, as paths relative to `src/`.
fn sources(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            out.push(format!("{rel}/"));
            sources(root, &p, out);
        } else if rel.ends_with(".rs") {
            out.push(rel);
        }
    }
}

/// The README's module map (its Design section) names every module of `src/`: a directory
/// as `src/NAME/` or `NAME/`, a file by its name (`mod.rs` files are their directory's).
#[test]
fn readme_module_map_matches_src() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let design = &readme[readme.find("## Design").expect("a Design section")..];
    let map = design.split("```").nth(1).expect("a module map block");
    let mut all = Vec::new();
    sources(&root.join("src"), &root.join("src"), &mut all);
    let names = |m: &str| -> bool {
        map.split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
            .any(|w| w == m || w.trim_end_matches(['.', ':']) == m)
    };
    for rel in &all {
        let name = rel.rsplit_terminator('/').next().unwrap();
        let ok = if rel.ends_with('/') {
            names(&format!("src/{rel}")) || names(&format!("{name}/"))
        } else {
            name == "mod.rs" || name == "tests.rs" || names(name) || names(&format!("src/{rel}"))
        };
        assert!(ok, "README's module map does not name src/{rel}");
    }
}
