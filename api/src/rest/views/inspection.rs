//! An inspection as REST returns it, its brief form inside other resources, and its CSV row.

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::rest::listing::{CsvRow, opt, text};
use crate::wire::*;

/// An Ofsted publication about a local authority.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionView<'a> {
    /// The Ofsted file id (from `files.ofsted.gov.uk/v1/file/<id>`); a bundled focused-visit
    /// letter whose file id is not known yet has lacs's id `fv-<URN>-<letter date>`, which keeps
    /// resolving once the letter is read under its file id.
    #[schema(example = "50204404")]
    pub id: &'a str,
    /// The council inspected.
    pub local_authority: LaLink<'a>,
    /// Full inspection, focused visit, monitoring visit …
    pub kind: InspectionKind,
    /// The framework, where known.
    pub framework: Option<Framework>,
    /// ILACS standard or short, where known.
    pub inspection_type: Option<InspectionType>,
    /// First day on site.
    pub start_date: Option<NaiveDate>,
    /// Last day on site.
    pub end_date: Option<NaiveDate>,
    /// Start of a second on-site period, where the inspection was paused.
    pub second_start_date: Option<NaiveDate>,
    /// End of the second on-site period.
    pub second_end_date: Option<NaiveDate>,
    /// Publication date.
    #[schema(example = "2023-01-13")]
    pub published: NaiveDate,
    /// Lead inspector(s) as printed (a visit letter's: the inspector who signed it).
    pub lead_inspectors: &'a [String],
    /// Every inspector a visit letter names, in its order; empty for inspection reports, which
    /// name only their lead.
    pub inspectors: &'a [String],
    /// What a focused visit looked at.
    pub theme: Option<VisitTheme>,
    /// Grades by area; empty for ungraded visits and for reports whose grades were not read.
    pub judgements: JudgementsView,
    /// The report.
    #[schema(example = "https://files.ofsted.gov.uk/v1/file/50204404")]
    pub report_url: &'a str,
    /// The council's page on the Ofsted reports site.
    pub provider_url: Option<&'a str>,
    /// Why a value is missing, where one is.
    pub notes: Option<&'a str>,
    /// Where the record came from.
    pub provenance: ProvenanceView<'a>,
    /// Every other source's statement of this publication (Ofsted's official statistics, the
    /// scraper's CSV): where exactly it says it and what it says.
    pub statements: Vec<StatementView<'a>>,
    /// Where those statements disagree with this record (the record keeps its own reading).
    pub discrepancies: Vec<InspectionDiscrepancyView>,
    /// Links.
    pub links: SelfLink,
}

/// Another source's statement of the same publication.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView<'a> {
    /// The source: `ofsted-stats` (Ofsted's official statistics) or
    /// `seed:ofsted_csc_ilacs_history.csv` (the scraper's CSV).
    #[schema(example = "ofsted-stats")]
    pub source: &'a str,
    /// The document.
    pub source_url: &'a str,
    /// SHA-256 of the document.
    pub sha256: &'a str,
    /// When it was retrieved.
    pub retrieved_at: chrono::DateTime<chrono::Utc>,
    /// Where in the document.
    #[schema(example = "LA_Inspection_Outcomes_as_at_31_March_2025.ods, sheet ILACS_inspection_history, row 219")]
    pub locator: &'a str,
    /// The first day on site it states.
    pub start_date: Option<NaiveDate>,
    /// The publication date it states.
    pub published: Option<NaiveDate>,
    /// The grades it states.
    pub judgements: JudgementsView,
}

/// A source states a value of this publication differently.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionDiscrepancyView {
    /// `start_date`, `published` or a judgement area.
    #[schema(example = "care_leavers")]
    pub field: String,
    /// What this record says.
    #[schema(example = "requires_improvement")]
    pub value: String,
    /// What the other source says.
    #[schema(example = "good")]
    pub other_value: String,
    /// The other source.
    #[schema(example = "ofsted-stats")]
    pub other_source: String,
    /// The other source's document.
    pub other_source_url: String,
    /// Where in that document.
    pub other_locator: String,
}

impl InspectionDiscrepancyView {
    /// One line a spreadsheet cell can hold: `care_leavers: requires_improvement here, good in
    /// ofsted-stats (LA_Inspection_Outcomes_as_at_March_2024.ods, sheet …, row 123)`.
    fn summary(&self) -> String {
        let here = if self.value.is_empty() { "none" } else { self.value.as_str() };
        let place = if self.other_locator.is_empty() { String::new() } else { format!(" ({})", self.other_locator) };
        format!("{}: {here} here, {} in {}{place}", self.field, self.other_value, self.other_source)
    }
}

