//! The indicator catalogue (`data/seed/context/indicators.csv`): one line per indicator, with the
//! publication, file and column its figures come from.

use schema::domain::{Indicator, IndicatorUnit, PeriodType};

use super::files::IndicatorFiles;

/// The catalogue's columns.
const COLUMNS: [&str; 10] = [
    "id",
    "title",
    "unit",
    "period_type",
    "definition",
    "publication",
    "publication_url",
    "source_file",
    "source_column",
    "source_filter",
];

/// Reads the catalogue; every bad line is one problem (`file:line: reason`).
pub fn read_catalogue(files: &IndicatorFiles, problems: &mut Vec<String>) -> Vec<Indicator> {
    let path = files.path("indicators.csv");
    let Some(file) = files.file("indicators.csv") else {
        problems.push(format!("{path}: missing"));
        return Vec::new();
    };
    let Some((headers, records)) = crate::csv_file::read(&file.bytes, &path, problems) else {
        return Vec::new();
    };
    let column = |c: &str| headers.iter().position(|h| h == c);
    for c in COLUMNS {
        if column(c).is_none() {
            problems.push(format!("{path}:1: missing column `{c}`"));
        }
    }
    let mut out: Vec<Indicator> = Vec::new();
    for record in records {
        let (line, record) = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let get = |c: &str| column(c).and_then(|i| record.get(i)).unwrap_or("").trim();
        let mut bad = |reason: String| problems.push(format!("{path}:{line}: {reason}"));
        let unit: Result<IndicatorUnit, _> = get("unit").parse();
        let period_type: Result<PeriodType, _> = get("period_type").parse();
        let (unit, period_type) = match (unit, period_type) {
            (Ok(u), Ok(p)) => (u, p),
            (Err(e), _) | (_, Err(e)) => {
                bad(e.to_string());
                continue;
            }
        };
        let id = get("id");
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
            bad(format!("`{id}` is not an indicator id (lower case letters, digits and _)"));
            continue;
        }
        if out.iter().any(|i| i.id == id) {
            bad(format!("indicator `{id}` is listed twice"));
            continue;
        }
        let filter = get("source_filter");
        if !filter.is_empty() && !filter.contains('=') {
            bad(format!("source_filter `{filter}` is not column=value"));
            continue;
        }
        let mut provenance = (*file.provenance).clone();
        provenance.source_url = get("publication_url").to_owned();
        out.push(Indicator {
            id: id.to_owned(),
            title: get("title").to_owned(),
            unit,
            definition: get("definition").to_owned(),
            period_type,
            publication: get("publication").to_owned(),
            publication_url: get("publication_url").to_owned(),
            source_file: get("source_file").to_owned(),
            source_column: get("source_column").to_owned(),
            source_filter: (!filter.is_empty()).then(|| filter.to_owned()),
            provenance,
        });
    }
    out
}
