//! Councils: the `LocalAuthority` node with its status on `asAt`, and the root fields that find them.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use schema::Dataset;
use schema::domain as d;
use schema::query::codes::GssCode;
use schema::query::local_authorities::{self as la_query, InterventionPresence, LaFilter, LaSort, Lifecycle};
use schema::query::records::{self, InspectionFilter, InterventionFilter};
use schema::query::{Direction, today};

use super::common::*;
use super::nodes::{Inspection, Intervention, LocalAuthority};
use super::timeline::TimelineEntry;
use crate::wire::*;

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
pub struct FailureTest<'a> {
    /// Whether it is met on `asAt`.
    pub met: bool,
    /// The definition applied.
    pub definition: &'static str,
    /// The inspections that count towards it.
    pub inspections: Vec<Inspection<'a>>,
}

/// What held for a council on the `asAt` date.
#[derive(SimpleObject)]
pub struct LaStatus<'a> {
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
    pub persistent_failure: FailureTest<'a>,
    /// DfE's systemic-failure definition.
    pub systemic_failure: FailureTest<'a>,
}

/// A reorganisation link.
#[derive(SimpleObject)]
pub struct Succession<'a> {
    /// The other council.
    pub local_authority: LocalAuthority<'a>,
    /// The first day of the successor's responsibility.
    pub effective: Date,
    /// The legal instrument stating it.
    pub source_url: String,
}

/// A GSS code the council used before, for the same area.
#[derive(SimpleObject)]
pub struct FormerCode<'a> {
    /// The former code (it resolves to this council).
    pub code: &'a str,
    /// Its last day as the council's code; null when no source lacs holds dates the change.
    pub valid_to: Option<Date>,
    /// The first day of the current code, when known.
    pub replaced_on: Option<Date>,
    /// The instrument or file that states the change.
    pub source_url: &'a str,
    /// What changed, and which sources still use the former code.
    pub note: Option<&'a str>,
}

