//! `lacs fetch dfe-stats` against a local imitation of the Explore Education Statistics API and
//! GOV.UK on 127.0.0.1 (fixtures in `fetchers/tests/fixtures/dfe_stats`, see its README): a 429
//! that recovers, a data set whose metadata is not JSON, one whose CSV answers 500, one that
//! times out, one larger than a download may be; a new period, a revised figure, an RO3
//! spreadsheet. Then: what was stored, the change feed, `as_at`, that nothing is deleted, that a
//! second run changes nothing, and that an unreachable site changes nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use schema::Dataset;
use schema::domain::FetchStatus;
use schema::query::indicators::figure;
use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

const RELEASE: &str = "/government/statistics/local-authority-revenue-expenditure-and-financing-england-2025-to-2026-individual-local-authority-data-outturn";

#[derive(Default)]
struct Site {
    publication_requests: AtomicUsize,
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/dfe_stats").join(name))
        .unwrap()
}

fn ok_json(v: Value) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(v.to_string())
}

fn data_set(id: &str, title: &str, published: &str) -> Value {
    json!({ "id": id, "title": title, "summary": "", "status": "Published",
            "latestVersion": { "version": "1.0", "published": published, "totalResults": 100,
                               "timePeriods": { "start": "2017", "end": "2026" }, "geographicLevels": ["National", "Regional", "Local authority"] } })
}

fn meta(columns: &[&str]) -> Value {
    json!({ "indicators": columns.iter().map(|c| json!({ "id": format!("id-{c}"), "column": c, "label": c, "unit": "" })).collect::<Vec<_>>() })
}

async fn answer(req: HttpRequest, site: web::Data<Arc<Site>>) -> HttpResponse {
    let path = req.path().to_owned();
    match path.as_str() {
        "/ees/publications" => {
            if site.publication_requests.fetch_add(1, Ordering::SeqCst) == 0 {
                return HttpResponse::TooManyRequests().insert_header(("Retry-After", "0")).finish();
            }
            ok_json(json!({ "paging": { "page": 1, "pageSize": 40, "totalResults": 3, "totalPages": 1 }, "results": [
                { "id": "pub-csww", "slug": "children-s-social-work-workforce", "title": "Children’s social work workforce" },
                { "id": "pub-cla", "slug": "cla", "title": "Children looked after in England including adoptions" },
                { "id": "pub-cin", "slug": "cin", "title": "Children in need" },
            ] }))
        }
        "/ees/publications/pub-csww/data-sets" => ok_json(json!({ "results": [
            data_set("ds-csww-chars", "Social workers by characteristics", "2027-02-25T09:30:00Z"),
            data_set("ds-csww", "Children's social work workforce indicators", "2027-02-25T09:30:00Z"),
        ] })),
        "/ees/data-sets/ds-csww-chars/meta" => {
            HttpResponse::Ok().content_type("application/json").body("{\"indicators\": [trunc")
        }
        "/ees/data-sets/ds-csww/meta" => ok_json(meta(&[
            "inpost_fte",
            "turnover_rate_fte",
            "agency_rate_fte",
            "vacancy_rate_fte",
            "caseload_fte",
            "absence_rate_fte",
        ])),
        "/ees/data-sets/ds-csww/csv" => HttpResponse::Ok().content_type("text/csv").body(fixture("csww_2026.csv")),
        "/ees/publications/pub-cla/data-sets" => {
            ok_json(json!({ "results": [data_set("ds-cla", "CLA", "2026-11-20T09:30:00Z")] }))
        }
        "/ees/data-sets/ds-cla/meta" => ok_json(meta(&["rate_per_10000", "children_count", "population_estimate"])),
        "/ees/data-sets/ds-cla/csv" => {
            tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            HttpResponse::Ok().body("too late")
        }
        "/ees/publications/pub-cin/data-sets" => ok_json(json!({ "results": [
            data_set("ds-b1", "B1", "2026-10-30T09:30:00Z"), data_set("ds-c1", "C1", "2026-10-30T09:30:00Z"),
        ] })),
        "/ees/data-sets/ds-b1/meta" => ok_json(meta(&["At31_episodes"])),
        "/ees/data-sets/ds-c1/meta" => ok_json(meta(&["referral_count", "rereferral_percent"])),
        "/ees/data-sets/ds-b1/csv" => HttpResponse::InternalServerError().finish(),
        // Larger than a download may be (32 MiB).
        "/ees/data-sets/ds-c1/csv" => HttpResponse::Ok().body(vec![b'x'; 33 * 1024 * 1024]),
        "/api/content/government/collections/local-authority-revenue-expenditure-and-financing" => ok_json(json!({
            "links": { "documents": [ { "base_path": RELEASE }, { "base_path": "/government/statistics/council-tax-levels" } ] } })),
        p if p == format!("/api/content{RELEASE}") => ok_json(json!({
            "first_public_at": "2026-11-27T09:30:00Z",
            "details": { "attachments": [
                { "title": "RO1 data by LA", "url": "/media/ro1.ods" },
                { "title": "RO3: social care and public health", "url": "/media/ro3_2025-26.ods" } ] } })),
        "/media/ro3_2025-26.ods" => HttpResponse::Ok().body(fixture("ro3_2025-26.ods")),
        _ => HttpResponse::NotFound().finish(),
    }
}

fn serve(site: Arc<Site>) -> String {
    let data = web::Data::new(site);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || App::new().app_data(data.clone()).default_service(web::get().to(answer)))
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
    tokio::spawn(server);
    base
}

