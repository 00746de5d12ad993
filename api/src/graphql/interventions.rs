//! DfE interventions: the `Intervention` node with its corroborations, and the root fields.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use schema::domain as d;
use schema::query::records::{self, InterventionFilter};
use schema::query::{Direction, today};

use super::common::*;
use super::nodes::{Intervention, LocalAuthority, council_of};
use crate::wire::*;

#[Object]
impl<'a> Intervention<'a> {
    /// Stable id.
    async fn id(&self) -> &str {
        &self.record.id
    }
    /// The council.
    async fn local_authority(&self) -> Result<LocalAuthority<'a>> {
        council_of(self.ds, &self.record.la, self.as_at)
    }
    /// What DfE did.
    async fn kind(&self) -> InterventionKind {
        self.record.kind.into()
    }
    /// When it started: the first day of the period the source states (a source saying
    /// "November 2015" gives 2015-11-01); `startPrecision` says how much of it the source gives.
    async fn start_date(&self) -> Option<Date> {
        self.record.start_date.map(|d| Date(d.first_day))
    }
    /// How precise `startDate` is.
    async fn start_precision(&self) -> Option<DatePrecision> {
        self.record.start_date.map(|d| d.precision.into())
    }
    /// When it ended: the first day of the period the source states, as `startDate`.
    async fn end_date(&self) -> Option<Date> {
        self.record.end_date.map(|d| Date(d.first_day))
    }
    /// How precise `endDate` is.
    async fn end_precision(&self) -> Option<DatePrecision> {
        self.record.end_date.map(|d| d.precision.into())
    }
    /// Its state on the `asAt` date of the query (today by default); the rule is in the API description.
    async fn status(&self) -> InterventionStatus {
        self.derived().status.into()
    }
    /// Why it has that status, in words.
    async fn status_reason(&self) -> &str {
        &self.derived().reason
    }
    /// What the status rests on.
    async fn status_evidence(&self) -> Vec<StatusEvidence> {
        self.derived().evidence.iter().map(StatusEvidence::from).collect()
    }
    /// `true` exactly when `status` is `IN_FORCE`.
    #[graphql(deprecation = "Use `status`; `active` is removed in the next API version.")]
    async fn active(&self) -> bool {
        self.derived().in_force()
    }
    /// Whether `sourceUrls` are DfE's (or a commissioner's or the council's) own documents, or reports of it.
    async fn source_class(&self) -> SourceClass {
        self.record.source_class.into()
    }
    /// Secondary reports of the same event (press, trade press).
    async fn see_also(&self) -> &[String] {
        &self.record.see_also
    }
    /// The document that states the end, where one is known.
    async fn end_source_url(&self) -> Option<&str> {
        self.record.end_source_url.as_deref()
    }
    /// Where the end is stated, or why no end date is known.
    async fn end_note(&self) -> Option<&str> {
        self.record.end_note.as_deref()
    }
    /// GOV.UK's withdrawal of the source page, when it was withdrawn.
    async fn document_withdrawn(&self) -> Option<DocumentWithdrawal> {
        self.record.document_withdrawn.as_ref().map(DocumentWithdrawal::from)
    }
    /// The commissioner or adviser named.
    async fn commissioner(&self) -> Option<&str> {
        self.record.commissioner.as_deref()
    }
    /// The source document's title.
    async fn title(&self) -> Option<&str> {
        self.record.title.as_deref()
    }
    /// What the source says, paraphrased.
    async fn summary(&self) -> Option<&str> {
        self.record.summary.as_deref()
    }
    /// Children's social care or SEND.
    async fn service(&self) -> Service {
        self.record.service.into()
    }
    /// The intervention this one continues (the notice a direction replaced, the direction a
    /// revised direction revised or a revocation ended).
    async fn follows(&self) -> Option<Intervention<'a>> {
        let id = self.record.follows.as_ref()?;
        self.ds.intervention(id).map(|i| Intervention::new(self.ds, i, self.as_at))
    }
    /// The documents that state it, from every source.
    async fn source_urls(&self) -> &[String] {
        &self.record.source_urls
    }
    /// When the source document last changed (GOV.UK's `public_updated_at`, RFC 3339).
    async fn document_updated_at(&self) -> Option<String> {
        self.record.document_updated_at.map(timestamp)
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(self.ds, &self.record.provenance)
    }
    /// Other sources that state the same event, each with what it says.
    async fn corroborations(&self) -> Vec<Corroboration> {
        self.record
            .corroborations
            .iter()
            .map(|c| Corroboration {
                id: c.id.clone(),
                kind: c.kind.into(),
                start_date: c.start_date.map(|d| Date(d.first_day)),
                start_precision: c.start_date.map(|d| d.precision.into()),
                end_date: c.end_date.map(|d| Date(d.first_day)),
                end_precision: c.end_date.map(|d| d.precision.into()),
                commissioner: c.commissioner.clone(),
                title: c.title.clone(),
                source_urls: c.source_urls.clone(),
                document_updated_at: c.document_updated_at.map(timestamp),
                document_withdrawn: c.document_withdrawn.as_ref().map(DocumentWithdrawal::from),
                provenance: Provenance::new(self.ds, &c.provenance),
            })
            .collect()
    }
    /// Where those sources disagree with this record (the record keeps its own values).
    async fn discrepancies(&self) -> Vec<Discrepancy> {
        self.record
            .discrepancies()
            .into_iter()
            .map(|d| Discrepancy {
                field: d.field.to_owned(),
                value: d.value,
                other_value: d.other_value,
                other_source: d.other_source,
                other_source_url: d.other_source_url,
            })
            .collect()
    }
}

