//! What the REST API returns: resource shapes built from domain records, borrowing from the
//! snapshot so that rendering copies nothing it does not have to.

use chrono::{DateTime, NaiveDate, Utc};
use schema::Dataset;
use schema::domain as d;
use schema::query::local_authorities::{self as la_query, LaStatus};
use serde::Serialize;
use utoipa::ToSchema;

use super::listing::text;
use crate::wire::*;

/// Path of an LA resource.
pub fn la_href(gss_code: &str) -> String {
    format!("/v1/local-authorities/{gss_code}")
}

/// Path of an inspection resource.
pub fn inspection_href(id: &str) -> String {
    format!("/v1/inspections/{id}")
}

/// Path of an intervention resource.
pub fn intervention_href(id: &str) -> String {
    format!("/v1/interventions/{id}")
}

/// A local authority, named and linked.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaLink<'a> {
    /// ONS GSS code.
    #[schema(example = "E10000020")]
    pub gss_code: &'a str,
    /// Name.
    #[schema(example = "Norfolk")]
    pub name: &'a str,
    /// The LA resource.
    #[schema(example = "/v1/local-authorities/E10000020")]
    pub href: String,
}

impl<'a> LaLink<'a> {
    /// Links `gss_code`, named from the dataset.
    pub fn new(dataset: &'a Dataset, gss_code: &'a str) -> Self {
        let name = dataset.local_authority(gss_code).map_or(gss_code, |la| la.name.as_str());
        LaLink { gss_code, name, href: la_href(gss_code) }
    }
}

/// An ONS region.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView<'a> {
    /// ONS region code.
    #[schema(example = "E12000006")]
    pub code: Option<&'a str>,
    /// Region name.
    #[schema(example = "East of England")]
    pub name: Option<&'a str>,
}

/// Where a record came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProvenanceView<'a> {
    /// The source's name.
    #[schema(example = "seed:ofsted_csc_ilacs_history.csv")]
    pub source: &'a str,
    /// The document the record was read from.
    pub source_url: &'a str,
    /// When that document was retrieved.
    pub retrieved_at: DateTime<Utc>,
    /// SHA-256 (hex) of the bytes read.
    pub sha256: &'a str,
    /// The parser that read them.
    #[schema(example = "seed-1")]
    pub parser_version: &'a str,
    /// Our archived copy of the document, when lacs holds one.
    pub archive_url: Option<String>,
}

impl<'a> ProvenanceView<'a> {
    /// Renders a provenance, linking our archived copy when the snapshot says we hold it.
    pub fn new(dataset: &Dataset, p: &'a d::Provenance) -> Self {
        ProvenanceView {
            source: &p.source,
            source_url: &p.source_url,
            retrieved_at: p.retrieved_at,
            sha256: &p.sha256,
            parser_version: &p.parser_version,
            archive_url: dataset.archive_url(&p.sha256),
        }
    }
}

/// Grades by area. An area the inspection did not judge is absent.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct JudgementsView {
    /// Overall effectiveness (not judged after the April 2026 reform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overall_effectiveness: Option<Grade>,
    /// ILACS: the impact of leaders on social work practice with children and families.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_of_leaders: Option<Grade>,
    /// The experiences and progress of children who need help and protection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_and_protection: Option<Grade>,
    /// Children in care (ILACS from 2023; SIF: children looked after and achieving permanence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children_in_care: Option<Grade>,
    /// Care leavers (ILACS from 2023; SIF sub-judgement).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_leavers: Option<Grade>,
    /// ILACS inspections starting before 2023: children in care and care leavers together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children_in_care_and_care_leavers: Option<Grade>,
    /// SIF: leadership, management and governance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leadership_management_governance: Option<Grade>,
    /// SIF: adoption performance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adoption: Option<Grade>,
    /// SIF: the Local Safeguarding Children Board review.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lscb: Option<Grade>,
    /// Pre-SIF: capacity to improve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_to_improve: Option<Grade>,
    /// Pre-SIF: outcomes for looked after children and young people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcomes_for_looked_after_children: Option<Grade>,
    /// Pre-SIF: quality of provision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality_of_provision: Option<Grade>,
    /// Pre-SIF: leadership and management.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leadership_and_management: Option<Grade>,
}

impl JudgementsView {
    /// The grades of `judgements`.
    pub fn new(judgements: &[d::Judgement]) -> Self {
        let mut v = JudgementsView::default();
        for j in judgements {
            *v.slot(j.area) = Some(j.grade.into());
        }
        v
    }

