//! An intervention as REST returns it, with its corroborations and discrepancies, its brief form, and its CSV row.

use chrono::{DateTime, NaiveDate, Utc};
use schema::Dataset;
use schema::domain as d;
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::rest::listing::{CsvRow, opt, text};
use crate::wire::*;

/// A DfE intervention in a council's children's services.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionView<'a> {
    /// Stable id.
    #[schema(example = "iv-3f1c0b7a9d2e4c51")]
    pub id: &'a str,
    /// The council.
    pub local_authority: LaLink<'a>,
    /// What DfE did.
    pub kind: InterventionKind,
    /// Children's social care or SEND.
    pub service: Service,
    /// When it started: the first day of the period the source states (a source saying
    /// "November 2015" gives `2015-11-01`); `start_precision` says how much of it the source gives.
    #[schema(example = "2015-11-06")]
    pub start_date: Option<NaiveDate>,
    /// How precise `start_date` is: `day`, `month` or `year`.
    pub start_precision: Option<DatePrecision>,
    /// When it ended: the first day of the period the source states, as `start_date`.
    #[schema(example = "2015-05-01")]
    pub end_date: Option<NaiveDate>,
    /// How precise `end_date` is: `day`, `month` or `year`.
    pub end_precision: Option<DatePrecision>,
    /// Its state on the response's `as_at` date (see the rule in the API description).
    pub status: InterventionStatus,
    /// Why it has that status, in words.
    #[schema(example = "no end recorded; the council was judged good on 2019-05-13")]
    pub status_reason: String,
    /// What the status rests on.
    pub status_evidence: Vec<StatusEvidence>,
    /// Deprecated (to be removed in the next API version): `true` exactly when `status` is `in_force`.
    #[schema(deprecated)]
    pub active: bool,
    /// The commissioner or adviser named.
    pub commissioner: Option<&'a str>,
    /// The source document's title.
    pub title: Option<&'a str>,
    /// What the source says, paraphrased.
    pub summary: Option<&'a str>,
    /// The intervention this one continues (the notice a direction replaced, the direction a
    /// revised direction revised or a revocation ended).
    pub follows: Option<IdLink<'a>>,
    /// The documents that state it, from every source.
    pub source_urls: &'a [String],
    /// Whether those documents are DfE's (or a commissioner's or the council's) own, or reports of it.
    pub source_class: SourceClass,
    /// Secondary reports of the same event (press, trade press).
    pub see_also: &'a [String],
    /// The document that states the end, where one is known.
    pub end_source_url: Option<&'a str>,
    /// Where the end is stated, or why no end date is known.
    pub end_note: Option<&'a str>,
    /// When the source document last changed (GOV.UK's `public_updated_at`).
    pub document_updated_at: Option<DateTime<Utc>>,
    /// GOV.UK's withdrawal of the source page, when it was withdrawn.
    pub document_withdrawn: Option<DocumentWithdrawal>,
    /// Where the record came from.
    pub provenance: ProvenanceView<'a>,
    /// Other sources that state the same event, each with what it says.
    pub corroborations: Vec<CorroborationView<'a>>,
    /// Where those sources disagree with this record (the record keeps its own values).
    pub discrepancies: Vec<DiscrepancyView>,
    /// Links.
    pub links: SelfLink,
}

/// Two sources state different values for one field of the same intervention.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscrepancyView {
    /// `kind`, `start_date`, `end_date` or `commissioner`.
    #[schema(example = "start_date")]
    pub field: &'static str,
    /// What this record says.
    #[schema(example = "2015-07-20")]
    pub value: String,
    /// What the other source says.
    #[schema(example = "2015-08-04")]
    pub other_value: String,
    /// The other source.
    #[schema(example = "govuk")]
    pub other_source: String,
    /// The other source's document.
    pub other_source_url: String,
}

impl From<d::Discrepancy> for DiscrepancyView {
    fn from(d: d::Discrepancy) -> Self {
        DiscrepancyView {
            field: d.field,
            value: d.value,
            other_value: d.other_value,
            other_source: d.other_source,
            other_source_url: d.other_source_url,
        }
    }
}

/// Another source's statement of the same intervention.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorroborationView<'a> {
    /// The id that source's record had (it resolves to this intervention).
    pub id: &'a str,
    /// What that source says DfE did.
    pub kind: InterventionKind,
    /// When that source says it started (the first day of the period it states).
    pub start_date: Option<NaiveDate>,
    /// How precise `start_date` is.
    pub start_precision: Option<DatePrecision>,
    /// When that source says it ended (the first day of the period it states).
    pub end_date: Option<NaiveDate>,
    /// How precise `end_date` is.
    pub end_precision: Option<DatePrecision>,
    /// The commissioner that source names.
    pub commissioner: Option<&'a str>,
    /// The title of that source's document.
    pub title: Option<&'a str>,
    /// That source's documents.
    pub source_urls: &'a [String],
    /// When that source's document last changed.
    pub document_updated_at: Option<DateTime<Utc>>,
    /// GOV.UK's withdrawal of that source's page, when it was withdrawn.
    pub document_withdrawn: Option<DocumentWithdrawal>,
    /// Where it came from.
    pub provenance: ProvenanceView<'a>,
}

