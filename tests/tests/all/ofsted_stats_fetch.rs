//! `lacs fetch ofsted-stats` against a local imitation of GOV.UK's Content API on 127.0.0.1,
//! serving the real bundled workbooks as the pages' ODS attachments: a page that answers 500 then
//! recovers, a workbook that times out once, the series' newest year not yet published (404), and
//! pages whose JSON is malformed, that have no ODS attachment, whose "ODS" is an HTML page, whose
//! workbook is larger than a download may be, and whose workbook is not in a layout lacs reads.
//! The bundled files fetched again change nothing; a republished workbook with one row corrected
//! changes that record alone, over the change feed; an unreachable site, or pages that all fail,
//! change nothing and are failed runs. Also: the seed's own correction (Staffordshire, 6 November
//! 2023, care leavers) is an `inspection.updated` change in the feed.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use schema::Dataset;
use schema::domain::{Area, FetchStatus, Grade};
use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

const PAGE_2023: &str = "/government/statistics/childrens-social-care-data-in-england-2023";
const SERIES: &str = "/government/statistics/local-authority-inspection-outcomes-as-at-31-march-";
const FILE_2023: &str = "Childrens_social_care_in_England_2023_underlying_data.ods";
const FILE_2025: &str = "LA_Inspection_Outcomes_as_at_31_March_2025.ods";
/// Northamptonshire's 17 June 2019 ILACS inspection: a record only the statistics state.
const NORTHAMPTONSHIRE: &str = "os-E10000021-2019-06-17";

#[derive(Default)]
struct Site {
    /// The 2025 workbook is served republished, with Northamptonshire's row corrected.
    republished: AtomicBool,
    /// Every page answers 500.
    broken: AtomicBool,
    hits: Mutex<HashMap<String, usize>>,
}

fn workbook(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/seed/official").join(name)).unwrap()
}

/// The 2025 edition with one cell changed: Northamptonshire's (E10000021) impact of leaders at
/// its 2019 inspection, "Requires improvement to be good" in the file, becomes "Inadequate".
fn republished_2025() -> Vec<u8> {
    let original = workbook(FILE_2025);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == "content.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            let at = xml.find("<text:p>E10000021</text:p>").expect("Northamptonshire's row");
            let ri = "<text:p>Requires improvement to be good</text:p>";
            let cell = at + xml[at..].find(ri).unwrap();
            bytes = format!("{}<text:p>Inadequate</text:p>{}", &xml[..cell], &xml[cell + ri.len()..]).into_bytes();
        }
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn ro3() -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/dfe_stats/ro3_2025-26.ods"),
    )
    .unwrap()
}

fn page(attachments: &[(&str, &str, &str)]) -> HttpResponse {
    let attachments: Vec<Value> = attachments
        .iter()
        .map(|(url, filename, content_type)| {
            json!({ "attachment_type": "file", "id": filename, "title": filename, "url": url,
                    "content_type": content_type, "filename": filename, "accessible": false })
        })
        .collect();
    let body = json!({ "base_path": "/government/statistics/x", "document_type": "official_statistics",
                       "schema_name": "publication", "title": "Statistics", "locale": "en",
                       "details": { "attachments": attachments, "featured_attachments": [] }, "links": {} });
    HttpResponse::Ok().content_type("application/json; charset=utf-8").body(body.to_string())
}

const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
const PDF: &str = "application/pdf";