    fn slot(&mut self, area: d::Area) -> &mut Option<Grade> {
        match area {
            d::Area::OverallEffectiveness => &mut self.overall_effectiveness,
            d::Area::ImpactOfLeaders => &mut self.impact_of_leaders,
            d::Area::HelpAndProtection => &mut self.help_and_protection,
            d::Area::ChildrenInCare => &mut self.children_in_care,
            d::Area::CareLeavers => &mut self.care_leavers,
            d::Area::ChildrenInCareAndCareLeavers => &mut self.children_in_care_and_care_leavers,
            d::Area::LeadershipManagementGovernance => &mut self.leadership_management_governance,
            d::Area::Adoption => &mut self.adoption,
            d::Area::Lscb => &mut self.lscb,
            d::Area::CapacityToImprove => &mut self.capacity_to_improve,
            d::Area::OutcomesForLookedAfterChildren => &mut self.outcomes_for_looked_after_children,
            d::Area::QualityOfProvision => &mut self.quality_of_provision,
            d::Area::LeadershipAndManagement => &mut self.leadership_and_management,
        }
    }
}

/// One column per judgement area, in the order of the area vocabulary.
pub const JUDGEMENT_COLUMNS: [&str; 13] = [
    "overall_effectiveness",
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "children_in_care_and_care_leavers",
    "leadership_management_governance",
    "adoption",
    "lscb",
    "capacity_to_improve",
    "outcomes_for_looked_after_children",
    "quality_of_provision",
    "leadership_and_management",
];

/// The grades as CSV cells, in [`JUDGEMENT_COLUMNS`] order.
pub fn judgement_cells(j: Option<&JudgementsView>) -> Vec<String> {
    let Some(j) = j else { return vec![String::new(); JUDGEMENT_COLUMNS.len()] };
    [
        j.overall_effectiveness,
        j.impact_of_leaders,
        j.help_and_protection,
        j.children_in_care,
        j.care_leavers,
        j.children_in_care_and_care_leavers,
        j.leadership_management_governance,
        j.adoption,
        j.lscb,
        j.capacity_to_improve,
        j.outcomes_for_looked_after_children,
        j.quality_of_provision,
        j.leadership_and_management,
    ]
    .iter()
    .map(text)
    .collect()
}

/// Links from a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelfLink {
    /// This resource.
    #[serde(rename = "self")]
    pub self_: String,
}

/// An Ofsted publication about a local authority.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionView<'a> {
    /// The Ofsted file id (from `files.ofsted.gov.uk/v1/file/<id>`).
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
    /// Lead inspector(s) as printed.
    pub lead_inspectors: &'a [String],
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
    /// Links.
    pub links: SelfLink,
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
            judgements: JudgementsView::new(&i.judgements),
            report_url: &i.report_url,
            provider_url: i.provider_url.as_deref(),
            notes: i.notes.as_deref(),
            provenance: ProvenanceView::new(dataset, &i.provenance),
            links: SelfLink { self_: inspection_href(&i.id) },
        }
    }
}

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
    /// When it started, as precisely as the source says: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    #[schema(value_type = Option<String>, example = "2015-11-06")]
    pub start_date: Option<d::PartialDate>,
    /// How precise `start_date` is.
    pub start_precision: Option<DatePrecision>,
    /// When it ended, as precisely as the source says.
    #[schema(value_type = Option<String>, example = "2015-05")]
    pub end_date: Option<d::PartialDate>,
    /// How precise `end_date` is.
    pub end_precision: Option<DatePrecision>,
    /// Whether it was in force on the response's `as_at` date (an `intervention_ended`
    /// record, or a later one for the same council, ends it).
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
    /// When the source document last changed (GOV.UK's `public_updated_at`).
    pub document_updated_at: Option<DateTime<Utc>>,
    /// Where the record came from.
    pub provenance: ProvenanceView<'a>,
    /// Other sources that state the same event, each with what it says.
    pub corroborations: Vec<CorroborationView<'a>>,
    /// Where those sources disagree with this record (the record keeps its own values).
    pub discrepancies: Vec<DiscrepancyView>,
    /// Links.
    pub links: SelfLink,
}

/// Another record, by id and link.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdLink<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its resource.
    pub href: String,
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
    /// When that source says it started.
    #[schema(value_type = Option<String>)]
    pub start_date: Option<d::PartialDate>,
    /// When that source says it ended.
    #[schema(value_type = Option<String>)]
    pub end_date: Option<d::PartialDate>,
    /// The commissioner that source names.
    pub commissioner: Option<&'a str>,
    /// The title of that source's document.
    pub title: Option<&'a str>,
    /// That source's documents.
    pub source_urls: &'a [String],
    /// When that source's document last changed.
    pub document_updated_at: Option<DateTime<Utc>>,
    /// Where it came from.
    pub provenance: ProvenanceView<'a>,
}