/// Another source's statement of the same intervention.
#[derive(SimpleObject)]
pub struct Corroboration {
    /// The id that source's record had (it resolves to the intervention it corroborates).
    pub id: String,
    /// What that source says DfE did.
    pub kind: InterventionKind,
    /// When that source says it started (the first day of the period it states).
    pub start_date: Option<Date>,
    /// How precise `startDate` is.
    pub start_precision: Option<DatePrecision>,
    /// When that source says it ended (the first day of the period it states).
    pub end_date: Option<Date>,
    /// How precise `endDate` is.
    pub end_precision: Option<DatePrecision>,
    /// The commissioner that source names.
    pub commissioner: Option<String>,
    /// The title of that source's document.
    pub title: Option<String>,
    /// That source's documents.
    pub source_urls: Vec<String>,
    /// When that source's document last changed (RFC 3339).
    pub document_updated_at: Option<String>,
    /// GOV.UK's withdrawal of that source's page, when it was withdrawn.
    pub document_withdrawn: Option<DocumentWithdrawal>,
    /// Where it came from.
    pub provenance: Provenance,
}

/// Two sources state different values for one field of the same intervention.
#[derive(SimpleObject)]
pub struct Discrepancy {
    /// `kind`, `start_date`, `end_date` or `commissioner`.
    pub field: String,
    /// What the intervention record says.
    pub value: String,
    /// What the other source says.
    pub other_value: String,
    /// The other source.
    pub other_source: String,
    /// The other source's document.
    pub other_source_url: String,
}

/// Filters for interventions (the same as REST's); every condition must hold.
#[derive(InputObject, Default)]
pub struct InterventionFilterInput {
    /// Council: GSS code, DfE code, Ofsted URN or slug.
    pub la: Option<String>,
    /// Region of the council: ONS code or name.
    pub region: Option<String>,
    /// Kind of intervention.
    pub kind: Option<InterventionKind>,
    /// Children's social care or SEND.
    pub service: Option<Service>,
    /// Only interventions with this status on `asAt`.
    pub status: Option<InterventionStatus>,
    /// The date `status` describes, and every node's `status` (default today).
    pub as_at: Option<Date>,
    /// In force on this date.
    #[graphql(deprecation = "Use `status: IN_FORCE` with `asAt`.")]
    pub active_on: Option<Date>,
    /// Started on or after.
    pub started_from: Option<Date>,
    /// Started on or before.
    pub started_to: Option<Date>,
}

/// The root fields about interventions.
#[derive(Default)]
pub struct InterventionQuery;

#[Object]
impl InterventionQuery {
    /// One intervention by id.
    async fn intervention<'c>(&self, ctx: &Context<'c>, id: String) -> Result<Intervention<'c>> {
        let ds = dataset(ctx)?;
        let i = crate::lookup::intervention(ds, &id).map_err(not_found)?;
        Ok(Intervention::new(ds, i, today()))
    }

    /// Interventions that match the filter, earliest start first.
    async fn interventions<'c>(
        &self,
        ctx: &Context<'c>,
        filter: Option<InterventionFilterInput>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<Intervention<'c>>> {
        let ds = dataset(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = InterventionFilter {
            la: council(ds, f.la)?,
            region: region(ds, f.region)?,
            kind: f.kind.map(Into::into),
            service: f.service.map(Into::into),
            status: if f.active_on.is_some() { Some(d::InterventionStatus::InForce) } else { f.status.map(Into::into) },
            as_at: f.as_at.or(f.active_on).map_or_else(today, |d| d.0),
            started_from: f.started_from.map(|d| d.0),
            started_to: f.started_to.map(|d| d.0),
            direction: Direction::Ascending,
        };
        let day = filter.as_at;
        let first_page = after.is_none();
        let page = records::interventions(ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Intervention::new(ds, i, day)))
    }
}
