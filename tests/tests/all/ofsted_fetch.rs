//! `lacs fetch ofsted` against a local imitation of the reports site on 127.0.0.1: pagination,
//! provider pages, real PDFs, an HTML "Report not found" page, a 500 and a 429 that recover, a
//! timeout, a truncated PDF; then a second run that downloads nothing.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use schema::Dataset;
use schema::domain::{Area, FetchStatus, Grade, InspectionKind};
use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

/// A publication on the imitation site: file id, listing date, what a request for it gets.
type Listed = (&'static str, &'static str, Serve);

/// The imitation site: providers, their publications, and what each file request gets.
struct Site {
    /// URN and its publications.
    providers: Vec<(&'static str, Vec<Listed>)>,
    hits: Mutex<HashMap<String, usize>>,
    files_served: AtomicUsize,
}

#[derive(Clone, Copy)]
enum Serve {
    Pdf(&'static str),
    NotFoundPage,
    Truncated(&'static str),
    FailOnceWith500(&'static str),
    FailOnceWith429(&'static str),
    SlowOnce(&'static str),
    /// A PDF built by the test.
    Built(fn() -> Vec<u8>),
    /// 40 MiB, larger than a download may be.
    Oversized,
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/ofsted-reports").join(name))
        .unwrap()
}

impl Site {
    fn hit(&self, key: &str) -> usize {
        let mut hits = self.hits.lock().unwrap();
        let n = hits.entry(key.to_owned()).or_default();
        *n += 1;
        *n
    }
}

async fn search(req: HttpRequest, site: web::Data<Arc<Site>>) -> HttpResponse {
    let q: HashMap<String, String> = query_pairs(req.query_string());
    let start: usize = q.get("start").and_then(|s| s.parse().ok()).unwrap_or(0);
    let rows: usize = q.get("rows").and_then(|s| s.parse().ok()).unwrap_or(10).min(100);
    let links: String = site
        .providers
        .iter()
        .skip(start)
        .take(rows)
        .map(|(urn, _)| format!(r#"<li><h3><a href="/provider/44/{urn}">Council {urn}</a></h3></li>"#))
        .collect();
    HttpResponse::Ok().content_type("text/html").body(format!("<html><body><ul>{links}</ul></body></html>"))
}

fn query_pairs(q: &str) -> HashMap<String, String> {
    q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

async fn provider(path: web::Path<(String, String)>, site: web::Data<Arc<Site>>) -> HttpResponse {
    let (_, urn) = path.into_inner();
    let Some((_, pubs)) = site.providers.iter().find(|(u, _)| *u == urn) else {
        return HttpResponse::NotFound().finish();
    };
    testkit::imitation::provider_page(pubs.iter().map(|(id, date, _)| (*id, *date)))
}

async fn file(id: web::Path<String>, site: web::Data<Arc<Site>>) -> HttpResponse {
    let Some(serve) = site.providers.iter().flat_map(|(_, p)| p).find(|(i, _, _)| *i == id.as_str()).map(|p| p.2)
    else {
        return HttpResponse::NotFound().finish();
    };
    let n = site.hit(&id);
    let pdf = |name| {
        site.files_served.fetch_add(1, Ordering::SeqCst);
        HttpResponse::Ok().content_type("application/pdf").body(fixture(name))
    };
    match serve {
        Serve::Pdf(name) => pdf(name),
        Serve::NotFoundPage => {
            site.files_served.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Ok().content_type("text/html").body(
                "<!DOCTYPE html><html><head><title>Report not found</title></head><body>Sorry, the document you requested no longer exists</body></html>",
            )
        }
        Serve::Truncated(name) => {
            site.files_served.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Ok().content_type("application/pdf").body(fixture(name)[..2000].to_vec())
        }
        Serve::FailOnceWith500(name) if n > 1 => pdf(name),
        Serve::FailOnceWith500(_) => HttpResponse::InternalServerError().finish(),
        Serve::FailOnceWith429(name) if n > 1 => pdf(name),
        Serve::FailOnceWith429(_) => HttpResponse::TooManyRequests().insert_header(("Retry-After", "1")).finish(),
        Serve::SlowOnce(name) if n > 1 => pdf(name),
        Serve::SlowOnce(_) => {
            tokio::time::sleep(std::time::Duration::from_secs(4)).await;
            HttpResponse::Ok().finish()
        }
        Serve::Built(build) => {
            site.files_served.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Ok().content_type("application/pdf").body(build())
        }
        Serve::Oversized => {
            site.files_served.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Ok().content_type("application/pdf").body(vec![b' '; 40 << 20])
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

both_backends_async! {
    async fn crawl_the_site_through_every_fault(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let site = Arc::new(Site {
            providers: vec![
                ("80418", vec![("91000001", "18 May 2026", Serve::Pdf("80418-2026-05-18.pdf")), ("91000002", "20 October 2015", Serve::Pdf("80418-2015-10-20.pdf"))]),
                ("80461", vec![("91000004", "13 May 2025", Serve::FailOnceWith500("80461-2025-05-13.pdf"))]),
                ("80479", vec![("90000001", "6 March 2024", Serve::FailOnceWith429("80479-2024-03-06.pdf"))]),
                ("80490", vec![("50004185", "17 August 2012", Serve::NotFoundPage)]),
                ("80489", vec![("90000002", "17 June 2026", Serve::Truncated("80489-2026-06-17.pdf"))]),
                ("80450", vec![("90000003", "20 September 2016", Serve::SlowOnce("80450-2016-09-20.pdf"))]),
            ],
            hits: Mutex::new(HashMap::new()),
            files_served: AtomicUsize::new(0),
        });
        let data = web::Data::new(site.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/search", web::get().to(search))
                .route("/provider/{kind}/{urn}", web::get().to(provider))
                .route("/v1/file/{id}", web::get().to(file))
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);

        let archive = tempfile::tempdir().unwrap();
        let args = |extra: &[&str]| {
            let mut a = vec![
                "--archive-dir".to_owned(), archive.path().display().to_string(),
                "fetch".to_owned(), "ofsted".to_owned(), "--base-url".to_owned(), base.clone(),
                "--files-base-url".to_owned(), base.clone(), "--rate".to_owned(), "50".to_owned(),
                "--timeout-secs".to_owned(), "1".to_owned(), "--retry-base-ms".to_owned(), "50".to_owned(),
            ];
            a.extend(extra.iter().map(|s| s.to_string()));
            a
        };
        let fetch = |a: Vec<String>| {
            let url = db.url_string.clone();
            tokio::task::spawn_blocking(move || {
                let out = std::process::Command::new(testkit::lacs_binary()).args(&a).env("DATABASE_URL", url).output().unwrap();
                (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
            })
        };
        let before = Dataset::load(&mut db.conn()).unwrap();

        // A dry run downloads and parses but changes nothing.
        let (ok, out, err) = fetch(args(&["--dry-run", "--la", "norfolk"])).await.unwrap();
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("\"dry_run\": true"), "{out}");
        let after_dry = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(after_dry.version, before.version);
        assert!(after_dry.inspection("91000001").is_none() && before.inspection("91000001").is_none());

        let (ok, out, err) = fetch(args(&[])).await.unwrap();
        assert!(ok, "{out}\n{err}");
        let data = Dataset::load(&mut db.conn()).unwrap();
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("ofsted", FetchStatus::Partial), "{run:?}");
        assert!(run.errors.iter().any(|e| e.contains("document 50004185 unreadable") && e.contains("HTML page")), "{:?}", run.errors);
        assert!(run.errors.iter().any(|e| e.contains("document 90000002 unreadable")), "{:?}", run.errors);
        assert_eq!(run.errors.len(), 2, "the 500, the 429 and the timeout recovered: {:?}", run.errors);

        // Norfolk 2026 read by our parser, with provenance and an archived copy.
        let norfolk = data.inspection("91000001").unwrap();
        assert_eq!(norfolk.provenance.source, "ofsted");
        assert_eq!(norfolk.provenance.parser_version, fetchers::report::PARSER_VERSION);
        let bytes = fixture("80418-2026-05-18.pdf");
        assert_eq!(norfolk.provenance.sha256, sha256(&bytes));
        assert!(archive.path().join(format!("{}.pdf", sha256(&bytes))).exists());
        assert_eq!(norfolk.report_url, "https://files.ofsted.gov.uk/v1/file/91000001");
        assert_eq!(norfolk.published.to_string(), "2026-05-18");
        assert_eq!(norfolk.grade(Area::CareLeavers), Some(Grade::Outstanding));
        // A SIF report: all seven judgements.
        let sif = data.inspection("91000002").unwrap();
        assert_eq!(sif.judgements.len(), 7);
        assert_eq!(sif.grade(Area::Lscb), Some(Grade::RequiresImprovement));
        assert_eq!(sif.la, "E10000020");
        // Recovered after a 500, a 429 with Retry-After, and a timeout.
        let devon = data.inspection("91000004").unwrap();
        assert_eq!((devon.start_date.unwrap().to_string(), devon.second_end_date.unwrap().to_string()), ("2024-09-30".into(), "2025-01-16".into()));
        assert_eq!(data.inspection("90000001").unwrap().kind, InspectionKind::FocusedVisit);
        assert_eq!(data.inspection("90000003").unwrap().grade(Area::Adoption), Some(Grade::NotJudged));
        // The HTML page did not degrade the published record; the truncated file created nothing.
        assert_eq!(data.inspection("50004185"), before.inspection("50004185"));
        assert!(data.inspection("90000002").is_none());

        // Nothing new: no document is downloaded again, nothing changes.
        let served = site.files_served.load(Ordering::SeqCst);
        let (ok, out, err) = fetch(args(&[])).await.unwrap();
        assert!(ok, "{out}\n{err}");
        assert_eq!(site.files_served.load(Ordering::SeqCst), served, "{out}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, data.version);
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!(run.status, FetchStatus::Ok);

        // A site that cannot be reached fails the run and changes nothing.
        let dead = args(&[]).into_iter().map(|a| if a == base { "http://127.0.0.1:9".to_owned() } else { a }).collect();
        let (ok, out, err) = fetch(dead).await.unwrap();
        assert!(!ok, "{out}");
        assert!(err.contains("cannot reach the Ofsted reports site"), "{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!(run.status, FetchStatus::Failed);
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, data.version);
    }
}

fn bomb() -> Vec<u8> {
    testkit::pdfs::bomb(1024)
}

fn cmap32() -> Vec<u8> {
    testkit::pdfs::cmap_range(8)
}

fn huge_array() -> Vec<u8> {
    testkit::pdfs::huge_array(15_500_000)
}

fn echo() -> Vec<u8> {
    testkit::pdfs::echoing_object_stream(100_000, 100_000)
}

both_backends_async! {
    /// The crawler reads each document within the bounds `lacs parse-report` has: a bomb, a PDF
    /// the library panics on, a form that draws itself, a file too large to download, a CMap of
    /// four billion codes, an array of 15.5 million integers and a document built to pass the
    /// counts that outgrows its memory are each that document's error, and the run goes on to
    /// the next.
    async fn hostile_documents_are_errors_and_the_crawl_goes_on(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let site = Arc::new(Site {
            providers: vec![("80418", vec![
                ("91000011", "1 May 2026", Serve::Built(bomb)),
                ("91000012", "2 May 2026", Serve::Built(testkit::pdfs::without_fonts)),
                ("91000013", "3 May 2026", Serve::Built(testkit::pdfs::self_drawing_form)),
                ("91000014", "4 May 2026", Serve::Oversized),
                ("91000015", "5 May 2026", Serve::Built(cmap32)),
                ("91000016", "6 May 2026", Serve::Built(huge_array)),
                ("91000017", "7 May 2026", Serve::Built(echo)),
                ("91000001", "18 May 2026", Serve::Pdf("80418-2026-05-18.pdf")),
            ])],
            hits: Mutex::new(HashMap::new()),
            files_served: AtomicUsize::new(0),
        });
        let data = web::Data::new(site.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/search", web::get().to(search))
                .route("/provider/{kind}/{urn}", web::get().to(provider))
                .route("/v1/file/{id}", web::get().to(file))
        })
        .workers(2)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);

        let archive = tempfile::tempdir().unwrap();
        let args: Vec<String> = [
            "--archive-dir", &archive.path().display().to_string(), "fetch", "ofsted", "--base-url", &base,
            "--files-base-url", &base, "--rate", "50", "--retry-base-ms", "50", "--la", "norfolk",
        ].iter().map(|s| s.to_string()).collect();
        let url = db.url_string.clone();
        let (ok, out, err) = tokio::task::spawn_blocking(move || {
            // The address space capped as for parse-report: the bomb once took 2 GiB.
            let out = std::process::Command::new("sh")
                .arg("-c").arg("ulimit -v 1048576 && exec \"$@\"").arg("sh").arg(testkit::lacs_binary()).args(&args)
                .env("DATABASE_URL", url).env("RUST_LOG", "warn").output().unwrap();
            (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
        }).await.unwrap();
        assert!(ok, "{out}\n{err}");
        assert!(!err.contains("panicked at") && !err.contains("overflowed"), "{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("ofsted", FetchStatus::Partial), "{run:?}");
        let error = |id: &str| run.errors.iter().find(|e| e.contains(id)).cloned().unwrap_or_default();
        assert!(error("91000011").contains("document 91000011 unreadable") && error("91000011").contains("decompresses to more than 32 MiB"), "{:?}", run.errors);
        assert!(error("91000012").contains("the PDF library gave up"), "{:?}", run.errors);
        assert!(error("91000013").contains("its form XObjects invoke one another in a loop"), "{:?}", run.errors);
        assert!(error("91000014").contains("larger than the 32 MiB a download may be"), "{:?}", run.errors);
        assert!(error("91000015").contains("the PDF's character maps (CMaps) hold more than 1000000 entries"), "{:?}", run.errors);
        assert!(error("91000016").contains("the PDF holds more than 2000000 objects"), "{:?}", run.errors);
        assert!(error("91000017").contains("document 91000017 unreadable") && error("91000017").contains("reading the PDF ran out of its 512 MiB memory limit: stopped"), "{:?}", run.errors);
        assert_eq!(run.errors.len(), 7, "{:?}", run.errors);
        let data = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(data.inspection("91000001").unwrap().grade(Area::CareLeavers), Some(Grade::Outstanding));
        let hostile = ["91000011", "91000012", "91000013", "91000014", "91000015", "91000016", "91000017"];
        assert!(hostile.iter().all(|id| data.inspection(id).is_none()));
    }
}

/// Serves `site` on 127.0.0.1 and returns its address.
fn serve_site(site: Arc<Site>) -> String {
    let data = web::Data::new(site);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/search", web::get().to(search))
            .route("/provider/{kind}/{urn}", web::get().to(provider))
            .route("/v1/file/{id}", web::get().to(file))
    })
    .workers(2)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    base
}

/// Poole's SIF inspection published on 24 November 2017: only Ofsted's statistics state it.
const POOLE_OFFICIAL: &str = "os-E06000029-2017-11-24";

both_backends_async! {
    /// A record the crawler rewrites keeps the other sources' statements, with its discrepancies
    /// recomputed against the PDF's reading; a publication only the statistics stated becomes the
    /// PDF's record when the crawler finds it, and its `os-` id keeps resolving.
    async fn the_crawler_keeps_the_statistics_statements_and_takes_over_their_records(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        // Rochdale's 2018 ILACS report is a row of the scraper's CSV (lacs holds no PDF of it),
        // with three statements of the statistics. Poole's 2017 SIF report (the imitation serves
        // Norfolk's 2015 SIF report under its file id: another report's grades, listed then as
        // discrepancies) is stated by the statistics alone.
        let site = Arc::new(Site {
            providers: vec![
                ("80542", vec![("50000290", "12 March 2018", Serve::Pdf("80442-2018-01-29.pdf"))]),
                ("137316", vec![("91000050", "24 November 2017", Serve::Pdf("80418-2015-10-20.pdf"))]),
            ],
            hits: Mutex::new(HashMap::new()),
            files_served: AtomicUsize::new(0),
        });
        let base = serve_site(site);
        let before = Dataset::load(&mut db.conn()).unwrap();
        let rochdale_before = before.inspection("50000290").unwrap().clone();
        assert_eq!(rochdale_before.provenance.source, "seed:ofsted_csc_ilacs_history.csv");
        let official_before = |i: &schema::domain::Inspection| i.statements.iter().filter(|s| s.source == "ofsted-stats").cloned().collect::<Vec<_>>();
        assert_eq!(official_before(&rochdale_before).len(), 3);
        let poole_before = before.inspection(POOLE_OFFICIAL).unwrap().clone();
        assert!(!official_before(&poole_before).is_empty());

        let archive = tempfile::tempdir().unwrap();
        let args: Vec<String> = [
            "--archive-dir", &archive.path().display().to_string(), "fetch", "ofsted", "--base-url", &base,
            "--files-base-url", &base, "--rate", "50", "--retry-base-ms", "50",
        ].iter().map(|s| s.to_string()).collect();
        let crawl = || {
            let (args, url) = (args.clone(), db.url_string.clone());
            tokio::task::spawn_blocking(move || {
                let out = std::process::Command::new(testkit::lacs_binary()).args(&args).env("DATABASE_URL", url).output().unwrap();
                (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
            })
        };
        let (ok, out, err) = crawl().await.unwrap();
        assert!(ok, "{out}\n{err}");

        let mut conn = db.conn();
        let after = Dataset::load(&mut conn).unwrap();
        // Rochdale: the PDF's reading, the statistics' statements and the scraper's reading kept.
        let rochdale = after.inspection("50000290").unwrap();
        assert_eq!(rochdale.provenance.source, "ofsted");
        assert_ne!(rochdale.judgements, rochdale_before.judgements, "another report's reading");
        assert_eq!(official_before(rochdale), official_before(&rochdale_before));
        let scraper = rochdale.statements.iter().find(|s| s.source == "seed:ofsted_csc_ilacs_history.csv").unwrap();
        assert_eq!(scraper.judgements, rochdale_before.statements[0].judgements, "the scraper's own reading");
        let listed = rochdale.discrepancies();
        assert!(!listed.is_empty());
        for d in &listed {
            let area: Area = match d.field.parse() { Ok(a) => a, Err(_) => continue };
            // An area the new reading's framework does not judge is listed with an empty value.
            let value = (!d.value.is_empty()).then_some(d.value.as_str());
            assert_eq!(value, rochdale.grade(area).map(|g| g.as_str()), "against the new reading: {d:?}");
            assert_eq!(value.is_none(), !rochdale.framework_judges(area), "{d:?}");
        }

        // Poole: one record under the file id, with the statistics' statements; the os- id an alias.
        let poole = after.inspection("91000050").unwrap();
        assert_eq!(poole.provenance.source, "ofsted");
        assert_eq!(official_before(poole), official_before(&poole_before));
        assert!(schema::stored::find_inspection(&mut conn, POOLE_OFFICIAL).unwrap().is_none(), "not stored twice");
        assert_eq!(schema::stored::inspection_alias(&mut conn, POOLE_OFFICIAL).unwrap().as_deref(), Some("91000050"));
        assert_eq!(after.inspection(POOLE_OFFICIAL).map(|i| i.id.as_str()), Some("91000050"));
        assert_eq!(after.inspections.len(), before.inspections.len(), "the same number of publications");
        let server = TestServer::start(&db);
        let old = server.get_json(&format!("/v1/inspections/{POOLE_OFFICIAL}"), 200).await;
        assert_eq!(old["id"], "91000050");
        assert!(!old["statements"].as_array().unwrap().is_empty(), "{old}");
        let r = server.client.post(format!("{}/graphql", server.base_url))
            .json(&json!({ "query": format!(r#"{{ inspection(id: "{POOLE_OFFICIAL}") {{ id }} }}"#) })).send().await.unwrap();
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["data"]["inspection"]["id"], "91000050", "{body}");
        let list = server.get_json("/v1/inspections?la=E06000029&limit=500", 200).await;
        let ids: Vec<&str> = list["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"91000050") && !ids.contains(&POOLE_OFFICIAL), "{ids:?}");
        let rest = server.get_json("/v1/inspections/50000290", 200).await;
        assert_eq!(rest["statements"].as_array().unwrap().len(), rochdale.statements.len());
        assert_eq!(rest["discrepancies"].as_array().unwrap().len(), listed.len());
        drop(server);

        // A second crawl reads nothing new and changes nothing.
        let (ok, out, err) = crawl().await.unwrap();
        assert!(ok, "{out}\n{err}");
        assert_eq!(Dataset::load(&mut conn).unwrap().version, after.version, "{out}");
    }
}