impl<'a> InterventionView<'a> {
    /// Renders one intervention; `active` on `as_at`.
    pub fn new(dataset: &'a Dataset, i: &'a d::Intervention, as_at: NaiveDate) -> Self {
        InterventionView {
            id: &i.id,
            local_authority: LaLink::new(dataset, &i.la),
            kind: i.kind.into(),
            service: i.service.into(),
            start_date: i.start_date,
            start_precision: i.start_date.map(|d| d.precision.into()),
            end_date: i.end_date,
            end_precision: i.end_date.map(|d| d.precision.into()),
            active: schema::query::local_authorities::in_force_on(dataset, i, as_at),
            commissioner: i.commissioner.as_deref(),
            title: i.title.as_deref(),
            summary: i.summary.as_deref(),
            follows: i.follows.as_deref().map(|id| IdLink { id, href: intervention_href(id) }),
            source_urls: &i.source_urls,
            document_updated_at: i.document_updated_at,
            provenance: ProvenanceView::new(dataset, &i.provenance),
            corroborations: i
                .corroborations
                .iter()
                .map(|c| CorroborationView {
                    id: &c.id,
                    kind: c.kind.into(),
                    start_date: c.start_date,
                    end_date: c.end_date,
                    commissioner: c.commissioner.as_deref(),
                    title: c.title.as_deref(),
                    source_urls: &c.source_urls,
                    document_updated_at: c.document_updated_at,
                    provenance: ProvenanceView::new(dataset, &c.provenance),
                })
                .collect(),
            discrepancies: i.discrepancies().into_iter().map(DiscrepancyView::from).collect(),
            links: SelfLink { self_: intervention_href(&i.id) },
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

/// An intervention in brief.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterventionBrief<'a> {
    /// Stable id.
    pub id: &'a str,
    /// What DfE did.
    pub kind: InterventionKind,
    /// When it started.
    #[schema(value_type = Option<String>)]
    pub start_date: Option<d::PartialDate>,
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
            start_date: i.start_date,
            commissioner: i.commissioner.as_deref(),
            href: intervention_href(&i.id),
        }
    }
}

/// Whether the council existed on the `as_at` date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LaState {
    /// It existed.
    Current,
    /// It had been abolished; see `successors`.
    Retired,
    /// It had not been created yet; see `predecessors`.
    NotYetCreated,
}

impl LaState {
    /// The state in a status.
    pub fn of(s: &LaStatus<'_>) -> Self {
        match s.state() {
            la_query::LaState::Current => LaState::Current,
            la_query::LaState::Retired => LaState::Retired,
            la_query::LaState::NotYetCreated => LaState::NotYetCreated,
        }
    }
}

/// A local authority in a list, with its state on the `as_at` date.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalAuthoritySummary<'a> {
    /// ONS GSS code (canonical id).
    #[schema(example = "E10000020")]
    pub gss_code: &'a str,
    /// DfE LA code.
    #[schema(example = "926")]
    pub dfe_code: Option<&'a str>,
    /// Ofsted URN.
    #[schema(example = "80418")]
    pub ofsted_urn: Option<&'a str>,
    /// ONS name.
    #[schema(example = "Norfolk")]
    pub name: &'a str,
    /// URL-safe name.
    #[schema(example = "norfolk")]
    pub slug: &'a str,
    /// ONS region.
    pub region: RegionView<'a>,
    /// Kind of council.
    pub la_type: Option<LaType>,
    /// Existing, retired or not yet created on `as_at`.
    pub state: LaState,
    /// The latest inspection with judgements published on or before `as_at`.
    pub latest_inspection: Option<InspectionBrief<'a>>,
    /// Interventions in force on `as_at`.
    pub active_interventions: Vec<InterventionBrief<'a>>,
    /// DfE's persistent failure: inadequate overall more than once in the five years to `as_at`.
    pub persistent_failure: bool,
    /// DfE's systemic failure: inadequate on every judgement of the latest inspection.
    pub systemic_failure: bool,
    /// Links.
    pub links: SelfLink,
}

