//! Indicators: the catalogue entry, a council's series with its comparisons, every council's
//! figure in one period; each beside its CSV row. A figure is a number exactly as the source
//! writes it, or `null` with the source's symbol and its meaning: never 0.

use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::indicators::{CouncilFigure, NeighbourMedian, Series, SeriesPoint};
use serde::Serialize;
use utoipa::ToSchema;

use super::*;
use crate::rest::listing::{CsvRow, opt, text};

/// Path of an indicator resource.
pub fn indicator_href(id: &str) -> String {
    format!("/v1/indicators/{id}")
}

/// A number as the source wrote it (integers stay integers, decimals keep their digits).
fn number(value: Option<&str>) -> Option<serde_json::Number> {
    value.and_then(|v| serde_json::from_str(v).ok())
}

/// One indicator of the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorView<'a> {
    /// Stable id.
    #[schema(example = "agency_worker_rate")]
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// What the values measure.
    pub unit: crate::wire::IndicatorUnit,
    /// What the figure is, in the publication's terms.
    pub definition: &'a str,
    /// `reporting_year` (named by the year it ends) or `financial_year` (`2023-24`).
    pub period_type: crate::wire::PeriodType,
    /// The official publication.
    pub publication: &'a str,
    /// Where it is published.
    pub publication_url: &'a str,
    /// The file or data set read.
    pub source_file: &'a str,
    /// Its column.
    pub source_column: &'a str,
    /// `column=value` the rows read match, where the file holds several series.
    pub source_filter: Option<&'a str>,
    /// Periods with figures, oldest first.
    pub periods: Vec<&'a str>,
    /// Every council's figures.
    pub href: String,
}

impl<'a> IndicatorView<'a> {
    /// Renders one catalogue entry.
    pub fn new(dataset: &'a Dataset, i: &'a d::Indicator) -> Self {
        IndicatorView {
            id: &i.id,
            title: &i.title,
            unit: i.unit.into(),
            definition: &i.definition,
            period_type: i.period_type.into(),
            publication: &i.publication,
            publication_url: &i.publication_url,
            source_file: &i.source_file,
            source_column: &i.source_column,
            source_filter: i.source_filter.as_deref(),
            periods: schema::query::indicators::periods(dataset, &i.id, None),
            href: indicator_href(&i.id),
        }
    }
}

impl CsvRow for IndicatorView<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "id",
            "title",
            "unit",
            "period_type",
            "definition",
            "publication",
            "publication_url",
            "source_file",
            "source_column",
            "source_filter",
            "periods",
        ]
    }

    fn record(&self) -> Vec<String> {
        vec![
            self.id.to_owned(),
            self.title.to_owned(),
            text(&self.unit),
            text(&self.period_type),
            self.definition.to_owned(),
            self.publication.to_owned(),
            self.publication_url.to_owned(),
            self.source_file.to_owned(),
            self.source_column.to_owned(),
            opt(self.source_filter),
            self.periods.join(";"),
        ]
    }
}

/// A figure: its number, or why the source gives none.
#[derive(Debug, Serialize, ToSchema)]
pub struct FigureView<'a> {
    /// The number, exactly as published; null when the source gives none.
    #[schema(value_type = Option<f64>, example = 17.3)]
    pub value: Option<serde_json::Number>,
    /// The source's symbol when it gives no number (`c`, `x`, `z`, `low`, `u`, `[x]` …).
    #[schema(example = json!(null))]
    pub suppressed: Option<&'a str>,
    /// What the symbol means.
    pub reason: Option<&'static str>,
}

impl<'a> FigureView<'a> {
    /// The figure of `v`.
    pub fn new(v: &'a d::IndicatorValue) -> Self {
        FigureView {
            value: number(v.value.as_deref()),
            suppressed: v.suppressed.as_deref(),
            reason: v.suppressed.as_deref().and_then(d::suppression_reason),
        }
    }
}

/// The region's figure for the same period.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionFigureView<'a> {
    /// ONS region code.
    pub code: &'a str,
    /// Region name as the source gives it.
    pub name: &'a str,
    /// The figure.
    #[serde(flatten)]
    pub figure: FigureView<'a>,
}

