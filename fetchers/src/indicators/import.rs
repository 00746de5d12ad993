//! Checking and writing the bundled indicators (part of the seed import, `crate::seed`): the
//! catalogue and every figure read first (any bad line rejects the import), then written inside
//! the import's one transaction, with one change per indicator and period.

use std::collections::BTreeMap;

use schema::StoreError;
use schema::domain::{Indicator, IndicatorValue, LocalAuthority};
use schema::store::Writer;

use super::catalogue::read_catalogue;
use super::files::IndicatorFiles;
use super::table::{AreaIndex, read_values};

/// Reads the catalogue and every figure of the bundled (or given) files, writing nothing.
pub fn read(
    files: &IndicatorFiles,
    las: &[LocalAuthority],
) -> Result<(Vec<Indicator>, Vec<IndicatorValue>), StoreError> {
    let mut problems = Vec::new();
    let catalogue = read_catalogue(files, &mut problems);
    let areas = AreaIndex::new(las).with_absent(&super::s251::NOT_IN_LOOKUP);
    let mut values = Vec::new();
    for file in files.of_figures() {
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

/// Groups figures by indicator and period.
pub(super) fn by_period(values: Vec<IndicatorValue>) -> BTreeMap<(String, String), Vec<IndicatorValue>> {
    let mut groups: BTreeMap<(String, String), Vec<IndicatorValue>> = BTreeMap::new();
    for v in values {
        groups.entry((v.indicator.clone(), v.period.clone())).or_default().push(v);
    }
    groups
}

/// Writes the catalogue and the figures, period by period. A period whose held figures came
/// from a later fetch (not from a seed file) is left as it is: the bundled copy is older.
pub(crate) fn write(
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
