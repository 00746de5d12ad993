//! Every file an import reads, read and checked, writing nothing: the LA files first, then the
//! inspection and intervention files matched against their LAs, and the indicator files against
//! the LAs the database will hold.

use schema::StoreError;
use schema::domain::{CodeChange, Indicator, IndicatorValue, Inspection, Intervention, LocalAuthority, Succession};

use super::files::SeedFiles;
use super::local_authorities::Councils;
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

/// Everything an import writes, read and checked: the seed's records and the indicators.
pub(super) struct Checked {
    pub(super) data: SeedData,
    /// The indicator catalogue.
    pub(super) indicators: Vec<Indicator>,
    /// Every indicator figure.
    pub(super) figures: Vec<IndicatorValue>,
}

/// The `source` of the records each seed file publishes.
pub(crate) use super::inspections::HISTORY_SOURCE;
pub(super) const INTERVENTIONS_SOURCE: &str = "seed:interventions_seed.csv";

/// Reads and checks every file of the import, writing nothing. `held` are the LAs a database
/// already holds (inspections, interventions and figures may name them). The error lists every
/// bad line of every file (but a bad LA file stops there: nothing else can be matched without it).
pub(super) fn read_all(files: &SeedFiles, held: &[LocalAuthority]) -> Result<Checked, StoreError> {
    let (councils, records) = read_records(files, held)?;
    let indicators = crate::indicators::read(files.indicators(), &councils.after);
    match (records, indicators) {
        (Ok(data), Ok((indicators, figures))) => Ok(Checked { data, indicators, figures }),
        (records, indicators) => Err(rejected([records.err(), indicators.err()])),
    }
}

/// Reads and checks every seed file without a database (not the indicator files), as an import
/// would before writing.
pub fn read(files: &SeedFiles) -> Result<SeedData, StoreError> {
    read_records(files, &[])?.1
}

/// The LA files (whose errors stop the reading), then the inspections and interventions.
fn read_records(
    files: &SeedFiles,
    held: &[LocalAuthority],
) -> Result<(Councils, Result<SeedData, StoreError>), StoreError> {
    let mut councils = local_authorities::read(files, held)?;
    let records = match (inspections::read(files, &councils.index), interventions::read(files, &councils.index)) {
        (Ok(inspections), Ok(interventions)) => Ok(SeedData {
            local_authorities: std::mem::take(&mut councils.las),
            successions: std::mem::take(&mut councils.successions),
            code_changes: std::mem::take(&mut councils.code_changes),
            inspections,
            interventions,
        }),
        (inspections, interventions) => Err(rejected([inspections.err(), interventions.err()])),
    };
    Ok((councils, records))
}

/// One rejection listing every error of `errors`.
fn rejected<const N: usize>(errors: [Option<StoreError>; N]) -> StoreError {
    let errors = errors
        .into_iter()
        .flatten()
        .flat_map(|e| match e {
            StoreError::Rejected { errors, .. } => errors,
            other => vec![other.to_string()],
        })
        .collect();
    StoreError::Rejected { what: "seed import".into(), errors }
}
