//! Ofsted's official statistics on councils' inspections, a second source beside the report
//! PDFs (and the scraper's CSV): every inspection since 2009 across frameworks, including
//! councils that no longer exist.
//!
//! `workbook` reads an ODS's sheets as text (bounded), `layouts` reads the three layouts into one
//! [`OfficialRow`] per inspection, `bundle` writes and reads those rows as the seed's
//! `official_statements.csv` (so the 2 MB workbook is parsed once, by `lacs official trim`, not on
//! every start), `join` is how
//! statements join records (the seed's rule and the fetcher's), and `fetch` is `lacs fetch
//! ofsted-stats`.

pub mod bundle;
pub mod fetch;
pub mod join;
pub mod layouts;
pub mod workbook;

pub use layouts::{OfficialRow, is_inspection_sheet};

/// The `source` of statements and records read from Ofsted's statistics.
pub const SOURCE: &str = schema::domain::OFFICIAL_STATISTICS;

/// The version of the reader, recorded as `parser_version`.
pub const PARSER_VERSION: &str = "official-1";

/// Why a workbook or the bundled statements could not be read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct OfficialError(pub String);

/// One edition of the statistics lacs bundles: the file in `data/seed/official/`, where it was
/// taken from, and when.
#[derive(Debug, Clone, Copy)]
pub struct Edition {
    /// The file's name.
    pub file: &'static str,
    /// Where the bytes were taken from.
    pub url: &'static str,
    /// When they were taken (the upstream commit's day).
    pub taken_at: &'static str,
}

/// The bundled editions, oldest first: where two state the same inspection differently, the
/// later one is the statistics' own correction.
pub const EDITIONS: [Edition; 3] = [
    Edition {
        file: "Childrens_social_care_in_England_2023_underlying_data.ods",
        url: "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers/blob/2f5d11a4/data-raw/Childrens_social_care_in_England_2023_underlying_data.ods",
        taken_at: "2026-04-27T00:00:00Z",
    },
    Edition {
        file: "LA_Inspection_Outcomes_as_at_March_2024.ods",
        url: "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers/blob/bug-fix/severe-absence-conditional-logic/data-raw/LA_Inspection_Outcomes_as_at_March_2024.ods",
        taken_at: "2026-04-27T00:00:00Z",
    },
    Edition {
        file: "LA_Inspection_Outcomes_as_at_31_March_2025.ods",
        url: "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers/blob/2f5d11a4/data-raw/LA_Inspection_Outcomes_as_at_31_March_2025.ods",
        taken_at: "2026-04-27T00:00:00Z",
    },
];

