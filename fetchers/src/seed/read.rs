//! Every seed file read and checked, writing nothing: the LA files first, then the inspection and
//! intervention files matched against their LAs.

use schema::StoreError;
use schema::domain::{CodeChange, Inspection, Intervention, LocalAuthority, Succession};

use super::files::SeedFiles;
use super::{inspections, interventions, local_authorities};

/// Everything the seed files state, read and checked.
#[derive(Debug, Clone)]
pub struct SeedData {
    /// Every LA of the files.
    pub local_authorities: Vec<LocalAuthority>,
    /// Reorganisations.
    pub successions: Vec<Succession>,
    /// Councils' former codes (`gss_recodes.csv`).
    pub code_changes: Vec<CodeChange>,
    /// The inspection history: our parser's readings, then the scraper's rows for the rest.
    pub inspections: Vec<Inspection>,
    /// The curated interventions.
    pub interventions: Vec<Intervention>,
}

/// The fetch-run source of each group of files.
pub(super) const LA_RUN: &str = "seed:local_authorities";
pub(super) const INSPECTION_RUN: &str = "seed:inspections";
pub(super) const INTERVENTION_RUN: &str = "seed:interventions";

/// The `source` of the records each seed file publishes.
pub(crate) const HISTORY_SOURCE: &str = "seed:ofsted_csc_ilacs_history.csv";
pub(super) const INTERVENTIONS_SOURCE: &str = "seed:interventions_seed.csv";

/// Reads and checks every seed file, writing nothing. `held` are the LAs a database already holds
/// (inspections and interventions may name them); with none, the files' own LAs are used. The
/// error names the group of files (its fetch-run source) with every bad line.
pub(super) fn read_groups(files: &SeedFiles, held: &[LocalAuthority]) -> Result<SeedData, (&'static str, StoreError)> {
    let local_authorities::Councils { las: local_authorities, successions, code_changes, index } =
        local_authorities::read(files, held).map_err(|e| (LA_RUN, e))?;
    let inspections = inspections::read(files, &index).map_err(|e| (INSPECTION_RUN, e))?;
    let interventions = interventions::read(files, &index).map_err(|e| (INTERVENTION_RUN, e))?;
    Ok(SeedData { local_authorities, successions, code_changes, inspections, interventions })
}

/// Reads and checks every seed file without a database, as [`super::import`] would before writing.
pub fn read(files: &SeedFiles) -> Result<SeedData, StoreError> {
    read_groups(files, &[]).map_err(|(_, e)| e)
}
