//! GraphQL types over the snapshot. Nodes hold the snapshot (`Arc<Dataset>`) and a key, and
//! every resolver calls the same `schema::query` functions REST calls.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{
    ComplexObject, Context, ErrorExtensions, InputObject, Object, Result, Scalar, ScalarType, SimpleObject, Value,
};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::local_authorities::{self as la_query, InterventionPresence, LaFilter, LaSort, Lifecycle};
use schema::query::records::{self, InspectionFilter, InspectionSort, InterventionFilter, TimelineEvent};
use schema::query::stats::{self, GroupBy};
use schema::query::{BadCursor, Direction, Invalid, Page, PageRequest, today};

use super::{codes, error};
use crate::wire::*;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> async_graphql::InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Date).map_err(|_| {
                async_graphql::InputValueError::custom(format!("`{s}` is not a date of the form YYYY-MM-DD"))
            }),
            _ => Err(async_graphql::InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

fn dataset<'c>(ctx: &Context<'c>) -> Result<&'c Arc<Dataset>> {
    ctx.data::<Arc<Dataset>>()
}

fn bad_input(e: Invalid) -> async_graphql::Error {
    let argument = e.parameter.clone();
    error(codes::BAD_USER_INPUT, e.detail).extend_with(move |_, ext| ext.set("argument", argument.as_str()))
}

fn not_found(e: crate::lookup::NotFound) -> async_graphql::Error {
    error(codes::NOT_FOUND, e.0)
}

/// A cursor the query layer refused, named as GraphQL names it.
fn bad_after(e: BadCursor) -> async_graphql::Error {
    bad_input(Invalid::new("after", e.0))
}

fn region(ds: &Dataset, value: Option<String>) -> Result<Option<String>> {
    value.map(|r| la_query::resolve_region(ds, "region", &r)).transpose().map_err(bad_input)
}

/// `first` is required on every list and capped like REST's `limit`.
fn page(first: i32, after: Option<String>) -> Result<PageRequest> {
    let limit = usize::try_from(first).unwrap_or(0);
    let limit = PageRequest::limit("first", limit).map_err(bad_input)?;
    Ok(PageRequest { limit: Some(limit), after })
}

/// Extra fields of every connection.
#[derive(SimpleObject)]
pub struct ConnectionInfo {
    /// Rows matching in all.
    pub total_count: usize,
}

type Conn<N> = Connection<String, N, ConnectionInfo>;

fn connection<T, N: async_graphql::OutputType>(page: Page<T>, first_page: bool, node: impl Fn(T) -> N) -> Conn<N> {
    let mut c = Connection::with_additional_fields(
        !first_page,
        page.next.is_some(),
        ConnectionInfo { total_count: page.total },
    );
    let cursors: Vec<String> = page.items.iter().map(|(key, _)| page.cursor(key)).collect();
    c.edges.extend(cursors.into_iter().zip(page.items).map(|(cursor, (_, row))| Edge::new(cursor, node(row))));
    c
}

/// An ONS region.
#[derive(SimpleObject)]
pub struct Region {
    /// ONS region code.
    pub code: Option<String>,
    /// Region name.
    pub name: Option<String>,
}

/// One judgement: an area and its grade.
#[derive(SimpleObject)]
pub struct Judgement {
    /// What was judged.
    pub area: Area,
    /// The grade given.
    pub grade: Grade,
}

fn judgements(js: &[d::Judgement]) -> Vec<Judgement> {
    js.iter().map(|j| Judgement { area: j.area.into(), grade: j.grade.into() }).collect()
}

/// A time as GraphQL gives it: RFC 3339 in UTC.
fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Where a record came from.
#[derive(SimpleObject)]
pub struct Provenance {
    /// The source's name.
    pub source: String,
    /// The document read.
    pub source_url: String,
    /// When it was retrieved (RFC 3339).
    pub retrieved_at: String,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// The parser that read them.
    pub parser_version: String,
    /// Our archived copy of the document, when lacs holds one.
    pub archive_url: Option<String>,
}

impl Provenance {
    fn new(ds: &Dataset, p: &d::Provenance) -> Self {
        Provenance {
            archive_url: ds.archive_url(&p.sha256),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: timestamp(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
        }
    }
}

/// An English local authority with children's services, as it stood on the `asAt` date.
pub struct LocalAuthority {
    ds: Arc<Dataset>,
    gss: String,
    as_at: NaiveDate,
}

impl LocalAuthority {
    fn la(&self) -> &d::LocalAuthority {
        // The node was built from this snapshot, so the code is in it.
        self.ds.local_authority(&self.gss).unwrap_or_else(|| &self.ds.local_authorities[0])
    }

