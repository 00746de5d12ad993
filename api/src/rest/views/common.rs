//! Pieces every resource shape uses: links, regions, provenance, judgements.

use chrono::{DateTime, Utc};
use schema::Dataset;
use schema::domain as d;
use serde::Serialize;
use utoipa::ToSchema;

use crate::rest::listing::text;
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
    /// Pre-SIF safeguarding inspection: overall effectiveness of safeguarding services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_overall_effectiveness: Option<Grade>,
    /// Pre-SIF safeguarding inspection: safeguarding services' capacity for improvement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_capacity_to_improve: Option<Grade>,
    /// Pre-SIF safeguarding inspection: children and young people are safe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_children_are_safe: Option<Grade>,
    /// Pre-SIF safeguarding inspection: children and young people feel safe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_children_feel_safe: Option<Grade>,
    /// Pre-SIF safeguarding inspection: quality of safeguarding provision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_quality_of_provision: Option<Grade>,
    /// Pre-SIF safeguarding inspection: leadership and management of safeguarding services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safeguarding_leadership_and_management: Option<Grade>,
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
            d::Area::SafeguardingOverallEffectiveness => &mut self.safeguarding_overall_effectiveness,
            d::Area::SafeguardingCapacityToImprove => &mut self.safeguarding_capacity_to_improve,
            d::Area::SafeguardingChildrenAreSafe => &mut self.safeguarding_children_are_safe,
            d::Area::SafeguardingChildrenFeelSafe => &mut self.safeguarding_children_feel_safe,
            d::Area::SafeguardingQualityOfProvision => &mut self.safeguarding_quality_of_provision,
            d::Area::SafeguardingLeadershipAndManagement => &mut self.safeguarding_leadership_and_management,
        }
    }
}

/// One column per judgement area, in the order of the area vocabulary.
pub const JUDGEMENT_COLUMNS: [&str; 19] = [
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
    "safeguarding_overall_effectiveness",
    "safeguarding_capacity_to_improve",
    "safeguarding_children_are_safe",
    "safeguarding_children_feel_safe",
    "safeguarding_quality_of_provision",
    "safeguarding_leadership_and_management",
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
        j.safeguarding_overall_effectiveness,
        j.safeguarding_capacity_to_improve,
        j.safeguarding_children_are_safe,
        j.safeguarding_children_feel_safe,
        j.safeguarding_quality_of_provision,
        j.safeguarding_leadership_and_management,
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

/// Another record, by id and link.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdLink<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its resource.
    pub href: String,
}
