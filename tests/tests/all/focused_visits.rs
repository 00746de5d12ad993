//! The 326 focused-visit letters of the bundled seed: listed with their dates and inspectors,
//! in each council's timeline (REST and GraphQL) in order, and, once the crawler reads the same
//! file under its Ofsted file id, one record that still answers to lacs's id.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use schema::Dataset;
use schema::domain::InspectionKind;
use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

/// Follows `links.next` to the end.
async fn walk(server: &TestServer, first: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(path) = next {
        let body = server.get_json(&path, 200).await;
        next = body["links"]["next"].as_str().map(str::to_owned);
        rows.extend(body["data"].as_array().unwrap().iter().cloned());
    }
    rows
}

async fn graphql(server: &TestServer, query: &str) -> Value {
    let r = server.client.post(format!("{}/graphql", server.base_url)).json(&json!({ "query": query })).send().await;
    let body: Value = r.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

both_backends_async! {
    async fn every_letter_is_listed_with_its_dates_and_inspectors_and_in_its_timeline(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        // The letters, not the focused visits only Ofsted's statistics state (`os-` ids).
        let visits: Vec<_> = walk(&server, "/v1/inspections?kind=focused_visit&limit=500").await
            .into_iter().filter(|v| !v["id"].as_str().unwrap().starts_with("os-")).collect();
        assert_eq!(visits.len(), 326, "every letter of data/seed/ofsted_focused_visits.csv");
        let councils: std::collections::HashSet<&str> =
            visits.iter().map(|v| v["local_authority"]["gss_code"].as_str().unwrap()).collect();
        assert_eq!(councils.len(), 149);
        for v in &visits {
            let id = v["id"].as_str().unwrap();
            assert!(id.starts_with("fv-") && !id.bytes().all(|b| b.is_ascii_digit()), "{id}");
            let (start, end, published) =
                (v["start_date"].as_str().unwrap(), v["end_date"].as_str().unwrap(), v["published"].as_str().unwrap());
            assert!(start <= end && end <= published, "{id}: {start} {end} {published}");
            let lead = v["lead_inspectors"].as_array().unwrap();
            let team = v["inspectors"].as_array().unwrap();
            assert_eq!(lead.len(), 1, "{id}");
            assert!(team.len() >= 2 && team.contains(&lead[0]), "{id}: {team:?}");
            assert!(v["theme"].is_string(), "{id}");
            assert_eq!(v["provenance"]["source"], "seed:ofsted_focused_visits.csv");
            assert_eq!(v["provenance"]["sha256"].as_str().unwrap().len(), 64);
            assert!(v["report_url"].as_str().unwrap().starts_with(
                "https://github.com/data-to-insight/ofsted-focused-visit-scrape-tool/blob/c91dee0a148a59d1ed59222be7f201c13badb0b2/export_data/"
            ));
        }

        // One letter as it reads (a labelled fixture: fetchers/tests/fixtures/ofsted-reports/80479-2024-03-06.pdf).
        let knowsley = server.get_json("/v1/inspections/fv-80479-2024-03-06", 200).await;
        assert_eq!(knowsley["local_authority"]["name"], "Knowsley");
        assert_eq!(knowsley["kind"], "focused_visit");
        assert_eq!((&knowsley["start_date"], &knowsley["end_date"]), (&json!("2024-01-31"), &json!("2024-02-01")));
        assert_eq!(knowsley["inspectors"], json!(["Rebekah Tucker", "Russel Breyer"]));
        assert_eq!(knowsley["theme"], "care_leavers");
        assert_eq!(knowsley["judgements"], json!({}));

        // Norfolk's timeline: its two visits between its inspections, everything in date order.
        let timeline = walk(&server, "/v1/local-authorities/norfolk/timeline?limit=3").await;
        // A date known only to its month or year is placed at the end of that period.
        let placed: Vec<String> = timeline
            .iter()
            .filter_map(|e| {
                let date = e["date"].as_str()?;
                Some(match e["date_precision"].as_str() {
                    Some("year") => format!("{}-12-31", &date[..4]),
                    Some("month") => format!("{}-31", &date[..7]),
                    _ => date.to_owned(),
                })
            })
            .collect();
        assert!(placed.windows(2).all(|w| w[0] <= w[1]), "{placed:?}");
        let visits: Vec<(&str, &str)> = timeline
            .iter()
            .filter(|e| e["inspection_kind"] == "focused_visit")
            .map(|e| (e["date"].as_str().unwrap(), e["href"].as_str().unwrap()))
            .collect();
        assert_eq!(visits, [
            ("2019-10-31", "/v1/inspections/fv-80418-2019-10-31"),
            ("2021-11-09", "/v1/inspections/fv-80418-2021-11-09")
        ]);
        let visit = timeline.iter().find(|e| e["inspection_kind"] == "focused_visit").unwrap();
        assert_eq!(visit["summary"], "Ofsted focused visit published: front door");
        let before = timeline.iter().position(|e| e["date"] == "2019-10-31").unwrap();
        assert!(timeline[..before].iter().any(|e| e["inspection_kind"] == "inspection"), "the 2017 inspection comes first");

        // GraphQL: the same entries, in the same order, each to its record.
        let d = graphql(&server, r#"{ localAuthority(id: "norfolk", asAt: "2026-06-30") {
            timeline(first: 20) { totalCount edges { node { date datePrecision event inspection { id kind startDate inspectors theme } } } } } }"#).await;
        assert!(d["localAuthority"]["timeline"]["totalCount"].as_u64().unwrap() <= 20, "one page holds it all");
        let nodes: Vec<&Value> = d["localAuthority"]["timeline"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        let placed: Vec<String> = nodes
            .iter()
            .filter_map(|n| {
                let date = n["date"].as_str()?;
                Some(match n["datePrecision"].as_str() {
                    Some("YEAR") => format!("{}-12-31", &date[..4]),
                    Some("MONTH") => format!("{}-31", &date[..7]),
                    _ => date.to_owned(),
                })
            })
            .collect();
        assert!(placed.windows(2).all(|w| w[0] <= w[1]), "{placed:?}");
        let visits: Vec<&Value> = nodes.iter().map(|n| &n["inspection"]).filter(|i| i["kind"] == "FOCUSED_VISIT").collect();
        assert_eq!(visits.len(), 2);
        assert_eq!(visits[0]["id"], "fv-80418-2019-10-31");
        assert_eq!(visits[0]["startDate"], "2019-10-08");
        assert_eq!(visits[0]["inspectors"], json!(["Nigel Parkes", "Marcie Taylor"]));
        assert_eq!(visits[0]["theme"], "FRONT_DOOR");
        assert_eq!(visits[1]["id"], "fv-80418-2021-11-09");
    }
}

/// The reports site as the crawler sees it: one provider page (Knowsley) listing one file.
async fn serve_one(file_id: &'static str, pdf: Vec<u8>) -> String {
    let pdf = Arc::new(pdf);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let pdf = pdf.clone();
        App::new()
            .route("/search", web::get().to(|q: web::Query<HashMap<String, String>>| async move {
                let first = q.get("start").is_none_or(|s| s == "0");
                let body = if first { r#"<li><h3><a href="/provider/44/80479">Knowsley</a></h3></li>"# } else { "" };
                HttpResponse::Ok().content_type("text/html").body(format!("<html><body><ul>{body}</ul></body></html>"))
            }))
            .route("/provider/44/{urn}", web::get().to(move || async move {
                HttpResponse::Ok().content_type("text/html").body(format!(
                    r#"<html><body><ul><li><a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/{file_id}">Children's services focused visit<span class="nonvisual">Children's services focused visit, PDF - 6 March 2024</span></a></li></ul></body></html>"#
                ))
            }))
            .route("/v1/file/{id}", web::get().to(move || {
                let pdf = pdf.clone();
                async move { HttpResponse::Ok().content_type("application/pdf").body(pdf.as_ref().clone()) }
            }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    base
}

both_backends_async! {
    async fn the_crawlers_reading_of_the_same_file_becomes_the_record_and_the_old_id_resolves(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let pdf = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/ofsted-reports/80479-2024-03-06.pdf")).unwrap();
        let before = Dataset::load(&mut db.conn()).unwrap();
        let bundled = before.inspection("fv-80479-2024-03-06").unwrap().clone();
        let base = serve_one("50245678", pdf).await;

        let url = db.url_string.clone();
        let archive = tempfile::tempdir().unwrap();
        let args: Vec<String> = [
            "--archive-dir", &archive.path().display().to_string(), "fetch", "ofsted", "--base-url", &base,
            "--files-base-url", &base, "--rate", "50", "--la", "knowsley",
        ].iter().map(|s| s.to_string()).collect();
        let fetch = move || {
            let (args, url) = (args.clone(), url.clone());
            tokio::task::spawn_blocking(move || {
                let out = std::process::Command::new(testkit::lacs_binary()).args(&args).env("DATABASE_URL", url).output().unwrap();
                (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
            })
        };
        let (ok, out, err) = fetch().await.unwrap();
        assert!(ok, "{out}\n{err}");

        // One record, under the file id, with the crawler's provenance; the bundled id is an alias.
        let mut conn = db.conn();
        let after = Dataset::load(&mut conn).unwrap();
        let record = after.inspection("50245678").unwrap();
        assert_eq!(record.kind, InspectionKind::FocusedVisit);
        assert_eq!(record.provenance.source, "ofsted");
        assert_eq!(record.provenance.sha256, bundled.provenance.sha256);
        assert_eq!((record.start_date, record.end_date, &record.inspectors), (bundled.start_date, bundled.end_date, &bundled.inspectors));
        assert_eq!(record.report_url, "https://files.ofsted.gov.uk/v1/file/50245678");
        // The statistics' statements of the visit stay with it.
        assert!(!bundled.statements.is_empty());
        assert_eq!(record.statements, bundled.statements);
        assert!(schema::stored::find_inspection(&mut conn, "fv-80479-2024-03-06").unwrap().is_none(), "not stored twice");
        assert_eq!(schema::stored::inspection_alias(&mut conn, "fv-80479-2024-03-06").unwrap().as_deref(), Some("50245678"));
        assert_eq!(after.inspection("fv-80479-2024-03-06").map(|i| i.id.as_str()), Some("50245678"));
        assert_eq!(after.inspections.len(), before.inspections.len(), "the same number of publications");
        let visits = after.inspections.iter().filter(|i| i.kind == InspectionKind::FocusedVisit && i.provenance.source != "ofsted-stats").count();
        assert_eq!(visits, 326);

        // The API answers the old id with the record under its file id, REST and GraphQL.
        let server = TestServer::start(&db);
        let old = server.get_json("/v1/inspections/fv-80479-2024-03-06", 200).await;
        assert_eq!(old["id"], "50245678");
        assert_eq!(old["inspectors"], json!(["Rebekah Tucker", "Russel Breyer"]));
        let d = graphql(&server, r#"{ inspection(id: "fv-80479-2024-03-06") { id kind } }"#).await;
        assert_eq!(d["inspection"], json!({"id": "50245678", "kind": "FOCUSED_VISIT"}));
        let timeline = walk(&server, "/v1/local-authorities/knowsley/timeline?limit=100").await;
        let hrefs: Vec<&str> = timeline.iter().filter(|e| e["date"] == "2024-03-06").map(|e| e["href"].as_str().unwrap()).collect();
        assert_eq!(hrefs, ["/v1/inspections/50245678"], "once in the timeline");
        drop(server);

        // Importing the seed again (its row for the letter unchanged) changes nothing, and the
        // record under the file id stands.
        let (ok, out, err) = testkit::run_lacs(&db, &["import", "seed"]);
        assert!(ok, "{out}\n{err}");
        let again = Dataset::load(&mut conn).unwrap();
        assert_eq!(again.version, after.version, "{out}");
        assert_eq!(again.inspection("fv-80479-2024-03-06").map(|i| i.id.as_str()), Some("50245678"));
    }
}

testkit::both_backends! {
    /// The letters' file is held to the seed's safety check: a few letters fewer go through, a
    /// file cut short is refused and changes nothing.
    fn a_letters_file_cut_short_is_refused(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = Dataset::load(&mut db.conn()).unwrap();
        let dir = testkit::seed_dir_copy();
        let file = dir.path().join("ofsted_focused_visits.csv");
        let import = |db: &TestDb| testkit::run_lacs(db, &["import", "seed", "--dir", dir.path().to_str().unwrap()]);

        testkit::keep_rows(&file, 100);
        let (ok, out, err) = import(&db);
        assert!(!ok, "{out}");
        let expected = format!("{}: importing it would remove 226 of the 326 focused-visit letters it publishes (more than 5%)", file.display());
        assert!(err.contains(&expected), "{err}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, before.version);

        // Six fewer (under 2%): imported, and those six are gone.
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed/ofsted_focused_visits.csv"), &file).unwrap();
        testkit::keep_rows(&file, 320);
        let (ok, out, err) = import(&db);
        assert!(ok, "{out}\n{err}");
        let after = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(after.inspections.iter().filter(|i| i.kind == InspectionKind::FocusedVisit && i.provenance.source != "ofsted-stats").count(), 320);
    }
}