/// The statistical neighbours' median for the same period.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeighbourMedianView {
    /// The median of the neighbours' numbers; null when none has one.
    #[schema(value_type = Option<f64>)]
    pub median: Option<f64>,
    /// Neighbours with a number (suppressed figures are left out).
    pub used: usize,
    /// Neighbours in DfE's list.
    pub neighbours: usize,
}

impl From<&NeighbourMedian> for NeighbourMedianView {
    fn from(n: &NeighbourMedian) -> Self {
        NeighbourMedianView {
            median: n.median.map(|m| (m * 1000.0).round() / 1000.0),
            used: n.used,
            neighbours: n.neighbours,
        }
    }
}

/// One period of a council's series.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesPointView<'a> {
    /// The period as the source names it.
    #[schema(example = "2024")]
    pub period: &'a str,
    /// The council's figure.
    #[serde(flatten)]
    pub figure: FigureView<'a>,
    /// When the figure was first published, where the source says (null: unknown).
    #[schema(value_type = Option<String>, format = Date)]
    pub published: Option<NaiveDate>,
    /// England's figure.
    pub england: Option<FigureView<'a>>,
    /// The council's region's figure.
    pub region: Option<RegionFigureView<'a>>,
    /// The statistical neighbours' median (DfE's neighbours).
    pub statistical_neighbours: NeighbourMedianView,
    /// Where the council's figure was read.
    pub provenance: ProvenanceView<'a>,
}

impl<'a> SeriesPointView<'a> {
    /// Renders one period.
    pub fn new(dataset: &Dataset, p: &SeriesPoint<'a>) -> Self {
        SeriesPointView {
            period: p.period,
            figure: FigureView::new(p.value),
            published: p.value.published,
            england: p.england.map(FigureView::new),
            region: p.region.map(|r| RegionFigureView {
                code: &r.area_code,
                name: &r.area_name,
                figure: FigureView::new(r),
            }),
            statistical_neighbours: (&p.neighbours).into(),
            provenance: ProvenanceView::new(dataset, &p.value.provenance),
        }
    }
}

/// The indicator a series is of.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorRef<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Unit.
    pub unit: crate::wire::IndicatorUnit,
    /// Period type.
    pub period_type: crate::wire::PeriodType,
    /// The indicator resource.
    pub href: String,
}

/// One indicator's series for one council.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesView<'a> {
    /// The indicator.
    pub indicator: IndicatorRef<'a>,
    /// Its periods, oldest first.
    pub series: Vec<SeriesPointView<'a>>,
    /// With `as_at`: figures left out because their first publication date is unknown.
    pub unknown_publication: usize,
}

impl<'a> SeriesView<'a> {
    /// Renders one series.
    pub fn new(dataset: &Dataset, s: &Series<'a>) -> Self {
        let i = s.indicator;
        SeriesView {
            indicator: IndicatorRef {
                id: &i.id,
                title: &i.title,
                unit: i.unit.into(),
                period_type: i.period_type.into(),
                href: indicator_href(&i.id),
            },
            series: s.points.iter().map(|p| SeriesPointView::new(dataset, p)).collect(),
            unknown_publication: s.unknown_publication,
        }
    }

    /// One CSV row per period.
    pub fn rows(&self) -> impl Iterator<Item = SeriesCsvRow<'_>> {
        self.series.iter().map(move |p| SeriesCsvRow { indicator: &self.indicator, point: p })
    }
}

/// One period of a series as a CSV row.
#[derive(Debug)]
pub struct SeriesCsvRow<'a> {
    indicator: &'a IndicatorRef<'a>,
    point: &'a SeriesPointView<'a>,
}

fn cell(f: Option<&FigureView<'_>>) -> String {
    match f {
        Some(f) => f.value.as_ref().map(|n| n.to_string()).or(f.suppressed.map(str::to_owned)).unwrap_or_default(),
        None => String::new(),
    }
}

