//! Indicators in the graph: the catalogue (`indicators`, `indicator`), one indicator for every
//! council in a period (`Indicator.values`), and a council's series (`LocalAuthority.indicators`,
//! resolved by [`council_series`]). The same `schema::query::indicators` as REST.

use async_graphql::{Context, Object, Result, SimpleObject};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::indicators::{self as q, FigureSort, PeriodQuery, SeriesFilter};

use super::common::*;
use super::nodes::LocalAuthority;
use crate::wire::{IndicatorUnit, PeriodType};

/// One indicator of the catalogue.
pub struct Indicator<'a> {
    ds: &'a Dataset,
    record: &'a d::Indicator,
}

impl<'a> Indicator<'a> {
    pub(super) fn new(ds: &'a Dataset, record: &'a d::Indicator) -> Self {
        Indicator { ds, record }
    }
}

/// How councils' figures are ordered.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndicatorOrder {
    /// By value (suppressed figures last either way).
    #[default]
    Value,
    /// By council name.
    Name,
}

#[Object]
impl<'a> Indicator<'a> {
    /// Stable id, e.g. `agency_worker_rate`.
    async fn id(&self) -> &str {
        &self.record.id
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.record.title
    }
    /// What the values measure.
    async fn unit(&self) -> IndicatorUnit {
        self.record.unit.into()
    }
    /// What the figure is, in the publication's terms.
    async fn definition(&self) -> &str {
        &self.record.definition
    }
    /// Reporting year (named by the year it ends) or financial year (`2023-24`).
    async fn period_type(&self) -> PeriodType {
        self.record.period_type.into()
    }
    /// The official publication.
    async fn publication(&self) -> &str {
        &self.record.publication
    }
    /// Where it is published.
    async fn publication_url(&self) -> &str {
        &self.record.publication_url
    }
    /// The file or data set read.
    async fn source_file(&self) -> &str {
        &self.record.source_file
    }
    /// Its column.
    async fn source_column(&self) -> &str {
        &self.record.source_column
    }
    /// `column=value` the rows read match.
    async fn source_filter(&self) -> Option<&str> {
        self.record.source_filter.as_deref()
    }
    /// Periods with figures published by `asAt` (every period without it), oldest first.
    async fn periods(&self, as_at: Option<Date>) -> Vec<&'a str> {
        q::periods(self.ds, &self.record.id, as_at.map(|d| d.0))
    }
    /// Every council's figure in `period` (default the latest), with its latest grade on `asAt`.
    #[allow(clippy::too_many_arguments)]
    async fn values(
        &self,
        period: Option<String>,
        region: Option<String>,
        as_at: Option<Date>,
        order_by: Option<IndicatorOrder>,
        direction: Option<OrderDirection>,
        first: i32,
        after: Option<String>,
    ) -> Result<Conn<CouncilFigure<'a>>> {
        let first_page = after.is_none();
        let query = PeriodQuery {
            period,
            region: super::common::region(self.ds, region)?,
            as_at: as_at.map(|d| d.0),
            sort: match order_by.unwrap_or_default() {
                IndicatorOrder::Value => FigureSort::Value,
                IndicatorOrder::Name => FigureSort::Name,
            },
            direction: direction.map_or(schema::query::Direction::Ascending, Into::into),
        };
        let day = query.as_at.unwrap_or_else(schema::query::today);
        let (_, page) = q::council_figures(self.ds, self.record, &query, &page(first, after)?).map_err(bad_after)?;
        let ds = self.ds;
        Ok(connection(page, first_page, |f| CouncilFigure {
            local_authority: LocalAuthority::new(ds, f.la, day),
            figure: Figure::new(f.value),
            period: &f.value.period,
            published: f.value.published.map(Date),
            provenance: Provenance::new(ds, &f.value.provenance),
        }))
    }
}

/// A figure: its number, or why the source gives none (never 0).
#[derive(SimpleObject)]
pub struct Figure {
    /// The number; null when the source gives none.
    pub value: Option<f64>,
    /// The number exactly as the source writes it.
    pub value_text: Option<String>,
    /// The source's symbol when it gives no number (`c`, `x`, `z`, `low`, `u`, `[x]` …).
    pub suppressed: Option<String>,
    /// What the symbol means.
    pub reason: Option<&'static str>,
}

