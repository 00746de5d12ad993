//! Indicators: a council's series with England, its region and its statistical neighbours beside
//! each period; one indicator for every council in a period; periods, `as_at` ("figures
//! published on or before") and sorting. Written once here for REST, GraphQL and the exports.

use chrono::NaiveDate;

use super::codes::RegionCode;
use super::{BadCursor, Direction, Invalid, Page, PageRequest, paginate};
use crate::Dataset;
use crate::domain::*;

/// The year a period ends in, which orders and filters periods of either kind: reporting year
/// `2025` ends in 2025, financial year `2023-24` in 2024.
pub fn period_end_year(period: &str) -> Option<i32> {
    match period.split_once('-') {
        Some((start, _)) => start.parse::<i32>().ok().map(|y| y + 1),
        None => period.parse().ok(),
    }
}

/// Parses `from`/`to`: a year (`2019`) or a financial year (`2019-20`), as the year it ends.
pub fn parse_period_bound(parameter: &str, value: &str) -> Result<i32, Invalid> {
    let ok = |y: i32| (2000..=2100).contains(&y);
    let year = match value.split_once('-') {
        Some((start, end)) if start.len() == 4 && end.len() == 2 => {
            let (s, e) = (start.parse::<i32>().ok(), end.parse::<i32>().ok());
            s.zip(e).filter(|(s, e)| (s + 1) % 100 == *e).map(|(s, _)| s + 1)
        }
        None if value.len() == 4 => value.parse().ok(),
        _ => None,
    };
    year.filter(|y| ok(*y)).ok_or_else(|| {
        Invalid::new(parameter, format!("{parameter}: `{value}` is not a year (2019) or a financial year (2019-20)"))
    })
}

/// Whether a figure counts on `as_at`: published on or before it. Without `as_at`, every figure.
/// A figure whose publication date is unknown is not known to have been published by any date,
/// so `as_at` leaves it out (the answers count how many were left out so).
pub fn published_by(value: &IndicatorValue, as_at: Option<NaiveDate>) -> bool {
    as_at.is_none_or(|day| value.published.is_some_and(|p| p <= day))
}

/// One figure of `indicator` for `area` in `period`.
pub fn figure<'a>(dataset: &'a Dataset, indicator: &str, period: &str, area: &str) -> Option<&'a IndicatorValue> {
    let values = dataset.values_of_indicator(indicator);
    values.binary_search_by(|v| (v.period.as_str(), v.area_code.as_str()).cmp(&(period, area))).ok().map(|i| &values[i])
}

/// The median of the statistical neighbours' figures for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct NeighbourMedian {
    /// The median of the neighbours' numbers (none when no neighbour has one).
    pub median: Option<f64>,
    /// How many neighbours had a number.
    pub used: usize,
    /// How many neighbours the council has (DfE's list).
    pub neighbours: usize,
}

/// One period of a council's series, with what it is compared with.
#[derive(Debug, Clone)]
pub struct SeriesPoint<'a> {
    /// The period.
    pub period: &'a str,
    /// The council's figure (a number or a suppression).
    pub value: &'a IndicatorValue,
    /// England's figure for the period.
    pub england: Option<&'a IndicatorValue>,
    /// The council's region's figure for the period.
    pub region: Option<&'a IndicatorValue>,
    /// The statistical neighbours' median.
    pub neighbours: NeighbourMedian,
}

/// One indicator's series for one council.
#[derive(Debug, Clone)]
pub struct Series<'a> {
    /// The indicator.
    pub indicator: &'a Indicator,
    /// Its periods, oldest first.
    pub points: Vec<SeriesPoint<'a>>,
    /// Figures left out because their publication date is unknown (only with `as_at`).
    pub unknown_publication: usize,
}

/// Which figures of a council to return.
#[derive(Debug, Clone, Default)]
pub struct SeriesFilter {
    /// Only these indicators (empty: all).
    pub indicators: Vec<String>,
    /// Periods ending in this year or later.
    pub from: Option<i32>,
    /// Periods ending in this year or earlier.
    pub to: Option<i32>,
    /// Only figures published on or before this date.
    pub as_at: Option<NaiveDate>,
}

impl SeriesFilter {
    fn period_in_range(&self, period: &str) -> bool {
        let Some(end) = period_end_year(period) else { return false };
        self.from.is_none_or(|f| end >= f) && self.to.is_none_or(|t| end <= t)
    }
}