impl<'a> LocalAuthoritySummary<'a> {
    /// Renders one LA's status.
    pub fn new(s: &LaStatus<'a>) -> Self {
        let la = s.la;
        LocalAuthoritySummary {
            gss_code: &la.gss_code,
            dfe_code: la.dfe_code.as_deref(),
            ofsted_urn: la.ofsted_urn.as_deref(),
            name: &la.name,
            slug: &la.slug,
            region: RegionView { code: la.region_code.as_deref(), name: la.region_name.as_deref() },
            la_type: la.la_type.map(Into::into),
            state: LaState::of(s),
            latest_inspection: s.latest_inspection.map(Into::into),
            active_interventions: s.active_interventions.iter().map(|&i| i.into()).collect(),
            persistent_failure: s.persistent_failure(),
            systemic_failure: s.systemic_failure.is_some(),
            links: SelfLink { self_: la_href(&la.gss_code) },
        }
    }
}

/// A statistical neighbour, by DfE code, linked where we hold the LA.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeighbourLink<'a> {
    /// DfE LA code as DfE lists it.
    #[schema(example = "940")]
    pub dfe_code: &'a str,
    /// GSS code, when the LA is known.
    pub gss_code: Option<&'a str>,
    /// Name, when the LA is known.
    pub name: Option<&'a str>,
    /// The LA resource, when the LA is known.
    pub href: Option<String>,
}

/// A reorganisation link to a predecessor or successor council.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuccessionLink<'a> {
    /// The other council's GSS code.
    pub gss_code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The first day of the successor's responsibility.
    pub effective: NaiveDate,
    /// The legal instrument stating it.
    pub source_url: &'a str,
    /// The other council's resource.
    pub href: String,
}

/// A DfE failure definition, whether it is met, and the inspections that make it so.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureTest<'a> {
    /// Whether the definition is met on `as_at`.
    pub met: bool,
    /// DfE's definition, as applied.
    pub definition: &'static str,
    /// The inspections that count towards it.
    pub inspections: Vec<InspectionBrief<'a>>,
}

impl<'a> FailureTest<'a> {
    /// Renders a failure test applied by the query layer.
    pub fn new(t: la_query::FailureTest<'a>) -> Self {
        FailureTest {
            met: t.met,
            definition: t.definition,
            inspections: t.inspections.into_iter().map(Into::into).collect(),
        }
    }
}

/// What held for the council on the `as_at` date, derived from its records.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusView<'a> {
    /// Existing, retired or not yet created.
    pub state: LaState,
    /// The date described.
    pub as_at: NaiveDate,
    /// Grades of the latest inspection with judgements published on or before `as_at`.
    pub latest_grades: JudgementsView,
    /// Last day on site of that inspection (or its publication date when not known).
    pub last_inspection_date: Option<NaiveDate>,
    /// Days from `last_inspection_date` to `as_at`.
    pub days_since_last_inspection: Option<i64>,
    /// DfE's persistent-failure definition.
    pub persistent_failure: FailureTest<'a>,
    /// DfE's systemic-failure definition.
    pub systemic_failure: FailureTest<'a>,
}

/// Links from a local authority.
#[derive(Debug, Serialize, ToSchema)]
pub struct LaLinks {
    /// This resource.
    #[serde(rename = "self")]
    pub self_: String,
    /// Its inspections.
    pub inspections: String,
    /// Its interventions.
    pub interventions: String,
    /// Its story in date order.
    pub timeline: String,
}

/// A local authority in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalAuthorityDetail<'a> {
    /// ONS GSS code (canonical id).
    #[schema(example = "E10000020")]
    pub gss_code: &'a str,
    /// GSS codes used before without a change of area (they resolve here too).
    pub former_gss_codes: &'a [String],
    /// DfE LA code.
    #[schema(example = "926")]
    pub dfe_code: Option<&'a str>,
    /// Ofsted URN.
    #[schema(example = "80418")]
    pub ofsted_urn: Option<&'a str>,
    /// ONS name.
    #[schema(example = "Norfolk")]
    pub name: &'a str,
    /// Name in everyday use.
    pub short_name: &'a str,
    /// URL-safe name.
    pub slug: &'a str,
    /// ONS region.
    pub region: RegionView<'a>,
    /// Kind of council.
    pub la_type: Option<LaType>,
    /// ONS population aged 0–25.
    pub population_0_25: Option<i64>,
    /// The council's website.
    pub website: Option<&'a str>,
    /// First day of responsibility, for councils created by reorganisation.
    pub valid_from: Option<NaiveDate>,
    /// Last day, for councils that no longer exist.
    pub valid_to: Option<NaiveDate>,
    /// The ten statistical neighbours DfE lists.
    pub statistical_neighbours: Vec<NeighbourLink<'a>>,
    /// Councils this one took over from.
    pub predecessors: Vec<SuccessionLink<'a>>,
    /// Councils that took over from this one.
    pub successors: Vec<SuccessionLink<'a>>,
    /// The latest inspection with judgements published on or before `as_at`.
    pub latest_inspection: Option<InspectionView<'a>>,
    /// Interventions in force on `as_at`.
    pub active_interventions: Vec<InterventionView<'a>>,
    /// Derived status on `as_at`.
    pub status: StatusView<'a>,
    /// Corrections and missing values explained.
    pub notes: Option<&'a str>,
    /// Where the record came from.
    pub provenance: ProvenanceView<'a>,
    /// Links.
    pub links: LaLinks,
}

