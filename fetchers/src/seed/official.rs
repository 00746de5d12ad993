//! Ofsted's official statistics joined to the inspection records (`official_statements.csv`,
//! written from the bundled workbooks by `lacs official trim`).
//!
//! Each row of the statistics is a statement of one publication. It joins the record of the same
//! council and first day on site (or, where the row gives only a publication date, the same
//! publication date). Which reading a record shows: the report PDF's where lacs read the PDF (or
//! the visit letter's); else the statistics' (the newest edition stating an area), before the
//! scraper's CSV, whose reading is kept among the statements. Rows no record matches are published
//! from the statistics alone, as `os-<GSS code>-<date>`: the first day on site, else the
//! publication date.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use schema::domain::*;

use super::files::{Problems, SeedFiles, Table, get};
use super::names::LaIndex;
use super::read::HISTORY_SOURCE;
use crate::official::{PARSER_VERSION, SOURCE, bundle};

/// The bundled statements file.
pub(super) const FILE: &str = "official_statements.csv";

/// How the statistics' rows met the records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfficialMatch {
    /// Rows read.
    pub rows: usize,
    /// Rows that joined a record of another source.
    pub matched: usize,
    /// Records published from the statistics alone.
    pub official_only_records: usize,
    /// Rows that state no publication date and matched no record: they cannot be published.
    pub unplaced: usize,
}

struct Row {
    la: String,
    row: crate::official::OfficialRow,
    statement: Statement,
    source_url: String,
    sha256: String,
    retrieved_at: DateTime<Utc>,
}

/// Reads the statements, joins them to `inspections` and adds the records only the statistics
/// state. `history_lines` are the scraper rows' lines by record id (its reading becomes a
/// statement where the statistics replace it).
pub(super) fn merge(
    files: &SeedFiles,
    las: &LaIndex,
    inspections: &mut Vec<Inspection>,
    history_lines: &HashMap<String, u64>,
    problems: &mut Problems,
) -> OfficialMatch {
    let table = Table::read(files, FILE, &bundle::COLUMNS, problems);
    let mut rows = Vec::new();
    for (line, cells) in &table.rows {
        let parsed = bundle::parse(|c| get(cells, c).to_owned());
        let b = match parsed {
            Ok(b) => b,
            Err(e) => {
                problems.add(&table.path, *line, e);
                continue;
            }
        };
        let on = b.row.start_date.or(b.row.published);
        let la = match &b.row.gss_code {
            Some(gss) => las.by_gss.get(gss).cloned(),
            None => las.names.find(&b.row.council, on).map(str::to_owned),
        };
        let Some(la) = la else {
            problems.add(
                &table.path,
                *line,
                format!("`{}` ({:?}) matches no local authority", b.row.council, b.row.gss_code),
            );
            continue;
        };
        let Ok(retrieved_at) = DateTime::parse_from_rfc3339(&b.retrieved_at).map(|t| t.with_timezone(&Utc)) else {
            problems.add(&table.path, *line, format!("retrieved_at: `{}` is not an RFC 3339 time", b.retrieved_at));
            continue;
        };
        let statement = Statement {
            source: SOURCE.to_owned(),
            source_url: b.source_url.clone(),
            sha256: b.sha256.clone(),
            retrieved_at,
            locator: format!("{}, sheet {}, row {}", b.file, b.row.sheet, b.row.row),
            start_date: b.row.start_date,
            published: b.row.published,
            judgements: b.row.judgements.clone(),
        };
        rows.push(Row { la, row: b.row, statement, source_url: b.source_url, sha256: b.sha256, retrieved_at });
    }
    let mut m = OfficialMatch { rows: rows.len(), ..OfficialMatch::default() };
    let first_new = inspections.len();
    // Rows with both dates first, so that a record they create is there for the rows that give
    // only one; then rows with a start date only; then publication date only. The file's order
    // (oldest edition first) is kept within each.
    let rank = |r: &Row| match (r.row.start_date, r.row.published) {
        (Some(_), Some(_)) => 0,
        (Some(_), None) => 1,
        _ => 2,
    };
    rows.sort_by_key(rank);
    let provider_of: HashMap<&String, &String> = las.by_urn.iter().map(|(urn, gss)| (gss, urn)).collect();
    for r in rows {
        let found = find(inspections, &r);
        let at = match found {
            Some(at) => {
                if at < first_new {
                    m.matched += 1;
                }
                at
            }
            None => {
                let Some(published) = r.row.published else {
                    m.unplaced += 1;
                    continue;
                };
                let date = r.row.start_date.unwrap_or(published);
                m.official_only_records += 1;
                inspections.push(Inspection {
                    id: format!("os-{}-{date}", r.la),
                    la: r.la.clone(),
                    kind: r.row.kind,
                    framework: Some(r.row.framework),
                    inspection_type: r.row.inspection_type,
                    start_date: r.row.start_date,
                    end_date: None,
                    second_start_date: None,
                    second_end_date: None,
                    published,
                    lead_inspectors: Vec::new(),
                    inspectors: Vec::new(),
                    theme: r.row.theme,
                    report_url: r.source_url.clone(),
                    provider_url: provider_of
                        .get(&r.la)
                        .map(|urn| format!("https://reports.ofsted.gov.uk/provider/44/{urn}")),
                    judgements: Vec::new(),
                    notes: Some(format!(
                        "no report PDF is held: published from Ofsted's official statistics ({}), which state no \
                         inspectors or end date",
                        r.row.label
                    )),
                    provenance: Provenance {
                        source: SOURCE.to_owned(),
                        source_url: r.source_url.clone(),
                        retrieved_at: r.retrieved_at,
                        sha256: r.sha256.clone(),
                        parser_version: PARSER_VERSION.to_owned(),
                    },
                    statements: Vec::new(),
                });
                inspections.len() - 1
            }
        };
        let record = &mut inspections[at];
        if record.provenance.source == HISTORY_SOURCE {
            take_reading(record, &r, history_lines);
        } else if record.provenance.source == SOURCE {
            // A later edition restates the record: its reading, and its document, stand.
            record.judgements = overlay(&record.judgements, &r.statement.judgements);
            record.inspection_type = record.inspection_type.or(r.row.inspection_type);
            record.theme = record.theme.or(r.row.theme);
            if let Some(p) = r.row.published {
                record.published = p;
            }
            record.report_url = r.source_url.clone();
            record.provenance.source_url = r.source_url.clone();
            record.provenance.sha256 = r.sha256.clone();
            record.provenance.retrieved_at = r.retrieved_at;
        }
        if record.start_date.is_none() {
            record.start_date = r.row.start_date;
        }
        record.statements.push(r.statement);
    }
    m
}

