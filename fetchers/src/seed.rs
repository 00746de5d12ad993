//! The bundled seed dataset (`data/seed/`): every LA, the inspection history and the curated
//! interventions list, with the checked-in tables that complete and correct them.
//!
//! Every file is read in full and checked before anything is written. A bad row is reported with
//! the file (the path actually read), line and reason, and rejects the whole import; so does a file
//! that would remove or downgrade more than [`REMOVAL_LIMIT_PERCENT`] of the records it publishes,
//! unless removals are allowed. Either way the database is left as it was.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use schema::AnyConnection;
use schema::domain::*;
use schema::store::{RunSummary, Store, StoreError};
use sha2::{Digest, Sha256};

/// The version of this importer, recorded as each record's `parser_version`.
pub const PARSER_VERSION: &str = "seed-1";

/// Where upstream files were taken from (see `data/seed/SOURCES.md`).
const UPSTREAM: &str =
    "https://github.com/JT-39/ofsted-ilacs-scrape-tool/blob/54af59bf7856a26530b1eeb45c1c1c146f34cb8a";
/// When the upstream files were taken: the upstream commit's time.
const UPSTREAM_TAKEN_AT: &str = "2026-08-22T05:22:11Z";

/// The seed files, by name, and where they were read from.
pub struct SeedFiles {
    files: BTreeMap<&'static str, Vec<u8>>,
    /// The directory read, or `None` for the copies built into lacs (named `data/seed/…`).
    dir: Option<PathBuf>,
}

/// Every file the seed import reads, in `data/seed/`.
pub const FILES: [&str; 9] = [
    "Provider_data_lookup.csv",
    "extra_local_authorities.csv",
    "lookup_corrections.csv",
    "reorganisations.csv",
    "gss_recodes.csv",
    "la_aliases.csv",
    "ofsted_inspections.csv",
    "ofsted_csc_ilacs_history.csv",
    "interventions_seed.csv",
];

/// The largest seed file read from a directory: 32 MiB, a hundred and fifty times the largest
/// bundled file (`ofsted_inspections.csv`, 205 kB). A larger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// An import that would remove or downgrade more than this share (in per cent) of the records a
/// file publishes is refused unless removals are allowed ([`Removals::Allow`]).
pub const REMOVAL_LIMIT_PERCENT: usize = 5;

macro_rules! bundled {
    ($($name:literal),+) => {
        [$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/seed/", $name)).as_slice())),+]
    };
}

impl SeedFiles {
    /// The files compiled into the binary.
    pub fn bundled() -> SeedFiles {
        let files = bundled!(
            "Provider_data_lookup.csv",
            "extra_local_authorities.csv",
            "lookup_corrections.csv",
            "reorganisations.csv",
            "gss_recodes.csv",
            "la_aliases.csv",
            "ofsted_inspections.csv",
            "ofsted_csc_ilacs_history.csv",
            "interventions_seed.csv"
        );
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

    fn bytes(&self, name: &'static str) -> &[u8] {
        self.files.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// How messages name a file: its path in the directory read, or `data/seed/<name>`.
    pub fn path(&self, name: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(name).display().to_string(),
            None => format!("data/seed/{name}"),
        }
    }
}

/// What the seed import did, one run per file group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// LAs and reorganisations.
    pub local_authorities: RunSummary,
    /// The inspection history.
    pub inspections: RunSummary,
    /// The interventions list.
    pub interventions: RunSummary,
}

/// Whether an import may remove or downgrade more than [`REMOVAL_LIMIT_PERCENT`] of the records
/// a file publishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Removals {
    /// Refuse such an import and change nothing (a truncated or emptied file is far likelier
    /// than a deliberate removal of that many records).
    #[default]
    Refuse,
    /// Import it (`lacs import seed --allow-removals`).
    Allow,
}

/// Everything the seed files state, read and checked.
#[derive(Debug, Clone)]
pub struct SeedData {
    /// Every LA of the files.
    pub local_authorities: Vec<LocalAuthority>,
    /// Reorganisations.
    pub successions: Vec<Succession>,
    /// The inspection history: our parser's readings, then the scraper's rows for the rest.
    pub inspections: Vec<Inspection>,
    /// The curated interventions.
    pub interventions: Vec<Intervention>,
}

/// The fetch-run source of each group of files.
const LA_RUN: &str = "seed:local_authorities";
const INSPECTION_RUN: &str = "seed:inspections";
const INTERVENTION_RUN: &str = "seed:interventions";

/// Reads and checks every seed file, writing nothing. `held` are the LAs a database already holds
/// (inspections and interventions may name them); with none, the files' own LAs are used. The
/// error names the group of files (its fetch-run source) with every bad line.
fn read_groups(files: &SeedFiles, held: &[LocalAuthority]) -> Result<SeedData, (&'static str, StoreError)> {
    let (local_authorities, successions, index) = read_local_authorities(files, held).map_err(|e| (LA_RUN, e))?;
    let inspections = read_inspections(files, &index).map_err(|e| (INSPECTION_RUN, e))?;
    let interventions = read_interventions(files, &index).map_err(|e| (INTERVENTION_RUN, e))?;
    Ok(SeedData { local_authorities, successions, inspections, interventions })
}

/// Reads and checks every seed file without a database, as [`import`] would before writing.
pub fn read(files: &SeedFiles) -> Result<SeedData, StoreError> {
    read_groups(files, &[]).map_err(|(_, e)| e)
}

/// [`import_with`] that refuses large removals.
pub fn import(conn: &mut AnyConnection, files: &SeedFiles) -> Result<SeedReport, StoreError> {
    import_with(conn, files, Removals::Refuse)
}