/// Checks that every id names an indicator of the catalogue.
pub fn check_indicators(dataset: &Dataset, parameter: &str, ids: &[String]) -> Result<(), Invalid> {
    for id in ids {
        if dataset.indicator(id).is_none() {
            let known: Vec<&str> = dataset.indicators.iter().map(|i| i.id.as_str()).collect();
            return Err(Invalid::new(
                parameter,
                format!("{parameter}: `{id}` is not an indicator; use one of {}", known.join(", ")),
            ));
        }
    }
    Ok(())
}

/// The statistical neighbours' median of `indicator` in `period`, for `la`.
pub fn neighbour_median(
    dataset: &Dataset,
    la: &LocalAuthority,
    indicator: &str,
    period: &str,
    as_at: Option<NaiveDate>,
) -> NeighbourMedian {
    let mut numbers: Vec<f64> = la
        .statistical_neighbours
        .iter()
        .filter_map(|code| dataset.local_authority(code))
        .filter_map(|n| figure(dataset, indicator, period, &n.gss_code))
        .filter(|v| published_by(v, as_at))
        .filter_map(IndicatorValue::number)
        .collect();
    numbers.sort_by(f64::total_cmp);
    let median = match numbers.len() {
        0 => None,
        n if n % 2 == 1 => Some(numbers[n / 2]),
        n => Some((numbers[n / 2 - 1] + numbers[n / 2]) / 2.0),
    };
    NeighbourMedian { median, used: numbers.len(), neighbours: la.statistical_neighbours.len() }
}

/// Every indicator's series for one council, in catalogue order, each period with England, the
/// region and the statistical-neighbour median. Indicators with no figure in range are left out.
pub fn series<'a>(dataset: &'a Dataset, la: &'a LocalAuthority, filter: &SeriesFilter) -> Vec<Series<'a>> {
    let mut out = Vec::new();
    for indicator in &dataset.indicators {
        if !filter.indicators.is_empty() && !filter.indicators.contains(&indicator.id) {
            continue;
        }
        let mut unknown_publication = 0;
        let mut points = Vec::new();
        for value in dataset.values_of_indicator(&indicator.id) {
            if value.area_code != la.gss_code || !filter.period_in_range(&value.period) {
                continue;
            }
            if !published_by(value, filter.as_at) {
                unknown_publication += usize::from(value.published.is_none());
                continue;
            }
            let compare = |area: &str| {
                figure(dataset, &indicator.id, &value.period, area).filter(|v| published_by(v, filter.as_at))
            };
            points.push(SeriesPoint {
                period: &value.period,
                value,
                england: compare(ENGLAND),
                region: la.region_code.as_deref().and_then(compare),
                neighbours: neighbour_median(dataset, la, &indicator.id, &value.period, filter.as_at),
            });
        }
        points.sort_by_key(|p| period_end_year(p.period));
        if !points.is_empty() || unknown_publication > 0 {
            out.push(Series { indicator, points, unknown_publication });
        }
    }
    out
}

/// [`series`] as a page, in catalogue order.
pub fn series_page<'a>(
    dataset: &'a Dataset,
    la: &'a LocalAuthority,
    filter: &SeriesFilter,
    page: &PageRequest,
) -> Result<Page<Series<'a>>, BadCursor> {
    let order: std::collections::HashMap<&str, usize> =
        dataset.indicators.iter().enumerate().map(|(n, i)| (i.id.as_str(), n)).collect();
    let rows = series(dataset, la, filter)
        .into_iter()
        .map(|s| {
            (
                vec![
                    format!("{:06}", order.get(s.indicator.id.as_str()).copied().unwrap_or(0)),
                    s.indicator.id.clone(),
                ],
                s,
            )
        })
        .collect();
    let tag =
        format!("series:{}:{:?}:{:?}:{:?}:{:?}", la.gss_code, filter.indicators, filter.from, filter.to, filter.as_at);
    paginate(rows, Direction::Ascending, &tag, page)
}

/// The catalogue as a page, by id.
pub fn catalogue<'a>(dataset: &'a Dataset, page: &PageRequest) -> Result<Page<&'a Indicator>, BadCursor> {
    let rows = dataset.indicators.iter().map(|i| (vec![i.id.clone()], i)).collect();
    paginate(rows, Direction::Ascending, "indicators", page)
}

/// How the councils' figures for a period are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FigureSort {
    /// By value (suppressed figures last either way).
    #[default]
    Value,
    /// By council name.
    Name,
}

