//! `lacs parse-report` survives hostile PDFs: each one is that file's error, named on stderr
//! with the reason, and the next file is read. The PDFs are built in the test; the real binary
//! runs with its address space capped at 1 GiB (a bomb once took 2 GiB and killed the batch).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use testkit::{pdfs, report_fixture, run_lacs_capped};

const MEMORY_MIB: u64 = 1024;

/// The real report read after each hostile file: Norfolk's 2015 SIF inspection, seven judgements.
fn good() -> PathBuf {
    report_fixture("80418-2015-10-20.pdf")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs `lacs parse-report` on `files` (then the good report) and checks what every run must
/// show: exit status 1, the good report read in full, no panic on stderr. Returns stderr.
fn parse_then_good(extra: &[&str], files: &[&Path]) -> String {
    let good = good();
    let mut args: Vec<&OsStr> = vec![OsStr::new("parse-report")];
    args.extend(extra.iter().map(OsStr::new));
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.push(good.as_os_str());
    let (code, out, err) = run_lacs_capped(MEMORY_MIB, &args);
    assert_eq!(code, Some(1), "stdout: {out}\nstderr: {err}");
    assert!(!err.contains("panicked at") && !err.contains("overflowed"), "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), files.len() + 1, "one line per file: {out}");
    for (line, file) in lines.iter().zip(files) {
        assert_eq!(line["file"], file.display().to_string());
        assert!(line["error"].is_string(), "{line}");
    }
    let last = lines.last().unwrap();
    assert_eq!(last["file"], good.display().to_string());
    assert_eq!(last["error"], serde_json::Value::Null, "{last}");
    assert_eq!(last["framework"], "sif");
    assert_eq!(last["judgements"].as_object().unwrap().len(), 7, "{last}");
    err
}

fn says(err: &str, file: &Path, reason: &str) {
    let expected = format!("error: {}: {reason}", file.display());
    assert!(err.contains(&expected), "expected `{expected}` in:\n{err}");
}

#[test]
fn a_pdf_bomb_is_refused_and_the_next_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // 1 MB of PDF whose content stream inflates to 1 GiB of zeros.
    let bomb = write(dir.path(), "bomb.pdf", &pdfs::bomb(1024));
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1_200_000);
    let err = parse_then_good(&[], &[&bomb]);
    says(&err, &bomb, "the PDF decompresses to more than 32 MiB (a report decompresses to a few MB): not read");
}

#[test]
fn an_oversized_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.pdf");
    // 1.5 GB, sparse: reading it whole would pass the memory cap.
    std::fs::File::create(&huge).unwrap().set_len(1_500_000_000).unwrap();
    let err = parse_then_good(&[], &[&huge]);
    says(&err, &huge, "the file is 1500000000 bytes, larger than the 32 MiB a report may be: not read");
    // The limit is the command's to set (the good report is 0.5 MB).
    let mut padded = pdfs::bomb(1);
    padded.resize(2 << 20, b' ');
    let padded = write(dir.path(), "padded.pdf", &padded);
    let err = parse_then_good(&["--max-file-mib", "1"], &[&padded]);
    says(&err, &padded, "the file is 2097152 bytes, larger than the 1 MiB a report may be: not read");
}

#[test]
fn a_pdf_the_library_panics_on_is_that_files_error_and_prints_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let odd = write(dir.path(), "no-fonts.pdf", &pdfs::without_fonts());
    // A real report cut short, as a failed download leaves it.
    let real = std::fs::read(good()).unwrap();
    let cut = write(dir.path(), "cut.pdf", &real[..real.len() / 3]);
    let err = parse_then_good(&[], &[&odd, &cut]);
    says(&err, &odd, "the PDF cannot be read: the PDF's structure is malformed (the PDF library gave up: Font)");
    says(&err, &cut, "the PDF cannot be read: ");
}

#[test]
fn pdfs_built_to_loop_recurse_or_swell_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let form = write(dir.path(), "form.pdf", &pdfs::self_drawing_form());
    let tree = write(dir.path(), "tree.pdf", &pdfs::looping_page_tree());
    // 4 MB of `q Q` held 1.2 GB as parsed operators; 6 MB of one operator's operands likewise.
    let operators = write(dir.path(), "operators.pdf", &pdfs::repeated("q Q ", 1_000_000));
    let operands =
        write(dir.path(), "operands.pdf", &pdfs::page(format!("{}m", "0 ".repeat(3_000_000)).as_bytes(), "", &[]));
    let err = parse_then_good(&[], &[&form, &tree, &operators, &operands]);
    says(
        &err,
        &form,
        "the PDF cannot be read: the PDF's structure is malformed: its form XObjects invoke one another in a loop",
    );
    says(
        &err,
        &tree,
        "the PDF cannot be read: the PDF's structure is malformed: its page tree loops: a page is its own ancestor",
    );
    let swollen = "the PDF's pages draw more than 500000 operators or 2000000 operands (a report draws under 100,000 and 300,000): not read";
    says(&err, &operators, swollen);
    // 3 million numbers are more objects than a document may hold, counted before it is loaded;
    // past that bound, the operands drawn are counted too.
    says(
        &err,
        &operands,
        "the PDF holds more than 2000000 objects (numbers, names, strings, arrays …; a report holds under 250,000): not read",
    );
    let err = parse_then_good(&["--max-objects", "10000000"], &[&operands]);
    says(&err, &operands, swollen);
}