async fn fetch(db: &TestDb, ees: &str, govuk: &str) -> (bool, String, String) {
    let url = db.url_string.clone();
    let args: Vec<String> = [
        "fetch",
        "dfe-stats",
        "--ees-url",
        ees,
        "--govuk-url",
        govuk,
        "--rate",
        "100",
        "--timeout-secs",
        "1",
        "--retry-base-ms",
        "20",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    tokio::task::spawn_blocking(move || {
        let out =
            std::process::Command::new(testkit::lacs_binary()).args(&args).env("DATABASE_URL", url).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

both_backends_async! {
    async fn fetch_dfe_stats_from_an_imitation_of_ees_and_govuk(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let base = serve(Arc::new(Site::default()));
        let before = Dataset::load(&mut db.conn()).unwrap();
        let (ok, out, err) = fetch(&db, &format!("{base}/ees"), &base).await;
        assert!(ok, "{out}\n{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("dfe-stats", FetchStatus::Partial), "{run:?}");
        let errors = run.errors.join("\n");
        assert!(errors.contains("ds-csww-chars/meta: not the JSON expected"), "{errors}");
        assert!(errors.contains("ds-b1/csv: HTTP 500"), "{errors}");
        assert!(errors.contains("ds-c1/csv") && errors.contains("larger than the 32 MiB"), "{errors}");
        assert!(errors.contains("ds-cla/csv: timed out"), "{errors}");
        assert_eq!(run.errors.len(), 4, "{errors}");

        let ds = Dataset::load(&mut db.conn()).unwrap();
        // A new period, dated by the data set version that brought it.
        let new = figure(&ds, "agency_worker_rate", "2026", "E06000039").unwrap();
        assert_eq!((new.value.as_deref(), new.published.map(|d| d.to_string())), (Some("18.2"), Some("2027-02-25".into())));
        assert_eq!(new.provenance.source, "dfe-stats");
        assert!(new.provenance.source_url.ends_with("/ees/data-sets/ds-csww/csv"));
        assert_eq!(figure(&ds, "agency_worker_rate", "2026", "E92000001").unwrap().value.as_deref(), Some("13"));
        // A revised figure keeps its (unknown) first publication; the others of the period stay.
        let revised = figure(&ds, "social_worker_turnover_rate", "2025", "E06000039").unwrap();
        assert_eq!((revised.value.as_deref(), revised.published), (Some("23.4"), None));
        let count = |ds: &Dataset, id: &str, period: &str| ds.values_of_indicator(id).iter().filter(|v| v.period == period).count();
        assert_eq!(count(&ds, "social_worker_turnover_rate", "2025"), count(&before, "social_worker_turnover_rate", "2025"));
        // RO3: Barnsley under its current code, a suppression kept as such, districts left out.
        let slough = figure(&ds, "csc_spend_total", "2025-26", "E06000039").unwrap();
        assert_eq!((slough.value.as_deref(), slough.published.map(|d| d.to_string())), (Some("71234.5"), Some("2026-11-27".into())));
        assert_eq!(figure(&ds, "csc_spend_total", "2025-26", "E08000038").unwrap().value.as_deref(), Some("80001"));
        let family = figure(&ds, "csc_spend_family_support", "2025-26", "E06000039").unwrap();
        assert_eq!((family.value.as_deref(), family.suppressed.as_deref()), (None, Some("[x]")));
        assert_eq!(count(&ds, "csc_spend_total", "2025-26"), 2);

        let server = TestServer::start(&db);
        // The change feed: a period published, a period revised with the figure that changed.
        let feed = server.get_json(&format!("/v1/changes?since={}&limit=500", schema::query::changes::cursor_after(before.last_change_id())), 200).await;
        let events: Vec<(String, String)> = feed["data"].as_array().unwrap().iter()
            .map(|e| (e["event"].as_str().unwrap().to_owned(), e["record_id"].as_str().unwrap().to_owned())).collect();
        assert!(events.contains(&("indicator.period_published".into(), "agency_worker_rate/2026".into())), "{events:?}");
        assert!(events.contains(&("indicator.period_published".into(), "csc_spend_total/2025-26".into())), "{events:?}");
        assert!(events.contains(&("indicator.period_revised".into(), "social_worker_turnover_rate/2025".into())), "{events:?}");
        let revised = feed["data"].as_array().unwrap().iter().find(|e| e["record_id"] == "social_worker_turnover_rate/2025").unwrap();
        assert_eq!(revised["record"]["changed"], json!({ "E06000039": ["23.3", "23.4"] }), "{revised}");
        // as_at: the new period counts from its publication date.
        let series = |body: &Value| body["data"][0]["series"].as_array().unwrap().iter().map(|p| p["period"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
        let after = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate&as_at=2027-03-01", 200).await;
        assert_eq!(series(&after), ["2026"]);
        let earlier = server.get_json("/v1/local-authorities/slough/indicators?indicator=agency_worker_rate&as_at=2027-02-24", 200).await;
        assert_eq!(series(&earlier), Vec::<String>::new());
        drop(server);

        // A second run reads the same and changes nothing.
        let version = ds.version;
        let (ok, out, err) = fetch(&db, &format!("{base}/ees"), &base).await;
        assert!(ok, "{out}\n{err}");
        let report: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((report["counts"]["created"].as_i64(), report["counts"]["changed"].as_i64()), (Some(0), Some(0)), "{out}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, version);

        // An unreachable API is one failed run, and changes nothing.
        let (ok, out, err) = fetch(&db, "http://127.0.0.1:9", "http://127.0.0.1:9").await;
        assert!(!ok, "{out}");
        assert!(err.contains("cannot reach the Explore Education Statistics API"), "{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("dfe-stats", FetchStatus::Failed));
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, version);
    }
}