    fn derived(&self) -> la_query::LaStatus<'_> {
        la_query::status(&self.ds, self.la(), self.as_at)
    }

    fn other(&self, gss: &str) -> LocalAuthority {
        LocalAuthority { ds: self.ds.clone(), gss: gss.to_owned(), as_at: self.as_at }
    }
}

/// Whether a council existed on the `asAt` date.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum LaState {
    /// It existed.
    Current,
    /// It had been abolished.
    Retired,
    /// It had not been created yet.
    NotYetCreated,
}

impl From<la_query::LaState> for LaState {
    fn from(s: la_query::LaState) -> Self {
        match s {
            la_query::LaState::Current => LaState::Current,
            la_query::LaState::Retired => LaState::Retired,
            la_query::LaState::NotYetCreated => LaState::NotYetCreated,
        }
    }
}

/// A DfE failure definition and the inspections that meet it.
#[derive(SimpleObject)]
pub struct FailureTest {
    /// Whether it is met on `asAt`.
    pub met: bool,
    /// The definition applied.
    pub definition: &'static str,
    /// The inspections that count towards it.
    pub inspections: Vec<Inspection>,
}

/// What held for a council on the `asAt` date.
#[derive(SimpleObject)]
pub struct LaStatus {
    /// Existing, retired or not yet created.
    pub state: LaState,
    /// The date described.
    pub as_at: Date,
    /// Grades of the latest inspection with judgements published on or before `asAt`.
    pub latest_grades: Vec<Judgement>,
    /// Last day on site of that inspection (or its publication date).
    pub last_inspection_date: Option<Date>,
    /// Days from `lastInspectionDate` to `asAt`.
    pub days_since_last_inspection: Option<i64>,
    /// DfE's persistent-failure definition.
    pub persistent_failure: FailureTest,
    /// DfE's systemic-failure definition.
    pub systemic_failure: FailureTest,
}

/// A reorganisation link.
#[derive(SimpleObject)]
pub struct Succession {
    /// The other council.
    pub local_authority: LocalAuthority,
    /// The first day of the successor's responsibility.
    pub effective: Date,
    /// The legal instrument stating it.
    pub source_url: String,
}

