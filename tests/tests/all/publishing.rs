//! Publishing: releases (export, manifest, downloads), the change feed across a fetch run,
//! Atom feeds, badges and the archive, end to end on both backends.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};
use testkit::{Contents, TestDb, TestServer, both_backends, both_backends_async, run_lacs};

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn checksums(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), sha256(&std::fs::read(&p).unwrap())))
        .collect()
}

both_backends_async! {
    async fn export_is_deterministic_and_complete(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let out = tempfile::tempdir().unwrap();
        let (a, b) = (out.path().join("a"), out.path().join("b"));
        for dir in [&a, &b] {
            let (ok, stdout, stderr) = run_lacs(&db, &["export", "--out", dir.to_str().unwrap()]);
            assert!(ok, "{stdout}\n{stderr}");
        }
        assert_eq!(checksums(&a), checksums(&b), "the same version exports byte-identical files");

        let manifest: Value = serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["dataset_version"], 1);
        assert_eq!(manifest["licence"], "Open Government Licence v3.0");
        assert_eq!(manifest["row_counts"]["inspections"], 1069);
        assert_eq!(manifest["row_counts"]["judgements"], 3006);
        assert_eq!(manifest["row_counts"]["interventions"], 142);
        assert_eq!(manifest["row_counts"]["local_authorities"], 158);
        assert_eq!(manifest["row_counts"]["indicators"], 24);
        assert_eq!(manifest["row_counts"]["indicator_values"], 23154);
        assert!(!manifest["sources"].as_array().unwrap().is_empty());
        let files = manifest["files"].as_array().unwrap();
        assert_eq!(files.len(), 19, "nine tables in CSV and NDJSON, and SQLite");
        for f in files {
            let bytes = std::fs::read(a.join(f["name"].as_str().unwrap())).unwrap();
            assert_eq!(f["sha256"].as_str().unwrap(), sha256(&bytes), "{}", f["name"]);
            assert_eq!(f["bytes"].as_u64().unwrap(), bytes.len() as u64);
        }
        let csv_rows = csv::Reader::from_path(a.join("inspections.csv")).unwrap().records().count();
        assert_eq!(csv_rows, 1069);
        let ndjson = std::fs::read_to_string(a.join("interventions.ndjson")).unwrap();
        assert_eq!(ndjson.lines().count(), 142);
        let first: Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
        assert!(first["source_urls"].as_str().unwrap().starts_with("http"));

        // The SQLite export opens as it is, with foreign keys that hold.
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Count { #[diesel(sql_type = diesel::sql_types::BigInt)] n: i64 }
        let mut conn = diesel::SqliteConnection::establish(a.join("lacs.sqlite").to_str().unwrap()).unwrap();
        let count = |conn: &mut diesel::SqliteConnection, sql: &str| diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n;
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM inspections"), 1069);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM judgements j JOIN inspections i ON i.id = j.inspection_id"), 3006);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM interventions v JOIN local_authorities l ON l.gss_code = v.la"), 142);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM pragma_foreign_key_check"), 0);
        assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'inspections_la'"), 1);
    }
}

/// A copy of the seed with one intervention removed and one inspection's grade changed.
fn edited_seed() -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed");
    let dir = tempfile::tempdir().unwrap();
    for name in fetchers::seed::FILES {
        std::fs::copy(src.join(name), dir.path().join(name)).unwrap();
    }
    let interventions = std::fs::read_to_string(src.join("interventions_seed.csv")).unwrap();
    let mut lines: Vec<&str> = interventions.lines().collect();
    lines.remove(1);
    std::fs::write(dir.path().join("interventions_seed.csv"), lines.join("\n")).unwrap();
    // Norfolk, January 2023: a corrected impact-of-leaders grade.
    let history = std::fs::read_to_string(src.join("ofsted_csc_ilacs_history.csv")).unwrap();
    let line = history.lines().find(|l| l.contains("file/50204404")).unwrap().to_owned();
    let corrected = line.replacen(",good,good,good,good,", ",good,outstanding,good,good,", 1);
    assert_ne!(line, corrected);
    std::fs::write(dir.path().join("ofsted_csc_ilacs_history.csv"), history.replacen(&line, &corrected, 1)).unwrap();
    dir
}

