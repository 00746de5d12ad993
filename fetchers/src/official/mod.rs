//! Ofsted's official statistics on councils' inspections, a second source beside the report
//! PDFs (and the scraper's CSV): every inspection since 2009 across frameworks, including
//! councils that no longer exist.
//!
//! `workbook` reads an ODS's sheets as text (bounded), `layouts` reads the three layouts into one
//! [`OfficialRow`] per inspection, `bundle` writes and reads those rows as the seed's
//! `official_statements.csv` (so the 2 MB workbook is parsed once, by `lacs official trim`, not on
//! every start), and `fetch` is `lacs fetch ofsted-stats`. How statements join records is the
//! seed's (`seed::official`).

pub mod bundle;
pub mod layouts;
pub mod workbook;

pub use layouts::{OfficialRow, is_inspection_sheet};

/// The `source` of statements and records read from Ofsted's statistics.
pub const SOURCE: &str = "ofsted-stats";

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
