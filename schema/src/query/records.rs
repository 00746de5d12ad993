//! Inspections, interventions and an LA's timeline: filters, sorts and pages.

use chrono::NaiveDate;

use super::codes::{GssCode, RegionCode};
use super::indicators::{period_end_year, published_by};
use super::intervention_status::status_on;
use super::{BadCursor, Direction, Page, PageRequest, SortKey, date_key, paginate};
use crate::Dataset;
use crate::domain::*;

/// Whether the council `gss_code` is in the region `region_code`.
fn in_region(dataset: &Dataset, gss_code: &str, region_code: &str) -> bool {
    dataset.local_authority(gss_code).is_some_and(|la| la.region_code.as_deref() == Some(region_code))
}

/// How to sort inspections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InspectionSort {
    /// By publication date (the default, newest first).
    #[default]
    Published,
    /// By first day on site.
    InspectionStart,
    /// By LA name, then publication date.
    La,
}

impl InspectionSort {
    /// The order of a list of inspections when the client names none: newest publication first.
    pub const NEWEST_FIRST: (InspectionSort, Direction) = (InspectionSort::Published, Direction::Descending);
}

/// Filters for inspections. Every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Only this LA.
    pub la: Option<GssCode>,
    /// Only LAs in this region.
    pub region: Option<RegionCode>,
    /// Only this kind of publication.
    pub kind: Option<InspectionKind>,
    /// Only this framework.
    pub framework: Option<Framework>,
    /// Published on or after.
    pub published_from: Option<NaiveDate>,
    /// Published on or before.
    pub published_to: Option<NaiveDate>,
    /// First day on site on or after.
    pub inspected_from: Option<NaiveDate>,
    /// First day on site on or before.
    pub inspected_to: Option<NaiveDate>,
    /// Grades the inspection must have given, per area.
    pub grades: Vec<(Area, Grade)>,
    /// Lead inspector's name contains this text (any case).
    pub lead_inspector: Option<String>,
    /// Sort field.
    pub sort: InspectionSort,
    /// Sort direction.
    pub direction: Direction,
}

/// Inspections matching `filter`, one page of them.
pub fn inspections<'a>(
    dataset: &'a Dataset,
    filter: &InspectionFilter,
    page: &PageRequest,
) -> Result<Page<&'a Inspection>, BadCursor> {
    let region = filter.region.as_deref();
    let needle = filter.lead_inspector.as_ref().map(|n| n.to_lowercase());
    let in_range = |d: Option<NaiveDate>, from: Option<NaiveDate>, to: Option<NaiveDate>| match (from, to) {
        (None, None) => true,
        _ => d.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)),
    };
    // One council's records come from its index, not a scan of every record; the sort below
    // puts them in order either way.
    let records: Box<dyn Iterator<Item = &'a Inspection>> = match filter.la.as_deref() {
        Some(la) => Box::new(dataset.inspections_of(la)),
        None => Box::new(dataset.inspections.iter()),
    };
    let rows = records
        .filter(|i| filter.la.as_deref().is_none_or(|la| i.la == la))
        .filter(|i| region.is_none_or(|r| in_region(dataset, &i.la, r)))
        .filter(|i| filter.kind.is_none_or(|k| i.kind == k))
        .filter(|i| filter.framework.is_none_or(|f| i.framework == Some(f)))
        .filter(|i| in_range(Some(i.published), filter.published_from, filter.published_to))
        .filter(|i| in_range(i.start_date, filter.inspected_from, filter.inspected_to))
        .filter(|i| filter.grades.iter().all(|&(area, grade)| i.grade(area) == Some(grade)))
        .filter(|i| {
            needle.as_ref().is_none_or(|n| i.lead_inspectors.iter().any(|name| name.to_lowercase().contains(n)))
        })
        .map(|i| {
            let key = match filter.sort {
                InspectionSort::Published => vec![date_key(Some(i.published)), i.id.clone()],
                InspectionSort::InspectionStart => vec![date_key(i.start_date), i.id.clone()],
                InspectionSort::La => {
                    let name = dataset.local_authority(&i.la).map(|la| la.name.to_lowercase()).unwrap_or_default();
                    vec![name, date_key(Some(i.published)), i.id.clone()]
                }
            };
            (key, i)
        })
        .collect();
    paginate(rows, filter.direction, &format!("inspections|{filter:?}"), page)
}

/// Filters for interventions. Every condition must hold.
#[derive(Debug, Clone, Default)]
pub struct InterventionFilter {
    /// Only this LA.
    pub la: Option<GssCode>,
    /// Only LAs in this region.
    pub region: Option<RegionCode>,
    /// Only this kind.
    pub kind: Option<InterventionKind>,
    /// Only interventions in this service.
    pub service: Option<Service>,
    /// Only interventions with this status on `as_at`.
    pub status: Option<InterventionStatus>,
    /// The date `status` describes (the surfaces default it to today).
    pub as_at: NaiveDate,
    /// Started on or after (by the first day the start date covers).
    pub started_from: Option<NaiveDate>,
    /// Started on or before.
    pub started_to: Option<NaiveDate>,
    /// Sort direction by start date (unknown start dates last when ascending).
    pub direction: Direction,
}