#[Object]
impl LocalAuthority {
    /// ONS GSS code (canonical id).
    async fn gss_code(&self) -> &str {
        &self.la().gss_code
    }
    /// GSS codes used before without a change of area.
    async fn former_gss_codes(&self) -> &[String] {
        &self.la().former_gss_codes
    }
    /// DfE LA code.
    async fn dfe_code(&self) -> Option<&str> {
        self.la().dfe_code.as_deref()
    }
    /// Ofsted URN.
    async fn ofsted_urn(&self) -> Option<&str> {
        self.la().ofsted_urn.as_deref()
    }
    /// ONS name.
    async fn name(&self) -> &str {
        &self.la().name
    }
    /// Name in everyday use.
    async fn short_name(&self) -> &str {
        &self.la().short_name
    }
    /// URL-safe name.
    async fn slug(&self) -> &str {
        &self.la().slug
    }
    /// ONS region.
    async fn region(&self) -> Region {
        Region { code: self.la().region_code.clone(), name: self.la().region_name.clone() }
    }
    /// Kind of council.
    async fn la_type(&self) -> Option<LaType> {
        self.la().la_type.map(Into::into)
    }
    /// ONS population aged 0–25.
    async fn population_0_to_25(&self) -> Option<i64> {
        self.la().population_0_25
    }
    /// The council's website.
    async fn website(&self) -> Option<&str> {
        self.la().website.as_deref()
    }
    /// First day of responsibility, for councils created by reorganisation.
    async fn valid_from(&self) -> Option<Date> {
        self.la().valid_from.map(Date)
    }
    /// Last day, for councils that no longer exist.
    async fn valid_to(&self) -> Option<Date> {
        self.la().valid_to.map(Date)
    }
    /// The date this node describes.
    async fn as_at(&self) -> Date {
        Date(self.as_at)
    }
    /// Corrections and missing values explained.
    async fn notes(&self) -> Option<&str> {
        self.la().notes.as_deref()
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(&self.ds, &self.la().provenance)
    }
    /// The latest inspection with judgements published on or before `asAt`.
    async fn latest_inspection(&self) -> Option<Inspection> {
        self.derived().latest_inspection.map(|i| Inspection::new(&self.ds, i))
    }
    /// Interventions in force on `asAt`.
    async fn active_interventions(&self) -> Vec<Intervention> {
        self.derived().active_interventions.iter().map(|i| Intervention::new(&self.ds, i, self.as_at)).collect()
    }
    /// Derived status on `asAt`.
    async fn status(&self) -> LaStatus {
        let s = self.derived();
        let failure = |t: la_query::FailureTest<'_>| FailureTest {
            met: t.met,
            definition: t.definition,
            inspections: t.inspections.into_iter().map(|i| Inspection::new(&self.ds, i)).collect(),
        };
        LaStatus {
            state: s.state().into(),
            as_at: Date(s.as_at),
            latest_grades: s.latest_inspection.map(|i| judgements(&i.judgements)).unwrap_or_default(),
            last_inspection_date: s.last_inspection_date().map(Date),
            days_since_last_inspection: s.days_since_last_inspection(),
            persistent_failure: failure(s.persistent_failure_test()),
            systemic_failure: failure(s.systemic_failure_test()),
        }
    }
    /// The ten statistical neighbours DfE lists (those we hold).
    async fn statistical_neighbours(&self) -> Vec<LocalAuthority> {
        let ds = &self.ds;
        self.la()
            .statistical_neighbours
            .iter()
            .filter_map(|c| ds.local_authority(c))
            .map(|n| self.other(&n.gss_code))
            .collect()
    }
    /// Councils this one took over from.
    async fn predecessors(&self) -> Vec<Succession> {
        self.ds
            .predecessors_of(&self.gss)
            .map(|s| Succession {
                local_authority: self.other(&s.predecessor),
                effective: Date(s.effective),
                source_url: s.source_url.clone(),
            })
            .collect()
    }
    /// Councils that took over from this one.
    async fn successors(&self) -> Vec<Succession> {
        self.ds
            .successors_of(&self.gss)
            .map(|s| Succession {
                local_authority: self.other(&s.successor),
                effective: Date(s.effective),
                source_url: s.source_url.clone(),
            })
            .collect()
    }
    /// Inspections and visits published on or before `asAt`, oldest first.
    async fn inspections(&self, first: i32, after: Option<String>) -> Result<Conn<Inspection>> {
        let filter = InspectionFilter {
            la: Some(self.gss.clone()),
            published_to: Some(self.as_at),
            direction: Direction::Ascending,
            ..Default::default()
        };
        let first_page = after.is_none();
        let page = records::inspections(&self.ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Inspection::new(&self.ds, i)))
    }
    /// Interventions started on or before `asAt`, earliest first.
    async fn interventions(&self, first: i32, after: Option<String>) -> Result<Conn<Intervention>> {
        let filter =
            InterventionFilter { la: Some(self.gss.clone()), started_to: Some(self.as_at), ..Default::default() };
        let first_page = after.is_none();
        let page = records::interventions(&self.ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Intervention::new(&self.ds, i, self.as_at)))
    }
    /// The council's story up to `asAt`: inspections, visits and interventions in date order.
    async fn timeline(&self, first: i32, after: Option<String>) -> Result<Conn<TimelineEntry>> {
        let first_page = after.is_none();
        let page = records::timeline(&self.ds, &self.gss, Some(self.as_at), Direction::Ascending, &page(first, after)?)
            .map_err(bad_after)?;
        Ok(connection(page, first_page, |e| TimelineEntry::new(&self.ds, &e, self.as_at)))
    }
}

/// An Ofsted publication about a council.
pub struct Inspection {
    ds: Arc<Dataset>,
    id: String,
}

impl Inspection {
    fn new(ds: &Arc<Dataset>, i: &d::Inspection) -> Self {
        Inspection { ds: ds.clone(), id: i.id.clone() }
    }

    fn get(&self) -> &d::Inspection {
        self.ds.inspection(&self.id).unwrap_or_else(|| &self.ds.inspections[0])
    }
}

