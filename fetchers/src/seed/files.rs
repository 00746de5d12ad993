//! Reading the seed's CSV files: the set of files (bundled or from a directory, each bounded in
//! size), each file's rows with their line numbers, and the problems found in them, each named
//! `file:line: reason`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use schema::StoreError;
use schema::domain::Provenance;

use crate::ids::sha256_hex;

/// The version of this importer, recorded as each record's `parser_version`.
pub const PARSER_VERSION: &str = "seed-1";

/// Where upstream files were taken from (see `data/seed/SOURCES.md`).
pub(super) const UPSTREAM: &str =
    "https://github.com/JT-39/ofsted-ilacs-scrape-tool/blob/54af59bf7856a26530b1eeb45c1c1c146f34cb8a";
/// When the upstream files were taken: the upstream commit's time.
const UPSTREAM_TAKEN_AT: &str = "2026-08-22T05:22:11Z";

/// When the upstream files were taken, as a time.
pub(super) fn upstream_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(UPSTREAM_TAKEN_AT).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The seed files, by name, and where they were read from.
pub struct SeedFiles {
    files: BTreeMap<&'static str, Vec<u8>>,
    /// The directory read, or `None` for the copies built into lacs (named `data/seed/…`).
    dir: Option<PathBuf>,
}

/// Hands the name of every file the seed import reads (in `data/seed/`) to `$then`, so that the
/// list and the copies built into the binary are written once.
macro_rules! seed_files {
    ($then:ident) => {
        $then!(
            "Provider_data_lookup.csv",
            "extra_local_authorities.csv",
            "lookup_corrections.csv",
            "reorganisations.csv",
            "gss_recodes.csv",
            "la_aliases.csv",
            "ofsted_inspections.csv",
            "ofsted_focused_visits.csv",
            "ofsted_csc_ilacs_history.csv",
            "official_statements.csv",
            "interventions_seed.csv"
        )
    };
}

macro_rules! names {
    ($($name:literal),+) => { [$($name),+] };
}

/// Every file the seed import reads, in `data/seed/`.
pub const FILES: [&str; 11] = seed_files!(names);

/// The largest seed file read from a directory: 32 MiB, forty times the largest
/// bundled file (`official_statements.csv`, 830 kB). A larger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

macro_rules! bundled {
    ($($name:literal),+) => {
        [$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/seed/", $name)).as_slice())),+]
    };
}

impl SeedFiles {
    /// The files compiled into the binary.
    pub fn bundled() -> SeedFiles {
        let files = seed_files!(bundled);
        SeedFiles { files: files.into_iter().map(|(n, b)| (n, b.to_vec())).collect(), dir: None }
    }

    /// The same files read from a directory (to import an edited copy). Every error names the
    /// file's path; a file larger than [`MAX_FILE_BYTES`] is refused before it is read.
    pub fn from_dir(dir: &Path) -> std::io::Result<SeedFiles> {
        use std::io::Read;
        let mut files = BTreeMap::new();
        for name in FILES {
            let path = dir.join(name);
            let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
            let file = std::fs::File::open(&path).map_err(named)?;
            let size = file.metadata().map_err(named)?.len();
            let too_large = || {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{}: the file is larger than the {} MiB a seed file may be",
                        path.display(),
                        MAX_FILE_BYTES / 1024 / 1024
                    ),
                )
            };
            if size > MAX_FILE_BYTES {
                return Err(too_large());
            }
            // The size is checked again as the file is read: it may grow in between.
            let mut bytes = Vec::new();
            file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(named)?;
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(too_large());
            }
            files.insert(name, bytes);
        }
        Ok(SeedFiles { files, dir: Some(dir.to_path_buf()) })
    }

    /// Replaces one file's contents (tests use this to feed bad rows). Errors still name the
    /// file as the set does (`data/seed/…` or the directory read).
    pub fn with_file(mut self, name: &'static str, bytes: impl Into<Vec<u8>>) -> SeedFiles {
        self.files.insert(name, bytes.into());
        self
    }

    pub(super) fn bytes(&self, name: &'static str) -> &[u8] {
        self.files.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// The directory read, or `None` for the copies built into lacs.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// How messages name a file: its path in the directory read, or `data/seed/<name>`.
    pub fn path(&self, name: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(name).display().to_string(),
            None => format!("data/seed/{name}"),
        }
    }
}

