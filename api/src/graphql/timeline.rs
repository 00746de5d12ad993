//! A council's story: `TimelineEntry`.

use async_graphql::{ComplexObject, SimpleObject};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::records::TimelineEvent;

use super::nodes::{Inspection, Intervention};
use crate::wire::*;

/// One entry in a council's story.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TimelineEntry<'a> {
    /// When, as precisely as known (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`).
    pub date: Option<String>,
    /// What happened.
    pub event: TimelineEventType,
    #[graphql(skip)]
    inspection: Option<&'a d::Inspection>,
    #[graphql(skip)]
    intervention: Option<&'a d::Intervention>,
    #[graphql(skip)]
    pub(super) ds: &'a Dataset,
    #[graphql(skip)]
    pub(super) as_at: NaiveDate,
}

impl<'a> TimelineEntry<'a> {
    pub(super) fn new(ds: &'a Dataset, e: TimelineEvent<'a>, as_at: NaiveDate) -> Self {
        let (inspection, intervention) = match e {
            TimelineEvent::Inspection(i) => (Some(i), None),
            TimelineEvent::InterventionStarted(i) | TimelineEvent::InterventionEnded(i) => (None, Some(i)),
        };
        TimelineEntry { date: e.date().map(|d| d.to_string()), event: (&e).into(), inspection, intervention, ds, as_at }
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
}