#[Object]
impl Inspection {
    /// The Ofsted file id.
    async fn id(&self) -> &str {
        &self.id
    }
    /// The council inspected, as it stands today.
    async fn local_authority(&self, as_at: Option<Date>) -> LocalAuthority {
        LocalAuthority { ds: self.ds.clone(), gss: self.get().la.clone(), as_at: as_at.map_or_else(today, |d| d.0) }
    }
    /// Full inspection, focused visit, monitoring visit …
    async fn kind(&self) -> InspectionKind {
        self.get().kind.into()
    }
    /// The framework, where known.
    async fn framework(&self) -> Option<Framework> {
        self.get().framework.map(Into::into)
    }
    /// ILACS standard or short, where known.
    async fn inspection_type(&self) -> Option<InspectionType> {
        self.get().inspection_type.map(Into::into)
    }
    /// First day on site.
    async fn start_date(&self) -> Option<Date> {
        self.get().start_date.map(Date)
    }
    /// Last day on site.
    async fn end_date(&self) -> Option<Date> {
        self.get().end_date.map(Date)
    }
    /// Start of a second on-site period.
    async fn second_start_date(&self) -> Option<Date> {
        self.get().second_start_date.map(Date)
    }
    /// End of the second on-site period.
    async fn second_end_date(&self) -> Option<Date> {
        self.get().second_end_date.map(Date)
    }
    /// Publication date.
    async fn published(&self) -> Date {
        Date(self.get().published)
    }
    /// Lead inspector(s) as printed.
    async fn lead_inspectors(&self) -> &[String] {
        &self.get().lead_inspectors
    }
    /// Every judgement, in area order; an area not judged is absent.
    async fn judgements(&self) -> Vec<Judgement> {
        judgements(&self.get().judgements)
    }
    /// The grade for one area, if judged.
    async fn grade(&self, area: Area) -> Option<Grade> {
        self.get().grade(area.into()).map(Into::into)
    }
    /// The report.
    async fn report_url(&self) -> &str {
        &self.get().report_url
    }
    /// The council's page on the Ofsted reports site.
    async fn provider_url(&self) -> Option<&str> {
        self.get().provider_url.as_deref()
    }
    /// Why a value is missing, where one is.
    async fn notes(&self) -> Option<&str> {
        self.get().notes.as_deref()
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(&self.ds, &self.get().provenance)
    }
}

/// A DfE intervention.
pub struct Intervention {
    ds: Arc<Dataset>,
    id: String,
    as_at: NaiveDate,
}

impl Intervention {
    fn new(ds: &Arc<Dataset>, i: &d::Intervention, as_at: NaiveDate) -> Self {
        Intervention { ds: ds.clone(), id: i.id.clone(), as_at }
    }

    fn get(&self) -> &d::Intervention {
        self.ds.intervention(&self.id).unwrap_or_else(|| &self.ds.interventions[0])
    }
}

