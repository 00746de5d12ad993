//! The bundled seed dataset (`data/seed/`): every LA, the inspection history and the curated
//! interventions list, with the checked-in tables that complete and correct them.
//!
//! Every file is read in full and checked before anything is written. A bad row is reported with
//! the file (the path actually read), line and reason, and rejects the whole import; so does a file
//! that would remove or downgrade more than [`REMOVAL_LIMIT_PERCENT`] of the records it publishes,
//! unless removals are allowed. Either way the database is left as it was.
//!
//! One job a file: `files` reads the CSVs and reports bad lines, `names` resolves councils'
//! names (shared with the GOV.UK fetcher), `local_authorities`, `inspections` and `interventions`
//! read each group of files into records, `losses` measures what an import would take away, and
//! `store` writes.

use chrono::{DateTime, Utc};
use schema::domain::{Inspection, Intervention, LocalAuthority, Succession};
use schema::store::StoreError;

mod files;
mod inspections;
mod interventions;
mod local_authorities;
mod losses;
mod names;
mod store;

pub use files::{FILES, MAX_FILE_BYTES, SeedFiles};
pub use local_authorities::slugify;
pub use losses::{REMOVAL_LIMIT_PERCENT, Removals};
pub use names::{CouncilNames, normalise_name};
pub use store::{Seed, SeedReport, import, import_with};

/// The version of this importer, recorded as each record's `parser_version`.
pub const PARSER_VERSION: &str = "seed-1";

/// Where upstream files were taken from (see `data/seed/SOURCES.md`).
const UPSTREAM: &str =
    "https://github.com/JT-39/ofsted-ilacs-scrape-tool/blob/54af59bf7856a26530b1eeb45c1c1c146f34cb8a";
/// When the upstream files were taken: the upstream commit's time.
const UPSTREAM_TAKEN_AT: &str = "2026-08-22T05:22:11Z";

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

/// The `source` of the records each seed file publishes.
const HISTORY_SOURCE: &str = "seed:ofsted_csc_ilacs_history.csv";
const INTERVENTIONS_SOURCE: &str = "seed:interventions_seed.csv";

/// Reads and checks every seed file, writing nothing. `held` are the LAs a database already holds
/// (inspections and interventions may name them); with none, the files' own LAs are used. The
/// error names the group of files (its fetch-run source) with every bad line.
fn read_groups(files: &SeedFiles, held: &[LocalAuthority]) -> Result<SeedData, (&'static str, StoreError)> {
    let (local_authorities, successions, index) = local_authorities::read(files, held).map_err(|e| (LA_RUN, e))?;
    let inspections = inspections::read(files, &index).map_err(|e| (INSPECTION_RUN, e))?;
    let interventions = interventions::read(files, &index).map_err(|e| (INTERVENTION_RUN, e))?;
    Ok(SeedData { local_authorities, successions, inspections, interventions })
}

/// Reads and checks every seed file without a database, as [`import`] would before writing.
pub fn read(files: &SeedFiles) -> Result<SeedData, StoreError> {
    read_groups(files, &[]).map_err(|(_, e)| e)
}

fn upstream_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(UPSTREAM_TAKEN_AT).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}
