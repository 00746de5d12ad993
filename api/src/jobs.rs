//! The fetch jobs: one row per source in [`JOBS`] (its name, its schedule setting and default,
//! how a scheduled run of it is built), and [`run_exclusively`], the one way any run of a source
//! starts (the scheduler's and `lacs fetch`'s alike): under the source's lock, with the run
//! recorded before the crawl, so that a process that dies mid-run leaves a run the next holder
//! closes as failed.

use chrono::{DateTime, Utc};
use schema::rows::FetchRun;
use schema::run_lock::SourceLock;
use schema::{AnyConnection, DatabaseUrl};

use crate::schedule::{BadSchedule, Schedule};

/// Where the scheduled runs read from and how they behave there (the same settings as the
/// flags of `lacs fetch …`).
#[derive(Debug, Clone)]
pub struct Upstreams {
    /// The Ofsted reports site.
    pub ofsted_url: String,
    /// Ofsted's file host.
    pub ofsted_files_url: String,
    /// GOV.UK (interventions; Content and Search APIs).
    pub govuk_url: String,
    /// The Explore Education Statistics API.
    pub ees_url: String,
    /// GOV.UK's path of the revenue outturn collection (RO3).
    pub ro3_collection: String,
    /// Politeness towards every site.
    pub http: fetchers::http::Politeness,
    /// Where new documents are archived.
    pub archive_dir: std::path::PathBuf,
    /// Where report PDFs are read (`lacs serve`: each in a process of its own).
    pub pdf_reader: fetchers::report::Isolation,
}

/// A source the scheduler runs.
pub struct JobSpec {
    /// The source's name, as its fetch runs record it.
    pub source: &'static str,
    /// The setting of its schedule.
    pub setting: &'static str,
    /// Its schedule when the setting is absent.
    pub default_schedule: &'static str,
    /// One scheduled run: crawl and store, on the connection that holds the lock.
    pub run: fn(&Upstreams, &mut AnyConnection) -> anyhow::Result<()>,
}

/// Every scheduled source. Adding a source is one entry.
pub const JOBS: &[JobSpec] = &[
    JobSpec {
        source: fetchers::ofsted::SOURCE,
        setting: "LACS_SCHEDULE_OFSTED",
        default_schedule: "30 5 * * *",
        run: |up, conn| {
            let mut config = fetchers::ofsted::Config::new(up.http.clone());
            config.base_url = up.ofsted_url.clone();
            config.files_base_url = up.ofsted_files_url.clone();
            config.archive_dir = Some(up.archive_dir.clone());
            config.isolation = up.pdf_reader.clone();
            let source = fetchers::ofsted::Ofsted::prepare(conn, config, None)?;
            fetchers::run(&source, conn, false).map(drop)
        },
    },
    JobSpec {
        source: fetchers::interventions::SOURCE,
        setting: "LACS_SCHEDULE_INTERVENTIONS",
        default_schedule: "45 5 * * *",
        run: |up, conn| {
            let config = fetchers::interventions::Config { base_url: up.govuk_url.clone(), http: up.http.clone() };
            fetchers::run(&fetchers::interventions::Interventions { config }, conn, false).map(drop)
        },
    },
    JobSpec {
        source: fetchers::official::SOURCE,
        setting: "LACS_SCHEDULE_OFSTED_STATS",
        default_schedule: "15 6 * * MON",
        run: |up, conn| {
            let mut config = fetchers::official::fetch::Config::new(up.http.clone());
            config.govuk_url = up.govuk_url.clone();
            fetchers::run(&fetchers::official::fetch::OfstedStats { config }, conn, false).map(drop)
        },
    },
    JobSpec {
        source: fetchers::indicators::dfe_stats::SOURCE,
        setting: "LACS_SCHEDULE_DFE_STATS",
        default_schedule: "0 6 * * MON",
        run: |up, conn| {
            let mut config = fetchers::indicators::dfe_stats::Config::new(up.http.clone());
            config.ees_url = up.ees_url.clone();
            config.govuk_url = up.govuk_url.clone();
            config.ro3_collection = up.ro3_collection.clone();
            fetchers::run(&fetchers::indicators::dfe_stats::DfeStats { config }, conn, false).map(drop)
        },
    },
];