#[Object]
impl<'a> LocalAuthority<'a> {
    /// ONS GSS code (canonical id).
    async fn gss_code(&self) -> &str {
        &self.la.gss_code
    }
    /// GSS codes used before without a change of area.
    async fn former_gss_codes(&self) -> &[String] {
        &self.la.former_gss_codes
    }
    /// The same codes with their validity and source.
    async fn former_codes(&self) -> Vec<FormerCode<'a>> {
        self.ds
            .former_codes_of(&self.la.gss_code)
            .map(|c| FormerCode {
                code: &c.former_gss,
                valid_to: c.former_until().map(Date),
                replaced_on: c.effective.map(Date),
                source_url: &c.source_url,
                note: c.note.as_deref(),
            })
            .collect()
    }
    /// DfE LA code.
    async fn dfe_code(&self) -> Option<&str> {
        self.la.dfe_code.as_deref()
    }
    /// Ofsted URN.
    async fn ofsted_urn(&self) -> Option<&str> {
        self.la.ofsted_urn.as_deref()
    }
    /// ONS name.
    async fn name(&self) -> &str {
        &self.la.name
    }
    /// Name in everyday use.
    async fn short_name(&self) -> &str {
        &self.la.short_name
    }
    /// URL-safe name.
    async fn slug(&self) -> &str {
        &self.la.slug
    }
    /// ONS region.
    async fn region(&self) -> Region {
        Region { code: self.la.region_code.clone(), name: self.la.region_name.clone() }
    }
    /// Kind of council.
    async fn la_type(&self) -> Option<LaType> {
        self.la.la_type.map(Into::into)
    }
    /// ONS population aged 0–25.
    async fn population_0_to_25(&self) -> Option<i64> {
        self.la.population_0_25
    }
    /// The council's website.
    async fn website(&self) -> Option<&str> {
        self.la.website.as_deref()
    }
    /// First day of responsibility, for councils created by reorganisation.
    async fn valid_from(&self) -> Option<Date> {
        self.la.valid_from.map(Date)
    }
    /// Last day, for councils that no longer exist.
    async fn valid_to(&self) -> Option<Date> {
        self.la.valid_to.map(Date)
    }
    /// The date this node describes.
    async fn as_at(&self) -> Date {
        Date(self.as_at)
    }
    /// Corrections and missing values explained.
    async fn notes(&self) -> Option<&str> {
        self.la.notes.as_deref()
    }
    /// Where the record came from.
    async fn provenance(&self) -> Provenance {
        Provenance::new(self.ds, &self.la.provenance)
    }
    /// The latest inspection with judgements published on or before `asAt`.
    async fn latest_inspection(&self) -> Option<Inspection<'a>> {
        self.derived().latest_inspection.map(|i| Inspection::new(self.ds, i))
    }
    /// Interventions in force on `asAt`.
    async fn active_interventions(&self) -> Vec<Intervention<'a>> {
        self.derived().active_interventions.iter().map(|i| Intervention::new(self.ds, i, self.as_at)).collect()
    }
    /// Derived status on `asAt`.
    async fn status(&self) -> LaStatus<'a> {
        let s = self.derived();
        let failure = |t: la_query::FailureTest<'a>| FailureTest {
            met: t.met,
            definition: t.definition,
            inspections: t.inspections.into_iter().map(|i| Inspection::new(self.ds, i)).collect(),
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
    async fn statistical_neighbours(&self) -> Vec<LocalAuthority<'a>> {
        self.la
            .statistical_neighbours
            .iter()
            .filter_map(|c| self.ds.local_authority(c))
            .map(|n| self.other(n))
            .collect()
    }
    /// Councils this one took over from.
    async fn predecessors(&self) -> Vec<Succession<'a>> {
        self.ds
            .predecessors_of(&self.la.gss_code)
            .filter_map(|s| {
                let la = self.ds.local_authority(&s.predecessor)?;
                Some(Succession {
                    local_authority: self.other(la),
                    effective: Date(s.effective),
                    source_url: s.source_url.clone(),
                })
            })
            .collect()
    }
    /// Councils that took over from this one.
    async fn successors(&self) -> Vec<Succession<'a>> {
        self.ds
            .successors_of(&self.la.gss_code)
            .filter_map(|s| {
                let la = self.ds.local_authority(&s.successor)?;
                Some(Succession {
                    local_authority: self.other(la),
                    effective: Date(s.effective),
                    source_url: s.source_url.clone(),
                })
            })
            .collect()
    }
    /// Inspections and visits published on or before `asAt`, oldest first.
    async fn inspections(&self, first: i32, after: Option<String>) -> Result<Conn<Inspection<'a>>> {
        let filter = InspectionFilter {
            la: Some(GssCode::of(self.la)),
            published_to: Some(self.as_at),
            direction: Direction::Ascending,
            ..Default::default()
        };
        let first_page = after.is_none();
        let page = records::inspections(self.ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Inspection::new(self.ds, i)))
    }
    /// Interventions started on or before `asAt`, earliest first.
    async fn interventions(&self, first: i32, after: Option<String>) -> Result<Conn<Intervention<'a>>> {
        let filter =
            InterventionFilter { la: Some(GssCode::of(self.la)), started_to: Some(self.as_at), ..Default::default() };
        let first_page = after.is_none();
        let page = records::interventions(self.ds, &filter, &page(first, after)?).map_err(bad_after)?;
        Ok(connection(page, first_page, |i| Intervention::new(self.ds, i, self.as_at)))
    }
    /// The numbers behind the grades: each indicator's series (spending, workforce, demand),
    /// each period with England, the region and the statistical neighbours' median. `asAt`
    /// here means figures published on or before it (default: every figure).
    async fn indicators(
        &self,
        ids: Option<Vec<String>>,
        from: Option<String>,
        to: Option<String>,
        as_at: Option<Date>,
    ) -> Result<Vec<super::indicators::IndicatorSeries<'a>>> {
        super::indicators::council_series(self.ds, self.la, ids, from, to, as_at.map(|d| d.0))
    }
    /// The council's story up to `asAt`: inspections, visits and interventions in date order;
    /// with `includeIndicators` (or `indicators`, a subset) its official figures too, one entry
    /// per indicator and period at the start of the year the period ends. On a past `asAt`
    /// only figures published by then count (figures whose publication date is unknown do not).
    async fn timeline(
        &self,
        first: i32,
        after: Option<String>,
        #[graphql(default = false)] include_indicators: bool,
        indicators: Option<Vec<String>>,
    ) -> Result<Conn<TimelineEntry<'a>>> {
        let first_page = after.is_none();
        let figures = match indicators {
            Some(ids) => {
                schema::query::indicators::check_indicators(self.ds, "indicators", &ids).map_err(bad_input)?;
                Some(ids)
            }
            None => include_indicators.then(Vec::new),
        }
        .map(|indicators| records::TimelineFigures {
            indicators,
            // `asAt` defaults to today, when every figure held has been published.
            published_by: (self.as_at < today()).then_some(self.as_at),
        });
        let page = records::timeline(
            self.ds,
            &self.la.gss_code,
            Some(self.as_at),
            figures.as_ref(),
            Direction::Ascending,
            &page(first, after)?,
        )
        .map_err(bad_after)?;
        Ok(connection(page, first_page, |e| TimelineEntry::new(self.ds, e, self.as_at)))
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

/// How to sort councils.
#[derive(InputObject)]
pub struct LocalAuthorityOrder {
    /// The field.
    pub field: LocalAuthorityOrderField,
    /// The direction (default ascending).
    pub direction: Option<OrderDirection>,
}

pub(super) fn la_node<'a>(ds: &'a Dataset, key: &str, as_at: Option<Date>) -> Result<LocalAuthority<'a>> {
    let la = crate::lookup::local_authority(ds, key).map_err(not_found)?;
    Ok(LocalAuthority::new(ds, la, as_at.map_or_else(today, |d| d.0)))
}

/// The root fields about councils.
#[derive(Default)]
pub struct LocalAuthorityQuery;

#[Object]
impl LocalAuthorityQuery {
    /// One council by GSS code (current or former), DfE code, Ofsted URN or slug.
    async fn local_authority<'c>(
        &self,
        ctx: &Context<'c>,
        id: String,
        as_at: Option<Date>,
    ) -> Result<LocalAuthority<'c>> {
        la_node(dataset(ctx)?, &id, as_at)
    }

    /// Councils that match the filter, as they stood on `asAt` (default today).
    async fn local_authorities<'c>(
        &self,
        ctx: &Context<'c>,
        filter: Option<LocalAuthorityFilter>,
        order_by: Option<LocalAuthorityOrder>,
        as_at: Option<Date>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<LocalAuthority<'c>>> {
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
        Ok(connection(page, first_page, |s| LocalAuthority::with_status(ds, s)))
    }
}