/// Interventions matching `filter`, one page of them.
pub fn interventions<'a>(
    dataset: &'a Dataset,
    filter: &InterventionFilter,
    page: &PageRequest,
) -> Result<Page<&'a Intervention>, BadCursor> {
    let region = filter.region.as_deref();
    let records: Box<dyn Iterator<Item = &'a Intervention>> = match filter.la.as_deref() {
        Some(la) => Box::new(dataset.interventions_of(la)),
        None => Box::new(dataset.interventions.iter()),
    };
    let rows = records
        .filter(|i| filter.la.as_deref().is_none_or(|la| i.la == la))
        .filter(|i| region.is_none_or(|r| in_region(dataset, &i.la, r)))
        .filter(|i| filter.kind.is_none_or(|k| i.kind == k))
        .filter(|i| filter.service.is_none_or(|s| i.service == s))
        .filter(|i| filter.status.is_none_or(|s| status_on(dataset, i, filter.as_at).status == s))
        .filter(|i| match (filter.started_from, filter.started_to) {
            (None, None) => true,
            (from, to) => i
                .start_date
                .is_some_and(|s| from.is_none_or(|f| s.first_day >= f) && to.is_none_or(|t| s.first_day <= t)),
        })
        .map(|i| (vec![start_key(i), i.id.clone()], i))
        .collect();
    paginate(rows, filter.direction, &format!("interventions|{filter:?}"), page)
}

/// The sort key of a start date: unknown start dates sort after every known one.
fn start_key(i: &Intervention) -> String {
    i.start_date.map_or_else(|| "9999-99-99".to_owned(), |d| date_key(Some(d.first_day)))
}

/// Where a partly known date goes in a story: at the last day it may be, so that an event known
/// only to its year is never told before events of that year it may have followed.
fn story_key(d: Option<PartialDate>) -> String {
    d.map_or_else(|| "9999-99-99".to_owned(), |d| date_key(Some(d.last_day())))
}

/// One entry in an LA's story.
#[derive(Debug, Clone, Copy)]
pub enum TimelineEvent<'a> {
    /// An Ofsted publication.
    Inspection(&'a Inspection),
    /// An intervention began.
    InterventionStarted(&'a Intervention),
    /// An intervention ended (by its own end date).
    InterventionEnded(&'a Intervention),
    /// An official figure for the council, placed in the year its period ends (a reporting year
    /// `2023`, a financial year `2023-24` in 2024): a year, because the periods of different
    /// indicators end on different days.
    Figure(&'a IndicatorValue),
}

impl TimelineEvent<'_> {
    /// The date the entry is placed at, as precisely as known.
    pub fn date(&self) -> Option<PartialDate> {
        let day = PartialDate::day;
        match self {
            TimelineEvent::Inspection(i) => Some(day(i.published)),
            TimelineEvent::InterventionStarted(i) => i.start_date,
            TimelineEvent::InterventionEnded(i) => i.end_date,
            TimelineEvent::Figure(v) => period_end_year(&v.period)
                .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))
                .map(|first_day| PartialDate { first_day, precision: DatePrecision::Year }),
        }
    }
}

/// Which official figures a timeline shows beside the inspections and interventions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimelineFigures {
    /// Indicator ids (checked by the caller); empty means every indicator.
    pub indicators: Vec<String>,
    /// Only figures published on or before this day, by the rule of [`published_by`].
    pub published_by: Option<NaiveDate>,
}

/// An LA's inspections, visits and interventions merged in date order (undated interventions
/// last), up to `as_at` when given; with `figures`, its official figures too, each at the start
/// of the year its period ends.
pub fn timeline<'a>(
    dataset: &'a Dataset,
    gss_code: &str,
    as_at: Option<NaiveDate>,
    figures: Option<&TimelineFigures>,
    direction: Direction,
    page: &PageRequest,
) -> Result<Page<TimelineEvent<'a>>, BadCursor> {
    let on_or_before = |d: Option<PartialDate>| as_at.is_none_or(|a| d.is_none_or(|d| d.first_day <= a));
    let mut rows: Vec<(SortKey, TimelineEvent<'a>)> = Vec::new();
    for i in dataset.inspections_of(gss_code) {
        rows.push((vec![date_key(Some(i.published)), "1".into(), i.id.clone()], TimelineEvent::Inspection(i)));
    }
    for i in dataset.interventions_of(gss_code) {
        rows.push((vec![story_key(i.start_date), "2".into(), i.id.clone()], TimelineEvent::InterventionStarted(i)));
        if let Some(end) = i.end_date {
            rows.push((vec![story_key(Some(end)), "3".into(), i.id.clone()], TimelineEvent::InterventionEnded(i)));
        }
    }
    if let Some(f) = figures {
        let wanted = |v: &IndicatorValue| f.indicators.is_empty() || f.indicators.contains(&v.indicator);
        for v in dataset.values_of_area(gss_code).filter(|v| wanted(v) && published_by(v, f.published_by)) {
            let key = vec![
                date_key(TimelineEvent::Figure(v).date().map(|d| d.first_day)),
                "0".into(),
                format!("{}|{}", v.indicator, v.period),
            ];
            rows.push((key, TimelineEvent::Figure(v)));
        }
    }
    rows.retain(|(_, e)| on_or_before(e.date()));
    paginate(rows, direction, &format!("timeline|{gss_code}|{as_at:?}|{figures:?}"), page)
}
