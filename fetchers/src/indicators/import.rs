//! Checking and writing indicators: the catalogue and every figure read first (any bad line
//! rejects the import), the 5% rule measured, then one fetch run and one transaction, with one
//! change per indicator and period.

use std::collections::{BTreeMap, HashSet};

use schema::domain::{Indicator, IndicatorValue, LocalAuthority};
use schema::store::{RunSummary, Store, Writer};
use schema::{AnyConnection, StoreError};

use super::catalogue::read_catalogue;
use super::files::IndicatorFiles;
use super::table::{AreaIndex, read_values};
use crate::seed::{REMOVAL_LIMIT_PERCENT, Removals};

/// The fetch-run source of the indicator seed.
pub const SEED_RUN: &str = "seed:indicators";

/// Reads the catalogue and every figure of the bundled (or given) files, writing nothing.
pub fn read(
    files: &IndicatorFiles,
    las: &[LocalAuthority],
) -> Result<(Vec<Indicator>, Vec<IndicatorValue>), StoreError> {
    let mut problems = Vec::new();
    let catalogue = read_catalogue(files, &mut problems);
    let areas = AreaIndex::new(las).with_absent(&super::s251::NOT_IN_LOOKUP);
    let mut values = Vec::new();
    for file in files.files.iter().filter(|f| f.name.ends_with(".csv") && of_figures(f.name)) {
        let key = if file.name.starts_with("ro3_") {
            "ro3"
        } else if file.name.starts_with("s251/") {
            "s251"
        } else {
            file.name
        };
        // A section 251 file holds the lines of its year's form (the safety subtotal until
        // 2010-11, the safeguarding one from 2011-12).
        let year = super::s251::year_of_bundled(file.name);
        let of_file: Vec<&Indicator> = catalogue
            .iter()
            .filter(|i| i.source_file == key)
            .filter(|i| year.is_none_or(|y| y.lines.iter().any(|l| l.column == i.source_column)))
            .collect();
        if of_file.is_empty() {
            continue;
        }
        let path = files.path(file.name);
        values.extend(read_values(&file.bytes, &path, &file.provenance, None, &of_file, &areas, &mut problems));
    }
    let derived = super::derived::derive(&values);
    values.extend(derived);
    for i in &catalogue {
        if !values.iter().any(|v| v.indicator == i.id) {
            problems.push(format!(
                "{}: indicator `{}` has no figures in `{}`",
                files.path("indicators.csv"),
                i.id,
                i.source_file
            ));
        }
    }
    if problems.is_empty() {
        Ok((catalogue, values))
    } else {
        Err(StoreError::Rejected { what: "indicator import".into(), errors: problems })
    }
}

/// Whether a bundled file holds figures (not the catalogue).
fn of_figures(name: &str) -> bool {
    name != "indicators.csv"
}

/// Groups figures by indicator and period.
pub(super) fn by_period(values: Vec<IndicatorValue>) -> BTreeMap<(String, String), Vec<IndicatorValue>> {
    let mut groups: BTreeMap<(String, String), Vec<IndicatorValue>> = BTreeMap::new();
    for v in values {
        groups.entry((v.indicator.clone(), v.period.clone())).or_default().push(v);
    }
    groups
}

/// Refuses an import that would remove more than the 5% of the figures a source publishes
/// (a truncated or emptied file is far likelier than a withdrawal of that many figures).
pub(super) fn check_removals(
    conn: &mut AnyConnection,
    values: &[IndicatorValue],
    sources: &[String],
) -> Result<(), StoreError> {
    let incoming: HashSet<(&str, &str, &str)> =
        values.iter().map(|v| (v.indicator.as_str(), v.area_code.as_str(), v.period.as_str())).collect();
    let mut errors = Vec::new();
    for source in sources {
        let held = schema::stored::indicator_value_keys(conn, source)?;
        let removed = held.iter().filter(|(i, a, p)| !incoming.contains(&(i.as_str(), a.as_str(), p.as_str()))).count();
        if removed * 100 > held.len() * REMOVAL_LIMIT_PERCENT {
            errors.push(format!(
                "{source}: importing it would remove {removed} of the {} figures it publishes (more than {REMOVAL_LIMIT_PERCENT}%). \
                 Nothing was changed. Check the file (is it truncated?); to import it anyway, run `lacs import seed --allow-removals`",
                held.len()
            ));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(StoreError::Rejected { what: "indicator import".into(), errors }) }
}

/// Writes the catalogue and the figures, period by period. A period whose held figures came
/// from a later fetch (not from a seed file) is left as it is: the bundled copy is older.
pub(super) fn write(
    w: &mut Writer<'_>,
    catalogue: &[Indicator],
    values: Vec<IndicatorValue>,
    owns: impl Fn(&str) -> bool,
) -> Result<(), StoreError> {
    for i in catalogue {
        w.put_indicator(i)?;
    }
    let groups = by_period(values);
    for ((indicator, period), figures) in &groups {
        if schema::stored::period_sources(w.conn(), indicator, period)?.iter().any(|s| !owns(s)) {
            continue;
        }
        w.put_indicator_period(indicator, period, figures)?;
    }
    Ok(())
}

/// Imports the indicator seed: reads and checks everything, then writes in one run.
pub fn import(conn: &mut AnyConnection, files: &IndicatorFiles, removals: Removals) -> Result<RunSummary, StoreError> {
    let las = schema::stored::all_local_authorities(conn)?;
    let (catalogue, values) = match read(files, &las) {
        Ok(read) => read,
        Err(e) => return Err(failed(conn, e)),
    };
    if removals == Removals::Refuse {
        let sources: Vec<String> = files.files.iter().map(|f| f.provenance.source.clone()).collect();
        if let Err(e) = check_removals(conn, &values, &sources) {
            return Err(failed(conn, e));
        }
    }
    Store::run(conn, SEED_RUN, |w| write(w, &catalogue, values, |s| s.starts_with("seed:")))
}

/// Records `error` as a failed run and returns it.
fn failed(conn: &mut AnyConnection, error: StoreError) -> StoreError {
    match Store::run(conn, SEED_RUN, move |_| Err(error)) {
        Err(e) => e,
        Ok(_) => StoreError::Rejected { what: SEED_RUN.into(), errors: vec!["the failure was not recorded".into()] },
    }
}