#[Object]
impl Intervention {
    /// Stable id.
    async fn id(&self) -> &str {
        &self.id
    }
    /// The council.
    async fn local_authority(&self) -> LocalAuthority {
        LocalAuthority { ds: self.ds.clone(), gss: self.get().la.clone(), as_at: self.as_at }
    }
    /// What DfE did.
    async fn kind(&self) -> InterventionKind {
        self.get().kind.into()
    }
    /// When it started: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, as precisely as the source says.
    async fn start_date(&self) -> Option<String> {
        self.get().start_date.map(|d| d.to_string())
    }
    /// How precise `startDate` is.
    async fn start_precision(&self) -> Option<DatePrecision> {
        self.get().start_date.map(|d| d.precision.into())
    }
    /// When it ended, as precisely as the source says.
    async fn end_date(&self) -> Option<String> {
        self.get().end_date.map(|d| d.to_string())
    }
    /// How precise `endDate` is.
    async fn end_precision(&self) -> Option<DatePrecision> {
        self.get().end_date.map(|d| d.precision.into())
    }
    /// Whether it was in force on the `asAt` date of the query (today by default).
    async fn active(&self) -> bool {
        la_query::intervention_active_on(&self.ds, self.get(), self.as_at)
    }
    /// The commissioner or adviser named.
    async fn commissioner(&self) -> Option<&str> {
        self.get().commissioner.as_deref()
    }
    /// The source document's title.
    async fn title(&self) -> Option<&str> {
        self.get().title.as_deref()
    }
    /// What the source says, paraphrased.
    async fn summary(&self) -> Option<&str> {
        self.get().summary.as_deref()
    }
    /// Children's social care or SEND.
    async fn service(&self) -> Service {
        self.get().service.into()
    }
    /// The intervention this one continues (the notice a direction replaced, the direction a
    /// revised direction revised or a revocation ended).
    async fn follows(&self) -> Option<Intervention> {
        let id = self.get().follows.as_ref()?;
        self.ds.intervention(id).map(|i| Intervention::new(&self.ds, i, self.as_at))
    }
    /// The documents that state it, from every source.
    async fn source_urls(&self) -> &[String] {
        &self.get().source_urls
    }
    /// When the source document last changed (GOV.UK's `public_updated_at`, RFC 3339).
    async fn document_updated_at(&self) -> Option<String> {
        self.get().document_updated_at.map(timestamp)
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(&self.ds, &self.get().provenance)
    }
    /// Other sources that state the same event, each with what it says.
    async fn corroborations(&self) -> Vec<Corroboration> {
        self.get()
            .corroborations
            .iter()
            .map(|c| Corroboration {
                id: c.id.clone(),
                kind: c.kind.into(),
                start_date: c.start_date.map(|d| d.to_string()),
                end_date: c.end_date.map(|d| d.to_string()),
                commissioner: c.commissioner.clone(),
                title: c.title.clone(),
                source_urls: c.source_urls.clone(),
                document_updated_at: c.document_updated_at.map(timestamp),
                provenance: Provenance::new(&self.ds, &c.provenance),
            })
            .collect()
    }
    /// Where those sources disagree with this record (the record keeps its own values).
    async fn discrepancies(&self) -> Vec<Discrepancy> {
        self.get()
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
    /// When that source says it started.
    pub start_date: Option<String>,
    /// When that source says it ended.
    pub end_date: Option<String>,
    /// The commissioner that source names.
    pub commissioner: Option<String>,
    /// The title of that source's document.
    pub title: Option<String>,
    /// That source's documents.
    pub source_urls: Vec<String>,
    /// When that source's document last changed (RFC 3339).
    pub document_updated_at: Option<String>,
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

/// One entry in a council's story.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TimelineEntry {
    /// When, as precisely as known (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`).
    pub date: Option<String>,
    /// What happened.
    pub event: TimelineEventType,
    #[graphql(skip)]
    inspection: Option<String>,
    #[graphql(skip)]
    intervention: Option<String>,
    #[graphql(skip)]
    ds: Arc<Dataset>,
    #[graphql(skip)]
    as_at: NaiveDate,
}

impl TimelineEntry {
    fn new(ds: &Arc<Dataset>, e: &TimelineEvent<'_>, as_at: NaiveDate) -> Self {
        let (inspection, intervention) = match *e {
            TimelineEvent::Inspection(i) => (Some(i.id.clone()), None),
            TimelineEvent::InterventionStarted(i) | TimelineEvent::InterventionEnded(i) => (None, Some(i.id.clone())),
        };
        TimelineEntry {
            date: e.date().map(|d| d.to_string()),
            event: e.into(),
            inspection,
            intervention,
            ds: ds.clone(),
            as_at,
        }
    }
}

#[ComplexObject]
impl TimelineEntry {
    /// The inspection, for inspection entries.
    async fn inspection(&self) -> Option<Inspection> {
        let i = self.ds.inspection(self.inspection.as_deref()?)?;
        Some(Inspection::new(&self.ds, i))
    }
    /// The intervention, for intervention entries.
    async fn intervention(&self) -> Option<Intervention> {
        let i = self.ds.intervention(self.intervention.as_deref()?)?;
        Some(Intervention::new(&self.ds, i, self.as_at))
    }
}

/// Which councils a list includes, by their state on `asAt`.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum LaLifecycle {
    /// Existing on `asAt` (the default).
    #[default]
    Current,
    /// Abolished by `asAt`.
    Retired,
    /// Every council.
    All,
}

/// A required grade for one area of the latest inspection.
#[derive(InputObject)]
pub struct AreaGrade {
    /// The area.
    pub area: Area,
    /// The grade.
    pub grade: Grade,
}

/// Filters for councils (the same as REST's); every condition must hold.
#[derive(InputObject, Default)]
pub struct LocalAuthorityFilter {
    /// Region: ONS code or name.
    pub region: Option<String>,
    /// Kind of council.
    pub la_type: Option<LaType>,
    /// Current (default), retired or all.
    pub status: Option<LaLifecycle>,
    /// Latest overall effectiveness grade.
    pub rating: Option<Grade>,
    /// Latest grades per area.
    pub ratings: Option<Vec<AreaGrade>>,
    /// `true`: an intervention in force; `false`: none.
    pub intervention_active: Option<bool>,
    /// Only interventions of this kind count (alone, implies `interventionActive: true`).
    pub intervention_kind: Option<InterventionKind>,
    /// DfE's persistent-failure definition met, or not.
    pub persistent_failure: Option<bool>,
}