/// A source with the schedule the configuration gave it (`None`: off).
#[derive(Clone)]
pub struct Job {
    /// Its row of [`JOBS`].
    pub spec: &'static JobSpec,
    /// When it runs.
    pub schedule: Option<Schedule>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("source", &self.spec.source).field("schedule", &self.schedule).finish()
    }
}

/// Every source's schedule from the settings `setting` reads (the environment): its own
/// setting, or its default; all off when `LACS_SCHEDULE` is `off`.
pub fn configured(setting: impl Fn(&str) -> Option<String>) -> Result<Vec<Job>, BadSchedule> {
    let master = setting("LACS_SCHEDULE").unwrap_or_default();
    let all_off = match master.trim().to_ascii_lowercase().as_str() {
        "" | "on" => false,
        "off" => true,
        other => {
            return Err(BadSchedule {
                setting: "LACS_SCHEDULE".into(),
                expression: other.into(),
                reason: "only `on` and `off` are understood here; each source's schedule has its own setting".into(),
            });
        }
    };
    JOBS.iter()
        .map(|spec| {
            let given = setting(spec.setting);
            let schedule = Schedule::parse(spec.setting, given.as_deref().unwrap_or(spec.default_schedule))?;
            Ok(Job { spec, schedule: if all_off { None } else { schedule } })
        })
        .collect()
}

/// How a locked run went.
#[derive(Debug)]
pub enum Exclusive<T> {
    /// It ran: the work's output and the run as recorded (absent for a dry run, which records nothing).
    Ran(T, Option<FetchRun>),
    /// Another process holds the source's lock.
    Busy,
    /// A run of the source started at or after the scheduled time already (another replica ran
    /// this tick and finished before this one asked).
    AlreadyRan,
}

/// Runs `work` on the connection that holds `source`'s lock. With `tick` (a scheduled run),
/// skips when a run of the source started at or after it. Unless `dry_run`, the run is opened
/// first (closing runs a dead holder abandoned) and closed as failed if `work` fails before it
/// records into it.
pub fn run_exclusively<T>(
    database: &DatabaseUrl,
    source: &str,
    tick: Option<DateTime<Utc>>,
    dry_run: bool,
    work: impl FnOnce(&mut AnyConnection) -> anyhow::Result<T>,
) -> anyhow::Result<Exclusive<T>> {
    let Some(mut lock) = SourceLock::try_acquire(database, source)? else { return Ok(Exclusive::Busy) };
    let conn = lock.conn();
    if let Some(tick) = tick {
        let (latest, _) = schema::stored::latest_runs(conn, source)?;
        if latest.is_some_and(|run| run.started_at >= tick) {
            return Ok(Exclusive::AlreadyRan);
        }
    }
    if dry_run {
        return Ok(Exclusive::Ran(work(conn)?, None));
    }
    let abandoned = format!(
        "abandoned: the process running it stopped before it finished (it held the {source} lock, which its \
         death released; nothing it fetched was published); closed by the next run at {}",
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    let (run_id, closed) = schema::store::open_run(conn, source, &abandoned)?;
    if closed > 0 {
        tracing::warn!(source, closed, "closed runs a dead process abandoned as failed");
    }
    let output = work(conn);
    if let Err(e) = &output {
        schema::store::close_unfinished_run(conn, run_id, source, &format!("{e:#}"))?;
    }
    let run = schema::stored::find_run(conn, run_id)?;
    Ok(Exclusive::Ran(output?, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_settings_and_off() {
        let jobs = configured(|_| None).expect("defaults");
        assert_eq!(jobs.len(), JOBS.len());
        assert!(jobs.iter().all(|j| j.schedule.is_some()));
        let jobs = configured(|name| (name == "LACS_SCHEDULE").then(|| "off".to_owned())).expect("off");
        assert!(jobs.iter().all(|j| j.schedule.is_none()));
        let one_off = configured(|name| (name == "LACS_SCHEDULE_OFSTED").then(|| "off".to_owned())).expect("one");
        assert_eq!(one_off.iter().filter(|j| j.schedule.is_none()).count(), 1);
        let err = configured(|name| (name == "LACS_SCHEDULE_DFE_STATS").then(|| "weekly".to_owned()));
        assert!(err.is_err_and(|e| e.to_string().starts_with("LACS_SCHEDULE_DFE_STATS: `weekly`")));
    }
}