impl<'a> LocalAuthorityDetail<'a> {
    /// Renders one LA in full.
    pub fn new(dataset: &'a Dataset, s: &LaStatus<'a>) -> Self {
        let la = s.la;
        let succession = |other: &'a str, effective: NaiveDate, source_url: &'a str| SuccessionLink {
            gss_code: other,
            name: dataset.local_authority(other).map_or(other, |o| o.name.as_str()),
            effective,
            source_url,
            href: la_href(other),
        };
        let neighbours = la
            .statistical_neighbours
            .iter()
            .map(|code| {
                let known = dataset.local_authority(code);
                NeighbourLink {
                    dfe_code: code,
                    gss_code: known.map(|n| n.gss_code.as_str()),
                    name: known.map(|n| n.name.as_str()),
                    href: known.map(|n| la_href(&n.gss_code)),
                }
            })
            .collect();
        LocalAuthorityDetail {
            gss_code: &la.gss_code,
            former_gss_codes: &la.former_gss_codes,
            dfe_code: la.dfe_code.as_deref(),
            ofsted_urn: la.ofsted_urn.as_deref(),
            name: &la.name,
            short_name: &la.short_name,
            slug: &la.slug,
            region: RegionView { code: la.region_code.as_deref(), name: la.region_name.as_deref() },
            la_type: la.la_type.map(Into::into),
            population_0_25: la.population_0_25,
            website: la.website.as_deref(),
            valid_from: la.valid_from,
            valid_to: la.valid_to,
            statistical_neighbours: neighbours,
            predecessors: dataset
                .predecessors_of(&la.gss_code)
                .map(|p| succession(&p.predecessor, p.effective, &p.source_url))
                .collect(),
            successors: dataset
                .successors_of(&la.gss_code)
                .map(|p| succession(&p.successor, p.effective, &p.source_url))
                .collect(),
            latest_inspection: s.latest_inspection.map(|i| InspectionView::new(dataset, i)),
            active_interventions: s
                .active_interventions
                .iter()
                .map(|i| InterventionView::new(dataset, i, s.as_at))
                .collect(),
            status: StatusView {
                state: LaState::of(s),
                as_at: s.as_at,
                latest_grades: s.latest_inspection.map(|i| JudgementsView::new(&i.judgements)).unwrap_or_default(),
                last_inspection_date: s.last_inspection_date(),
                days_since_last_inspection: s.days_since_last_inspection(),
                persistent_failure: FailureTest::new(s.persistent_failure_test()),
                systemic_failure: FailureTest::new(s.systemic_failure_test()),
            },
            notes: la.notes.as_deref(),
            provenance: ProvenanceView::new(dataset, &la.provenance),
            links: LaLinks {
                self_: la_href(&la.gss_code),
                inspections: format!("{}/inspections", la_href(&la.gss_code)),
                interventions: format!("{}/interventions", la_href(&la.gss_code)),
                timeline: format!("{}/timeline", la_href(&la.gss_code)),
            },
        }
    }
}

/// One entry in a council's story.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry<'a> {
    /// When, as precisely as known (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`); null when the source gives no date.
    #[schema(value_type = Option<String>, example = "2023-01-13")]
    pub date: Option<d::PartialDate>,
    /// What happened.
    pub event: TimelineEventType,
    /// For inspections: the publication kind.
    pub inspection_kind: Option<InspectionKind>,
    /// For interventions: the intervention kind.
    pub intervention_kind: Option<InterventionKind>,
    /// A line of text describing the entry.
    pub summary: String,
    /// For inspections: the grades given.
    pub judgements: Option<JudgementsView>,
    /// The record.
    pub href: String,
    /// The source document.
    pub source_url: &'a str,
}