/// Sort fields for councils.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum LocalAuthorityOrderField {
    /// By name.
    Name,
    /// By publication date of the latest graded inspection.
    LatestInspection,
    /// By latest overall grade, best first.
    Rating,
}

/// Sort direction.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl From<OrderDirection> for Direction {
    fn from(d: OrderDirection) -> Self {
        match d {
            OrderDirection::Asc => Direction::Ascending,
            OrderDirection::Desc => Direction::Descending,
        }
    }
}

/// How to sort councils.
#[derive(InputObject)]
pub struct LocalAuthorityOrder {
    /// The field.
    pub field: LocalAuthorityOrderField,
    /// The direction (default ascending).
    pub direction: Option<OrderDirection>,
}

/// Filters for inspections (the same as REST's); every condition must hold.
#[derive(InputObject, Default)]
pub struct InspectionFilterInput {
    /// Council: GSS code, DfE code, Ofsted URN or slug.
    pub la: Option<String>,
    /// Region of the council: ONS code or name.
    pub region: Option<String>,
    /// Kind of publication.
    pub kind: Option<InspectionKind>,
    /// Framework.
    pub framework: Option<Framework>,
    /// Published on or after.
    pub published_from: Option<Date>,
    /// Published on or before.
    pub published_to: Option<Date>,
    /// First day on site on or after.
    pub inspected_from: Option<Date>,
    /// First day on site on or before.
    pub inspected_to: Option<Date>,
    /// Grades the inspection gave (all must hold).
    pub grades: Option<Vec<AreaGrade>>,
    /// Lead inspector's name contains this text (any case).
    pub lead_inspector: Option<String>,
}

/// Sort fields for inspections.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum InspectionOrderField {
    /// Publication date.
    Published,
    /// First day on site.
    InspectionStart,
    /// Council name, then publication date.
    La,
}

/// How to sort inspections (default: newest publication first).
#[derive(InputObject)]
pub struct InspectionOrder {
    /// The field.
    pub field: InspectionOrderField,
    /// The direction (default ascending).
    pub direction: Option<OrderDirection>,
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
    /// In force on this date.
    pub active_on: Option<Date>,
    /// Started on or after.
    pub started_from: Option<Date>,
    /// Started on or before.
    pub started_to: Option<Date>,
}

/// How to group rating counts.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum RatingGrouping {
    /// One group for England.
    England,
    /// By ONS region.
    Region,
    /// By kind of council.
    Type,
}

/// The councils holding one grade in one group.
#[derive(SimpleObject)]
pub struct GradeCount {
    /// The grade; null for councils with no grade for the area.
    pub grade: Option<Grade>,
    /// How many councils.
    pub count: usize,
    /// `count` over the group's total, to four decimal places.
    pub share: f64,
    /// The councils.
    pub local_authorities: Vec<LocalAuthority>,
}

/// One group's counts.
#[derive(SimpleObject)]
pub struct RatingGroup {
    /// Region code, council type, or `england`.
    pub key: String,
    /// Region name, council type, or `England`.
    pub label: String,
    /// Councils in the group.
    pub total: usize,
    /// Grades best first, then no grade.
    pub grades: Vec<GradeCount>,
}

/// How many councils held each grade on a date.
#[derive(SimpleObject)]
pub struct RatingStats {
    /// The date described.
    pub as_at: Date,
    /// The area counted.
    pub area: Area,
    /// Councils that existed on `asAt`.
    pub total: usize,
    /// The groups.
    pub groups: Vec<RatingGroup>,
}

/// Row counts.
#[derive(SimpleObject)]
pub struct Counts {
    /// Councils, current and retired.
    pub local_authorities: usize,
    /// Inspections and visits.
    pub inspections: usize,
    /// Judgements.
    pub judgements: usize,
    /// Interventions.
    pub interventions: usize,
}

/// A source of records.
#[derive(SimpleObject)]
pub struct Source {
    /// The source's name.
    pub source: String,
    /// The document read most recently.
    pub source_url: String,
    /// The latest retrieval among its records (RFC 3339).
    pub last_retrieved_at: String,
    /// How many records it gave.
    pub records: usize,
}