/// The record of the same council and first day on site, else (for a row that gives no start
/// date, or whose start date no record has) of the same publication date; of the same kind where
/// two match.
fn find(inspections: &[Inspection], r: &Row) -> Option<usize> {
    let same_la = |i: &&Inspection| i.la == r.la;
    let pick = |hits: Vec<usize>| -> Option<usize> {
        hits.iter().copied().find(|&k| inspections[k].kind == r.row.kind).or(hits.first().copied())
    };
    if let Some(start) = r.row.start_date {
        let hits = positions(inspections, |i| same_la(&i) && i.start_date == Some(start));
        if !hits.is_empty() {
            return pick(hits);
        }
    }
    let published: Option<NaiveDate> = r.row.published;
    let published = published?;
    // A record with a different start date is another publication, even on the same day.
    let compatible = |i: &Inspection| {
        same_la(&i) && (r.row.start_date.is_none() || i.start_date.is_none() || i.start_date == r.row.start_date)
    };
    let hits = positions(inspections, |i| compatible(i) && i.published == published);
    if !hits.is_empty() {
        return pick(hits);
    }
    // The statistics' publication date can be a day or a week from the report's listing date:
    // the nearest record of the same kind and framework within a fortnight (its date differing
    // is then listed as a discrepancy).
    positions(inspections, |i| {
        compatible(i)
            && i.kind == r.row.kind
            && i.framework.is_none_or(|f| f == r.row.framework)
            && (i.published - published).num_days().abs() <= PUBLISHED_WITHIN_DAYS
    })
    .into_iter()
    .min_by_key(|&k| (inspections[k].published - published).num_days().abs())
}

/// How far apart the statistics' publication date and a record's may be for a row that states
/// no start date to join it.
const PUBLISHED_WITHIN_DAYS: i64 = 14;

fn positions(inspections: &[Inspection], pred: impl Fn(&Inspection) -> bool) -> Vec<usize> {
    inspections.iter().enumerate().filter(|(_, i)| pred(i)).map(|(k, _)| k).collect()
}

/// `base` with every area `over` grades taken from `over`.
fn overlay(base: &[Judgement], over: &[Judgement]) -> Vec<Judgement> {
    let mut out: Vec<Judgement> = base.iter().filter(|j| !over.iter().any(|o| o.area == j.area)).copied().collect();
    out.extend(over.iter().copied());
    out.sort_by_key(|j| j.area);
    out
}

