//! Writing indicators. The catalogue is logged per indicator; figures are logged per indicator
//! and period (one change for a period's 150-odd figures, with the figures that changed), so the
//! change feed says "a new period arrived" once, not once per council.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde::Serialize;

use super::{Outcome, Writer, same_content};
use crate::StoreError;
use crate::domain::*;
use crate::rows::{IndicatorRow, IndicatorValueRow, period_values};
use crate::stored::find_indicator;
use crate::tables::{indicator_values, indicators};

/// Rows per multi-row INSERT (well under SQLite's 32,766 bound variables at 14 columns a row).
const INSERT_CHUNK: usize = 500;

/// What the change log records for one indicator's period: counts, the publication date and
/// source, and each figure that changed (`area_code` → before, after).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PeriodChange {
    /// The indicator.
    pub indicator: String,
    /// The period.
    pub period: String,
    /// Figures held for the period after the change.
    pub values: usize,
    /// Of which suppressed.
    pub suppressed: usize,
    /// When the period was first published, where known.
    pub published: Option<chrono::NaiveDate>,
    /// The document the figures were read from.
    pub source_url: String,
    /// The figures that differ from before (for a new period: none listed).
    pub changed: BTreeMap<String, (Option<String>, Option<String>)>,
}

/// How a figure reads in the change log: the number, or the suppression symbol.
fn shown(v: &IndicatorValue) -> Option<String> {
    v.value.clone().or_else(|| v.suppressed.as_ref().map(|s| format!("[{s}]")))
}

impl Writer<'_> {
    /// Inserts or updates one indicator of the catalogue.
    pub fn put_indicator(&mut self, indicator: &Indicator) -> Result<Outcome, StoreError> {
        self.counts.seen += 1;
        let old = find_indicator(self.conn, &indicator.id)?;
        let row = IndicatorRow::from(indicator);
        let outcome = match &old {
            Some(old) if same_content(old, indicator, |i| &mut i.provenance) => return Ok(Outcome::Unchanged),
            Some(_) => {
                diesel::update(indicators::table.find(&indicator.id)).set(&row).execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(indicators::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        let action = if outcome == Outcome::Created { ChangeAction::Create } else { ChangeAction::Update };
        self.log(RecordType::Indicator, &indicator.id, action, old.as_ref(), Some(indicator))?;
        Ok(outcome)
    }

    /// Makes the stored figures of `indicator` for `period` exactly `values` (all of that
    /// indicator and period): new ones inserted, changed ones updated, ones no longer stated
    /// deleted, and one change logged when anything differs. A figure read again with the same
    /// content keeps its first provenance and publication date; a figure whose publication date
    /// is unknown in `values` keeps the one held.
    pub fn put_indicator_period(
        &mut self,
        indicator: &str,
        period: &str,
        values: &[IndicatorValue],
    ) -> Result<Outcome, StoreError> {
        self.counts.seen += values.len() as i64;
        let held: BTreeMap<String, IndicatorValue> =
            period_values(self.conn, indicator, Some(period))?.into_iter().map(|v| (v.area_code.clone(), v)).collect();
        let mut inserts = Vec::new();
        let mut changed = BTreeMap::new();
        let mut published = None;
        for v in values {
            let mut v = v.clone();
            match held.get(&v.area_code) {
                Some(old) => {
                    // A figure keeps the date it was first published.
                    v.published = old.published.or(v.published);
                    // The same figure read again (later, or from another copy of the same
                    // statistics) keeps the provenance it was first read with.
                    if same_content(old, &v, |x| std::sync::Arc::make_mut(&mut x.provenance))
                        || (shown(old) == shown(&v) && old.published == v.published)
                    {
                        published = published.or(old.published);
                        continue;
                    }
                    if shown(old) != shown(&v) {
                        changed.insert(v.area_code.clone(), (shown(old), shown(&v)));
                    }
                    let row = IndicatorValueRow::from(&v);
                    diesel::update(indicator_values::table.find((indicator, &v.area_code, period)))
                        .set(&row)
                        .execute(self.conn)?;
                }
                None => inserts.push(IndicatorValueRow::from(&v)),
            }
            published = published.or(v.published);
        }
        let created = held.is_empty() && !inserts.is_empty();
        if !created {
            for row in &inserts {
                changed.insert(row.area_code.clone(), (None, row.value.clone().or(row.suppressed.clone())));
            }
        }
        for chunk in inserts.chunks(INSERT_CHUNK) {
            crate::each_backend!(&mut *self.conn, |c| diesel::insert_into(indicator_values::table)
                .values(chunk)
                .execute(c))?;
        }
        let stated: std::collections::HashSet<&str> = values.iter().map(|v| v.area_code.as_str()).collect();
        let mut removed = 0;
        for (area, old) in &held {
            if !stated.contains(area.as_str()) {
                diesel::delete(indicator_values::table.find((indicator, area, period))).execute(self.conn)?;
                changed.insert(area.clone(), (shown(old), None));
                removed += 1;
            }
        }
        if !created && changed.is_empty() && removed == 0 {
            // Provenance or publication date refreshed only: not a change to what is published.
            return Ok(Outcome::Unchanged);
        }
        let record_id = format!("{indicator}/{period}");
        let source_url = values.first().or(held.values().next()).map(|v| v.provenance.source_url.clone());
        let before = (!held.is_empty()).then(|| PeriodChange {
            indicator: indicator.to_owned(),
            period: period.to_owned(),
            values: held.len(),
            suppressed: held.values().filter(|v| v.suppressed.is_some()).count(),
            published: held.values().find_map(|v| v.published),
            source_url: held.values().next().map(|v| v.provenance.source_url.clone()).unwrap_or_default(),
            changed: BTreeMap::new(),
        });
        let after = (!values.is_empty()).then(|| PeriodChange {
            indicator: indicator.to_owned(),
            period: period.to_owned(),
            values: values.len(),
            suppressed: values.iter().filter(|v| v.suppressed.is_some()).count(),
            published,
            source_url: source_url.clone().unwrap_or_default(),
            changed: changed.clone(),
        });
        let (action, outcome) = match (&before, &after) {
            (None, _) => (ChangeAction::Create, Outcome::Created),
            (Some(_), None) => (ChangeAction::Delete, Outcome::Updated),
            (Some(_), Some(_)) => (ChangeAction::Update, Outcome::Updated),
        };
        self.log(RecordType::IndicatorPeriod, &record_id, action, before.as_ref(), after.as_ref())?;
        Ok(outcome)
    }

    /// Deletes every figure of `indicator` for a period not in `periods` (the source no longer
    /// states it), logging each period removed.
    pub fn delete_indicator_periods_except(
        &mut self,
        indicator: &str,
        periods: &[String],
    ) -> Result<usize, StoreError> {
        let held: Vec<String> = indicator_values::table
            .filter(indicator_values::indicator_id.eq(indicator))
            .select(indicator_values::period)
            .distinct()
            .load(self.conn)?;
        let mut removed = 0;
        for period in held.iter().filter(|p| !periods.contains(p)) {
            self.put_indicator_period(indicator, period, &[])?;
            removed += 1;
        }
        Ok(removed)
    }
}
