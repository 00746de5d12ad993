//! One entry of a council's timeline, and its CSV row.

use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::rest::listing::{CsvRow, text};
use crate::wire::*;

/// One entry in a council's story.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry<'a> {
    /// When: the first day of the period the source states; null when it gives no date.
    #[schema(example = "2023-01-13")]
    pub date: Option<chrono::NaiveDate>,
    /// How precise `date` is: `day`, `month` or `year`.
    pub date_precision: Option<DatePrecision>,
    /// What happened.
    pub event: TimelineEventType,
    /// For inspections: the publication kind.
    pub inspection_kind: Option<InspectionKind>,
    /// For interventions: the intervention kind.
    pub intervention_kind: Option<InterventionKind>,
    /// For interventions: its status on the response's `as_at` date (default today).
    pub intervention_status: Option<InterventionStatus>,
    /// A line of text describing the entry.
    pub summary: String,
    /// For inspections: the grades given.
    pub judgements: Option<JudgementsView>,
    /// For figures (`include=indicators`): the indicator's id.
    #[schema(example = json!(null))]
    pub indicator: Option<&'a str>,
    /// For figures: the period as the source names it (`2023`, `2023-24`).
    #[schema(example = json!(null))]
    pub period: Option<&'a str>,
    /// For figures: the number, or why the source gives none.
    pub figure: Option<FigureView<'a>>,
    /// The record.
    pub href: String,
    /// The source document.
    pub source_url: &'a str,
}

impl CsvRow for TimelineEntry<'_> {
    fn header() -> Vec<&'static str> {
        let mut h = vec![
            "date",
            "date_precision",
            "event",
            "inspection_kind",
            "intervention_kind",
            "intervention_status",
            "summary",
            "href",
            "source_url",
            "indicator",
            "period",
            "value",
            "suppressed",
        ];
        h.extend(JUDGEMENT_COLUMNS);
        h
    }

    fn record(&self) -> Vec<String> {
        let mut r = vec![
            self.date.map(|d| d.to_string()).unwrap_or_default(),
            text(&self.date_precision),
            text(&self.event),
            text(&self.inspection_kind),
            text(&self.intervention_kind),
            text(&self.intervention_status),
            self.summary.clone(),
            self.href.clone(),
            self.source_url.to_owned(),
            self.indicator.unwrap_or_default().to_owned(),
            self.period.unwrap_or_default().to_owned(),
            self.figure.as_ref().and_then(|f| f.value.as_ref()).map(|n| n.to_string()).unwrap_or_default(),
            self.figure.as_ref().and_then(|f| f.suppressed).unwrap_or_default().to_owned(),
        ];
        r.extend(judgement_cells(self.judgements.as_ref()));
        r
    }
}
