//! A council's story: `TimelineEntry`.

use std::sync::Arc;

use async_graphql::{ComplexObject, SimpleObject};
use chrono::NaiveDate;
use schema::Dataset;
use schema::query::records::TimelineEvent;

use super::nodes::{Inspection, Intervention};
use crate::wire::*;

/// One entry in a council's story.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct TimelineEntry {
    /// When, as precisely as known (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`).
    pub date: Option<String>,
    /// What happened.
    pub event: TimelineEventType,
    #[graphql(skip)]
    inspection: Option<String>,
    #[graphql(skip)]
    intervention: Option<String>,
    #[graphql(skip)]
    pub(super) ds: Arc<Dataset>,
    #[graphql(skip)]
    pub(super) as_at: NaiveDate,
}

impl TimelineEntry {
    pub(super) fn new(ds: &Arc<Dataset>, e: &TimelineEvent<'_>, as_at: NaiveDate) -> Self {
        let (inspection, intervention) = match *e {
            TimelineEvent::Inspection(i) => (Some(i.id.clone()), None),
            TimelineEvent::InterventionStarted(i) | TimelineEvent::InterventionEnded(i) => (None, Some(i.id.clone())),
        };
        TimelineEntry {
            date: e.date().map(|d| d.to_string()),
            event: e.into(),
            inspection,
            intervention,
            ds: ds.clone(),
            as_at,
        }
    }
}

#[ComplexObject]
impl TimelineEntry {
    /// The inspection, for inspection entries.
    async fn inspection(&self) -> Option<Inspection> {
        let i = self.ds.inspection(self.inspection.as_deref()?)?;
        Some(Inspection::new(&self.ds, i))
    }
    /// The intervention, for intervention entries.
    async fn intervention(&self) -> Option<Intervention> {
        let i = self.ds.intervention(self.intervention.as_deref()?)?;
        Some(Intervention::new(&self.ds, i, self.as_at))
    }
}