async fn answer(req: HttpRequest, site: web::Data<Arc<Site>>) -> HttpResponse {
    let path = req.path().to_owned();
    let n = {
        let mut hits = site.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    if site.broken.load(Ordering::SeqCst) && path.starts_with("/api/content") {
        return HttpResponse::InternalServerError().finish();
    }
    let ods = |bytes: Vec<u8>| HttpResponse::Ok().content_type(ODS).body(bytes);
    match path.trim_start_matches("/api/content") {
        PAGE_2023 if n == 1 => HttpResponse::InternalServerError().finish(),
        PAGE_2023 => page(&[
            ("/media/a1/methodology.pdf", "methodology.pdf", PDF),
            (&format!("/media/a2/{FILE_2023}"), FILE_2023, ODS),
        ]),
        p if p == format!("{SERIES}2026") => HttpResponse::NotFound().finish(),
        // GOV.UK gives attachments' addresses in full.
        p if p == format!("{SERIES}2025") => {
            let host = req.connection_info().host().to_owned();
            page(&[(&format!("http://{host}/media/b1/{FILE_2025}"), FILE_2025, ODS)])
        }
        "/broken-json" => {
            HttpResponse::Ok().content_type("application/json").body("{\"details\": {\"attachments\": [tr")
        }
        "/no-ods" => page(&[("/media/c1/main-findings.pdf", "main-findings.pdf", PDF)]),
        "/not-ods" => page(&[("/media/d1/underlying.ods", "underlying.ods", ODS)]),
        "/oversized" => page(&[("/media/e1/huge.ods", "huge.ods", ODS)]),
        "/unknown-layout" => page(&[("/media/f1/RO3.ods", "RO3.ods", ODS)]),
        p if p == format!("/media/a2/{FILE_2023}") => ods(workbook(FILE_2023)),
        p if p == format!("/media/b1/{FILE_2025}") => {
            if n == 1 {
                // Longer than the client waits: retried.
                tokio::time::sleep(std::time::Duration::from_secs(3)).await;
            }
            ods(if site.republished.load(Ordering::SeqCst) { republished_2025() } else { workbook(FILE_2025) })
        }
        "/media/d1/underlying.ods" => {
            HttpResponse::Ok().content_type("text/html").body("<html><body>Page not found</body></html>")
        }
        "/media/e1/huge.ods" => ods(vec![b'P'; 40 << 20]),
        "/media/f1/RO3.ods" => ods(ro3()),
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

async fn fetch(db: &TestDb, govuk: &str, pages: &[&str], extra: &[&str]) -> (bool, String, String) {
    let url = db.url_string.clone();
    let mut args: Vec<String> = [
        "fetch",
        "ofsted-stats",
        "--govuk-url",
        govuk,
        "--series-latest-year",
        "2026",
        "--series-years",
        "2",
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
    for p in pages {
        args.extend(["--page".to_owned(), (*p).to_owned()]);
    }
    args.extend(extra.iter().map(|s| s.to_string()));
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

const FAULTS: [&str; 6] = [PAGE_2023, "/broken-json", "/no-ods", "/not-ods", "/oversized", "/unknown-layout"];

both_backends_async! {
    async fn fetch_ofsted_stats_from_an_imitation_of_govuk(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let site = Arc::new(Site::default());
        let base = serve(site.clone());
        let before = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(before.inspection(NORTHAMPTONSHIRE).unwrap().grade(Area::ImpactOfLeaders), Some(Grade::RequiresImprovement));

        // The bundled files, fetched through every fault: the others are each one error, and the
        // files the seed already holds change nothing.
        let (ok, out, err) = fetch(&db, &base, &FAULTS, &[]).await;
        assert!(ok, "{out}\n{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("ofsted-stats", FetchStatus::Partial), "{run:?}");
        let errors = run.errors.join("\n");
        assert!(errors.contains("/broken-json: not the JSON expected"), "{errors}");
        assert!(errors.contains("/no-ods: no .ods attachment"), "{errors}");
        assert!(errors.contains("underlying.ods: not an ODS file"), "{errors}");
        assert!(errors.contains("huge.ods") && errors.contains("larger than the 32 MiB"), "{errors}");
        assert!(errors.contains("RO3.ods: no sheet of inspections"), "{errors}");
        assert_eq!(run.errors.len(), 5, "the 500 and the timeout recovered, 2026 is not out yet: {errors}");
        let report: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["files"].as_array().unwrap().len(), 2, "{out}");
        assert!(report["files"][1].as_str().unwrap().ends_with(&format!("/media/b1/{FILE_2025}")), "{out}");
        assert_eq!(report["statements"]["rows"], 1105, "569 rows of 2023, 536 of 2025: {out}");
        assert_eq!((report["counts"]["created"].as_i64(), report["counts"]["changed"].as_i64()), (Some(0), Some(0)), "{out}");
        let same = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(same.version, before.version);
        assert_eq!(same.inspections.len(), before.inspections.len());

        // The 2025 workbook republished with one row corrected: a dry run counts the change and
        // keeps nothing; the run changes that record alone.
        site.republished.store(true, Ordering::SeqCst);
        let (ok, out, err) = fetch(&db, &base, &[PAGE_2023], &["--dry-run"]).await;
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("\"dry_run\": true"), "{out}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["counts"]["changed"], 1, "{out}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, before.version);
        let (ok, out, err) = fetch(&db, &base, &[PAGE_2023], &[]).await;
        assert!(ok, "{out}\n{err}");
        let report: Value = serde_json::from_str(&out).unwrap();
        assert_eq!((report["counts"]["created"].as_i64(), report["counts"]["changed"].as_i64()), (Some(0), Some(1)), "{out}");
        let after = Dataset::load(&mut db.conn()).unwrap();
        let changed: Vec<&str> = after.inspections.iter()
            .filter(|i| before.inspection(&i.id) != Some(*i)).map(|i| i.id.as_str()).collect();
        assert_eq!(changed, [NORTHAMPTONSHIRE]);
        let record = after.inspection(NORTHAMPTONSHIRE).unwrap();
        assert_eq!(record.grade(Area::ImpactOfLeaders), Some(Grade::Inadequate), "the newest edition's reading");
        let statement = record.statements.iter().find(|s| s.locator.starts_with(FILE_2025)).unwrap();
        assert!(statement.source_url.ends_with(&format!("/media/b1/{FILE_2025}")), "{statement:?}");
        assert_eq!(statement.sha256, sha256(&republished_2025()));
        assert!(statement.locator.contains("sheet ILACS_inspection_history, row 168"), "{statement:?}");
        // The 2023 file still says requires improvement: a listed discrepancy.
        assert!(record.discrepancies().iter().any(|d| d.field == "impact_of_leaders"
            && d.value == "inadequate" && d.other_value == "requires_improvement" && d.other_locator.starts_with(FILE_2023)),
            "{:?}", record.discrepancies());

        // Over the change feed: an inspection.updated with both values.
        let server = TestServer::start(&db);
        let since = schema::query::changes::cursor_after(before.last_change_id());
        let feed = server.get_json(&format!("/v1/changes?since={since}&event=inspection.updated&limit=500"), 200).await;
        let events = feed["data"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{feed}");
        assert_eq!(events[0]["record_id"], NORTHAMPTONSHIRE);
        let judgements = &events[0]["changes"]["judgements"];
        let grade = |v: &Value| v.as_array().unwrap().iter().find(|j| j["area"] == "impact_of_leaders").unwrap()["grade"].clone();
        assert_eq!((grade(&judgements["before"]), grade(&judgements["after"])), (json!("requires_improvement"), json!("inadequate")), "{}", events[0]);
        let served = server.get_json(&format!("/v1/inspections/{NORTHAMPTONSHIRE}"), 200).await;
        assert_eq!(served["judgements"]["impact_of_leaders"], "inadequate", "{served}");
        drop(server);

        // Again: nothing new.
        let (ok, out, err) = fetch(&db, &base, &[PAGE_2023], &[]).await;
        assert!(ok, "{out}\n{err}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, after.version, "{out}");

        // Pages that all fail, and a site that cannot be reached: failed runs that change nothing.
        site.broken.store(true, Ordering::SeqCst);
        let (ok, out, err) = fetch(&db, &base, &[PAGE_2023], &[]).await;
        assert!(!ok, "{out}");
        assert!(err.contains("no workbook read"), "{err}");
        let (ok, out, err) = fetch(&db, "http://127.0.0.1:9", &[PAGE_2023], &[]).await;
        assert!(!ok, "{out}");
        assert!(err.contains("cannot reach GOV.UK"), "{err}");
        let runs = schema::stored::recent_runs(&mut db.conn(), 2).unwrap();
        assert!(runs.iter().all(|r| r.source == "ofsted-stats" && r.status == FetchStatus::Failed), "{runs:?}");
        let last = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(last.version, after.version);
        assert_eq!(last.inspections, after.inspections);
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

both_backends_async! {
    /// The bundled 2025 edition corrects the 2024 edition's care leavers judgement of
    /// Staffordshire's 6 November 2023 inspection: in the change log that is an update of the
    /// record with both editions' statements, the report's reading standing and the 2024
    /// edition's listed as a discrepancy.
    async fn the_statistics_correcting_themselves_is_an_update_in_the_feed(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let feed = server.get_json("/v1/changes?la=staffordshire&event=inspection.updated&limit=500", 200).await;
        let events: Vec<&Value> = feed["data"].as_array().unwrap().iter().filter(|e| e["record_id"] == "50237007").collect();
        assert_eq!(events.len(), 1, "{feed}");
        let statements = &events[0]["changes"]["statements"];
        let care_leavers = |v: &Value, file: &str| -> Vec<String> {
            v.as_array().unwrap().iter()
                .filter(|s| s["locator"].as_str().unwrap().starts_with(file))
                .map(|s| s["judgements"].as_array().unwrap().iter().find(|j| j["area"] == "care_leavers").unwrap()["grade"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(care_leavers(&statements["before"], "LA_Inspection_Outcomes_as_at_March_2024.ods"), ["good", "good", "good"], "{}", events[0]);
        assert_eq!(care_leavers(&statements["before"], FILE_2025), Vec::<String>::new());
        assert_eq!(care_leavers(&statements["after"], FILE_2025), ["requires_improvement", "requires_improvement"], "{}", events[0]);
        let record = server.get_json("/v1/inspections/50237007", 200).await;
        assert_eq!(record["judgements"]["care_leavers"], "requires_improvement");
        let listed = record["discrepancies"].as_array().unwrap();
        assert!(listed.iter().any(|d| d["field"] == "care_leavers" && d["other_value"] == "good"), "{record}");
        // The publication appears once in the feed as published, then once as corrected.
        let all = server.get_json("/v1/changes?la=staffordshire&limit=500", 200).await;
        let published = all["data"].as_array().unwrap().iter()
            .filter(|e| e["record_id"] == "50237007" && e["event"] == "inspection.published").count();
        assert_eq!(published, 1);
    }
}

both_backends_async! {
    /// The statements and discrepancies in the release (`inspection_statements`,
    /// `inspection_discrepancies`, one row each) and in the inspection list's CSV (a count and one
    /// cell of discrepancies): Staffordshire's 2023 inspection, and every record's.
    async fn statements_and_discrepancies_are_in_the_csv_exports(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let ds = Dataset::load(&mut db.conn()).unwrap();
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("release");
        let (ok, stdout, err) = testkit::run_lacs(&db, &["export", "--out", dir.to_str().unwrap()]);
        assert!(ok, "{stdout}\n{err}");
        let read = |name: &str| -> Vec<csv::StringRecord> {
            csv::Reader::from_path(dir.join(name)).unwrap().records().map(|r| r.unwrap()).collect()
        };
        let statements = read("inspection_statements.csv");
        assert_eq!(statements.len(), ds.inspections.iter().map(|i| i.statements.len()).sum::<usize>());
        let discrepancies = read("inspection_discrepancies.csv");
        assert_eq!(discrepancies.len(), ds.inspections.iter().map(|i| i.discrepancies().len()).sum::<usize>());
        assert!(discrepancies.len() > 10);
        let staffs: Vec<&csv::StringRecord> = statements.iter().filter(|r| &r[0] == "50237007").collect();
        assert_eq!(staffs.len(), ds.inspection("50237007").unwrap().statements.len());
        assert!(staffs.iter().any(|r| &r[2] == "ofsted-stats" && r[4].starts_with("LA_Inspection_Outcomes_as_at_March_2024.ods")
            && r[9].contains("care_leavers=good")), "{staffs:?}");
        let row: Vec<&str> = discrepancies.iter().find(|r| &r[0] == "50237007" && &r[2] == "care_leavers").unwrap().iter().collect();
        assert_eq!(&row[..6], ["50237007", "E10000028", "care_leavers", "requires_improvement", "good", "ofsted-stats"]);

        let server = TestServer::start(&db);
        let text = server.get("/v1/inspections?la=staffordshire&format=csv").await.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        let staffs = rows.iter().find(|r| &r[0] == "50237007").unwrap();
        assert_eq!(staffs[column("statements")].parse::<usize>().unwrap(), ds.inspection("50237007").unwrap().statements.len());
        assert!(staffs[column("discrepancies")].contains(
            "care_leavers: requires_improvement here, good in ofsted-stats (LA_Inspection_Outcomes_as_at_March_2024.ods, sheet"),
            "{}", &staffs[column("discrepancies")]);
    }
}