impl Figure {
    pub(super) fn new(v: &d::IndicatorValue) -> Self {
        Figure {
            value: v.number(),
            value_text: v.value.clone(),
            suppressed: v.suppressed.clone(),
            reason: v.suppressed.as_deref().and_then(d::suppression_reason),
        }
    }
}

/// A council's figure in a period.
#[derive(SimpleObject)]
pub struct CouncilFigure<'a> {
    /// The council, on `asAt`.
    pub local_authority: LocalAuthority<'a>,
    /// The period.
    pub period: &'a str,
    /// The figure.
    pub figure: Figure,
    /// When the figure was first published, where the source says.
    pub published: Option<Date>,
    /// Where it was read.
    pub provenance: Provenance,
}

/// One period of a council's series.
#[derive(SimpleObject)]
pub struct SeriesPoint<'a> {
    /// The period.
    pub period: &'a str,
    /// The council's figure.
    pub figure: Figure,
    /// When it was first published, where the source says.
    pub published: Option<Date>,
    /// England's figure.
    pub england: Option<Figure>,
    /// The region's figure.
    pub region: Option<Figure>,
    /// The median of the statistical neighbours' numbers.
    pub neighbour_median: Option<f64>,
    /// Neighbours with a number.
    pub neighbours_used: usize,
    /// Neighbours in DfE's list.
    pub neighbours: usize,
    /// Where the council's figure was read.
    pub provenance: Provenance,
}

/// One indicator's series for a council.
#[derive(SimpleObject)]
pub struct IndicatorSeries<'a> {
    /// The indicator.
    pub indicator: Indicator<'a>,
    /// Periods, oldest first.
    pub points: Vec<SeriesPoint<'a>>,
    /// With `asAt`: figures left out because their publication date is unknown.
    pub unknown_publication: usize,
}

/// `LocalAuthority.indicators`: the council's series, each period with England, its region
/// and its statistical neighbours' median.
pub(super) fn council_series<'a>(
    ds: &'a Dataset,
    la: &'a d::LocalAuthority,
    ids: Option<Vec<String>>,
    from: Option<String>,
    to: Option<String>,
    as_at: Option<NaiveDate>,
) -> Result<Vec<IndicatorSeries<'a>>> {
    let ids = ids.unwrap_or_default();
    q::check_indicators(ds, "ids", &ids).map_err(bad_input)?;
    let bound = |name: &str, v: Option<String>| v.map(|v| q::parse_period_bound(name, &v)).transpose();
    let filter = SeriesFilter {
        indicators: ids,
        from: bound("from", from).map_err(bad_input)?,
        to: bound("to", to).map_err(bad_input)?,
        as_at,
    };
    Ok(q::series(ds, la, &filter)
        .into_iter()
        .map(|s| IndicatorSeries {
            indicator: Indicator { ds, record: s.indicator },
            points: s
                .points
                .iter()
                .map(|p| SeriesPoint {
                    period: p.period,
                    figure: Figure::new(p.value),
                    published: p.value.published.map(Date),
                    england: p.england.map(Figure::new),
                    region: p.region.map(Figure::new),
                    neighbour_median: p.neighbours.median,
                    neighbours_used: p.neighbours.used,
                    neighbours: p.neighbours.neighbours,
                    provenance: Provenance::new(ds, &p.value.provenance),
                })
                .collect(),
            unknown_publication: s.unknown_publication,
        })
        .collect())
}

/// The root fields about indicators.
#[derive(Default)]
pub struct IndicatorQuery;

#[Object]
impl IndicatorQuery {
    /// The indicator catalogue.
    async fn indicators<'c>(&self, ctx: &Context<'c>) -> Result<Vec<Indicator<'c>>> {
        let ds = dataset(ctx)?;
        Ok(ds.indicators.iter().map(|record| Indicator { ds, record }).collect())
    }

    /// One indicator by id.
    async fn indicator<'c>(&self, ctx: &Context<'c>, id: String) -> Result<Option<Indicator<'c>>> {
        let ds = dataset(ctx)?;
        Ok(ds.indicator(&id).map(|record| Indicator { ds, record }))
    }
}
