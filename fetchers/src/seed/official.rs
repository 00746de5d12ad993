//! Ofsted's official statistics joined to the inspection records (`official_statements.csv`,
//! written from the bundled workbooks by `lacs official trim`), by the rule `lacs fetch
//! ofsted-stats` shares (`official::join`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use schema::domain::*;

use super::files::{Problems, SeedFiles, Table, get};
use super::names::LaIndex;
use crate::official::bundle;
use crate::official::join::{self, Stated};

pub use crate::official::join::OfficialMatch;

/// The bundled statements file.
pub(super) const FILE: &str = "official_statements.csv";

/// Reads the statements, joins them to `inspections` and adds the records only the statistics
/// state (by the rule of [`crate::official::join`]). `history_lines` are the scraper rows' lines
/// by record id (its reading becomes a statement where the statistics replace it).
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
        let Some(la) = las.councils.resolve(&b.row) else {
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
        rows.push(Stated::new(la, b.row, &b.file, &b.source_url, &b.sha256, retrieved_at));
    }
    join::join(inspections, rows, &las.councils, history_lines)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::official::SOURCE;
    use crate::seed::HISTORY_SOURCE;

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
        assert_eq!(matched, 1295, "rows joining a record of another source (two of them misdated by an edition)");
        assert_eq!(official_only, 246, "records only the statistics state");
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

    #[test]
    fn a_later_edition_correcting_an_earlier_is_known_with_the_record_as_it_stood() {
        let all = bundled();
        let revised: Vec<(&str, String)> =
            all.iter().filter_map(|i| Some((i.id.as_str(), join::revised_by(i)?))).collect();
        eprintln!("{} records revised: {revised:?}", revised.len());
        let staffordshire = stated(&all, "E10000028", "2023-11-06");
        let file = join::revised_by(staffordshire).expect("the 2025 edition corrects the 2024 one");
        assert_eq!(file, "LA_Inspection_Outcomes_as_at_31_March_2025.ods");
        let earlier = join::before_edition(staffordshire, &file).unwrap();
        // The PDF's reading stands either way; the 2025 edition's statements are what is new.
        assert_eq!(earlier.grade(Area::CareLeavers), Some(Grade::RequiresImprovement));
        assert!(earlier.statements.iter().all(|s| !s.locator.contains(&file)));
        assert!(staffordshire.statements.iter().any(|s| s.locator.contains(&file)));
    }
}