/// Collects "file:line: reason" messages; any message rejects the file.
pub(super) struct Problems {
    pub(super) what: String,
    pub(super) errors: Vec<String>,
}

impl Problems {
    pub(super) fn new(what: &str) -> Self {
        Problems { what: what.to_owned(), errors: Vec::new() }
    }

    /// `file` is the path as [`SeedFiles::path`] names it.
    pub(super) fn add(&mut self, file: &str, line: u64, reason: impl std::fmt::Display) {
        self.errors.push(format!("{file}:{line}: {reason}"));
    }

    pub(super) fn finish(self) -> Result<(), StoreError> {
        if self.errors.is_empty() { Ok(()) } else { Err(StoreError::Rejected { what: self.what, errors: self.errors }) }
    }
}

/// A CSV file's rows as header → value maps, with their line numbers.
pub(super) struct Table {
    pub(super) name: &'static str,
    /// The file as messages name it.
    pub(super) path: String,
    pub(super) sha256: String,
    pub(super) rows: Vec<(u64, HashMap<String, String>)>,
}

impl Table {
    pub(super) fn read(files: &SeedFiles, name: &'static str, required: &[&str], problems: &mut Problems) -> Table {
        let bytes = files.bytes(name);
        let path = files.path(name);
        let sha256 = sha256_hex(bytes);
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().from_reader(text);
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
            Err(e) => {
                problems.add(&path, 1, format!("cannot read the header row: {e}"));
                return Table { name, path, sha256, rows: Vec::new() };
            }
        };
        for column in required {
            if !headers.iter().any(|h| h == column) {
                problems.add(&path, 1, format!("missing column `{column}`"));
            }
        }
        let newlines: Vec<usize> = text.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();
        let line_of = |p: Option<&csv::Position>| p.map_or(0, |p| line_at(text, &newlines, p.byte()));
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let line = line_of(r.position());
                    let map = headers.iter().cloned().zip(r.iter().map(|v| v.trim().to_owned())).collect();
                    rows.push((line, map));
                }
                Err(e) => {
                    let line = line_of(e.position());
                    problems.add(&path, line, format!("malformed CSV: {e}"));
                }
            }
        }
        Table { name, path, sha256, rows }
    }

    pub(super) fn provenance(&self, source_url: &str, retrieved_at: DateTime<Utc>) -> Provenance {
        Provenance {
            source: format!("seed:{}", self.name),
            source_url: source_url.to_owned(),
            retrieved_at,
            sha256: self.sha256.clone(),
            parser_version: PARSER_VERSION.to_owned(),
        }
    }
}

/// The line a record starts on, from the byte offset the csv reader gives it. (The reader's own
/// line count is one short in a file with CRLF line ends: a record's position is taken before
/// the LF that ends the line before it.)
fn line_at(text: &[u8], newlines: &[usize], byte: u64) -> u64 {
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    while matches!(text.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    newlines.partition_point(|&n| n < start) as u64 + 1
}

pub(super) fn get<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map(String::as_str).unwrap_or_default()
}

pub(super) fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

pub(super) fn parse_date(text: &str, format: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, format).map(Some).map_err(|_| format!("`{text}` is not a date ({format})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_alike_whatever_the_line_ends() {
        for text in ["a,b\nx,1\n\ny,\"2\n3\"\nz,4\n", "a,b\r\nx,1\r\n\r\ny,\"2\r\n3\"\r\nz,4\r\n"] {
            let files = SeedFiles::bundled().with_file("la_aliases.csv", text);
            let mut problems = Problems::new("test");
            let table = Table::read(&files, "la_aliases.csv", &[], &mut problems);
            let lines: Vec<u64> = table.rows.iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, vec![2, 4, 6], "{text:?}");
        }
    }
}
