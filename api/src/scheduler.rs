//! Runs each scheduled source at its schedule's fire times, in the server's process. Every
//! replica's scheduler fires at the same times; the source's lock lets one of them run it, and a
//! replica that finds the tick's run already started (or running) skips it. A run that fails is
//! recorded and tried again at the next fire time; the published data stays as it was.

use std::sync::Arc;

use chrono::Utc;
use schema::DatabaseUrl;

use crate::jobs::{Exclusive, Job, Upstreams, run_exclusively};
use crate::state::AppState;

/// Starts one task per scheduled source.
pub fn spawn(state: AppState, database: DatabaseUrl, upstreams: Arc<Upstreams>) {
    let jobs: Vec<Job> = state.freshness.jobs().iter().filter(|j| j.schedule.is_some()).cloned().collect();
    for job in jobs {
        let (state, database, upstreams) = (state.clone(), database.clone(), upstreams.clone());
        tokio::spawn(async move {
            let Some(schedule) = job.schedule.clone() else { return };
            let source = job.spec.source;
            tracing::info!(source, schedule = schedule.expression(), "fetch scheduled");
            loop {
                let now = Utc::now();
                let Some(tick) = schedule.next_after(now) else { return };
                tokio::time::sleep((tick - now).to_std().unwrap_or_default()).await;
                let (db, up, st) = (database.clone(), upstreams.clone(), state.clone());
                let ran = tokio::task::spawn_blocking(move || {
                    run_exclusively(&db, source, Some(tick), false, |conn| {
                        st.metrics.fetch_running(source, true);
                        tracing::info!(source, "scheduled fetch started");
                        let result = (job.spec.run)(&up, conn);
                        st.metrics.fetch_running(source, false);
                        result
                    })
                })
                .await;
                let outcome = match &ran {
                    Ok(Ok(Exclusive::Ran(..))) => "ran",
                    Ok(Ok(Exclusive::Busy)) => "busy",
                    Ok(Ok(Exclusive::AlreadyRan)) => "already_ran",
                    _ => "failed",
                };
                match ran {
                    Ok(Ok(Exclusive::Ran((), Some(run)))) => {
                        tracing::info!(source, run = run.id, status = run.status.as_str(), "scheduled fetch finished");
                        state.metrics.fetch_finished(&run);
                    }
                    Ok(Ok(Exclusive::Ran((), None))) => {}
                    Ok(Ok(Exclusive::Busy)) => {
                        tracing::info!(source, "another process holds this source's lock; this tick is its")
                    }
                    Ok(Ok(Exclusive::AlreadyRan)) => {
                        tracing::info!(source, "this tick's run was already made by another process")
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(
                            source,
                            error = format!("{e:#}"),
                            "scheduled fetch failed; the data is as it was"
                        );
                        if let Ok(Some(run)) = latest_run(&state, source) {
                            state.metrics.fetch_finished(&run);
                        }
                    }
                    Err(e) => tracing::error!(source, error = %e, "scheduled fetch panicked"),
                }
                // This replica learns of its own run at once, whatever NOTIFY does.
                let st = state.clone();
                let _ = tokio::task::spawn_blocking(move || crate::snapshot::refresh(&st)).await;
                state.metrics.fetch_tick(source, outcome);
            }
        });
    }
}

fn latest_run(state: &AppState, source: &str) -> anyhow::Result<Option<schema::rows::FetchRun>> {
    let mut conn = state.pool.get()?;
    Ok(schema::stored::latest_runs(&mut conn, source)?.0)
}
