//! The removal limit, and what each seed file published over the last [`REMOVAL_WINDOW_DAYS`]
//! days, read from the change log: the removal guard ([`super::losses`]) measures an import
//! against the most a file published in that time, so that removals spread over several imports
//! are refused like one large one.
//!
//! Only the seed imports' own changes move a file's count here: a record another source took
//! over (a visit letter the crawler read under its Ofsted file id) was not lost by an import. An
//! import that left a file more than the limit below its peak was allowed to
//! (`--allow-removals`; a refused one changes nothing): the count it left is where the next one
//! is measured from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use schema::domain::RecordType;
use schema::{AnyConnection, StoreError};

/// An import is refused, unless removals are allowed (`Removals::Allow`), when it would remove
/// or downgrade records of a file and leave the file publishing more than this share (in per
/// cent) fewer records than the most it published within the last [`REMOVAL_WINDOW_DAYS`] days.
/// With no removals before it in that time, that is: when it would remove or downgrade more than
/// this share of what the file publishes.
pub const REMOVAL_LIMIT_PERCENT: usize = 5;

/// How far back the removal guard looks.
pub const REMOVAL_WINDOW_DAYS: i64 = 30;

/// Whether `remaining` records are more than [`REMOVAL_LIMIT_PERCENT`] fewer than `peak`.
pub(super) fn beyond_limit(peak: i64, remaining: i64) -> bool {
    (peak - remaining) * 100 > peak * REMOVAL_LIMIT_PERCENT as i64
}

/// The fetch-run sources of seed imports: one run an import, and the four runs an import was
/// split into before (`seed:local_authorities` …), whose changes still count.
pub(super) const SEED_RUNS: [&str; 5] =
    ["seed", "seed:local_authorities", "seed:inspections", "seed:interventions", "seed:indicators"];

/// The most records a file published within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Peak {
    /// How many.
    pub(super) records: usize,
    /// Until when (the import that took it below), or `None`: it still does.
    pub(super) until: Option<DateTime<Utc>>,
}

/// The [`Peak`] of each of `published` (a source of records and how many it publishes now).
/// `figure_sources` maps the document an indicator period was read from (its `source_url` in the
/// change log) to the file's source.
pub(super) fn peaks(
    conn: &mut AnyConnection,
    published: &[(&str, usize)],
    figure_sources: &HashMap<&str, &str>,
) -> Result<Vec<Peak>, StoreError> {
    let since = Utc::now() - chrono::Duration::days(REMOVAL_WINDOW_DAYS);
    let changes = schema::stored::changes_of_runs_since(conn, &SEED_RUNS, since)?;
    // Each seed run in the window, oldest first: when it began and how it moved each source's count.
    let mut runs: Vec<(i64, DateTime<Utc>, HashMap<&str, i64>)> = Vec::new();
    for change in &changes {
        if runs.last().is_none_or(|(id, _, _)| *id != change.fetch_run_id) {
            runs.push((change.fetch_run_id, change.changed_at, HashMap::new()));
        }
        let Some((_, _, moves)) = runs.last_mut() else { continue };
        for (record, sign) in [(&change.before, -1), (&change.after, 1)] {
            if let Some((source, records)) =
                record.as_ref().and_then(|r| counted(change.record_type, r, figure_sources))
            {
                *moves.entry(source).or_default() += sign * records;
            }
        }
    }
    let peak_of = |&(source, now): &(&str, usize)| {
        let moves: Vec<(DateTime<Utc>, i64)> =
            runs.iter().filter_map(|(_, at, moves)| Some((*at, *moves.get(source)?))).collect();
        peak(now as i64, &moves)
    };
    Ok(published.iter().map(peak_of).collect())
}

/// The source a logged record counts for, and how many records it is: one record, or an
/// indicator period's figures.
fn counted<'a>(
    record_type: RecordType,
    record: &'a serde_json::Value,
    figure_sources: &'a HashMap<&str, &str>,
) -> Option<(&'a str, i64)> {
    match record_type {
        RecordType::IndicatorPeriod => {
            let source = figure_sources.get(record.get("source_url")?.as_str()?)?;
            Some((source, record.get("values")?.as_i64()?))
        }
        _ => Some((record.pointer("/provenance/source")?.as_str()?, 1)),
    }
}

/// The peak of a count that is `now` after `moves` (each seed run's time and how it moved the
/// count, oldest first), measured from the last run that took it beyond the limit.
fn peak(now: i64, moves: &[(DateTime<Utc>, i64)]) -> Peak {
    let mut count = now - moves.iter().map(|(_, m)| m).sum::<i64>();
    let (mut records, mut until) = (count, None);
    for &(at, moved) in moves.iter().filter(|(_, m)| *m != 0) {
        // The state that was the peak ends here.
        if until.is_none() {
            until = Some(at);
        }
        let after = count + moved;
        if after >= records || (moved < 0 && beyond_limit(records, after)) {
            (records, until) = (after, None);
        }
        count = after;
    }
    Peak { records: usize::try_from(records.max(now)).unwrap_or_default(), until }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 5, d).unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc()
    }

    #[test]
    fn the_peak_is_the_most_published_since_the_last_allowed_removal() {
        // Created, then small removals: the peak is the 142 held until the first removal.
        let moves = [(day(1), 142), (day(2), -4), (day(3), -3)];
        assert_eq!(peak(135, &moves), Peak { records: 142, until: Some(day(2)) });
        // Lines replaced (as many added as removed) move nothing.
        assert_eq!(peak(142, &[(day(1), 142), (day(2), 0)]), Peak { records: 142, until: None });
        // A removal beyond the limit committed, so it was allowed: the count it left is the start.
        let moves = [(day(1), 142), (day(2), -42), (day(3), -1)];
        assert_eq!(peak(99, &moves), Peak { records: 100, until: Some(day(3)) });
        // Growth raises the peak; no history: what is published now.
        assert_eq!(peak(150, &[(day(1), -4), (day(2), 12)]), Peak { records: 150, until: None });
        assert_eq!(peak(7, &[]), Peak { records: 7, until: None });
    }
}