async fn follow(server: &TestServer, since: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut next = Some(format!("/v1/changes?limit=100&since={since}"));
    while let Some(path) = next {
        let page = server.get_json(&path, 200).await;
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    events
}

both_backends_async! {
    async fn a_release_then_the_feed_sees_every_change_once(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let data_dir = tempfile::tempdir().unwrap();
        let server = TestServer::start_with(&db, &[("LACS_DATA_DIR", data_dir.path().to_str().unwrap())]);

        // Download the release.
        let releases = server.get_json("/v1/datasets", 200).await;
        let latest = &releases["data"][0];
        let manifest = &latest["manifest"];
        assert_eq!(manifest["dataset_version"], 1);
        let cursor = manifest["change_cursor"].as_str().unwrap().to_owned();
        let r = server.get("/v1/datasets/latest/interventions.ndjson").await;
        assert_eq!(r.status(), 200);
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        let length: usize = r.headers()["content-length"].to_str().unwrap().parse().unwrap();
        let body = r.bytes().await.unwrap();
        assert_eq!(body.len(), length);
        let listed = manifest["files"].as_array().unwrap().iter().find(|f| f["name"] == "interventions.ndjson").unwrap();
        assert_eq!(listed["sha256"].as_str().unwrap(), sha256(&body));
        let released: HashSet<String> = std::str::from_utf8(&body).unwrap().lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(released.len(), 142);
        let partial = server.client.get(format!("{}/v1/datasets/latest/lacs.sqlite", server.base_url))
            .header("range", "bytes=0-15").send().await.unwrap();
        assert_eq!(partial.status(), 206);
        assert_eq!(partial.bytes().await.unwrap().as_ref(), b"SQLite format 3\0");
        let again = server.client.get(format!("{}/v1/datasets/latest/interventions.ndjson", server.base_url))
            .header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), 304);

        // A fetch run changes the data before the client first calls the feed.
        let seed = edited_seed();
        let (ok, out, err) = run_lacs(&db, &["--data-dir", data_dir.path().to_str().unwrap(), "import", "seed", "--dir", seed.path().to_str().unwrap()]);
        assert!(ok, "{out}\n{err}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        // The import is one run in one transaction: one version (2).
        while server.get_json("/v1/meta", 200).await["dataset_version"] != 2 {
            assert!(std::time::Instant::now() < deadline, "not reloaded");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }

        // Following the feed from the release's cursor gives exactly that run's changes, once each.
        let events = follow(&server, &cursor).await;
        let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(kinds.contains(&"intervention.withdrawn"));
        assert!(kinds.contains(&"inspection.updated"));
        let ids: HashSet<i64> = events.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.len(), events.len());
        let updated = events.iter().find(|e| e["event"] == "inspection.updated").unwrap();
        assert_eq!(updated["record_id"], "50204404");
        // Ofsted's statistics state that inspection's grades, so the record keeps them; the
        // scraper's corrected row is its statement, and that is what changed.
        assert!(updated["changes"]["judgements"].is_null(), "{updated}");
        let changed = &updated["changes"]["statements"];
        assert!(!changed["before"].to_string().contains("outstanding") && changed["after"].to_string().contains("outstanding"), "{changed}");
        assert!(updated["fetch_run"]["id"].as_i64().unwrap() > 1, "not the seeded template's run");

        // Release + feed = the current data.
        let withdrawn: Vec<String> = events.iter().filter(|e| e["event"] == "intervention.withdrawn").map(|e| e["record_id"].as_str().unwrap().to_owned()).collect();
        let now: HashSet<String> = server.get_json("/v1/interventions?limit=500", 200).await["data"].as_array().unwrap().iter()
            .map(|i| i["id"].as_str().unwrap().to_owned()).collect();
        let rebuilt: HashSet<String> = released.difference(&withdrawn.into_iter().collect()).cloned().collect();
        assert_eq!(rebuilt, now);

        // The whole log from the start, walked in pages, has no gaps or repeats; a new release was cut.
        let all = follow(&server, "").await;
        let all_ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(all_ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(all_ids.len() as i64, server.get_json("/v1/meta", 200).await["counts"]["changes"].as_i64().unwrap());
        // (The release is cut just after the new version is served, so it may trail it a moment.)
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while server.get_json("/v1/datasets", 200).await["data"][0]["manifest"]["dataset_version"] != 2 {
            assert!(std::time::Instant::now() < deadline, "no release of version 2 was cut");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let one = server.get_json(&format!("/v1/changes/{}", all_ids[0]), 200).await;
        assert_eq!(one["id"], all_ids[0]);

        // Tampered cursors and unknown events are refused.
        let tampered = format!("{}A{}", &cursor[..3], &cursor[4..]);
        let r = server.get(&format!("/v1/changes?since={tampered}")).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.json::<Value>().await.unwrap()["parameter"], "since");
        assert_eq!(server.get("/v1/changes?event=inspection.exploded").await.status(), 400);
        assert_eq!(server.get("/v1/datasets/latest/passwords.txt").await.status(), 404);
        assert_eq!(server.get("/v1/datasets/99/inspections.csv").await.status(), 404);
    }
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.tag_name().name() == name)
}