/// Imports the seed. Every file is read and checked, and what the import would remove or
/// downgrade is measured against the database, before anything is written: a bad line in any file,
/// or (unless `removals` allows it) a file that would remove or downgrade more than
/// [`REMOVAL_LIMIT_PERCENT`] of what it publishes, rejects the whole import and changes nothing
/// (the refusal is recorded as a failed run of that group). Then LAs, inspections and
/// interventions are written, each group in its own fetch run and transaction.
pub fn import_with(conn: &mut AnyConnection, files: &SeedFiles, removals: Removals) -> Result<SeedReport, StoreError> {
    let held = schema::store::all_local_authorities(conn)?;
    let data = match read_groups(files, &held) {
        Ok(data) => data,
        Err((run, error)) => return Err(failed_run(conn, run, error)),
    };
    if removals == Removals::Refuse {
        let losses = losses(conn, files, &data)?;
        let refused: Vec<&Loss> = losses.iter().filter(|l| l.too_many()).collect();
        if let Some(first) = refused.first() {
            let errors: Vec<String> = refused.iter().map(|l| l.to_string()).collect();
            let error = StoreError::Rejected { what: "seed import".into(), errors };
            return Err(failed_run(conn, first.run, error));
        }
    }
    let local_authorities = Store::run(conn, LA_RUN, |w| {
        for la in &data.local_authorities {
            w.put_local_authority(la)?;
        }
        for s in &data.successions {
            w.put_succession(s)?;
        }
        Ok(())
    })?;
    let inspections = Store::run(conn, INSPECTION_RUN, |w| {
        for inspection in &data.inspections {
            w.put_inspection(inspection)?;
        }
        w.delete_unseen(HISTORY_SOURCE)?;
        Ok(())
    })?;
    let interventions = Store::run(conn, INTERVENTION_RUN, |w| {
        for intervention in &data.interventions {
            w.put_intervention(intervention)?;
        }
        w.delete_unseen(INTERVENTIONS_SOURCE)?;
        Ok(())
    })?;
    Ok(SeedReport { local_authorities, inspections, interventions })
}

/// Records `error` as a failed run of `run` (writing nothing else) and returns it.
fn failed_run(conn: &mut AnyConnection, run: &str, error: StoreError) -> StoreError {
    match Store::run(conn, run, move |_| Err(error)) {
        Err(e) => e,
        Ok(_) => StoreError::Rejected { what: run.to_owned(), errors: vec!["the failure was not recorded".into()] },
    }
}

/// The `source` of the records each seed file publishes.
const HISTORY_SOURCE: &str = "seed:ofsted_csc_ilacs_history.csv";
const INTERVENTIONS_SOURCE: &str = "seed:interventions_seed.csv";

/// What importing one file would take away from the records it publishes.
#[derive(Debug)]
struct Loss {
    /// The file, as messages name it.
    file: String,
    /// The group's fetch-run source.
    run: &'static str,
    /// What the records are ("inspections read from their report PDFs" …).
    what: &'static str,
    /// Records it publishes now.
    published: usize,
    /// Records the import would delete.
    removed: usize,
    /// Records the import would replace with a lesser source or leave stating less.
    downgraded: usize,
    /// Judgements of these records, before and after, where they have judgements.
    judgements: Option<(usize, usize)>,
}

impl Loss {
    fn too_many(&self) -> bool {
        (self.removed + self.downgraded) * 100 > self.published * REMOVAL_LIMIT_PERCENT
    }
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut would = Vec::new();
        if self.removed > 0 {
            would.push(format!("remove {}", self.removed));
        }
        if self.downgraded > 0 {
            would.push(format!("downgrade {}", self.downgraded));
        }
        write!(
            f,
            "{}: importing it would {} of the {} {} (more than {REMOVAL_LIMIT_PERCENT}%)",
            self.file,
            would.join(" and "),
            self.published,
            self.what
        )?;
        if let Some((before, after)) = self.judgements {
            write!(f, "; judgements {before} → {after}")?;
        }
        write!(
            f,
            ". Nothing was changed. Check the file (is it truncated?); to import it anyway, run `lacs import seed --allow-removals`"
        )
    }
}

/// Whether `new` states less than `old`: a value `old` has that `new` leaves out or empty, or a
/// list that gets shorter. Where a record came from (its provenance) is not compared.
fn states_less(old: &serde_json::Value, new: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (old, new) {
        (Value::Null, _) => false,
        (_, Value::Null) => true,
        (Value::Object(o), Value::Object(n)) => {
            o.iter().any(|(k, v)| k != "provenance" && states_less(v, n.get(k).unwrap_or(&Value::Null)))
        }
        (Value::Array(o), Value::Array(n)) => n.len() < o.len(),
        (Value::String(o), Value::String(n)) => !o.is_empty() && n.is_empty(),
        _ => false,
    }
}

fn states_less_than<T: serde::Serialize>(old: &T, new: &T) -> bool {
    match (serde_json::to_value(old), serde_json::to_value(new)) {
        (Ok(old), Ok(new)) => states_less(&old, &new),
        _ => false,
    }
}