/// A scraper row's record takes the statistics' reading; the scraper's own reading is kept as a
/// statement (once).
fn take_reading(record: &mut Inspection, r: &Row, history_lines: &HashMap<String, u64>) {
    if !record.statements.iter().any(|s| s.source == HISTORY_SOURCE) {
        let own = Statement {
            source: HISTORY_SOURCE.to_owned(),
            source_url: record.provenance.source_url.clone(),
            sha256: record.provenance.sha256.clone(),
            retrieved_at: record.provenance.retrieved_at,
            locator: history_lines.get(&record.id).map_or_else(String::new, |l| format!("line {l}")),
            start_date: record.start_date,
            published: Some(record.published),
            judgements: record.judgements.clone(),
        };
        record.statements.push(own);
    }
    let before = record.judgements.clone();
    record.judgements = overlay(&record.judgements, &r.statement.judgements);
    record.framework = record.framework.or(Some(r.row.framework));
    record.inspection_type = record.inspection_type.or(r.row.inspection_type);
    if before != record.judgements {
        const NOTE: &str =
            "judgements as Ofsted's official statistics state them (the scraper's reading is among the statements)";
        match &mut record.notes {
            Some(n) if n.contains(NOTE) => {}
            Some(n) => n.push_str(&format!("; {NOTE}")),
            None => record.notes = Some(NOTE.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> Vec<Inspection> {
        crate::seed::read(&SeedFiles::bundled()).expect("the bundled seed reads").inspections
    }

    fn stated<'a>(all: &'a [Inspection], la: &str, start: &str) -> &'a Inspection {
        let day: NaiveDate = start.parse().unwrap();
        all.iter().find(|i| i.la == la && i.start_date == Some(day)).unwrap_or_else(|| panic!("{la} {start}"))
    }

    #[test]
    fn every_row_of_the_statistics_joins_or_makes_a_record() {
        let all = bundled();
        let rows = all.iter().flat_map(|i| &i.statements).filter(|s| s.source == SOURCE).count();
        let official_only = all.iter().filter(|i| i.provenance.source == SOURCE).count();
        let matched = all
            .iter()
            .filter(|i| i.provenance.source != SOURCE)
            .flat_map(|i| &i.statements)
            .filter(|s| s.source == SOURCE)
            .count();
        let lines = SeedFiles::bundled().bytes(FILE).split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() - 1;
        // 1,582 rows; 33 (29 monitoring visits, 3 focused visits and the Isles of Scilly's 2023
        // inspection, twice) are stated by the 2024 edition alone, which gives no publication
        // date, and match no record: they cannot be published.
        assert_eq!(lines, 1582);
        assert_eq!(rows, 1549, "every other row is a statement of a published record");
        assert_eq!(matched, 1293, "rows joining a record of another source");
        assert_eq!(official_only, 247, "records only the statistics state");
        // Ids are unique.
        let mut ids: Vec<&str> = all.iter().map(|i| i.id.as_str()).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before);
    }

    #[test]
    fn the_known_disagreements_are_listed() {
        let all = bundled();
        // Rochdale 2018-01-29: Good officially, Requires improvement in the scraper's CSV.
        let rochdale = stated(&all, "E08000005", "2018-01-29");
        assert_eq!(rochdale.grade(Area::ChildrenInCareAndCareLeavers), Some(Grade::Good));
        let d = rochdale.discrepancies();
        assert!(
            d.iter().any(|d| d.field == "children_in_care_and_care_leavers"
                && d.other_source == HISTORY_SOURCE
                && d.other_value == "requires_improvement"),
            "{d:?}"
        );
        // Nottingham 2018-11-05: the CSV lacks overall effectiveness; the statistics state it.
        let nottingham = stated(&all, "E06000018", "2018-11-05");
        assert_eq!(nottingham.grade(Area::OverallEffectiveness), Some(Grade::RequiresImprovement));
        // Staffordshire 2023-11-06: the 2024 edition's care leavers judgement (Good) is listed
        // against the record's (Requires improvement, as the report and the 2025 edition say).
        let staffordshire = stated(&all, "E10000028", "2023-11-06");
        assert_eq!(staffordshire.grade(Area::CareLeavers), Some(Grade::RequiresImprovement));
        let d = staffordshire.discrepancies();
        assert!(
            d.iter().any(|d| d.field == "care_leavers"
                && d.other_value == "good"
                && d.other_locator.contains("LA_Inspection_Outcomes_as_at_March_2024.ods")),
            "{d:?}"
        );
    }
}