/// One indicator for every council in one period.
#[derive(Debug, Clone)]
pub struct PeriodQuery {
    /// The period; default the latest with figures published by `as_at`.
    pub period: Option<String>,
    /// Only councils in this region.
    pub region: Option<RegionCode>,
    /// Only figures published on or before this date; the latest grades are also as at this
    /// date (default today).
    pub as_at: Option<NaiveDate>,
    /// Order.
    pub sort: FigureSort,
    /// Direction.
    pub direction: Direction,
}

/// A council's figure in a period, with its latest inspection on the query's date.
#[derive(Debug, Clone)]
pub struct CouncilFigure<'a> {
    /// The council.
    pub la: &'a LocalAuthority,
    /// Its figure.
    pub value: &'a IndicatorValue,
    /// Its latest inspection with judgements published on or before `as_at` (or today).
    pub latest_inspection: Option<&'a Inspection>,
}

/// The periods of an indicator with figures published by `as_at`, oldest first.
pub fn periods<'a>(dataset: &'a Dataset, indicator: &str, as_at: Option<NaiveDate>) -> Vec<&'a str> {
    let mut periods: Vec<&str> = Vec::new();
    for v in dataset.values_of_indicator(indicator).iter().filter(|v| published_by(v, as_at)) {
        if periods.last() != Some(&v.period.as_str()) {
            periods.push(&v.period);
        }
    }
    periods.sort_by_key(|p| period_end_year(p));
    periods.dedup();
    periods
}

/// Every council's figure for `indicator` in a period (the latest by default), sorted and paged.
/// Returns the period answered with the page.
pub fn council_figures<'a>(
    dataset: &'a Dataset,
    indicator: &Indicator,
    query: &PeriodQuery,
    page: &PageRequest,
) -> Result<(Option<String>, Page<CouncilFigure<'a>>), BadCursor> {
    let period =
        query.period.clone().or_else(|| periods(dataset, &indicator.id, query.as_at).last().map(|p| (*p).to_owned()));
    let day = query.as_at.unwrap_or_else(super::today);
    let mut rows = Vec::new();
    if let Some(period) = &period {
        for value in dataset.values_of_indicator(&indicator.id) {
            if &value.period != period
                || value.area_level != AreaLevel::LocalAuthority
                || !published_by(value, query.as_at)
            {
                continue;
            }
            let Some(la) = dataset.local_authority(&value.area_code) else { continue };
            if query.region.as_deref().is_some_and(|r| la.region_code.as_deref() != Some(r)) {
                continue;
            }
            let status = super::local_authorities::status(dataset, la, day);
            let key = match query.sort {
                FigureSort::Name => vec![la.name.to_lowercase(), la.gss_code.clone()],
                FigureSort::Value => {
                    // Suppressed figures sort after numbers in either direction.
                    let missing = match (value.number().is_none(), query.direction) {
                        (true, Direction::Ascending) | (false, Direction::Descending) => "1",
                        _ => "0",
                    };
                    vec![missing.to_owned(), sortable(value.number()), la.gss_code.clone()]
                }
            };
            rows.push((key, CouncilFigure { la, value, latest_inspection: status.latest_inspection }));
        }
    }
    let tag = format!(
        "indicator:{}:{}:{:?}:{:?}:{:?}:{:?}",
        indicator.id,
        period.as_deref().unwrap_or(""),
        query.region.as_deref(),
        query.as_at,
        query.sort,
        query.direction
    );
    let page = paginate(rows, query.direction, &tag, page)?;
    Ok((period, page))
}

/// A number as text that sorts as the number does (values here are far inside ±10^12).
fn sortable(number: Option<f64>) -> String {
    number.map_or_else(String::new, |n| format!("{:024.6}", n + 1e12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_of_either_kind_order_by_the_year_they_end() {
        assert_eq!(period_end_year("2025"), Some(2025));
        assert_eq!(period_end_year("2023-24"), Some(2024));
        assert_eq!(parse_period_bound("from", "2019-20").unwrap(), 2020);
        assert_eq!(parse_period_bound("from", "2019").unwrap(), 2019);
        assert!(parse_period_bound("from", "2019-21").is_err());
        assert!(parse_period_bound("to", "19").is_err());
    }

    #[test]
    fn sortable_numbers_sort_as_numbers() {
        let mut keys: Vec<String> = [-3.5, 12.0, 2.25, 0.0].iter().map(|n| sortable(Some(*n))).collect();
        keys.sort();
        let expected: Vec<String> = [-3.5, 0.0, 2.25, 12.0].iter().map(|n| sortable(Some(*n))).collect();
        assert_eq!(keys, expected);
    }
}
