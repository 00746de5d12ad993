//! Indicators: the numbers behind the grades (spending, workforce, demand). A named catalogue,
//! and each figure per area and period exactly as its source states it, suppressions included.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AreaLevel, IndicatorUnit, PeriodType, Provenance};

/// The area code of England in DfE and ONS files.
pub const ENGLAND: &str = "E92000001";

/// One indicator of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable id, e.g. `agency_worker_rate`.
    pub id: String,
    /// Title for people.
    pub title: String,
    /// What the values measure.
    pub unit: IndicatorUnit,
    /// What the figure is, in the publication's terms.
    pub definition: String,
    /// The kind of period the figures are for.
    pub period_type: PeriodType,
    /// The official publication the figures come from.
    pub publication: String,
    /// Where the publication is.
    pub publication_url: String,
    /// The file (or data set) the figures are read from.
    pub source_file: String,
    /// The column of that file.
    pub source_column: String,
    /// `column=value` the rows must match (files that hold several series in one column).
    pub source_filter: Option<String>,
    /// Where the catalogue entry was read from.
    pub provenance: Provenance,
}

/// Why a source gives no number. The symbols are DfE's and MHCLG's; a symbol lacs does not know
/// is refused at import, never read as a number.
pub fn suppression_reason(symbol: &str) -> Option<&'static str> {
    Some(match symbol {
        "c" => "confidential: suppressed to protect confidential information",
        "z" => "not applicable",
        "x" | "[x]" => "not available (unknown or other reasons; for revenue outturn, data not received in time)",
        "low" => "rounds to 0, but is not 0",
        "u" => "low reliability: withheld",
        "[z]" => "not collected",
        "[c]" => "confidential",
        ":" => "not available",
        // RO3 cells that point at a note instead of a number (e.g. a council that gave no breakdown).
        s if s.starts_with("[note ") && s.ends_with(']') => {
            "not given as a number: the source explains in this note of its Notes sheet"
        }
        _ => return None,
    })
}

/// One figure: an indicator's value for one area and period, or the source's reason for none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    /// The indicator.
    pub indicator: String,
    /// GSS code of the council (its current record's code), the region, or England.
    pub area_code: String,
    /// The period, as the source names it (`2025`, `2023-24`).
    pub period: String,
    /// What kind of area.
    pub area_level: AreaLevel,
    /// The area's name as the source gives it.
    pub area_name: String,
    /// The code the source gave, when it is not `area_code` (an old GSS code, a DfE code).
    pub source_area_code: Option<String>,
    /// The number as the source writes it (thousands separators removed), or none.
    pub value: Option<String>,
    /// The source's symbol for a missing number (`c`, `x`, `z`, `low`, `u` …).
    pub suppressed: Option<String>,
    /// When the figure was first published, where the source says.
    pub published: Option<NaiveDate>,
    /// Where it was read (shared by every figure read from the same file).
    pub provenance: Arc<Provenance>,
}

impl IndicatorValue {
    /// The value as a number (none when suppressed).
    pub fn number(&self) -> Option<f64> {
        self.value.as_deref().and_then(|v| v.parse().ok())
    }
}
