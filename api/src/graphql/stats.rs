//! How many councils held each grade on a date: `ratingStats`.

use async_graphql::{Context, Object, Result, SimpleObject};
use schema::domain as d;
use schema::query::local_authorities::{Basis, published_by};
use schema::query::stats::{self, GroupBy};
use schema::query::today;

use super::common::*;
use super::nodes::LocalAuthority;
use crate::wire::*;

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

/// Which date puts an inspection in a count.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum CountBasis {
    /// Its first day on site, as Ofsted's official "as at 31 March" statistics count.
    Inspected,
    /// Its publication date.
    Published,
}

impl From<CountBasis> for Basis {
    fn from(b: CountBasis) -> Basis {
        match b {
            CountBasis::Inspected => Basis::Inspected,
            CountBasis::Published => Basis::Published,
        }
    }
}

/// The councils holding one grade in one group.
#[derive(SimpleObject)]
pub struct GradeCount<'a> {
    /// The grade; null for councils with no grade for the area.
    pub grade: Option<Grade>,
    /// How many councils.
    pub count: usize,
    /// `count` over the group's councils inspected by the date, to four decimal places.
    pub share: f64,
    /// The councils.
    pub local_authorities: Vec<LocalAuthority<'a>>,
}

/// One group's counts.
#[derive(SimpleObject)]
pub struct RatingGroup<'a> {
    /// Region code, council type, or `england`.
    pub key: String,
    /// Region name, council type, or `England`.
    pub label: String,
    /// Councils in the group.
    pub total: usize,
    /// Councils in the group with an inspection by the date: the shares' denominator.
    pub inspected: usize,
    /// Grades best first, then no grade.
    pub grades: Vec<GradeCount<'a>>,
    /// Councils with no inspection by the date: listed, and left out of the shares.
    pub not_yet_inspected: Vec<LocalAuthority<'a>>,
}

/// How many councils held each grade on a date.
#[derive(SimpleObject)]
pub struct RatingStats<'a> {
    /// The date described.
    pub as_at: Date,
    /// The area counted.
    pub area: Area,
    /// Which date put an inspection in the count.
    pub basis: CountBasis,
    /// With `INSPECTED`: the latest publication date of a report counted (the cut-off Ofsted's
    /// edition for the day states, else three months after it).
    pub published_by: Option<Date>,
    /// Councils that existed on `asAt`.
    pub total: usize,
    /// The groups.
    pub groups: Vec<RatingGroup<'a>>,
}

/// The root fields about rating statistics.
#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// How many councils held each grade for `area` (default overall effectiveness) on `asAt`,
    /// counting each inspection from its first day on site as Ofsted's official statistics do
    /// (`basis: PUBLISHED` counts from publication).
    async fn rating_stats<'c>(
        &self,
        ctx: &Context<'c>,
        as_at: Option<Date>,
        area: Option<Area>,
        by: Option<RatingGrouping>,
        basis: Option<CountBasis>,
    ) -> Result<RatingStats<'c>> {
        let basis = basis.unwrap_or(CountBasis::Inspected);
        let ds = dataset(ctx)?;
        let as_at = as_at.map_or_else(today, |d| d.0);
        let area: d::Area = area.map_or(stats::DEFAULT_AREA, Into::into);
        let by = match by {
            None | Some(RatingGrouping::England) => GroupBy::England,
            Some(RatingGrouping::Region) => GroupBy::Region,
            Some(RatingGrouping::Type) => GroupBy::Type,
        };
        let counts = stats::ratings(ds, as_at, area, by, basis.into());
        let groups: Vec<RatingGroup> = counts
            .groups
            .into_iter()
            .map(|g| RatingGroup {
                total: g.total,
                inspected: g.inspected(),
                not_yet_inspected: g.not_yet_inspected.iter().map(|la| LocalAuthority::new(ds, la, as_at)).collect(),
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
                            .map(|la| LocalAuthority::new(ds, la, as_at))
                            .collect(),
                    })
                    .collect(),
                key: g.key,
                label: g.label,
            })
            .collect();
        let published_by = (basis == CountBasis::Inspected).then(|| Date(published_by(counts.as_at)));
        Ok(RatingStats {
            as_at: Date(counts.as_at),
            area: counts.area.into(),
            basis,
            published_by,
            total: counts.total,
            groups,
        })
    }
}
