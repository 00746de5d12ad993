//! How current each scheduled source is: its latest successful run, its latest attempt, when
//! this server will next run it, and whether it is stale. The runs are read from the database
//! (any process may have run them) whenever a run finishes here, a replica's run is announced
//! (PostgreSQL NOTIFY) or the reload timer ticks; `/v1/meta` and `/metrics` both read them here.

use std::collections::HashMap;
use std::sync::RwLock;

use chrono::{DateTime, Utc};
use schema::AnyConnection;
use schema::domain::FetchStatus;
use schema::rows::FetchRun;
use serde::Serialize;
use utoipa::ToSchema;

use crate::jobs::Job;

/// A source is stale when its latest success is older than this many of its intervals.
pub const STALE_AFTER_INTERVALS: i32 = 3;

/// One run, briefly.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunBrief {
    /// The `fetch_runs` id.
    pub run_id: i64,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended (null while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `ok`, `partial` or `failed`.
    #[schema(example = "ok")]
    pub status: String,
    /// Why it failed or was partial (the first of its errors), if it did.
    pub error: Option<String>,
}

impl From<&FetchRun> for RunBrief {
    fn from(run: &FetchRun) -> RunBrief {
        let error = (run.status != FetchStatus::Ok).then(|| run.errors.first().cloned()).flatten();
        RunBrief {
            run_id: run.id,
            started_at: run.started_at,
            finished_at: run.finished_at,
            status: run.status.as_str().to_owned(),
            error,
        }
    }
}

/// How current one source is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceFreshness {
    /// The source, as its fetch runs name it.
    #[schema(example = "ofsted")]
    pub source: String,
    /// Its schedule (a cron expression in UTC), or null when this server does not schedule it.
    #[schema(example = "30 5 * * *")]
    pub schedule: Option<String>,
    /// When this server will next run it; null when scheduling is off.
    pub next_run: Option<DateTime<Utc>>,
    /// Its latest run that published (`ok` or `partial`), by any process.
    pub last_success: Option<RunBrief>,
    /// Its latest run of any outcome, by any process.
    pub last_attempt: Option<RunBrief>,
    /// Whether the latest success is older than three of the schedule's intervals (or there is
    /// none). A stale source is still served.
    pub stale: bool,
    /// Why it is stale, in words; null when it is not.
    pub stale_reason: Option<String>,
}

#[derive(Default, Clone)]
struct Runs {
    attempt: Option<FetchRun>,
    success: Option<FetchRun>,
}

/// The sources tracked and their latest runs as last read.
pub struct Freshness {
    jobs: Vec<Job>,
    /// The schedule each source's staleness is measured against, even when this server does
    /// not run it (scheduling off): the configured one, or the default.
    intervals: Vec<Option<crate::schedule::Schedule>>,
    runs: RwLock<HashMap<String, Runs>>,
}

impl Freshness {
    /// Tracks `jobs`.
    pub fn new(jobs: Vec<Job>) -> Freshness {
        let intervals = jobs
            .iter()
            .map(|j| {
                j.schedule.clone().or_else(|| {
                    crate::schedule::Schedule::parse(j.spec.setting, j.spec.default_schedule).ok().flatten()
                })
            })
            .collect();
        Freshness { jobs, intervals, runs: RwLock::default() }
    }

    /// The jobs tracked.
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// Reads every tracked source's latest runs.
    pub fn refresh(&self, conn: &mut AnyConnection) -> Result<(), schema::StoreError> {
        let mut read = HashMap::new();
        for job in &self.jobs {
            let (attempt, success) = schema::stored::latest_runs(conn, job.spec.source)?;
            read.insert(job.spec.source.to_owned(), Runs { attempt, success });
        }
        *self.runs.write().unwrap_or_else(|e| e.into_inner()) = read;
        Ok(())
    }

    /// Every tracked source as of `now`.
    pub fn report(&self, now: DateTime<Utc>) -> Vec<SourceFreshness> {
        let runs = self.runs.read().unwrap_or_else(|e| e.into_inner());
        self.jobs
            .iter()
            .zip(&self.intervals)
            .map(|(job, measure)| {
                let r = runs.get(job.spec.source).cloned().unwrap_or_default();
                let interval = measure.as_ref().and_then(|s| s.interval(now));
                let success_at = r.success.as_ref().map(|s| s.finished_at.unwrap_or(s.started_at));
                let stale_reason = stale_reason(success_at, interval, now);
                SourceFreshness {
                    source: job.spec.source.to_owned(),
                    schedule: job.schedule.as_ref().map(|s| s.expression().to_owned()),
                    next_run: job.schedule.as_ref().and_then(|s| s.next_after(now)),
                    last_success: r.success.as_ref().map(RunBrief::from),
                    last_attempt: r.attempt.as_ref().map(RunBrief::from),
                    stale: stale_reason.is_some(),
                    stale_reason,
                }
            })
            .collect()
    }
}

/// Why a source whose latest success finished at `success_at` is stale at `now`, given how often
/// it should run; `None` when it is not.
pub fn stale_reason(
    success_at: Option<DateTime<Utc>>,
    interval: Option<chrono::Duration>,
    now: DateTime<Utc>,
) -> Option<String> {
    let Some(at) = success_at else { return Some("no successful run is recorded".into()) };
    let interval = interval?;
    let limit = interval * STALE_AFTER_INTERVALS;
    (now - at > limit).then(|| {
        format!(
            "the latest success finished {} hours ago, more than {STALE_AFTER_INTERVALS} intervals of {} hours",
            (now - at).num_hours(),
            interval.num_minutes() as f64 / 60.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_after_three_intervals() {
        let now = Utc::now();
        let day = Some(chrono::Duration::days(1));
        assert_eq!(stale_reason(Some(now - chrono::Duration::hours(71)), day, now), None);
        let reason = stale_reason(Some(now - chrono::Duration::hours(73)), day, now).expect("stale");
        assert!(reason.contains("73 hours ago") && reason.contains("3 intervals of 24 hours"), "{reason}");
        assert!(stale_reason(None, day, now).is_some(), "never succeeded");
    }
}