/// About the dataset.
#[derive(SimpleObject)]
pub struct Meta {
    /// Increases with every change to public data.
    pub dataset_version: i64,
    /// When public data last changed (RFC 3339).
    pub last_modified: String,
    /// Row counts.
    pub counts: Counts,
    /// Sources.
    pub sources: Vec<Source>,
    /// The data's licence.
    pub licence: &'static str,
    /// Where to read it.
    pub licence_url: &'static str,
    /// The attribution to give.
    pub attribution: &'static str,
    /// The largest query complexity accepted.
    pub max_complexity: usize,
    /// The deepest nesting accepted.
    pub max_depth: usize,
}

/// The root of every query.
pub struct QueryRoot;

fn la_node(ds: &Arc<Dataset>, key: &str, as_at: Option<Date>) -> Result<LocalAuthority> {
    let la = crate::lookup::local_authority(ds, key).map_err(not_found)?;
    Ok(LocalAuthority { ds: ds.clone(), gss: la.gss_code.clone(), as_at: as_at.map_or_else(today, |d| d.0) })
}

#[Object]
impl QueryRoot {
    /// One council by GSS code (current or former), DfE code, Ofsted URN or slug.
    async fn local_authority(&self, ctx: &Context<'_>, id: String, as_at: Option<Date>) -> Result<LocalAuthority> {
        la_node(dataset(ctx)?, &id, as_at)
    }

    /// Councils that match the filter, as they stood on `asAt` (default today).
    async fn local_authorities(
        &self,
        ctx: &Context<'_>,
        filter: Option<LocalAuthorityFilter>,
        order_by: Option<LocalAuthorityOrder>,
        as_at: Option<Date>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<LocalAuthority>> {
        let ds = dataset(ctx)?;
        let filter_in = filter.unwrap_or_default();
        let mut f = LaFilter::new(as_at.map_or_else(today, |d| d.0));
        f.lifecycle = match filter_in.status.unwrap_or_default() {
            LaLifecycle::Current => Lifecycle::Current,
            LaLifecycle::Retired => Lifecycle::Retired,
            LaLifecycle::All => Lifecycle::All,
        };
        f.region = region(ds, filter_in.region)?;
        f.la_type = filter_in.la_type.map(Into::into);
        if let Some(grade) = filter_in.rating {
            f.ratings.push((d::Area::OverallEffectiveness, grade.into()));
        }
        f.ratings.extend(filter_in.ratings.unwrap_or_default().into_iter().map(|r| (r.area.into(), r.grade.into())));
        f.intervention = filter_in
            .intervention_active
            .map(|a| if a { InterventionPresence::Active } else { InterventionPresence::None });
        f.intervention_kind = filter_in.intervention_kind.map(Into::into);
        f.persistent_failure = filter_in.persistent_failure;
        if let Some(order) = order_by {
            f.sort = match order.field {
                LocalAuthorityOrderField::Name => LaSort::Name,
                LocalAuthorityOrderField::LatestInspection => LaSort::LatestInspection,
                LocalAuthorityOrderField::Rating => LaSort::Rating,
            };
            f.direction = order.direction.map_or(Direction::Ascending, Into::into);
        }
        let first_page = after.is_none();
        let page = la_query::list(ds, &f, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |s| LocalAuthority {
            ds: ds.clone(),
            gss: s.la.gss_code.clone(),
            as_at: f.as_at,
        }))
    }

    /// One inspection or visit by Ofsted file id.
    async fn inspection(&self, ctx: &Context<'_>, id: String) -> Result<Inspection> {
        let ds = dataset(ctx)?;
        let i = crate::lookup::inspection(ds, &id).map_err(not_found)?;
        Ok(Inspection::new(ds, i))
    }

