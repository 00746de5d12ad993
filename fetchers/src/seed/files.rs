//! Reading the seed's CSV files: the set of files (bundled or from a directory, each bounded in
//! size), each file's rows with their line numbers, and the problems found in them, each named
//! `file:line: reason`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use schema::StoreError;
use schema::domain::Provenance;

pub use crate::csv_file::MAX_FILE_BYTES;
use crate::csv_file::{self, read_bounded};
use crate::ids::sha256_hex;
use crate::indicators::IndicatorFiles;

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

/// The seed files, by name, with the indicator files (`context/`), and where they were read from.
pub struct SeedFiles {
    files: BTreeMap<&'static str, Vec<u8>>,
    indicators: IndicatorFiles,
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

macro_rules! bundled {
    ($($name:literal),+) => {
        [$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/seed/", $name)).as_slice())),+]
    };
}

impl SeedFiles {
    /// The files compiled into the binary.
    pub fn bundled() -> SeedFiles {
        let files = seed_files!(bundled);
        SeedFiles {
            files: files.into_iter().map(|(n, b)| (n, b.to_vec())).collect(),
            indicators: IndicatorFiles::bundled(),
            dir: None,
        }
    }

    /// The same files read from a directory (to import an edited copy), with the indicator files
    /// of its `context/` folder (the bundled ones when it has none: a copy made before indicators
    /// existed). Every file is read here, before anything is written; every error names the
    /// file's path, and a file larger than [`MAX_FILE_BYTES`] is refused before it is read.
    pub fn from_dir(dir: &Path) -> std::io::Result<SeedFiles> {
        let mut files = BTreeMap::new();
        for name in FILES {
            files.insert(name, read_bounded(&dir.join(name))?);
        }
        let context = dir.join("context");
        let indicators = if context.is_dir() { IndicatorFiles::from_dir(&context)? } else { IndicatorFiles::bundled() };
        Ok(SeedFiles { files, indicators, dir: Some(dir.to_path_buf()) })
    }

    /// Replaces one file's contents (tests use this to feed bad rows). Errors still name the
    /// file as the set does (`data/seed/…` or the directory read).
    pub fn with_file(mut self, name: &'static str, bytes: impl Into<Vec<u8>>) -> SeedFiles {
        self.files.insert(name, bytes.into());
        self
    }

    /// Replaces one indicator file's contents (`name` as in `context/`).
    pub fn with_indicator_file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> SeedFiles {
        self.indicators = self.indicators.with_file(name, bytes);
        self
    }

    /// The indicator catalogue and the files of its figures.
    pub fn indicators(&self) -> &IndicatorFiles {
        &self.indicators
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
        let Some((headers, records)) = csv_file::read(bytes, &path, &mut problems.errors) else {
            return Table { name, path, sha256, rows: Vec::new() };
        };
        for column in required {
            if !headers.iter().any(|h| h == column) {
                problems.add(&path, 1, format!("missing column `{column}`"));
            }
        }
        let mut rows = Vec::new();
        for record in records {
            match record {
                Ok((line, r)) => {
                    rows.push((line, headers.iter().cloned().zip(r.iter().map(|v| v.trim().to_owned())).collect()))
                }
                Err(e) => problems.errors.push(e),
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