fn xml(text: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{text}"))
}

both_backends_async! {
    async fn atom_badges_and_archive(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let archive = tempfile::tempdir().unwrap();
        // Archive the history file under its SHA-256: every seed inspection cites that document.
        let history = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed/ofsted_csc_ilacs_history.csv")).unwrap();
        let sha = sha256(&history);
        std::fs::write(archive.path().join(format!("{sha}.pdf")), &history).unwrap();
        let server = TestServer::start_with(&db, &[("LACS_ARCHIVE_DIR", archive.path().to_str().unwrap())]);

        let inspection = server.get_json("/v1/inspections/50204404", 200).await;
        assert_eq!(inspection["provenance"]["archive_url"], format!("/v1/archive/{sha}.pdf"));
        let copy = server.get(&format!("/v1/archive/{sha}.pdf")).await;
        assert_eq!(copy.status(), 200);
        assert_eq!(sha256(&copy.bytes().await.unwrap()), sha);
        assert_eq!(server.get(&format!("/v1/archive/{}.pdf", "0".repeat(64))).await.status(), 404);
        assert_eq!(server.get("/v1/archive/..%2F..%2Fetc%2Fpasswd").await.status(), 404);
        let intervention = server.get_json("/v1/interventions?limit=1", 200).await;
        assert!(intervention["data"][0]["provenance"]["archive_url"].is_null());

        const ATOM: &str = "http://www.w3.org/2005/Atom";
        for path in ["/v1/feeds/changes.atom", "/v1/feeds/inadequate.atom", "/v1/regions/South%20West/feed.atom", "/v1/local-authorities/norfolk/feed.atom"] {
            let r = server.get(path).await;
            assert_eq!(r.status(), 200, "{path}");
            assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
            let text = r.text().await.unwrap();
            let doc = xml(&text);
            let feed = doc.root_element();
            assert_eq!(feed.tag_name().name(), "feed");
            assert_eq!(feed.tag_name().namespace(), Some(ATOM));
            for required in ["id", "title", "updated", "author"] {
                assert!(child(feed, required).is_some(), "{path}: feed has no {required}");
            }
            let entries: Vec<_> = feed.children().filter(|c| c.tag_name().name() == "entry").collect();
            assert!(!entries.is_empty(), "{path}");
            for e in &entries {
                for required in ["id", "title", "updated", "link"] {
                    assert!(child(*e, required).is_some(), "{path}: entry has no {required}");
                }
                let updated = child(*e, "updated").unwrap().text().unwrap();
                assert!(chrono::DateTime::parse_from_rfc3339(updated).is_ok(), "{updated}");
                let href = child(*e, "link").unwrap().attribute("href").unwrap();
                let local = href.strip_prefix(&server.base_url).unwrap_or_else(|| panic!("{href} is not absolute on this server"));
                assert_eq!(server.get(local).await.status(), 200, "{href}");
            }
        }
        // Forwarded headers are not trusted for links: they would poison the shared cache.
        let forwarded = server.client.get(format!("{}/v1/feeds/changes.atom", server.base_url))
            .header("x-forwarded-host", "evil.example").header("forwarded", "host=evil.example;proto=https")
            .send().await.unwrap().text().await.unwrap();
        assert!(!forwarded.contains("evil.example"));
        let norfolk_feed = server.get("/v1/local-authorities/norfolk/feed.atom").await.text().await.unwrap();
        assert!(norfolk_feed.contains("Norfolk") && !norfolk_feed.contains("Suffolk:"));
        let inadequate = server.get("/v1/feeds/inadequate.atom").await.text().await.unwrap();
        assert!(inadequate.contains("inadequate"));

        // Badges: well-formed, accessible SVG whose text matches the API.
        let la = server.get_json("/v1/local-authorities/norfolk?as_at=2024-01-01", 200).await;
        let r = server.get("/v1/local-authorities/norfolk/badge.svg?as_at=2024-01-01").await;
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("image/svg+xml"));
        assert!(r.headers()["etag"].to_str().unwrap().starts_with('"'));
        let svg = r.text().await.unwrap();
        let doc = xml(&svg);
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(root.attribute("role"), Some("img"));
        let title = root.children().find(|c| c.tag_name().name() == "title").unwrap().text().unwrap();
        assert!(title.starts_with("Norfolk children's services: Overall effectiveness: Good"), "{title}");
        assert_eq!(la["status"]["latest_grades"]["overall_effectiveness"], "good");
        let desc = root.children().find(|c| c.tag_name().name() == "desc").unwrap().text().unwrap();
        assert!(desc.contains("13 January 2023") && desc.contains("As at 1 January 2024"), "{desc}");
        assert!(desc.contains(la["latest_inspection"]["report_url"].as_str().unwrap()));
        assert!(!svg.contains("<script") && !svg.contains("@import") && !svg.contains("href="), "self-contained");
        let chart = server.get("/v1/local-authorities/slough/timeline.svg").await.text().await.unwrap();
        let doc = xml(&chart);
        assert!(doc.root_element().children().any(|c| c.tag_name().name() == "title" && c.text().unwrap().starts_with("Slough")));
        assert!(chart.contains("<rect"), "interventions drawn");
        assert_eq!(server.get("/v1/local-authorities/atlantis/badge.svg").await.status(), 404);
        let cors = server.client.get(format!("{}/v1/local-authorities/norfolk/badge.svg", server.base_url))
            .header("origin", "https://news.example").send().await.unwrap();
        assert_eq!(cors.headers()["access-control-allow-origin"], "https://news.example");
    }
}

both_backends! {
    /// On a fresh clone the database is empty: `export` and `report` load the bundled data
    /// first, as `serve` does, instead of writing an empty release.
    fn commands_that_read_the_dataset_load_the_bundled_data_first(backend) {
        let db = TestDb::blank(backend);
        let out = tempfile::tempdir().unwrap();
        let (ok, stdout, stderr) = run_lacs(&db, &["export", "--out", out.path().to_str().unwrap()]);
        assert!(ok, "{stdout}\n{stderr}");
        let manifest: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(manifest["row_counts"]["inspections"], 1069);
        assert_eq!(manifest["row_counts"]["interventions"], 142);
        assert!(!manifest["sources"].as_array().unwrap().is_empty());

        let db = TestDb::blank(backend);
        let (ok, stdout, stderr) = run_lacs(&db, &["report", "interventions"]);
        assert!(ok, "{stderr}");
        assert!(stdout.contains("from dataset version 1."), "{stdout}");
    }
}