    /// Inspections and visits that match the filter (default: newest publication first).
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        filter: Option<InspectionFilterInput>,
        order_by: Option<InspectionOrder>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<Inspection>> {
        let ds = dataset(ctx)?;
        let f = filter.unwrap_or_default();
        let (sort, direction) = match order_by {
            None => InspectionSort::NEWEST_FIRST,
            Some(o) => (
                match o.field {
                    InspectionOrderField::Published => InspectionSort::Published,
                    InspectionOrderField::InspectionStart => InspectionSort::InspectionStart,
                    InspectionOrderField::La => InspectionSort::La,
                },
                o.direction.map_or(Direction::Ascending, Into::into),
            ),
        };
        let filter = InspectionFilter {
            la: f.la.as_deref().map(|la| records::resolve_la(ds, "la", la)).transpose().map_err(bad_input)?,
            region: region(ds, f.region)?,
            kind: f.kind.map(Into::into),
            framework: f.framework.map(Into::into),
            published_from: f.published_from.map(|d| d.0),
            published_to: f.published_to.map(|d| d.0),
            inspected_from: f.inspected_from.map(|d| d.0),
            inspected_to: f.inspected_to.map(|d| d.0),
            grades: f.grades.unwrap_or_default().into_iter().map(|g| (g.area.into(), g.grade.into())).collect(),
            lead_inspector: f.lead_inspector,
            sort,
            direction,
        };
        let first_page = after.is_none();
        let page = records::inspections(ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Inspection::new(ds, i)))
    }

    /// One intervention by id.
    async fn intervention(&self, ctx: &Context<'_>, id: String) -> Result<Intervention> {
        let ds = dataset(ctx)?;
        let i = crate::lookup::intervention(ds, &id).map_err(not_found)?;
        Ok(Intervention::new(ds, i, today()))
    }

    /// Interventions that match the filter, earliest start first.
    async fn interventions(
        &self,
        ctx: &Context<'_>,
        filter: Option<InterventionFilterInput>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<Intervention>> {
        let ds = dataset(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = InterventionFilter {
            la: f.la.as_deref().map(|la| records::resolve_la(ds, "la", la)).transpose().map_err(bad_input)?,
            region: region(ds, f.region)?,
            kind: f.kind.map(Into::into),
            service: f.service.map(Into::into),
            active_on: f.active_on.map(|d| d.0),
            started_from: f.started_from.map(|d| d.0),
            started_to: f.started_to.map(|d| d.0),
            direction: Direction::Ascending,
        };
        let day = filter.active_on.unwrap_or_else(today);
        let first_page = after.is_none();
        let page = records::interventions(ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Intervention::new(ds, i, day)))
    }

    /// How many councils held each grade for `area` (default overall effectiveness) on `asAt`.
    async fn rating_stats(
        &self,
        ctx: &Context<'_>,
        as_at: Option<Date>,
        area: Option<Area>,
        by: Option<RatingGrouping>,
    ) -> Result<RatingStats> {
        let ds = dataset(ctx)?;
        let as_at = as_at.map_or_else(today, |d| d.0);
        let area: d::Area = area.map_or(stats::DEFAULT_AREA, Into::into);
        let by = match by {
            None | Some(RatingGrouping::England) => GroupBy::England,
            Some(RatingGrouping::Region) => GroupBy::Region,
            Some(RatingGrouping::Type) => GroupBy::Type,
        };
        let counts = stats::ratings(ds, as_at, area, by);
        let groups: Vec<RatingGroup> = counts
            .groups
            .into_iter()
            .map(|g| RatingGroup {
                total: g.total,
                grades: g
                    .cells
                    .into_iter()
                    .map(|c| GradeCount {
                        grade: c.grade.map(Into::into),
                        count: c.count(),
                        share: c.share,
                        local_authorities: c
                            .local_authorities
                            .iter()
                            .map(|la| LocalAuthority { ds: ds.clone(), gss: la.gss_code.clone(), as_at })
                            .collect(),
                    })
                    .collect(),
                key: g.key,
                label: g.label,
            })
            .collect();
        Ok(RatingStats { as_at: Date(counts.as_at), area: counts.area.into(), total: counts.total, groups })
    }

    /// About the dataset, and this endpoint's limits.
    async fn meta(&self, ctx: &Context<'_>) -> Result<Meta> {
        let ds = dataset(ctx)?;
        Ok(Meta {
            dataset_version: ds.version,
            last_modified: timestamp(ds.updated_at),
            counts: Counts {
                local_authorities: ds.counts.local_authorities,
                inspections: ds.counts.inspections,
                judgements: ds.counts.judgements,
                interventions: ds.counts.interventions,
            },
            sources: ds
                .sources
                .iter()
                .map(|s| Source {
                    source: s.source.clone(),
                    source_url: s.source_url.clone(),
                    last_retrieved_at: timestamp(s.last_retrieved_at),
                    records: s.records,
                })
                .collect(),
            licence: schema::LICENCE,
            licence_url: schema::LICENCE_URL,
            attribution: schema::ATTRIBUTION,
            max_complexity: super::MAX_COMPLEXITY,
            max_depth: super::MAX_DEPTH,
        })
    }
}