/// What importing `data` would remove or downgrade, per file, against what the database holds.
fn losses(conn: &mut AnyConnection, files: &SeedFiles, data: &SeedData) -> Result<Vec<Loss>, StoreError> {
    let held_las = schema::store::all_local_authorities(conn)?;
    let held_inspections = schema::Dataset::load(conn)?.inspections;
    let held_interventions = schema::store::all_interventions(conn)?;
    let mut losses = Vec::new();

    // LAs are never removed; a file that would leave LAs stating less (no valid_to, no codes …).
    let new_las: HashMap<&str, &LocalAuthority> =
        data.local_authorities.iter().map(|la| (la.gss_code.as_str(), la)).collect();
    for name in ["Provider_data_lookup.csv", "extra_local_authorities.csv"] {
        let source = format!("seed:{name}");
        let mine: Vec<&LocalAuthority> = held_las.iter().filter(|la| la.provenance.source == source).collect();
        let downgraded = mine
            .iter()
            .filter(|old| new_las.get(old.gss_code.as_str()).is_some_and(|new| states_less_than(**old, *new)))
            .count();
        losses.push(Loss {
            file: files.path(name),
            run: LA_RUN,
            what: "local authorities it describes",
            published: mine.len(),
            removed: 0,
            downgraded,
            judgements: None,
        });
    }

    let new_inspections: HashMap<&str, &Inspection> = data.inspections.iter().map(|i| (i.id.as_str(), i)).collect();
    // Our parser's readings (the records `ofsted_inspections.csv` and `lacs fetch ofsted` publish):
    // never deleted by the seed, but downgraded when the scraper's row would take a reading's
    // place or a reading would state less.
    let ours: Vec<&Inspection> =
        held_inspections.iter().filter(|i| i.provenance.source == crate::ofsted::SOURCE).collect();
    let downgraded: Vec<&&Inspection> = ours
        .iter()
        .filter(|old| {
            new_inspections
                .get(old.id.as_str())
                .is_some_and(|new| new.provenance.source != crate::ofsted::SOURCE || states_less_than(**old, *new))
        })
        .collect();
    let judgements = |list: &mut dyn Iterator<Item = &Inspection>| list.map(|i| i.judgements.len()).sum::<usize>();
    let before = judgements(&mut ours.iter().copied());
    let after = judgements(&mut ours.iter().map(|old| new_inspections.get(old.id.as_str()).copied().unwrap_or(*old)));
    losses.push(Loss {
        file: files.path("ofsted_inspections.csv"),
        run: INSPECTION_RUN,
        what: "inspections read from their report PDFs",
        published: ours.len(),
        removed: 0,
        downgraded: downgraded.len(),
        judgements: Some((before, after)),
    });
    // The scraper's rows: deleted when the file no longer has them.
    let history: Vec<&Inspection> = held_inspections.iter().filter(|i| i.provenance.source == HISTORY_SOURCE).collect();
    let removed = history.iter().filter(|old| !new_inspections.contains_key(old.id.as_str())).count();
    let downgraded = history
        .iter()
        .filter(|old| new_inspections.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
        .count();
    let before = judgements(&mut history.iter().copied());
    let after = judgements(&mut history.iter().filter_map(|old| new_inspections.get(old.id.as_str()).copied()));
    losses.push(Loss {
        file: files.path("ofsted_csc_ilacs_history.csv"),
        run: INSPECTION_RUN,
        what: "inspections it publishes",
        published: history.len(),
        removed,
        downgraded,
        judgements: Some((before, after)),
    });

    let new_interventions: HashMap<&str, &Intervention> =
        data.interventions.iter().map(|i| (i.id.as_str(), i)).collect();
    let curated: Vec<&Intervention> =
        held_interventions.iter().filter(|i| i.provenance.source == INTERVENTIONS_SOURCE).collect();
    let removed = curated.iter().filter(|old| !new_interventions.contains_key(old.id.as_str())).count();
    let downgraded = curated
        .iter()
        .filter(|old| new_interventions.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
        .count();
    losses.push(Loss {
        file: files.path("interventions_seed.csv"),
        run: INTERVENTION_RUN,
        what: "interventions it publishes",
        published: curated.len(),
        removed,
        downgraded,
        judgements: None,
    });
    Ok(losses)
}

/// Collects "file:line: reason" messages; any message rejects the file.
struct Problems {
    what: String,
    errors: Vec<String>,
}

impl Problems {
    fn new(what: &str) -> Self {
        Problems { what: what.to_owned(), errors: Vec::new() }
    }

    /// `file` is the path as [`SeedFiles::path`] names it.
    fn add(&mut self, file: &str, line: u64, reason: impl std::fmt::Display) {
        self.errors.push(format!("{file}:{line}: {reason}"));
    }

    fn finish(self) -> Result<(), StoreError> {
        if self.errors.is_empty() { Ok(()) } else { Err(StoreError::Rejected { what: self.what, errors: self.errors }) }
    }
}

/// A CSV file's rows as header → value maps, with their line numbers.
struct Table {
    name: &'static str,
    /// The file as messages name it.
    path: String,
    sha256: String,
    rows: Vec<(u64, HashMap<String, String>)>,
}

impl Table {
    fn read(files: &SeedFiles, name: &'static str, required: &[&str], problems: &mut Problems) -> Table {
        let bytes = files.bytes(name);
        let path = files.path(name);
        let sha256 = hex(&Sha256::digest(bytes));
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

    fn provenance(&self, source_url: &str, retrieved_at: DateTime<Utc>) -> Provenance {
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

/// An intervention's public id: `iv-` and 16 hex digits of SHA-256 over the parts that
/// identify it in its source (not over its wording, so that rewording a record updates it).
pub(crate) fn intervention_id(parts: &[&str]) -> String {
    format!("iv-{}", &hex(&Sha256::digest(parts.join("\u{1f}").as_bytes()))[..16])
}

/// Lower-case hexadecimal, as checksums and ids are written.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn get<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map(String::as_str).unwrap_or_default()
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn upstream_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(UPSTREAM_TAKEN_AT).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The nine English regions, by ONS code.
const REGIONS: [(&str, &str); 9] = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
];

fn region_name(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn la_type(text: &str) -> Result<Option<LaType>, String> {
    Ok(Some(match text {
        "" => return Ok(None),
        "County" | "county" => LaType::County,
        "Metropolitan District" | "metropolitan_district" => LaType::MetropolitanDistrict,
        "London Borough" | "london_borough" => LaType::LondonBorough,
        "Unitary Authority" | "unitary_authority" => LaType::UnitaryAuthority,
        other => return Err(format!("unknown LA type `{other}`")),
    }))
}

/// `Bristol, City of` → `Bristol`; `Herefordshire, County of` → `Herefordshire`.
fn short_name(ons_name: &str) -> String {
    [", City of", ", County of"].iter().find_map(|suffix| ons_name.strip_suffix(suffix)).unwrap_or(ons_name).to_owned()
}

/// Lower case, words joined by hyphens: `St. Helens` → `st-helens`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

fn is_gss(code: &str) -> bool {
    code.len() == 9 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit())
}

fn split_codes(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn parse_date(text: &str, format: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, format).map(Some).map_err(|_| format!("`{text}` is not a date ({format})"))
}

/// The LA files, read and checked: the LAs, their reorganisations, and the index inspections and
/// interventions are matched with (`held`, the LAs the database holds, updated by the files').
fn read_local_authorities(
    files: &SeedFiles,
    held: &[LocalAuthority],
) -> Result<(Vec<LocalAuthority>, Vec<Succession>, LaIndex), StoreError> {
    let mut problems = Problems::new("seed local authorities");
    let lookup = Table::read(
        files,
        "Provider_data_lookup.csv",
        &[
            "urn",
            "la_code",
            "la_code_new",
            "stat_neighbours",
            "local_authority_ons_name",
            "region_name",
            "rgn22cd",
            "domain",
            "ons_population_0-25",
            "ons_la_type",
        ],
        &mut problems,
    );
    let extra = Table::read(
        files,
        "extra_local_authorities.csv",
        &[
            "gss_code",
            "dfe_code",
            "ofsted_urn",
            "name",
            "region_code",
            "la_type",
            "valid_to",
            "website",
            "source_url",
            "notes",
        ],
        &mut problems,
    );
    let corrections =
        Table::read(files, "lookup_corrections.csv", &["gss_code", "column", "value", "reason"], &mut problems);
    let reorganisations = Table::read(
        files,
        "reorganisations.csv",
        &["predecessor_gss", "successor_gss", "effective", "source_url"],
        &mut problems,
    );
    let recodes =
        Table::read(files, "gss_recodes.csv", &["former_gss", "current_gss", "effective", "source_url"], &mut problems);
    problems.finish()?;
    let mut problems = Problems::new("seed local authorities");

    // Corrections, keyed by (GSS code, column).
    let mut fixes: HashMap<(String, String), (String, String)> = HashMap::new();
    for (line, row) in &corrections.rows {
        let key = (get(row, "gss_code").to_owned(), get(row, "column").to_owned());
        if fixes.insert(key.clone(), (get(row, "value").to_owned(), get(row, "reason").to_owned())).is_some() {
            problems.add(&corrections.path, *line, format!("a second correction of {} for {}", key.1, key.0));
        }
    }
    let mut used_fixes = HashSet::new();

    let mut las: Vec<LocalAuthority> = Vec::new();
    let lookup_url = format!("{UPSTREAM}/import_data/la_lookup/Provider_data_lookup.csv");
    for (line, row) in &lookup.rows {
        let gss = get(row, "la_code_new");
        if !is_gss(gss) {
            problems.add(&lookup.path, *line, format!("`{gss}` is not a GSS code (la_code_new)"));
            continue;
        }
        let mut notes = Vec::new();
        let mut value = |column: &str| -> String {
            match fixes.get(&(gss.to_owned(), column.to_owned())) {
                Some((fixed, reason)) => {
                    used_fixes.insert((gss.to_owned(), column.to_owned()));
                    notes.push(format!("{column}: {reason}"));
                    fixed.clone()
                }
                None => get(row, column).to_owned(),
            }
        };
        // The region name column is the reliable one; rgn22cd carries the code (two rows were wrong,
        // see lookup_corrections.csv). A row whose code and name disagree is rejected.
        let region_code = non_empty(&value("rgn22cd"));
        let region = region_code.as_deref().map(|c| (c, region_name(c)));
        let (region_code, region_name) = match region {
            None => (None, None),
            Some((code, Some(name))) => {
                let given = get(row, "region_name");
                if !given.is_empty() && !given.eq_ignore_ascii_case(name) {
                    problems.add(&lookup.path, *line, format!("rgn22cd {code} is {name} but region_name says {given}"));
                }
                (Some(code.to_owned()), Some(name.to_owned()))
            }
            Some((code, None)) => {
                problems.add(&lookup.path, *line, format!("`{code}` is not an English region code (rgn22cd)"));
                continue;
            }
        };
        let la_type = match la_type(&value("ons_la_type")) {
            Ok(t) => t,
            Err(e) => {
                problems.add(&lookup.path, *line, e);
                continue;
            }
        };
        let population = value("ons_population_0-25");
        let population_0_25 = match population.as_str() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(&lookup.path, *line, format!("`{p}` is not a population count"));
                    continue;
                }
            },
        };
        let name = get(row, "local_authority_ons_name").to_owned();
        if name.is_empty() {
            problems.add(&lookup.path, *line, "empty local_authority_ons_name");
            continue;
        }
        let short = short_name(&name);
        las.push(LocalAuthority {
            gss_code: gss.to_owned(),
            former_gss_codes: Vec::new(),
            dfe_code: non_empty(get(row, "la_code")),
            ofsted_urn: non_empty(get(row, "urn")),
            slug: slugify(&short),
            short_name: short,
            name,
            region_code,
            region_name,
            la_type,
            statistical_neighbours: split_codes(get(row, "stat_neighbours")),
            population_0_25,
            valid_from: None,
            valid_to: None,
            website: non_empty(get(row, "domain")).map(|d| format!("https://{}", d.to_ascii_lowercase())),
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
            provenance: lookup.provenance(&lookup_url, upstream_time()),
        });
    }
    for (key, _) in fixes.iter().filter(|(k, _)| !used_fixes.contains(*k)) {
        problems.add(&corrections.path, 0, format!("correction of {} for {} matches no row", key.1, key.0));
    }

    for (line, row) in &extra.rows {
        let gss = get(row, "gss_code");
        let region = get(row, "region_code");
        let (Some(region_name), true) = (region_name(region), is_gss(gss)) else {
            problems.add(&extra.path, *line, format!("bad GSS code `{gss}` or region code `{region}`"));
            continue;
        };
        let (la_type, valid_to) = match (la_type(get(row, "la_type")), parse_date(get(row, "valid_to"), "%Y-%m-%d")) {
            (Ok(t), Ok(v)) => (t, v),
            (Err(e), _) | (_, Err(e)) => {
                problems.add(&extra.path, *line, e);
                continue;
            }
        };
        let name = get(row, "name").to_owned();
        las.push(LocalAuthority {
            gss_code: gss.to_owned(),
            former_gss_codes: Vec::new(),
            dfe_code: non_empty(get(row, "dfe_code")),
            ofsted_urn: non_empty(get(row, "ofsted_urn")),
            slug: slugify(&name),
            short_name: name.clone(),
            name,
            region_code: Some(region.to_owned()),
            region_name: Some(region_name.to_owned()),
            la_type,
            statistical_neighbours: Vec::new(),
            population_0_25: None,
            valid_from: None,
            valid_to,
            website: non_empty(get(row, "website")),
            notes: non_empty(get(row, "notes")),
            provenance: extra.provenance(get(row, "source_url"), upstream_time()),
        });
    }

    let index: HashMap<String, usize> = las.iter().enumerate().map(|(i, la)| (la.gss_code.clone(), i)).collect();
    if index.len() != las.len() {
        problems.add(
            &lookup.path,
            0,
            "a GSS code appears twice across Provider_data_lookup.csv and extra_local_authorities.csv",
        );
    }
    let mut successions = Vec::new();
    for (line, row) in &reorganisations.rows {
        let (pred, succ) = (get(row, "predecessor_gss"), get(row, "successor_gss"));
        let effective = match parse_date(get(row, "effective"), "%Y-%m-%d") {
            Ok(Some(d)) => d,
            Ok(None) => {
                problems.add(&reorganisations.path, *line, "empty effective date");
                continue;
            }
            Err(e) => {
                problems.add(&reorganisations.path, *line, e);
                continue;
            }
        };
        let (Some(&p), Some(&s)) = (index.get(pred), index.get(succ)) else {
            problems.add(&reorganisations.path, *line, format!("unknown GSS code in `{pred}` → `{succ}`"));
            continue;
        };
        // The predecessor's last day is the day before; the successor's first day is the date.
        las[p].valid_to = effective.pred_opt();
        las[s].valid_from = Some(effective);
        successions.push(Succession {
            predecessor: pred.to_owned(),
            successor: succ.to_owned(),
            effective,
            source_url: get(row, "source_url").to_owned(),
        });
    }
    for (line, row) in &recodes.rows {
        let (former, current) = (get(row, "former_gss"), get(row, "current_gss"));
        match index.get(current) {
            Some(&i) if is_gss(former) && !index.contains_key(former) => {
                las[i].former_gss_codes.push(former.to_owned())
            }
            _ => problems.add(
                &recodes.path,
                *line,
                format!("`{former}` → `{current}` must map a code we do not hold to one we do"),
            ),
        }
    }
    let mut slugs = HashSet::new();
    for la in &las {
        if !slugs.insert(la.slug.clone()) {
            problems.add(&lookup.path, 0, format!("two LAs share the slug `{}`", la.slug));
        }
    }
    // The import adds and updates LAs and never removes one: after it the database holds these.
    let mut after: Vec<LocalAuthority> = held.iter().filter(|h| !index.contains_key(&h.gss_code)).cloned().collect();
    after.extend(las.iter().cloned());
    let las_index = LaIndex::new(&after, files, &mut problems);
    problems.finish()?;
    Ok((las, successions, las_index))
}

/// LAs as the seed import keys them: by Ofsted URN and by normalised name.
struct LaIndex {
    by_urn: HashMap<String, String>,
    names: CouncilNames,
}

/// Normalises a council name so that "City of Bradford Metropolitan District Council",
/// "Bradford" and "bradford" meet: lower case, `&` as `and`, no punctuation, no generic words.
pub fn normalise_name(name: &str) -> String {
    const GENERIC: [&str; 12] = [
        "council",
        "city",
        "county",
        "borough",
        "metropolitan",
        "district",
        "london",
        "royal",
        "of",
        "the",
        "mbc",
        "cc",
    ];
    let lower = name.to_lowercase().replace('&', " and ");
    let words = || lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty());
    let specific: Vec<&str> = words().filter(|w| !GENERIC.contains(w)).collect();
    // "City of London" is nothing but generic words: keep them all.
    if specific.is_empty() { words().collect::<Vec<_>>().join(" ") } else { specific.join(" ") }
}