impl<'a> InterventionView<'a> {
    /// Renders one intervention, its status on `as_at`.
    pub fn new(dataset: &'a Dataset, i: &'a d::Intervention, as_at: NaiveDate) -> Self {
        let status = schema::query::intervention_status::status_on(dataset, i, as_at);
        InterventionView {
            id: &i.id,
            local_authority: LaLink::new(dataset, &i.la),
            kind: i.kind.into(),
            service: i.service.into(),
            start_date: i.start_date.map(|d| d.first_day),
            start_precision: i.start_date.map(|d| d.precision.into()),
            end_date: i.end_date.map(|d| d.first_day),
            end_precision: i.end_date.map(|d| d.precision.into()),
            active: status.in_force(),
            status: status.status.into(),
            status_evidence: status.evidence.iter().map(StatusEvidence::from).collect(),
            status_reason: status.reason,
            commissioner: i.commissioner.as_deref(),
            title: i.title.as_deref(),
            summary: i.summary.as_deref(),
            follows: i.follows.as_deref().map(|id| IdLink { id, href: intervention_href(id) }),
            source_urls: &i.source_urls,
            source_class: i.source_class.into(),
            see_also: &i.see_also,
            end_source_url: i.end_source_url.as_deref(),
            end_note: i.end_note.as_deref(),
            document_updated_at: i.document_updated_at,
            document_withdrawn: i.document_withdrawn.as_ref().map(DocumentWithdrawal::from),
            provenance: ProvenanceView::new(dataset, &i.provenance),
            corroborations: i
                .corroborations
                .iter()
                .map(|c| CorroborationView {
                    id: &c.id,
                    kind: c.kind.into(),
                    start_date: c.start_date.map(|d| d.first_day),
                    start_precision: c.start_date.map(|d| d.precision.into()),
                    end_date: c.end_date.map(|d| d.first_day),
                    end_precision: c.end_date.map(|d| d.precision.into()),
                    commissioner: c.commissioner.as_deref(),
                    title: c.title.as_deref(),
                    source_urls: &c.source_urls,
                    document_updated_at: c.document_updated_at,
                    document_withdrawn: c.document_withdrawn.as_ref().map(DocumentWithdrawal::from),
                    provenance: ProvenanceView::new(dataset, &c.provenance),
                })
                .collect(),
            discrepancies: i.discrepancies().into_iter().map(DiscrepancyView::from).collect(),
            links: SelfLink { self_: intervention_href(&i.id) },
        }
    }
}

/// An intervention in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionBrief<'a> {
    /// Stable id.
    pub id: &'a str,
    /// What DfE did.
    pub kind: InterventionKind,
    /// When it started (the first day of the period the source states).
    pub start_date: Option<NaiveDate>,
    /// How precise `start_date` is.
    pub start_precision: Option<DatePrecision>,
    /// The commissioner named, if any.
    pub commissioner: Option<&'a str>,
    /// The intervention resource.
    pub href: String,
}

impl<'a> From<&'a d::Intervention> for InterventionBrief<'a> {
    fn from(i: &'a d::Intervention) -> Self {
        InterventionBrief {
            id: &i.id,
            kind: i.kind.into(),
            start_date: i.start_date.map(|d| d.first_day),
            start_precision: i.start_date.map(|d| d.precision.into()),
            commissioner: i.commissioner.as_deref(),
            href: intervention_href(&i.id),
        }
    }
}

impl CsvRow for InterventionView<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "id",
            "la_gss_code",
            "la_name",
            "kind",
            "service",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "status",
            "status_reason",
            "active",
            "commissioner",
            "title",
            "summary",
            "follows",
            "source_urls",
            "source_class",
            "see_also",
            "end_note",
            "source",
            "retrieved_at",
            "corroborated_by",
            "discrepancies",
        ]
    }

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_owned(),
            self.local_authority.gss_code.to_owned(),
            self.local_authority.name.to_owned(),
            text(&self.kind),
            text(&self.service),
            self.start_date.map(|d| d.to_string()).unwrap_or_default(),
            text(&self.start_precision),
            self.end_date.map(|d| d.to_string()).unwrap_or_default(),
            text(&self.end_precision),
            text(&self.status),
            self.status_reason.clone(),
            self.active.to_string(),
            opt(self.commissioner),
            opt(self.title),
            opt(self.summary),
            opt(self.follows.as_ref().map(|f| f.id)),
            self.source_urls.join(" "),
            text(&self.source_class),
            self.see_also.join(" "),
            opt(self.end_note),
            self.provenance.source.to_owned(),
            self.provenance.retrieved_at.to_rfc3339(),
            self.corroborations.iter().map(|c| c.provenance.source).collect::<Vec<_>>().join(" "),
            self.discrepancies
                .iter()
                .map(|d| format!("{}: {} vs {} ({})", d.field, d.value, d.other_value, d.other_source_url))
                .collect::<Vec<_>>()
                .join("; "),
        ]
    }
}
