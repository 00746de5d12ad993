//! A council's story: `TimelineEntry`.

use async_graphql::{ComplexObject, SimpleObject};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::records::TimelineEvent;

use super::common::Date;
use super::indicators::{Figure, Indicator};
use super::nodes::{Inspection, Intervention};
use crate::wire::*;

/// One entry in a council's story.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TimelineEntry<'a> {
    /// When: the first day of the period the source states.
    pub date: Option<Date>,
    /// How precise `date` is.
    pub date_precision: Option<DatePrecision>,
    /// What happened.
    pub event: TimelineEventType,
    #[graphql(skip)]
    inspection: Option<&'a d::Inspection>,
    #[graphql(skip)]
    intervention: Option<&'a d::Intervention>,
    #[graphql(skip)]
    figure: Option<&'a d::IndicatorValue>,
    #[graphql(skip)]
    pub(super) ds: &'a Dataset,
    #[graphql(skip)]
    pub(super) as_at: NaiveDate,
}

impl<'a> TimelineEntry<'a> {
    pub(super) fn new(ds: &'a Dataset, e: TimelineEvent<'a>, as_at: NaiveDate) -> Self {
        let (inspection, intervention, figure) = match e {
            TimelineEvent::Inspection(i) => (Some(i), None, None),
            TimelineEvent::InterventionStarted(i) | TimelineEvent::InterventionEnded(i) => (None, Some(i), None),
            TimelineEvent::Figure(v) => (None, None, Some(v)),
        };
        let (date, date_precision) = (e.date().map(|d| Date(d.first_day)), e.date().map(|d| d.precision.into()));
        TimelineEntry { date, date_precision, event: (&e).into(), inspection, intervention, figure, ds, as_at }
    }
}

#[ComplexObject]
impl<'a> TimelineEntry<'a> {
    /// The inspection, for inspection entries.
    async fn inspection(&self) -> Option<Inspection<'a>> {
        self.inspection.map(|i| Inspection::new(self.ds, i))
    }
    /// The intervention, for intervention entries.
    async fn intervention(&self) -> Option<Intervention<'a>> {
        self.intervention.map(|i| Intervention::new(self.ds, i, self.as_at))
    }
    /// The indicator, for figure entries.
    async fn indicator(&self) -> Option<Indicator<'a>> {
        let v = self.figure?;
        self.ds.indicator(&v.indicator).map(|i| Indicator::new(self.ds, i))
    }
    /// The period as the source names it (`2023`, `2023-24`), for figure entries.
    async fn period(&self) -> Option<&'a str> {
        self.figure.map(|v| v.period.as_str())
    }
    /// The number, or why the source gives none, for figure entries.
    async fn figure(&self) -> Option<Figure> {
        self.figure.map(Figure::new)
    }
}