/// Council names as sources write them, resolved to GSS codes: every LA's name and short name
/// (normalised by [`normalise_name`]) and the alias table. A name two councils share ("Dorset
/// County Council" and "Dorset Council" both normalise to "dorset") resolves to the one that
/// existed on the date in question, else the current one. The seed import and the GOV.UK
/// fetcher both match names here, so they always agree on a council.
pub struct CouncilNames {
    by_name: HashMap<String, Vec<Council>>,
}

/// A council's GSS code and the dates it existed from and to.
type Council = (String, Option<NaiveDate>, Option<NaiveDate>);

impl CouncilNames {
    /// Indexes `las` and the alias table bundled with lacs.
    pub fn new(las: &[LocalAuthority]) -> Result<CouncilNames, StoreError> {
        let mut problems = Problems::new("council aliases");
        let names = CouncilNames::build(las, &SeedFiles::bundled(), &mut problems);
        problems.finish()?;
        Ok(names)
    }

    /// Indexes `las` and the alias table of `files`; an alias naming an unknown GSS code is a
    /// problem of that file.
    fn build(las: &[LocalAuthority], files: &SeedFiles, problems: &mut Problems) -> CouncilNames {
        let council = |la: &LocalAuthority| (la.gss_code.clone(), la.valid_from, la.valid_to);
        let mut by_name: HashMap<String, Vec<Council>> = HashMap::new();
        for la in las {
            for name in [&la.name, &la.short_name] {
                let entry = by_name.entry(normalise_name(name)).or_default();
                if !entry.iter().any(|(g, _, _)| *g == la.gss_code) {
                    entry.push(council(la));
                }
            }
        }
        let aliases = Table::read(files, "la_aliases.csv", &["name", "gss_code"], problems);
        for (line, row) in &aliases.rows {
            let gss = get(row, "gss_code");
            match las.iter().find(|la| la.gss_code == gss) {
                Some(la) => {
                    by_name.insert(normalise_name(get(row, "name")), vec![council(la)]);
                }
                None => problems.add(&aliases.path, *line, format!("unknown GSS code `{gss}`")),
            }
        }
        // Current councils first, then by code: the choice never depends on database order.
        for candidates in by_name.values_mut() {
            candidates.sort_by(|a, b| (a.2.is_some(), &a.0).cmp(&(b.2.is_some(), &b.0)));
        }
        CouncilNames { by_name }
    }