#[test]
fn a_pdf_that_takes_too_long_is_abandoned_and_the_next_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // 160 kB that draw 60 million characters (58 MiB of content, so the decompression bound is
    // raised): within every other bound, twenty seconds and more to read. The time budget leaves
    // the real report read after it room on a busy machine.
    let content = format!("BT /F1 12 Tf 72 712 Td {}ET", format!("({}) Tj ", "a".repeat(1000)).repeat(60_000));
    let slow = write(dir.path(), "slow.pdf", &pdfs::page(content.as_bytes(), "", &[]));
    let err = parse_then_good(&["--timeout-ms", "8000", "--max-decoded-mib", "64"], &[&slow]);
    says(&err, &slow, "reading the PDF took longer than 8000 ms: abandoned");
}

#[test]
fn a_directory_reads_on_every_core_with_the_same_output_as_on_one() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["80418-2015-10-20.pdf", "80426-2014-08-08.pdf", "2637539-2024-10-31.pdf", "80535-2025-08-21.pdf"];
    for name in names {
        std::fs::copy(report_fixture(name), dir.path().join(name)).unwrap();
    }
    // An unreadable file among them: its line and its stderr message keep their place.
    write(dir.path(), "80500-broken.pdf", b"%PDF-1.7\nnot really");
    write(dir.path(), "notes.txt", b"not a PDF, not read");
    let run = |jobs: &str| {
        let args = [OsStr::new("parse-report"), OsStr::new("--jobs"), OsStr::new(jobs), dir.path().as_os_str()];
        run_lacs_capped(MEMORY_MIB, &args)
    };
    let (code, out, err) = run("1");
    assert_eq!(code, Some(1), "the broken file fails the run: {err}");
    let files: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["file"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> =
        names.iter().chain(&["80500-broken.pdf"]).map(|n| dir.path().join(n).display().to_string()).collect();
    expected.sort();
    assert_eq!(files, expected, "every PDF of the directory, in name order");
    for jobs in ["2", "4"] {
        assert_eq!(run(jobs), (code, out.clone(), err.clone()), "--jobs {jobs}");
    }
}

#[test]
fn character_maps_and_objects_past_their_bounds_are_refused_before_the_library_expands_them() {
    let dir = tempfile::tempdir().unwrap();
    // Under 1 kB each: a range of four billion codes, and one of sixteen million.
    let cmap32 = write(dir.path(), "cmap32.pdf", &pdfs::cmap_range(8));
    let cmap24 = write(dir.path(), "cmap24.pdf", &pdfs::cmap_range(6));
    assert!(std::fs::metadata(&cmap32).unwrap().len() < 1024);
    // 31 MB: one array of 15.5 million integers.
    let array = write(dir.path(), "array.pdf", &pdfs::huge_array(15_500_000));
    let err = parse_then_good(&[], &[&cmap32, &cmap24, &array]);
    let cmaps = "the PDF's character maps (CMaps) hold more than 1000000 entries, counted on every page that uses them (a report's hold under 11,000): not read";
    says(&err, &cmap32, cmaps);
    says(&err, &cmap24, cmaps);
    says(
        &err,
        &array,
        "the PDF holds more than 2000000 objects (numbers, names, strings, arrays …; a report holds under 250,000): not read",
    );
}

#[test]
fn a_reading_that_outgrows_its_memory_is_stopped_and_the_next_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Past the checks: a bound raised on the command line, and a document built to pass them
    // (one array read again for each of 100,000 entries of an object stream's index).
    let cmap24 = write(dir.path(), "cmap24.pdf", &pdfs::cmap_range(6));
    let echo = write(dir.path(), "echo.pdf", &pdfs::echoing_object_stream(100_000, 100_000));
    let array = write(dir.path(), "array.pdf", &pdfs::huge_array(15_500_000));
    let raised = ["--max-cmap-entries", "100000000000", "--max-objects", "100000000"];
    let err = parse_then_good(&raised, &[&cmap24, &echo, &array]);
    for file in [&cmap24, &echo, &array] {
        says(&err, file, "reading the PDF ran out of its 512 MiB memory limit: stopped");
    }
    // The bound is the command's to set; the real report is read within 256 MiB.
    let err = parse_then_good(&["--max-memory-mib", "256"], &[&echo]);
    says(&err, &echo, "reading the PDF ran out of its 256 MiB memory limit: stopped");
}