/// Reads one workbook's inspection rows.
pub fn read_workbook(bytes: &[u8]) -> Result<Vec<OfficialRow>, OfficialError> {
    let sheets = workbook::sheets(bytes, is_inspection_sheet)?;
    layouts::read(&sheets)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use schema::domain::{Area, Grade, InspectionKind};

    use super::*;

    fn workbook(file: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed/official").join(file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn per_sheet(rows: &[OfficialRow]) -> BTreeMap<&str, usize> {
        let mut m = BTreeMap::new();
        for r in rows {
            *m.entry(r.sheet.as_str()).or_default() += 1;
        }
        m
    }

    #[test]
    fn the_three_real_workbooks_read_and_the_bundled_statements_are_theirs() {
        let books: Vec<(Edition, Vec<u8>)> = EDITIONS.iter().map(|e| (*e, workbook(e.file))).collect();
        let started = std::time::Instant::now();
        let borrowed: Vec<(Edition, &[u8])> = books.iter().map(|(e, b)| (*e, b.as_slice())).collect();
        let rows = bundle::from_workbooks(&borrowed).expect("the bundled workbooks read");
        eprintln!("read the three workbooks in {:?}", started.elapsed());
        let csv = bundle::write(&rows).unwrap();
        let bundled = include_str!("../../../data/seed/official_statements.csv");
        assert!(csv == bundled, "data/seed/official_statements.csv is not what `lacs official trim` writes");

        let of = |file: &str| rows.iter().filter(|b| b.file == file).map(|b| b.row.clone()).collect::<Vec<_>>();
        let y2025 = of(EDITIONS[2].file);
        assert_eq!(
            per_sheet(&y2025),
            BTreeMap::from([
                ("ILACS_inspection_history", 271),
                ("In-year_inspections", 112),
                ("Inspections_as_at_31_March", 153)
            ])
        );
        let y2024 = of(EDITIONS[1].file);
        // Cumberland and Westmorland and Furness were not yet inspected: 151 of 153 councils.
        assert_eq!(
            per_sheet(&y2024),
            BTreeMap::from([
                ("ILACS_inspections_2018-2024", 219),
                ("Inspections_31_March_2024", 151),
                ("Inspections_in_year_2023-24", 107)
            ])
        );
        let y2023 = of(EDITIONS[0].file);
        assert_eq!(per_sheet(&y2023), BTreeMap::from([("LA_inspections_2009-2023", 569)]));

        // The 2025 edition names councils by GSS code (Barnsley by its pre-2021 code) and
        // corrects Staffordshire's 6 November 2023 care leavers judgement the 2024 edition gave.
        let staffs = |rows: &[OfficialRow]| -> Vec<Option<Grade>> {
            rows.iter()
                .filter(|r| r.council == "Staffordshire" && r.start_date == "2023-11-06".parse().ok())
                .map(|r| r.judgements.iter().find(|j| j.area == Area::CareLeavers).map(|j| j.grade))
                .collect()
        };
        assert_eq!(staffs(&y2025), [Some(Grade::RequiresImprovement); 2]);
        assert_eq!(staffs(&y2024), [Some(Grade::Good); 2]);
        assert!(y2025.iter().any(|r| r.council == "Barnsley" && r.gss_code.as_deref() == Some("E08000016")));
        assert!(y2024.iter().all(|r| r.gss_code.is_none()), "the 2024 edition names councils only");
        // Visits: focused and monitoring, with themes; ungraded.
        let visits = y2025.iter().filter(|r| r.kind != InspectionKind::Inspection).count();
        assert_eq!(visits, 60, "36 focused and 24 monitoring visits");
        assert!(
            y2025
                .iter()
                .filter(|r| r.kind != InspectionKind::Inspection)
                .all(|r| r.judgements.is_empty() && r.theme.is_some())
        );
        // The 2023 file: pre-SIF grade 3 is "adequate"; before 2023 ILACS judged children in care
        // and care leavers together; retired councils are there (Bournemouth's 2018 ILACS).
        let rochdale =
            y2023.iter().find(|r| r.council == "Rochdale" && r.published == "2018-03-12".parse().ok()).unwrap();
        assert!(
            rochdale.judgements.iter().any(|j| j.area == Area::ChildrenInCareAndCareLeavers && j.grade == Grade::Good)
        );
        assert!(y2023.iter().any(|r| r.framework == schema::domain::Framework::PreSif
            && r.judgements.iter().any(|j| j.grade == Grade::Adequate)));
        assert!(y2023.iter().any(|r| r.council == "Bournemouth" && r.published == "2018-08-24".parse().ok()));
    }

    #[test]
    fn a_broken_workbook_is_an_error_not_an_empty_read() {
        let good = workbook(EDITIONS[2].file);
        for (what, bytes) in [
            ("truncated", good[..good.len() / 2].to_vec()),
            ("not a zip", b"<html>not found</html>".to_vec()),
            ("empty", Vec::new()),
        ] {
            assert!(read_workbook(&bytes).is_err(), "{what}");
        }
    }

    #[test]
    fn a_renamed_column_or_a_word_that_is_not_a_grade_names_the_sheet_and_row() {
        let sheet = |rows: Vec<Vec<&str>>| workbook::Sheet {
            name: "ILACS_inspection_history".into(),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| (i as u32 + 1, r.into_iter().map(String::from).collect()))
                .collect(),
        };
        let header = vec![
            "Web link",
            "Local authority area code",
            "Local authority name",
            "Inspection date",
            "Publication date",
            "Inspection type",
            "Overall effectiveness",
        ];
        let ok = layouts::read(&[sheet(vec![
            header.clone(),
            vec!["x", "E06000001", "Hartlepool", "2019-01-07", "2019-02-20", "ILACS Standard Inspection", "Good"],
        ])])
        .unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].judgements[0].grade, Grade::Good);
        let err = layouts::read(&[sheet(vec![
            header.clone(),
            vec!["x", "E06000001", "Hartlepool", "2019-01-07", "2019-02-20", "ILACS Standard Inspection", "Superb"],
        ])])
        .unwrap_err();
        assert!(
            err.to_string().contains("ILACS_inspection_history row 2") && err.to_string().contains("Superb"),
            "{err}"
        );
        let mut renamed = header.clone();
        renamed[6] = "OE";
        let err =
            layouts::read(&[sheet(vec![renamed, vec!["x", "E06000001", "Hartlepool", "2019-01-07", "", "", "Good"]])])
                .unwrap_err();
        assert!(err.to_string().contains("Overall effectiveness"), "{err}");
        assert!(layouts::read(&[sheet(vec![vec!["no table here"]])]).is_err());
    }
}
