//! Reading documents on every core changes nothing but the time: the parsed reports and the seed
//! file of focused-visit letters are the same, byte for byte and in the same order, as when the
//! documents are read one after another.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use fetchers::report;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofsted-reports")
}

fn pdfs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    files.sort();
    files
}

/// A fresh directory under the system's temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("lacs-parallel-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: PathBuf) -> String {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    match report::read_file(&path, &report::LIMITS).and_then(|b| report::parse_with(&b, &report::LIMITS)) {
        Ok(parsed) => parsed.to_json(&name).to_string(),
        Err(e) => format!("{name}: {e}"),
    }
}

#[test]
fn every_fixture_reads_the_same_on_several_workers_as_on_one() {
    let files = pdfs();
    assert!(files.len() >= 60, "{} fixtures", files.len());
    let one = fetchers::parallel::map_in_order(files.clone(), 1, read);
    let three = fetchers::parallel::map_in_order(files, 3, read);
    assert_eq!(one.len(), three.len());
    for (a, b) in one.iter().zip(&three) {
        assert_eq!(a, b);
    }
    assert!(one.iter().all(|line| line.starts_with('{')), "every fixture parses");
}

#[test]
fn the_focused_visit_seed_file_is_the_same_whatever_the_number_of_workers() {
    let dir = TempDir::new("seed");
    // Letters and reports (the reports become errors: not focused visits), a file whose bytes do
    // not match the index and one that is missing: rows and errors both keep their order.
    let mut index = String::from("urn,listing_date,file,sha256,source_repo,source_commit,source_path\n");
    for path in pdfs().iter().take(24) {
        let bytes = std::fs::read(path).unwrap();
        let sha = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (urn, date) = stem.split_once('-').unwrap();
        let file = path.display();
        index.push_str(&format!("{urn},{date},{file},{sha},example/letters,abc123,letters/{stem}.pdf\n"));
    }
    let first = pdfs()[0].display().to_string();
    index.push_str(&format!("80418,2020-01-01,{first},{},example/letters,abc123,x.pdf\n", "0".repeat(64)));
    index.push_str("80418,2020-01-02,/nonexistent/letter.pdf,00,example/letters,abc123,y.pdf\n");
    let index_path = dir.0.join("index.csv");
    std::fs::write(&index_path, index).unwrap();

    let (one, many) = (dir.0.join("one.csv"), dir.0.join("many.csv"));
    let written_one = fetchers::seed::write_focused_visits_csv_with(
        &index_path,
        &one,
        &report::LIMITS,
        &report::Isolation::InProcess,
        1,
    )
    .unwrap();
    // The second run starts from the first's file, so that the retrieval times it keeps are the
    // same and only the number of workers differs.
    std::fs::copy(&one, &many).unwrap();
    let written_many = fetchers::seed::write_focused_visits_csv_with(
        &index_path,
        &many,
        &report::LIMITS,
        &report::Isolation::InProcess,
        4,
    )
    .unwrap();
    assert!(written_one.rows > 0, "some fixtures are focused visits");
    assert!(written_one.errors.len() > 2, "{:?}", written_one.errors);
    assert_eq!(written_one.rows, written_many.rows);
    assert_eq!(written_one.errors, written_many.errors);
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&many).unwrap());
}