impl CsvRow for SeriesCsvRow<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "indicator",
            "unit",
            "period",
            "value",
            "suppressed",
            "reason",
            "published",
            "england",
            "region_code",
            "region",
            "neighbour_median",
            "neighbours_used",
            "neighbours",
            "source_url",
            "sha256",
        ]
    }

    fn record(&self) -> Vec<String> {
        let p = self.point;
        vec![
            self.indicator.id.to_owned(),
            text(&self.indicator.unit),
            p.period.to_owned(),
            p.figure.value.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            opt(p.figure.suppressed),
            opt(p.figure.reason),
            p.published.map(|d| d.to_string()).unwrap_or_default(),
            cell(p.england.as_ref()),
            p.region.as_ref().map(|r| r.code.to_owned()).unwrap_or_default(),
            cell(p.region.as_ref().map(|r| &r.figure)),
            p.statistical_neighbours.median.map(|m| m.to_string()).unwrap_or_default(),
            p.statistical_neighbours.used.to_string(),
            p.statistical_neighbours.neighbours.to_string(),
            p.provenance.source_url.to_owned(),
            p.provenance.sha256.to_owned(),
        ]
    }
}

/// The latest graded inspection beside a figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatestGradeView<'a> {
    /// Ofsted file id.
    pub id: &'a str,
    /// Published.
    #[schema(value_type = String, format = Date)]
    pub published: NaiveDate,
    /// Overall effectiveness, where the framework gives one.
    pub overall_effectiveness: Option<crate::wire::Grade>,
    /// The inspection resource.
    pub href: String,
}

/// One council's figure in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilFigureView<'a> {
    /// The council.
    pub local_authority: LaLink<'a>,
    /// The period.
    pub period: &'a str,
    /// The figure.
    #[serde(flatten)]
    pub figure: FigureView<'a>,
    /// When the figure was first published, where the source says.
    #[schema(value_type = Option<String>, format = Date)]
    pub published: Option<NaiveDate>,
    /// The latest graded inspection published on or before `as_at` (default today).
    pub latest_inspection: Option<LatestGradeView<'a>>,
    /// Where the figure was read.
    pub provenance: ProvenanceView<'a>,
}

impl<'a> CouncilFigureView<'a> {
    /// Renders one council's figure.
    pub fn new(dataset: &'a Dataset, f: &CouncilFigure<'a>) -> Self {
        CouncilFigureView {
            local_authority: LaLink::new(dataset, &f.la.gss_code),
            period: &f.value.period,
            figure: FigureView::new(f.value),
            published: f.value.published,
            latest_inspection: f.latest_inspection.map(|i| LatestGradeView {
                id: &i.id,
                published: i.published,
                overall_effectiveness: i.grade(d::Area::OverallEffectiveness).map(Into::into),
                href: inspection_href(&i.id),
            }),
            provenance: ProvenanceView::new(dataset, &f.value.provenance),
        }
    }
}

impl CsvRow for CouncilFigureView<'_> {
    fn header() -> Vec<&'static str> {
        vec![
            "gss_code",
            "name",
            "period",
            "value",
            "suppressed",
            "reason",
            "published",
            "latest_inspection_id",
            "latest_inspection_published",
            "latest_overall_effectiveness",
            "source_url",
            "sha256",
        ]
    }

    fn record(&self) -> Vec<String> {
        let latest = self.latest_inspection.as_ref();
        vec![
            self.local_authority.gss_code.to_owned(),
            self.local_authority.name.to_owned(),
            self.period.to_owned(),
            self.figure.value.as_ref().map(|n| n.to_string()).unwrap_or_default(),
            opt(self.figure.suppressed),
            opt(self.figure.reason),
            self.published.map(|d| d.to_string()).unwrap_or_default(),
            latest.map(|l| l.id.to_owned()).unwrap_or_default(),
            latest.map(|l| l.published.to_string()).unwrap_or_default(),
            text(&latest.and_then(|l| l.overall_effectiveness)),
            self.provenance.source_url.to_owned(),
            self.provenance.sha256.to_owned(),
        ]
    }
}
