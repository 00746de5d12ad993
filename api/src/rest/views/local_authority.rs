//! A council as REST returns it: the list summary (and its CSV row), the full record, its status block.

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain::CodeChange;
use schema::query::local_authorities::{self as la_query, LaStatus};
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::rest::listing::{CsvRow, opt, text};
use crate::wire::*;

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

/// A GSS code the council used before, for the same area, and until when.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormerCode<'a> {
    /// The former code (it resolves to this council).
    #[schema(example = "E10000023")]
    pub code: &'a str,
    /// Its last day as the council's code; null when no source lacs holds dates the change
    /// (`note` says so).
    pub valid_to: Option<NaiveDate>,
    /// The first day of the current code, when known.
    pub replaced_on: Option<NaiveDate>,
    /// The instrument or file that states the change.
    pub source_url: &'a str,
    /// What changed, and which sources still use the former code.
    pub note: Option<&'a str>,
}

impl<'a> From<&'a CodeChange> for FormerCode<'a> {
    fn from(c: &'a CodeChange) -> Self {
        FormerCode {
            code: &c.former_gss,
            valid_to: c.former_until(),
            replaced_on: c.effective,
            source_url: &c.source_url,
            note: c.note.as_deref(),
        }
    }
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
    /// The same codes with their validity and source.
    pub former_codes: Vec<FormerCode<'a>>,
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
            former_codes: dataset.former_codes_of(&la.gss_code).map(FormerCode::from).collect(),
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

impl CsvRow for LocalAuthoritySummary<'_> {
    fn header() -> Vec<&'static str> {
        let mut h = vec!["gss_code", "dfe_code", "ofsted_urn", "name", "slug", "region_code", "region_name", "la_type"];
        h.extend(["state", "latest_inspection_id", "latest_inspection_published"]);
        h.extend(JUDGEMENT_COLUMNS);
        h.extend(["active_interventions", "persistent_failure", "systemic_failure"]);
        h
    }

    fn record(&self) -> Vec<String> {
        let mut r = vec![
            self.gss_code.to_owned(),
            opt(self.dfe_code),
            opt(self.ofsted_urn),
            self.name.to_owned(),
            self.slug.to_owned(),
            opt(self.region.code),
            opt(self.region.name),
            text(&self.la_type),
            text(&self.state),
            self.latest_inspection.as_ref().map(|i| i.id.to_owned()).unwrap_or_default(),
            self.latest_inspection.as_ref().map(|i| i.published.to_string()).unwrap_or_default(),
        ];
        r.extend(judgement_cells(self.latest_inspection.as_ref().map(|i| &i.judgements)));
        r.push(self.active_interventions.iter().map(|i| text(&i.kind)).collect::<Vec<_>>().join(";"));
        r.push(self.persistent_failure.to_string());
        r.push(self.systemic_failure.to_string());
        r
    }
}
