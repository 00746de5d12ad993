//! Fetch jobs inside `lacs serve`: the per-source lock (`lacs fetch` refuses while it is held,
//! and the next holder closes a dead holder's run), freshness and staleness in `/v1/meta`,
//! `/metrics` by route template, a bad schedule stopping start-up, the read-only role serving
//! with scheduling off, and the proof: two replicas on one PostgreSQL with the imitation Ofsted
//! site and GOV.UK, a tick run once across both, both serving the new version well before polling could explain it
//! (polling set to 60 s, so only NOTIFY explains it), a replica killed mid-run leaving the
//! old version published and the other replica completing the run at its next tick.

use std::time::{Duration, Instant};

use chrono::{Timelike, Utc};
use diesel::prelude::*;
use schema::tables::fetch_runs;
use testkit::imitation::{OfstedSite, start_govuk};
use testkit::{Backend, Contents, TestDb, TestServer, both_backends_async};

/// One sample of an exposition: its series name (`_total`, `_count`, `_sum` as exposed), labels, value.
struct Series {
    name: String,
    labels: std::collections::HashMap<String, String>,
    value: f64,
}

/// Parses an OpenMetrics exposition with a strict parser (it refuses a malformed line, a sample
/// without its family, a missing `# EOF`), flattened to its samples.
fn parse_metrics(text: &str) -> Vec<Series> {
    use openmetrics_parser::{LabelSet, MetricNumber, OpenMetricsValue};
    let exposition =
        openmetrics_parser::openmetrics::parse_openmetrics(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let mut out = Vec::new();
    for (name, family) in &exposition.families {
        let names = std::sync::Arc::new(family.get_label_names().to_vec());
        for sample in family.iter_samples() {
            let labels: std::collections::HashMap<String, String> =
                LabelSet::new(names.clone(), sample).unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let mut push = |suffix: &str, value: f64| {
                out.push(Series { name: format!("{name}{suffix}"), labels: labels.clone(), value })
            };
            match &sample.value {
                OpenMetricsValue::Counter(c) => push("_total", c.value.as_f64()),
                OpenMetricsValue::Gauge(n) | OpenMetricsValue::Unknown(n) => push("", n.as_f64()),
                OpenMetricsValue::Histogram(h) => {
                    push("_count", h.count.unwrap_or_default() as f64);
                    push("_sum", h.sum.as_ref().map_or(0.0, MetricNumber::as_f64));
                }
                _ => {}
            }
        }
    }
    out
}

/// The value of the sample `name` with these labels among its labels.
fn sample(scrape: &[Series], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .iter()
        .find(|s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
        .map(|s| s.value)
}

async fn metrics_of(server: &TestServer) -> Vec<Series> {
    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/openmetrics-text"), "{content_type}");
    parse_metrics(&response.text().await.unwrap())
}

/// Records a finished run of `source` that ended `hours_ago`.
fn record_run(db: &TestDb, source: &str, status: &str, hours_ago: i64, error: &str) {
    let at = (Utc::now() - chrono::Duration::hours(hours_ago)).naive_utc();
    diesel::insert_into(fetch_runs::table)
        .values((
            fetch_runs::source.eq(source),
            fetch_runs::started_at.eq(at - chrono::Duration::minutes(1)),
            fetch_runs::finished_at.eq(Some(at)),
            fetch_runs::status.eq(status),
            fetch_runs::seen.eq(1),
            fetch_runs::created.eq(0),
            fetch_runs::changed.eq(0),
            fetch_runs::deleted.eq(0),
            fetch_runs::failed.eq(i64::from(status == "failed")),
            fetch_runs::errors.eq(error),
        ))
        .execute(&mut db.conn())
        .unwrap();
}

both_backends_async! {
    async fn metrics_count_requests_by_route_template(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        for path in ["/v1/local-authorities/norfolk", "/v1/local-authorities/norfolk", "/v1/local-authorities/E10000020"] {
            assert_eq!(server.get(path).await.status(), 200);
        }
        for path in ["/no/such/path/12345", "/another-unknown"] {
            assert_eq!(server.get(path).await.status(), 404);
        }
        let text = server.get("/metrics").await.text().await.unwrap();
        let scrape = parse_metrics(&text);
        let requests = |route: &str, status: &str| {
            sample(&scrape, "lacs_http_requests_total", &[("route", route), ("method", "GET"), ("status", status)])
        };
        assert_eq!(requests("/v1/local-authorities/{id}", "200"), Some(3.0), "{text}");
        assert_eq!(requests("unmatched", "404"), Some(2.0), "unknown paths share one label");
        assert!(!text.contains("norfolk") && !text.contains("12345"), "raw paths are never labels");
        assert!(sample(&scrape, "lacs_response_cache_hits_total", &[]).unwrap() >= 1.0, "the repeated request was a hit");
        assert!(sample(&scrape, "lacs_response_cache_entries", &[]).unwrap() >= 1.0);
        let count = sample(&scrape, "lacs_http_request_duration_seconds_count", &[("route", "/v1/local-authorities/{id}")]);
        assert_eq!(count, Some(3.0));
        let version = server.get_json("/v1/meta", 200).await["dataset_version"].as_f64().unwrap();
        assert_eq!(sample(&scrape, "lacs_dataset_version", &[]), Some(version));
        assert!(sample(&scrape, "lacs_snapshot_age_seconds", &[]).is_some());
        // The scheduled sources' freshness, even with scheduling off: no successful run yet.
        assert_eq!(sample(&scrape, "lacs_fetch_stale", &[("source", "ofsted")]), Some(1.0));
    }
}

both_backends_async! {
    async fn meta_shows_each_sources_freshness_and_staleness(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        // Ofsted (daily): last success five days ago, more than three intervals: stale.
        record_run(&db, "ofsted", "ok", 120, "");
        // GOV.UK (daily): a success an hour ago, then a failed attempt.
        record_run(&db, "govuk", "ok", 1, "");
        record_run(&db, "govuk", "failed", 0, "cannot reach GOV.UK: connection refused");
        let server = TestServer::start_with(&db, &[
            ("LACS_SCHEDULE", "on"),
            // Daily at midnight (staleness is measured in days); GOV.UK yearly. Neither fires
            // during the test unless it straddles midnight UTC.
            ("LACS_SCHEDULE_OFSTED", "0 0 * * *"),
            ("LACS_SCHEDULE_INTERVENTIONS", "0 0 1 1 *"),
            ("LACS_SCHEDULE_OFSTED_STATS", "off"),
            ("LACS_SCHEDULE_DFE_STATS", "off"),
        ]);
        let meta = server.get_json("/v1/meta", 200).await;
        let source = |name: &str| meta["freshness"].as_array().unwrap().iter().find(|s| s["source"] == name).cloned().unwrap();
        let ofsted = source("ofsted");
        assert_eq!(ofsted["stale"], true, "{ofsted}");
        assert!(ofsted["stale_reason"].as_str().unwrap().contains("more than 3 intervals of 24 hours"), "{ofsted}");
        assert_eq!(ofsted["schedule"], "0 0 * * *");
        let tomorrow = Utc::now().date_naive().succ_opt().unwrap();
        assert_eq!(ofsted["next_run"], format!("{tomorrow}T00:00:00Z"));
        assert_eq!(ofsted["last_success"]["status"], "ok");
        let govuk = source("govuk");
        assert_eq!(govuk["stale"], false, "{govuk}");
        assert!(govuk["stale_reason"].is_null());
        assert_eq!(govuk["last_attempt"]["status"], "failed");
        assert_eq!(govuk["last_attempt"]["error"], "cannot reach GOV.UK: connection refused");
        assert_eq!(govuk["last_success"]["status"], "ok");
        assert_ne!(govuk["last_attempt"]["run_id"], govuk["last_success"]["run_id"]);
        // Off for this server: no schedule, no next run; never succeeded: stale.
        for off in ["dfe-stats", "ofsted-stats"] {
            let off = source(off);
            assert!(off["schedule"].is_null() && off["next_run"].is_null(), "{off}");
            assert_eq!(off["stale_reason"], "no successful run is recorded");
        }
        // Stale data is still served, and the server stays ready.
        assert_eq!(server.get_json("/readyz", 200).await["status"], "ready");
        let scrape = metrics_of(&server).await;
        assert_eq!(sample(&scrape, "lacs_fetch_stale", &[("source", "ofsted")]), Some(1.0));
        assert_eq!(sample(&scrape, "lacs_fetch_stale", &[("source", "govuk")]), Some(0.0));
        let success = sample(&scrape, "lacs_fetch_last_success_timestamp_seconds", &[("source", "govuk")]).unwrap();
        assert!((Utc::now().timestamp() as f64 - success - 3600.0).abs() < 120.0, "{success}");

        // A run recorded by another process is seen without a new dataset version (the reload
        // timer reads the runs again; on PostgreSQL the run's notification does at once).
        record_run(&db, "ofsted", "partial", 0, "one report unreadable");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let meta = server.get_json("/v1/meta", 200).await;
            let ofsted = meta["freshness"].as_array().unwrap().iter().find(|s| s["source"] == "ofsted").cloned().unwrap();
            if ofsted["last_success"]["status"] == "partial" {
                assert_eq!(ofsted["stale"], false);
                break;
            }
            assert!(Instant::now() < deadline, "the new run was not seen: {ofsted}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

both_backends_async! {
    async fn fetch_by_hand_refuses_while_another_run_holds_the_lock(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let fetch = |db: &TestDb| {
            testkit::run_lacs(db, &["fetch", "interventions", "--base-url", "http://127.0.0.1:9", "--timeout-secs", "1", "--retry-base-ms", "10"])
        };
        let held = schema::run_lock::SourceLock::try_acquire(&db.url, "govuk").unwrap().expect("free");
        let runs_before = schema::stored::recent_runs(&mut db.conn(), 1000).unwrap().len();
        let (ok, _, err) = fetch(&db);
        assert!(!ok, "refused");
        assert!(err.contains("another run of govuk holds its lock") && err.contains("nothing was fetched"), "{err}");
        assert_eq!(schema::stored::recent_runs(&mut db.conn(), 1000).unwrap().len(), runs_before, "nothing recorded");
        // Another source is not held.
        assert!(schema::run_lock::SourceLock::try_acquire(&db.url, "ofsted").unwrap().is_some());

        // A holder that died mid-run left its run marked running; the next holder closes it.
        drop(held);
        let started = (Utc::now() - chrono::Duration::minutes(5)).naive_utc();
        diesel::insert_into(fetch_runs::table)
            .values((
                fetch_runs::source.eq("govuk"), fetch_runs::started_at.eq(started), fetch_runs::status.eq("running"),
                fetch_runs::seen.eq(0), fetch_runs::created.eq(0), fetch_runs::changed.eq(0), fetch_runs::deleted.eq(0),
                fetch_runs::failed.eq(0), fetch_runs::errors.eq(""),
            ))
            .execute(&mut db.conn())
            .unwrap();
        let (ok, out, err) = fetch(&db);
        assert!(!ok, "GOV.UK is unreachable: {out}");
        assert!(err.contains("cannot reach GOV.UK"), "{err}");
        let runs = schema::stored::recent_runs(&mut db.conn(), 2).unwrap();
        let (this, abandoned) = (&runs[0], &runs[1]);
        assert_eq!((this.source.as_str(), this.status.as_str()), ("govuk", "failed"), "{this:?}");
        assert!(this.errors.iter().any(|e| e.contains("cannot reach GOV.UK")), "{this:?}");
        assert_eq!(abandoned.status.as_str(), "failed", "{abandoned:?}");
        assert!(abandoned.errors[0].starts_with("abandoned: the process running it stopped before it finished"), "{abandoned:?}");
        assert!(abandoned.finished_at.is_some());
    }
}

both_backends_async! {
    async fn a_bad_schedule_stops_start_up_naming_the_setting(backend) {
        let db = TestDb::new(backend, Contents::Empty);
        let data = tempfile::tempdir().unwrap();
        let serve_with = |setting: &str, value: &str| {
            std::process::Command::new(testkit::lacs_binary())
                .args(["serve", "--bind", "127.0.0.1:0"])
                .env("DATABASE_URL", &db.url_string)
                .env("LACS_DATA_DIR", data.path())
                .env(setting, value)
                .output()
                .unwrap()
        };
        let out = serve_with("LACS_SCHEDULE_INTERVENTIONS", "every morning");
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("LACS_SCHEDULE_INTERVENTIONS: `every morning` is not a schedule"), "{err}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "it never listened");
        let out = serve_with("LACS_SCHEDULE", "sometimes");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("LACS_SCHEDULE: `sometimes` is not a schedule"));
    }
}

both_backends_async! {
    async fn the_read_only_role_serves_with_scheduling_off(backend) {
        if backend == Backend::Sqlite {
            eprintln!("skipped: roles are PostgreSQL's");
            return;
        }
        let db = TestDb::new(backend, Contents::Seeded);
        let script = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres-roles.sql")).unwrap();
        let mut owner = db.conn();
        diesel::connection::SimpleConnection::batch_execute(&mut owner, &script).unwrap();
        let login = format!("lacs_web_{}", std::process::id());
        diesel::connection::SimpleConnection::batch_execute(
            &mut owner,
            &format!("DROP ROLE IF EXISTS {login}; CREATE ROLE {login} LOGIN IN ROLE lacs_reader"),
        )
        .unwrap();
        let reader_url = db.url_string.replacen("postgres@", &format!("{login}@"), 1);
        assert_ne!(reader_url, db.url_string, "the test URL names its user");
        // The role really cannot write (so the server below cannot have written).
        let mut reader = schema::DatabaseUrl::parse(&reader_url).unwrap().connect().unwrap();
        let refused = diesel::connection::SimpleConnection::batch_execute(&mut reader, "UPDATE dataset_version SET version = version");
        assert!(refused.unwrap_err().to_string().contains("permission denied"));
        let version_before = schema::stored::current_version(&mut db.conn()).unwrap().0;

        {
            let server = TestServer::start_at(&reader_url, &[("LACS_SCHEDULE", "off")]);
            assert_eq!(server.get_json("/readyz", 200).await["status"], "ready");
            let meta = server.get_json("/v1/meta", 200).await;
            assert_eq!(meta["counts"]["local_authorities"], 158);
            assert_eq!(meta["dataset_version"].as_i64(), Some(version_before));
            assert_eq!(server.get("/v1/local-authorities/norfolk").await.status(), 200);
        }
        drop(reader);
        diesel::connection::SimpleConnection::batch_execute(&mut owner, &format!("DROP ROLE {login}")).unwrap();
    }
}

/// The dataset version a replica answers from.
async fn served_version(server: &TestServer) -> i64 {
    server.get_json("/readyz", 200).await["dataset_version"].as_i64().unwrap()
}

both_backends_async! {
    async fn two_replicas_share_the_schedule_reload_on_notify_and_survive_a_kill(backend) {
        if backend == Backend::Sqlite {
            eprintln!("skipped: replicas share a PostgreSQL");
            return;
        }
        let db = TestDb::new(backend, Contents::Seeded);
        let ofsted = OfstedSite::new("80418", vec![("91000001", "18 May 2026", "80418-2026-05-18.pdf")], true);
        let ofsted_url = ofsted.start();
        let govuk_url = start_govuk();
        // GOV.UK once, 45 s from now (both replicas are up by then, even with the other tests
        // running beside this one on two cores); Ofsted every 2 s.
        let at = Utc::now() + chrono::Duration::seconds(45);
        let once = format!("{} {} {} * * *", at.second(), at.minute(), at.hour());
        let env = [
            ("LACS_SCHEDULE", "on"),
            ("LACS_SCHEDULE_INTERVENTIONS", once.as_str()),
            ("LACS_SCHEDULE_OFSTED", "*/2 * * * * *"),
            ("LACS_SCHEDULE_OFSTED_STATS", "off"),
            ("LACS_SCHEDULE_DFE_STATS", "off"),
            ("LACS_OFSTED_URL", ofsted_url.as_str()),
            ("LACS_OFSTED_FILES_URL", ofsted_url.as_str()),
            ("LACS_GOVUK_URL", govuk_url.as_str()),
            ("LACS_FETCH_RATE", "100"),
            ("LACS_FETCH_RETRY_BASE_MS", "50"),
            // Polling too slow to explain any reload below: only NOTIFY can.
            ("LACS_RELOAD_SECS", "60"),
            ("RUST_LOG", "info"),
        ];
        let replicas = [TestServer::start_with(&db, &env), TestServer::start_with(&db, &env)];
        let mut readyz_calls = [0usize, 0usize];
        let mut conn = db.conn();
        let v0 = schema::stored::current_version(&mut conn).unwrap().0;

        // An Ofsted run starts and is held at its document: provably mid-way.
        let deadline = Instant::now() + Duration::from_secs(60);
        while ofsted.file_requests.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "no Ofsted run reached the document");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut holder = None;
        for (i, replica) in replicas.iter().enumerate() {
            if sample(&metrics_of(replica).await, "lacs_fetch_in_progress", &[("source", "ofsted")]) == Some(1.0) {
                assert!(holder.replace(i).is_none(), "two replicas run Ofsted at once");
            }
        }
        let holder = holder.expect("one replica runs Ofsted");

        // The GOV.UK tick: the commit, then both replicas on the new version by NOTIFY (polling is every 60 s).
        let deadline = Instant::now() + Duration::from_secs(90);
        let (v1, committed) = loop {
            let v = schema::stored::current_version(&mut conn).unwrap().0;
            if v != v0 {
                break (v, Instant::now());
            }
            assert!(Instant::now() < deadline, "the GOV.UK run never committed");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        for (i, replica) in replicas.iter().enumerate() {
            loop {
                readyz_calls[i] += 1;
                if served_version(replica).await == v1 {
                    break;
                }
                // Polling is every 60 s: a reload well within that is NOTIFY's (how fast, in a
                // release build, is in docs/benchmarks.md; no test asserts a time).
                assert!(committed.elapsed() < Duration::from_secs(20), "replica {i} still serves an older version 20 s after the commit");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        // Both replicas handled the tick; one ran it.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mut handled = 0.0;
            for replica in &replicas {
                let scrape = metrics_of(replica).await;
                for outcome in ["ran", "busy", "already_ran", "failed"] {
                    handled += sample(&scrape, "lacs_fetch_ticks_total", &[("source", "govuk"), ("outcome", outcome)]).unwrap_or(0.0);
                }
            }
            if handled >= 2.0 {
                assert_eq!(handled, 2.0);
                break;
            }
            assert!(Instant::now() < deadline, "the GOV.UK tick was not handled by both replicas");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let govuk_runs: Vec<_> = schema::stored::recent_runs(&mut conn, 1000).unwrap().into_iter().filter(|r| r.source == "govuk").collect();
        assert_eq!(govuk_runs.len(), 1, "one run for the tick across both replicas: {govuk_runs:?}");
        assert!(matches!(govuk_runs[0].status.as_str(), "ok" | "partial"), "{:?}", govuk_runs[0]);
        assert!(govuk_runs[0].created + govuk_runs[0].changed > 0);

        // Kill the replica running Ofsted mid-run: the old version stays published.
        let killed = std::process::Command::new("kill").args(["-KILL", &replicas[holder].pid().to_string()]).status().unwrap();
        assert!(killed.success());
        let survivor = &replicas[1 - holder];
        let s = 1 - holder;
        assert_eq!(schema::stored::current_version(&mut conn).unwrap().0, v1);
        readyz_calls[s] += 1;
        assert_eq!(served_version(survivor).await, v1);
        assert_eq!(survivor.get("/v1/inspections/91000001").await.status(), 404);

        // The survivor's next tick takes the released lock, closes the dead run, completes it.
        ofsted.hold.store(false, std::sync::atomic::Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(90);
        while survivor.get("/v1/inspections/91000001").await.status() != 200 {
            assert!(Instant::now() < deadline, "the survivor did not complete the Ofsted run");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let v2 = schema::stored::current_version(&mut conn).unwrap().0;
        assert!(v2 > v1);
        readyz_calls[s] += 1;
        assert_eq!(served_version(survivor).await, v2);
        let ofsted_runs: Vec<_> = schema::stored::recent_runs(&mut conn, 1000).unwrap().into_iter().filter(|r| r.source == "ofsted").collect();
        let dead = ofsted_runs.last().unwrap();
        assert_eq!(dead.status.as_str(), "failed", "{dead:?}");
        assert!(dead.errors[0].starts_with("abandoned:"), "{dead:?}");
        assert!(ofsted_runs.iter().any(|r| r.created == 1 && matches!(r.status.as_str(), "ok" | "partial")), "{ofsted_runs:?}");
        assert_eq!(ofsted_runs.iter().filter(|r| r.status.as_str() == "running").count(), 0, "{ofsted_runs:?}");

        // The survivor's metrics reflect what the test asked of it and what it ran.
        let scrape = metrics_of(survivor).await;
        let readyz = sample(&scrape, "lacs_http_requests_total", &[("route", "/readyz"), ("method", "GET"), ("status", "200")]);
        assert_eq!(readyz, Some(readyz_calls[s] as f64));
        let ran: f64 = ["ok", "partial"].iter().filter_map(|o| sample(&scrape, "lacs_fetch_runs_total", &[("source", "ofsted"), ("outcome", o)])).sum();
        assert!(ran >= 1.0, "the survivor counts its Ofsted run");
        assert_eq!(sample(&scrape, "lacs_dataset_version", &[]), Some(v2 as f64));
        assert_eq!(sample(&scrape, "lacs_fetch_in_progress", &[("source", "govuk")]), Some(0.0));
    }
}

both_backends_async! {
    /// A scheduled Ofsted run inside `lacs serve` (its address space capped at 2 GiB) meets a
    /// CMap of four billion codes and a document built to pass every count that then outgrows
    /// its memory: each is that document's error, the real report is published, and the server
    /// never stops answering.
    async fn a_scheduled_run_survives_documents_that_exhaust_memory(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let dir = tempfile::tempdir().unwrap();
        let built = |name: &str, bytes: Vec<u8>| -> &'static str {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            Box::leak(path.display().to_string().into_boxed_str())
        };
        let ofsted = OfstedSite::new("80418", vec![
            ("91000015", "5 May 2026", built("cmap32.pdf", testkit::pdfs::cmap_range(8))),
            ("91000017", "7 May 2026", built("echo.pdf", testkit::pdfs::echoing_object_stream(100_000, 100_000))),
            ("91000001", "18 May 2026", "80418-2026-05-18.pdf"),
        ], false);
        let ofsted_url = ofsted.start();
        let env = [
            ("LACS_SCHEDULE", "on"),
            ("LACS_SCHEDULE_OFSTED", "*/2 * * * * *"),
            ("LACS_SCHEDULE_INTERVENTIONS", "off"),
            ("LACS_SCHEDULE_OFSTED_STATS", "off"),
            ("LACS_SCHEDULE_DFE_STATS", "off"),
            ("LACS_OFSTED_URL", ofsted_url.as_str()),
            ("LACS_OFSTED_FILES_URL", ofsted_url.as_str()),
            ("LACS_FETCH_RATE", "100"),
            ("LACS_FETCH_RETRY_BASE_MS", "50"),
        ];
        let server = TestServer::start_capped(&db, &env, 2048);
        let mut conn = db.conn();
        let deadline = Instant::now() + Duration::from_secs(120);
        let run = loop {
            let runs = schema::stored::recent_runs(&mut conn, 10).unwrap();
            if let Some(run) = runs.into_iter().rev().find(|r| r.source == "ofsted" && r.finished_at.is_some()) {
                break run;
            }
            assert!(Instant::now() < deadline, "no scheduled Ofsted run finished");
            assert_eq!(server.get("/healthz").await.status(), 200);
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(run.status, schema::domain::FetchStatus::Partial, "{run:?}");
        let error = |id: &str| run.errors.iter().find(|e| e.contains(id)).cloned().unwrap_or_default();
        assert!(error("91000015").contains("the PDF's character maps (CMaps) hold more than 1000000 entries"), "{:?}", run.errors);
        assert!(error("91000017").contains("reading the PDF ran out of its 512 MiB memory limit: stopped"), "{:?}", run.errors);
        assert_eq!(run.errors.len(), 2, "{:?}", run.errors);
        // The server lives on and serves what the run published.
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/v1/inspections/91000001").await.status() != 200 {
            assert!(Instant::now() < deadline, "the real report was never served");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert_eq!(server.get("/healthz").await.status(), 200);
    }
}