impl<'a> InspectionView<'a> {
    /// Renders one inspection.
    pub fn new(dataset: &'a Dataset, i: &'a d::Inspection) -> Self {
        InspectionView {
            id: &i.id,
            local_authority: LaLink::new(dataset, &i.la),
            kind: i.kind.into(),
            framework: i.framework.map(Into::into),
            inspection_type: i.inspection_type.map(Into::into),
            start_date: i.start_date,
            end_date: i.end_date,
            second_start_date: i.second_start_date,
            second_end_date: i.second_end_date,
            published: i.published,
            lead_inspectors: &i.lead_inspectors,
            inspectors: &i.inspectors,
            theme: i.theme.map(Into::into),
            judgements: JudgementsView::new(&i.judgements),
            report_url: &i.report_url,
            provider_url: i.provider_url.as_deref(),
            notes: i.notes.as_deref(),
            provenance: ProvenanceView::new(dataset, &i.provenance),
            statements: i
                .statements
                .iter()
                .map(|s| StatementView {
                    source: &s.source,
                    source_url: &s.source_url,
                    sha256: &s.sha256,
                    retrieved_at: s.retrieved_at,
                    locator: &s.locator,
                    start_date: s.start_date,
                    published: s.published,
                    judgements: JudgementsView::new(&s.judgements),
                })
                .collect(),
            discrepancies: i
                .discrepancies()
                .into_iter()
                .map(|d| InspectionDiscrepancyView {
                    field: d.field,
                    value: d.value,
                    other_value: d.other_value,
                    other_source: d.other_source,
                    other_source_url: d.other_source_url,
                    other_locator: d.other_locator,
                })
                .collect(),
            links: SelfLink { self_: inspection_href(&i.id) },
        }
    }
}

/// An inspection in brief: when, what grades, where to read more.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionBrief<'a> {
    /// The Ofsted file id.
    pub id: &'a str,
    /// Publication date.
    pub published: NaiveDate,
    /// Grades by area.
    pub judgements: JudgementsView,
    /// The report.
    pub report_url: &'a str,
    /// The inspection resource.
    pub href: String,
}

impl<'a> From<&'a d::Inspection> for InspectionBrief<'a> {
    fn from(i: &'a d::Inspection) -> Self {
        InspectionBrief {
            id: &i.id,
            published: i.published,
            judgements: JudgementsView::new(&i.judgements),
            report_url: &i.report_url,
            href: inspection_href(&i.id),
        }
    }
}

impl CsvRow for InspectionView<'_> {
    fn header() -> Vec<&'static str> {
        let mut h = vec!["id", "la_gss_code", "la_name", "kind", "framework", "inspection_type"];
        h.extend(["start_date", "end_date", "second_start_date", "second_end_date", "published", "lead_inspectors"]);
        h.extend(JUDGEMENT_COLUMNS);
        h.extend(["report_url", "provider_url", "notes", "source", "source_url", "retrieved_at", "sha256"]);
        h.extend(["inspectors", "theme", "statements", "discrepancies"]);
        h
    }

    fn record(&self) -> Vec<String> {
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let mut r = vec![
            self.id.to_owned(),
            self.local_authority.gss_code.to_owned(),
            self.local_authority.name.to_owned(),
            text(&self.kind),
            text(&self.framework),
            text(&self.inspection_type),
            date(self.start_date),
            date(self.end_date),
            date(self.second_start_date),
            date(self.second_end_date),
            self.published.to_string(),
            self.lead_inspectors.join("; "),
        ];
        r.extend(judgement_cells(Some(&self.judgements)));
        r.extend([
            self.report_url.to_owned(),
            opt(self.provider_url),
            opt(self.notes),
            self.provenance.source.to_owned(),
            self.provenance.source_url.to_owned(),
            self.provenance.retrieved_at.to_rfc3339(),
            self.provenance.sha256.to_owned(),
            self.inspectors.join("; "),
            text(&self.theme),
            self.statements.len().to_string(),
            self.discrepancies.iter().map(InspectionDiscrepancyView::summary).collect::<Vec<_>>().join(" | "),
        ]);
        r
    }
}
