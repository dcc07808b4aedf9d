//! Hostile input for the input layer, through the real binary: where a truncated message is
//! reported, archives and double compression named, `--strict` ending the whole run, endless
//! garbage given up after `--max-resync` octets, and a file too big to map under an
//! address-space limit. Every input is generated here, small (compressed bombs are
//! concatenations of one small compressed stream), and fed from files or stdin pipes in the
//! test's own directory, never from the real /dev.

mod common;
use common::{Workdir, bin, testdata};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn article() -> Vec<u8> {
    std::fs::read(testdata("article-example.ipfix")).unwrap()
}

const REC1: &str = "12345678/256 sourceIPv4Address=192.168.0.201 destinationIPv4Address=192.168.0.1 packetDeltaCount=235";
const REC2: &str = "12345678/256 sourceIPv4Address=192.168.0.202 destinationIPv4Address=192.168.0.1 packetDeltaCount=42";

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn bzip2(b: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn zstd(b: &[u8]) -> Vec<u8> {
    zstd::encode_all(b, 3).unwrap()
}

fn xz(b: &[u8]) -> Vec<u8> {
    let mut e = xz2::write::XzEncoder::new(Vec::new(), 1);
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A POSIX ustar archive holding `name` with `data` (header checksum and all).
fn tar(name: &str, data: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut t = h;
    t.extend_from_slice(data);
    t.resize(t.len().div_ceil(512) * 512 + 1024, 0);
    t
}

/// A zip archive (stored, no compression) holding `name` with `data`: the local file header
/// is what a reader sees first.
fn zip(name: &str, data: &[u8]) -> Vec<u8> {
    let mut z = b"PK\x03\x04".to_vec();
    z.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
    z.extend_from_slice(&[0; 4]); // crc-32 (not checked by anyone here)
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(data.len() as u32).to_le_bytes());
    z.extend_from_slice(&(name.len() as u16).to_le_bytes());
    z.extend_from_slice(&[0, 0]);
    z.extend_from_slice(name.as_bytes());
    z.extend_from_slice(data);
    z
}

/// Runs the binary with `head` and then `unit` repeated forever on stdin (a pipe). It must
/// exit within `limit`; returns (exit code, stdout, stderr).
fn endless_stdin(
    w: &Workdir,
    args: &[&str],
    head: &[u8],
    unit: &[u8],
    limit: Duration,
) -> (i32, String, String) {
    let mut child = Command::new(bin())
        .current_dir(&w.dir)
        .args(args)
        .env("TMPDIR", &w.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (head, unit) = (
        head.to_vec(),
        unit.repeat((1 << 16) / unit.len().max(1) + 1),
    );
    let writer = std::thread::spawn(move || {
        if stdin.write_all(&head).is_err() {
            return;
        }
        while stdin.write_all(&unit).is_ok() {}
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let ereader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{args:?} on an endless stdin still running after {limit:?}; stderr: {}",
                ereader.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap();
    (
        status.code().unwrap_or(-1),
        reader.join().unwrap(),
        ereader.join().unwrap(),
    )
}

// ---------------------------------------------------------------------------------------------
// Offsets (issue 8).

#[test]
fn a_truncated_message_is_reported_where_it_starts() {
    let w = Workdir::new("trunc-offset");
    let a = article();
    let cut = [&a[..], &a[..52]].concat();
    w.write("t.ipfix", &cut);
    let r = w.run(&["cat", "t.ipfix"]).code(1);
    assert_eq!(r.out(), format!("{REC1}\n{REC2}\n{REC1}\n"));
    assert_eq!(
        r.stderr,
        "ipfixkit: t.ipfix: byte 64 (message 2): truncated message: header says 64 octets, only 52 remain\n"
    );
    // Compressed: the offset counts the decompressed stream, and says so.
    for (name, bytes) in [
        ("t.ipfix.gz", gzip(&cut)),
        ("t.ipfix.zst", zstd(&cut)),
        ("t.ipfix.xz", xz(&cut)),
        ("t.ipfix.bz2", bzip2(&cut)),
    ] {
        w.write(name, &bytes);
        let r = w.run(&["cat", name]).code(1);
        assert_eq!(r.out().lines().count(), 3, "{name}");
        assert_eq!(
            r.stderr,
            format!(
                "ipfixkit: {name}: byte 64 of the decompressed stream (message 2): truncated message: header says 64 octets, only 52 remain\n"
            )
        );
    }
    // Through stdin too.
    let r = w.run_stdin(&["cat"], &gzip(&cut)).code(1);
    assert!(
        r.stderr
            .starts_with("ipfixkit: <stdin>: byte 64 of the decompressed stream (message 2)"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Archives and double compression (issue 8).

#[test]
fn archives_and_double_compression_are_named() {
    let w = Workdir::new("archives");
    let a = article();
    let t = tar("flows.ipfix", &a);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "a.tar",
            t.clone(),
            "byte 0: not an IPFIX file: it looks like a tar archive",
        ),
        (
            "a.tar.gz",
            gzip(&t),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like a gzip-compressed tar archive",
        ),
        (
            "a.tar.zst",
            zstd(&t),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like a zstd-compressed tar archive",
        ),
        (
            "a.zip",
            zip("flows.ipfix", &a),
            "byte 0: not an IPFIX file: it looks like a zip archive",
        ),
        (
            "a.ipfix.gz.gz",
            gzip(&gzip(&a)),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like a gzip-compressed gzip file",
        ),
        (
            "a.ipfix.xz.zst",
            zstd(&xz(&a)),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like a zstd-compressed xz file",
        ),
        (
            "a.ipfix.zst.xz",
            xz(&zstd(&a)),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like an xz-compressed zstd file",
        ),
        (
            "a.ipfix.bz2.gz",
            gzip(&bzip2(&a)),
            "byte 0 of the decompressed stream: not an IPFIX file: it looks like a gzip-compressed bzip2 file",
        ),
    ];
    for (name, bytes, want) in &cases {
        w.write(name, bytes);
        let r = w.run(&["cat", name]).code(1);
        assert_eq!(r.stderr, format!("ipfixkit: {name}: {want}\n"), "{name}");
        assert!(r.stdout.is_empty(), "{name}");
    }
    // convert sniffs text against IPFIX first: these are not taken for CSV.
    for (name, _, want) in &cases {
        let r = w.run(&["convert", "--to", "json", name]).code(1);
        assert!(r.stderr.contains(want), "convert {name}: {}", r.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// --strict (issue 8, issue 9 class 3).

#[test]
fn strict_stops_the_whole_run() {
    let w = Workdir::new("strict-run");
    let a = article();
    w.write("good.ipfix", &a);
    w.write("bad.ipfix", &[&a[..], &[0xEE; 37], &a[..]].concat());
    w.write("worse.ipfix", &[0xEE; 100]);
    let line = "ipfixkit: bad.ipfix: byte 64: not an IPFIX message header (version 61166, expected 10); stopped (--strict)\n";
    for j in ["1", "2", "3"] {
        let r = w
            .run(&[
                "cat",
                "--strict",
                "-j",
                j,
                "good.ipfix",
                "bad.ipfix",
                "good.ipfix",
                "worse.ipfix",
            ])
            .code(1);
        assert_eq!(
            r.out(),
            format!("{REC1}\n{REC2}\n{REC1}\n{REC2}\n"),
            "-j{j}"
        );
        assert_eq!(r.stderr, line, "-j{j}");
        // The same through the JSON and CSV printers.
        let r = w
            .run(&[
                "cat",
                "--strict",
                "-f",
                "csv",
                "-j",
                j,
                "bad.ipfix",
                "good.ipfix",
            ])
            .code(1);
        assert_eq!(r.out().lines().count(), 3, "-j{j}: {}", r.out());
        assert_eq!(r.stderr, line);
        let r = w
            .run(&[
                "filter",
                "--strict",
                "-c",
                "-j",
                j,
                "packetDeltaCount >= 0",
                "good.ipfix",
                "bad.ipfix",
                "good.ipfix",
            ])
            .code(1);
        assert_eq!(r.out(), "4\n", "-j{j}");
        assert_eq!(r.stderr, line);
    }
    for j in ["1", "2", "3"] {
        let r = w
            .run(&[
                "convert",
                "--to",
                "json",
                "--strict",
                "-j",
                j,
                "good.ipfix",
                "bad.ipfix",
                "good.ipfix",
            ])
            .code(1);
        // a template line and two records from each of good.ipfix and bad.ipfix's first message
        assert_eq!(r.out().lines().count(), 6, "-j{j}: {}", r.out());
        assert_eq!(r.stderr, line, "-j{j}");
    }
    w.write("good2.ipfix", &a);
    let r = w
        .run(&[
            "convert",
            "--to",
            "json",
            "--strict",
            "-j",
            "1",
            "-d",
            "out",
            "good.ipfix",
            "bad.ipfix",
            "good2.ipfix",
        ])
        .code(1);
    assert_eq!(r.stderr, line);
    assert!(w.path("out/bad.json").exists());
    assert!(!w.path("out/good2.json").exists());
    // Lost data sets end a --strict run too, and are shown with -q (it is why output stops).
    let m = &a[..];
    let mut unknown = m.to_vec();
    unknown[36..38].copy_from_slice(&[1, 1]); // the data set's ID 256 -> 257: no such template
    // (A data set ahead of its template is held to the end of its input, where the warning
    // comes: the input's other records are printed, the next input is not read.)
    let wl = "ipfixkit: unknown.ipfix: byte 36 (message 1, set 257): 1 data set(s) (28 octets) of template 257 in domain 12345678 never got their template; left out; stopped (--strict)\n";
    w.write("unknown.ipfix", &[&unknown[..], m].concat());
    let r = w
        .run(&["cat", "-q", "--strict", "unknown.ipfix", "good.ipfix"])
        .code(1);
    assert_eq!(r.stderr, wl);
    assert_eq!(r.out().lines().count(), 2, "{}", r.out());
    // An input that cannot be opened is a problem too.
    let r = w
        .run(&["cat", "--strict", "missing.ipfix", "good.ipfix"])
        .code(1);
    assert!(r.stdout.is_empty());
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // Without --strict every input is read.
    let r = w
        .run(&["cat", "good.ipfix", "bad.ipfix", "good.ipfix"])
        .code(1);
    assert_eq!(r.out().lines().count(), 8);
    assert!(
        r.stderr
            .contains("skipped 37 octets to the next message at byte 101")
    );
}

/// 8 GiB of zeros behind one IPFIX message, as a bzip2 file of about 50 KB (1024 bzip2
/// streams of 8 MiB of zeros each, concatenated).
fn zero_bomb() -> Vec<u8> {
    let unit = bzip2(&vec![0u8; 8 << 20]);
    let mut b = bzip2(&[&article()[..], &vec![0u8; 8 << 20]].concat());
    for _ in 1..1024 {
        b.extend_from_slice(&unit);
    }
    assert!(b.len() < 200_000, "{}", b.len());
    b
}

#[test]
fn strict_stops_at_the_first_bad_header_of_a_zero_bomb() {
    let w = Workdir::new("strict-bomb");
    w.write("bomb.ipfix.bz2", &zero_bomb());
    let t = Instant::now();
    let r = w.run(&["cat", "--strict", "bomb.ipfix.bz2"]).code(1);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    assert_eq!(r.out(), format!("{REC1}\n{REC2}\n"));
    assert_eq!(
        r.stderr,
        "ipfixkit: bomb.ipfix.bz2: byte 64 of the decompressed stream: not an IPFIX message header (version 0, expected 10); stopped (--strict)\n"
    );
    // Without --strict the default --max-resync (64 MiB) ends it.
    let r = w.run(&["cat", "bomb.ipfix.bz2"]).code(1);
    assert_eq!(r.out(), format!("{REC1}\n{REC2}\n"));
    assert_eq!(
        r.stderr,
        "ipfixkit: bomb.ipfix.bz2: byte 64 of the decompressed stream: not an IPFIX message header (version 0, expected 10); no valid message header in the 67108864 octets after byte 64; giving up on this input\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Unbounded garbage (issue 9 class 3).

#[test]
fn endless_zeros_on_stdin_are_given_up() {
    let w = Workdir::new("endless");
    let a = article();
    let (code, out, err) = endless_stdin(
        &w,
        &["cat", "--max-resync", "1M"],
        &a,
        &[0],
        Duration::from_secs(60),
    );
    assert_eq!(code, 1);
    assert_eq!(out, format!("{REC1}\n{REC2}\n"));
    assert_eq!(
        err,
        "ipfixkit: <stdin>: byte 64: not an IPFIX message header (version 0, expected 10); no valid message header in the 1048576 octets after byte 64; giving up on this input\n"
    );
    // The default bound, on every command, and on garbage that is not zeros.
    for args in [
        &["cat"][..],
        &["cat", "-f", "json"],
        &["filter", "-c", "packetDeltaCount >= 0"],
        &["convert", "--to", "json"],
    ] {
        let (code, _, err) =
            endless_stdin(&w, args, &a, &[0xEE, 0, 10, 0xFF], Duration::from_secs(120));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.ends_with("no valid message header in the 67108864 octets after byte 64; giving up on this input\n"),
            "{args:?}: {err}"
        );
    }
    // --strict on an endless stream stops at once.
    let (code, _, err) =
        endless_stdin(&w, &["cat", "--strict"], &[], &[0], Duration::from_secs(20));
    assert_eq!(code, 1);
    assert!(err.ends_with("; stopped (--strict)\n"), "{err}");
}

/// CSV without -F reads its input twice (columns, then records), so stdin is spooled to a
/// temporary file. The spool held all of stdin before the first pass began: an endless
/// stream filled the disk and never ended, --max-resync or not. Now the first pass spools
/// what it reads, and the second reads the spool and then the rest of the stream.
#[test]
fn csv_of_an_endless_stdin_ends_and_leaves_no_spool() {
    let w = Workdir::new("endless-csv");
    let a = article();
    let header =
        "@export_time,@domain,@template,sourceIPv4Address,destinationIPv4Address,packetDeltaCount";
    for args in [
        &["cat", "-f", "csv", "--max-resync", "1M"][..],
        &[
            "filter",
            "-f",
            "csv",
            "--max-resync",
            "1M",
            "packetDeltaCount >= 0",
        ],
        &["convert", "--to", "csv", "--max-resync", "1M"],
    ] {
        let (code, out, err) = endless_stdin(
            &w,
            args,
            &gzip(&a),
            &[0x1f, 0x8b, 0],
            Duration::from_secs(60),
        );
        // gzip magic then garbage: the gzip member of the article decodes, then the next
        // member header is not gzip (a read error after the good records).
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(out.lines().next(), Some(header), "{args:?}");
        assert_eq!(out.lines().count(), 3, "{args:?}: {out}");
        let (code, out, err) = endless_stdin(&w, args, &a, &[0], Duration::from_secs(60));
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(out.lines().count(), 3, "{args:?}: {out}");
        assert!(
            err.ends_with("no valid message header in the 1048576 octets after byte 64; giving up on this input\n"),
            "{args:?}: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(&w.dir).unwrap().collect();
        assert!(left.is_empty(), "{args:?}: {left:?}");
    }
    // A finite stdin still gives every record: the spool, then the rest of the stream.
    let many = a.repeat(5000);
    for args in [&["cat", "-f", "csv"][..], &["convert", "--to", "csv"]] {
        let r = w.run_stdin(args, &many).ok();
        assert_eq!(r.out().lines().count(), 10_001, "{args:?}");
        let r = w.run_stdin(args, &zstd(&many)).ok();
        assert_eq!(r.out().lines().count(), 10_001, "{args:?}");
    }
}

#[test]
fn max_resync_takes_sizes_and_has_a_floor() {
    let w = Workdir::new("max-resync");
    let a = article();
    // A gap shorter than the bound is skipped as before.
    let gap = [&a[..], &vec![0xEE; 70_000], &a[..]].concat();
    w.write("gap.ipfix", &gap);
    let r = w.run(&["cat", "--max-resync", "1G", "gap.ipfix"]).code(1);
    assert_eq!(r.out().lines().count(), 4);
    assert!(
        r.stderr
            .contains("skipped 70000 octets to the next message at byte 70064"),
        "{}",
        r.stderr
    );
    // ... and one longer is not.
    let r = w
        .run(&["cat", "--max-resync", "64KiB", "gap.ipfix"])
        .code(1);
    assert_eq!(r.out().lines().count(), 2);
    assert!(
        r.stderr
            .contains("no valid message header in the 65536 octets after byte 64"),
        "{}",
        r.stderr
    );
    // Below one maximal message: raised to 65535.
    let r = w
        .run_stdin(&["cat", "--max-resync", "10"], &vec![0; 200_000])
        .code(1);
    assert_eq!(
        r.stderr,
        "ipfixkit: <stdin>: byte 0: not an IPFIX message header (version 0, expected 10); no valid message header in the 65535 octets after byte 0; giving up on this input\n"
    );
    for bad in ["12Q", "", "M", "99999999999999999999", "1.5G"] {
        let r = w.run(&["cat", "--max-resync", bad, "gap.ipfix"]).code(2);
        assert!(r.stderr.contains("--max-resync"), "{bad}: {}", r.stderr);
    }
    let r = w.run(&["cat", "--help"]).ok();
    assert!(r.out().contains("--max-resync <BYTES>"));
}

// ---------------------------------------------------------------------------------------------
// A file too big to map (issue 9 class 2).

/// `cat` of a 5 GiB sparse file (three messages, then zeros) under a 4 GiB address-space
/// limit: the map fails and the file is streamed.
#[cfg(target_os = "linux")]
#[test]
fn a_file_too_big_to_map_is_streamed() {
    let w = Workdir::new("too-big");
    let a = article();
    let p = w.write("big.ipfix", &a.repeat(3));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(5 << 30)
        .unwrap();
    let limited = |args: &str| {
        let out = Command::new("sh")
            .current_dir(&w.dir)
            .arg("-c")
            .arg(format!(
                "ulimit -v 4194304; exec '{}' {args}",
                bin().display()
            ))
            .stdin(Stdio::null())
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = limited("cat -n 3 big.ipfix");
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, format!("{REC1}\n{REC2}\n{REC1}\n"));
    // Without -n: the zeros are given up after --max-resync octets, not read to the end.
    let t = Instant::now();
    let (code, out, err) = limited("cat --max-resync 1M big.ipfix");
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 6);
    assert_eq!(
        err,
        "ipfixkit: big.ipfix: byte 192: not an IPFIX message header (version 0, expected 10); no valid message header in the 1048576 octets after byte 192; giving up on this input\n"
    );
    // CSV without -F reads the file twice (columns, then records): the stream is rewound.
    let (code, out, _) = limited("cat -f csv -n 3 big.ipfix");
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next(),
        Some(
            "@export_time,@domain,@template,sourceIPv4Address,destinationIPv4Address,packetDeltaCount"
        )
    );
    assert_eq!(out.lines().count(), 4, "{out}");
}

/// A compressed stream that breaks within its first 512 decompressed octets (a gzip member,
/// then bytes that are not one): `convert` sniffed the format from those octets, got the read
/// error instead and took the input for CSV, losing every record with a message without an
/// offset. Now the octets before the error are sniffed and decoded, as `cat` does.
#[test]
fn convert_keeps_records_before_a_broken_compressed_tail() {
    let w = Workdir::new("broken-tail");
    let a = article();
    let broken = [&gzip(&a)[..], &[0x1f, 0x8b, 0, 0xEE]].concat();
    w.write("b.ipfix.gz", &broken);
    let want_err = "byte 64 of the decompressed stream: read failed: ";
    for to in ["json", "csv", "ipfix"] {
        let r = w
            .run(&["convert", "--to", to, "b.ipfix.gz", "-o", "out"])
            .code(1);
        assert!(r.stderr.contains(want_err), "{to}: {}", r.stderr);
        if to == "ipfix" {
            let r = w.run(&["cat", "out"]).ok();
            assert_eq!(r.out(), format!("{REC1}\n{REC2}\n"));
        } else {
            // a template line (JSON) or the header (CSV), then the two records
            let out = std::fs::read_to_string(w.path("out")).unwrap();
            assert_eq!(out.lines().count(), 3, "{to}: {out}");
            let r = w.run_stdin(&["convert", "--to", to], &broken).code(1);
            assert!(r.stderr.contains(want_err), "{to}: {}", r.stderr);
            assert_eq!(r.out(), out, "{to} from stdin");
        }
    }
}