    /// The council `name` means on `on` (or the current one when the date is unknown).
    pub fn find(&self, name: &str, on: Option<NaiveDate>) -> Option<&str> {
        let candidates = self.by_name.get(&normalise_name(name))?;
        let existed = |(_, from, to): &&Council| match on {
            Some(day) => from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t),
            None => to.is_none(),
        };
        candidates.iter().find(existed).or(candidates.first()).map(|(g, _, _)| g.as_str())
    }
}

impl LaIndex {
    fn new(las: &[LocalAuthority], files: &SeedFiles, problems: &mut Problems) -> LaIndex {
        let by_urn = las.iter().filter_map(|la| Some((la.ofsted_urn.clone()?, la.gss_code.clone()))).collect();
        LaIndex { by_urn, names: CouncilNames::build(las, files, problems) }
    }
}

fn history_grade(text: &str) -> Result<Option<Grade>, String> {
    Ok(Some(match text {
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        "requires improvement" => Grade::RequiresImprovement,
        "inadequate" => Grade::Inadequate,
        // Markers, not grades: the area was not read, or does not exist for this inspection.
        "" | "data_unreadable" | "inspection_pre_dates_judgement" | "not_reported_post_reform" => {
            return Ok(None);
        }
        other => return Err(format!("`{other}` is not a grade")),
    }))
}

/// The inspection files, read and checked: our parser's readings first, the scraper's rows for
/// the rest.
fn read_inspections(files: &SeedFiles, las: &LaIndex) -> Result<Vec<Inspection>, StoreError> {
    let mut problems = Problems::new("seed inspections");
    const GRADE_COLUMNS: [&str; 5] = [
        "overall_effectiveness_grade",
        "impact_of_leaders_grade",
        "help_and_protection_grade",
        "in_care_grade",
        "care_leavers_grade",
    ];
    let mut required = vec![
        "urn",
        "inspection_link",
        "publication_date",
        "inspection_framework",
        "inspector_name",
        "inspection_start_date",
        "inspection_end_date",
    ];
    required.extend(GRADE_COLUMNS);
    let history = Table::read(files, "ofsted_csc_ilacs_history.csv", &required, &mut problems);
    problems.finish()?;
    let mut problems = Problems::new("seed inspections");
    let source_url = format!("{UPSTREAM}/ofsted_csc_ilacs_history.csv");

    // Our own parser's reading of each report we hold, first; the scraper's row for the rest.
    let mut inspections = read_ofsted_inspections(files, las, &mut problems);
    let ours: HashSet<String> = inspections.iter().map(|i| i.id.clone()).collect();
    let mut seen = HashSet::new();
    for (line, row) in &history.rows {
        let mut fail = |reason: String| problems.add(&history.path, *line, reason);
        let urn = get(row, "urn");
        let Some(la) = las.by_urn.get(urn) else {
            fail(format!("URN `{urn}` matches no local authority"));
            continue;
        };
        let link = get(row, "inspection_link");
        let Some(id) = link
            .strip_prefix("https://files.ofsted.gov.uk/v1/file/")
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        else {
            fail(format!("`{link}` is not an Ofsted file link"));
            continue;
        };
        if !seen.insert(id.to_owned()) && !ours.contains(id) {
            fail(format!("file id {id} appears twice"));
            continue;
        }
        let dates = (
            parse_date(get(row, "publication_date"), "%d/%m/%y"),
            parse_date(get(row, "inspection_start_date"), "%d/%m/%Y"),
            parse_date(get(row, "inspection_end_date"), "%d/%m/%Y"),
        );
        let (published, start_date, end_date) = match dates {
            (Ok(Some(p)), Ok(s), Ok(e)) => (p, s, e),
            (Ok(None), _, _) => {
                fail("empty publication_date".into());
                continue;
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                fail(e);
                continue;
            }
        };
        let mut grades = [None; 5];
        let mut bad = false;
        for (slot, column) in grades.iter_mut().zip(GRADE_COLUMNS) {
            match (get(row, column), history_grade(get(row, column))) {
                // Two rows hold this misreading of the scraper's: the grade is unknown.
                ("to requires improvement", _) => {}
                (_, Ok(g)) => *slot = g,
                (_, Err(e)) => {
                    fail(format!("{column}: {e}"));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        // Before 2023 one judgement covered children in care and care leavers together; the
        // file then puts it in the in-care column and marks care leavers as not yet judged.
        let combined = get(row, "care_leavers_grade") == "inspection_pre_dates_judgement";
        let in_care_area = if combined { Area::ChildrenInCareAndCareLeavers } else { Area::ChildrenInCare };
        let areas = [
            Area::OverallEffectiveness,
            Area::ImpactOfLeaders,
            Area::HelpAndProtection,
            in_care_area,
            Area::CareLeavers,
        ];
        let judgements: Vec<Judgement> =
            areas.iter().zip(grades).filter_map(|(&area, g)| g.map(|grade| Judgement { area, grade })).collect();

        let framework_text = get(row, "inspection_framework");
        let inspection_type = match framework_text {
            "standard" => Some(InspectionType::Standard),
            "short" => Some(InspectionType::Short),
            _ => None,
        };
        // The file names ILACS inspection types; otherwise only the date settles the framework:
        // nothing but ILACS has been published since 2019. Earlier rows stay unknown until our own
        // parser reads the report.
        let ilacs_since = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
        let framework = (!framework_text.is_empty() || published >= ilacs_since).then_some(Framework::Ilacs);
        let mut notes = Vec::new();
        if framework_text == "inspection duration longer than standard framework" {
            notes.push("the source describes the inspection as longer than a standard inspection".to_owned());
        }
        let unread: Vec<&str> = GRADE_COLUMNS
            .iter()
            .filter(|c| matches!(get(row, c), "" | "data_unreadable" | "to requires improvement"))
            .filter(|c| !(**c == "overall_effectiveness_grade" && get(row, c) == "not_reported_post_reform"))
            .copied()
            .collect();
        if !unread.is_empty() {
            notes.push(format!("the source could not read {} from the report", unread.join(", ")));
        }
        if framework.is_none() {
            notes.push("framework not stated by the source".to_owned());
        }
        // Every row is checked; a row whose report our parser read gives way to that reading.
        if ours.contains(id) {
            continue;
        }
        inspections.push(Inspection {
            id: id.to_owned(),
            la: la.clone(),
            kind: InspectionKind::Inspection,
            framework,
            inspection_type,
            start_date,
            end_date,
            second_start_date: None,
            second_end_date: None,
            published,
            lead_inspectors: non_empty(get(row, "inspector_name")).into_iter().collect(),
            report_url: link.to_owned(),
            provider_url: Some(format!("https://reports.ofsted.gov.uk/provider/44/{urn}")),
            judgements,
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
            provenance: history.provenance(&source_url, upstream_time()),
        });
    }
    problems.finish()?;
    Ok(inspections)
}

/// `ofsted_inspections.csv`: what `lacs fetch ofsted` read from each report PDF (see
/// `scripts/rebuild-seed`), with the report's SHA-256, parser version and retrieval time.
fn read_ofsted_inspections(files: &SeedFiles, las: &LaIndex, problems: &mut Problems) -> Vec<Inspection> {
    let table = Table::read(
        files,
        "ofsted_inspections.csv",
        &[
            "id",
            "urn",
            "kind",
            "framework",
            "inspection_type",
            "start_date",
            "end_date",
            "second_start_date",
            "second_end_date",
            "published",
            "lead_inspectors",
            "judgements",
            "report_url",
            "provider_url",
            "notes",
            "retrieved_at",
            "sha256",
            "parser_version",
        ],
        problems,
    );
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(&table.path, *line, reason);
        let Some(la) = las.by_urn.get(get(row, "urn")) else {
            fail(format!("URN `{}` matches no local authority", get(row, "urn")));
            continue;
        };
        let date = |c: &str| parse_date(get(row, c), "%Y-%m-%d").map_err(|e| format!("{c}: {e}"));
        let vocab = |c: &str| -> Result<Option<String>, String> { Ok(non_empty(get(row, c))) };
        let parsed = (|| -> Result<Inspection, String> {
            let judgements = get(row, "judgements")
                .split(';')
                .filter(|j| !j.is_empty())
                .map(|j| {
                    let (area, grade) =
                        j.split_once('=').ok_or_else(|| format!("judgements: `{j}` is not area=grade"))?;
                    Ok(Judgement {
                        area: area.parse().map_err(|e: UnknownValue| e.to_string())?,
                        grade: grade.parse().map_err(|e: UnknownValue| e.to_string())?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let retrieved_at = DateTime::parse_from_rfc3339(get(row, "retrieved_at"))
                .map_err(|_| format!("retrieved_at: `{}` is not an RFC 3339 time", get(row, "retrieved_at")))?
                .with_timezone(&Utc);
            Ok(Inspection {
                id: get(row, "id").to_owned(),
                la: la.clone(),
                kind: get(row, "kind").parse().map_err(|e: UnknownValue| e.to_string())?,
                framework: vocab("framework")?
                    .map(|f| f.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                inspection_type: vocab("inspection_type")?
                    .map(|t| t.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                start_date: date("start_date")?,
                end_date: date("end_date")?,
                second_start_date: date("second_start_date")?,
                second_end_date: date("second_end_date")?,
                published: date("published")?.ok_or("published: empty")?,
                lead_inspectors: get(row, "lead_inspectors")
                    .split("; ")
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
                report_url: get(row, "report_url").to_owned(),
                provider_url: non_empty(get(row, "provider_url")),
                judgements,
                notes: non_empty(get(row, "notes")),
                provenance: Provenance {
                    source: crate::ofsted::SOURCE.to_owned(),
                    source_url: get(row, "report_url").to_owned(),
                    retrieved_at,
                    sha256: get(row, "sha256").to_owned(),
                    parser_version: get(row, "parser_version").to_owned(),
                },
            })
        })();
        match parsed {
            Ok(i) => out.push(i),
            Err(e) => fail(e),
        }
    }
    out
}

fn intervention_kind(text: &str) -> Result<InterventionKind, String> {
    Ok(match text {
        "improvement_notice" => InterventionKind::ImprovementNotice,
        "statutory_direction" => InterventionKind::StatutoryDirection,
        "commissioner_appointed" => InterventionKind::CommissionerAppointed,
        "trust_or_alternative_delivery" => InterventionKind::AlternativeDelivery,
        "partnership_with_another_council" => InterventionKind::PartnershipWithAnotherCouncil,
        "intervention_lifted" => InterventionKind::InterventionEnded,
        "trust_returned_in_house" => InterventionKind::ReturnedInHouse,
        "other_intervention" => InterventionKind::Other,
        other => return Err(format!("`{other}` is not an intervention type")),
    })
}

/// The curated interventions list, read and checked.
fn read_interventions(files: &SeedFiles, las: &LaIndex) -> Result<Vec<Intervention>, StoreError> {
    let mut problems = Problems::new("seed interventions");
    let table = Table::read(
        files,
        "interventions_seed.csv",
        &["local_authority", "intervention_type", "date", "end_date", "commissioner", "details", "source_url"],
        &mut problems,
    );
    problems.finish()?;
    let mut problems = Problems::new("seed interventions");
    let retrieved_at = Utc::now();
    let mut ids = HashSet::new();
    let mut interventions = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(&table.path, *line, reason);
        let name = get(row, "local_authority");
        let date = |column: &str| -> Result<Option<PartialDate>, String> {
            let text = get(row, column);
            if text.is_empty() { Ok(None) } else { text.parse().map(Some).map_err(|e| format!("{column}: {e}")) }
        };
        let dates = date("date").and_then(|s| Ok((s, date("end_date")?)));
        // A name two councils shared means the one that existed when the intervention started.
        let start = dates.as_ref().ok().and_then(|(s, _)| s.map(|s| s.first_day));
        let Some(la) = las.names.find(name, start).map(str::to_owned) else {
            fail(format!("local authority `{name}` matches no LA name; add it to {}", files.path("la_aliases.csv")));
            continue;
        };
        let kind = match intervention_kind(get(row, "intervention_type")) {
            Ok(k) => k,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let (start_date, end_date) = match dates {
            Ok(dates) => dates,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let source = get(row, "source_url");
        if !(source.starts_with("https://") || source.starts_with("http://")) {
            fail(format!("source_url `{source}` is not a web address"));
            continue;
        }
        let id =
            intervention_id(&[name, get(row, "intervention_type"), get(row, "date"), get(row, "commissioner"), source]);
        if !ids.insert(id.clone()) {
            fail("the same local authority, type, date, commissioner and source as an earlier line".into());
            continue;
        }
        interventions.push(Intervention {
            id,
            la,
            kind,
            service: if crate::govuk::is_send(get(row, "details")) {
                Service::Send
            } else {
                Service::ChildrensSocialCare
            },
            start_date,
            end_date,
            commissioner: non_empty(get(row, "commissioner")),
            title: None,
            summary: non_empty(get(row, "details")),
            source_urls: vec![source.to_owned()],
            follows: None,
            same_as: None,
            document_updated_at: None,
            corroborations: Vec::new(),
            provenance: table.provenance("data/seed/interventions_seed.csv", retrieved_at),
        });
    }
    problems.finish()?;
    Ok(interventions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_to_meet_the_lookup() {
        assert_eq!(normalise_name("City of Bradford Metropolitan District Council"), "bradford");
        assert_eq!(normalise_name("Kingston upon Hull City Council"), normalise_name("Kingston Upon Hull, City of"));
        assert_eq!(normalise_name("Royal Borough of Windsor and Maidenhead"), "windsor and maidenhead");
        assert_eq!(normalise_name("Stoke-on-Trent City Council"), "stoke-on-trent");
        assert_eq!(normalise_name("Bournemouth, Christchurch & Poole"), "bournemouth christchurch and poole");
    }

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

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slugify("St. Helens"), "st-helens");
        assert_eq!(slugify(&short_name("Bristol, City of")), "bristol");
        assert_eq!(short_name("Bournemouth, Christchurch and Poole"), "Bournemouth, Christchurch and Poole");
    }
}
