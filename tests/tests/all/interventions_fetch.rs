//! `lacs fetch interventions` against a local imitation of GOV.UK on 127.0.0.1, serving the
//! fixtures of `fetchers/tests/fixtures/govuk` (see its README), built on real content items'
//! shapes: the collection with open and closed groups and an entry with no page, attachments,
//! `decision`, `notice`, `policy_paper` and `correspondence` pages, a withdrawn item, another
//! department's page, a 303, a 404, a 410, a malformed body, a 429 that recovers, search pages
//! across `start` offsets, unknown fields, an unknown council. The records are asserted exactly,
//! then how they join the seeded ones, then that a second run changes nothing; and a fetch that
//! says only what the seed says changes nothing the API publishes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use schema::Dataset;
use schema::domain::{FetchStatus, Intervention};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

const STOKE_OLD: &str = "/government/publications/direction-issued-to-stoke-on-trent-city-council";
const STOKE_NEW: &str = "/government/publications/direction-issued-to-stoke-on-trent-city-council-may-2019";
const CHESHIRE_EAST: &str = "/government/publications/improvement-notice-issued-to-cheshire-east-council-july-2024";

#[derive(Default)]
struct Site {
    /// The fixture served as the collection: `collection.json` unless named.
    collection: Option<&'static str>,
    /// Search answers no results.
    search_finds_nothing: bool,
    /// The collection and one document answer 500.
    broken: std::sync::atomic::AtomicBool,
    /// Query strings of the search requests.
    searches: Mutex<Vec<String>>,
    /// Requests per content path.
    hits: Mutex<HashMap<String, usize>>,
}

fn fixture(name: &str) -> Option<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/govuk");
    std::fs::read(dir.join(name)).ok()
}

fn json(bytes: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json; charset=utf-8").body(bytes)
}

async fn content(req: HttpRequest, site: web::Data<Arc<Site>>) -> HttpResponse {
    let path = req.path().trim_start_matches("/api/content").to_owned();
    let n = {
        let mut hits = site.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    let broken = site.broken.load(std::sync::atomic::Ordering::SeqCst);
    match path.as_str() {
        "/government/collections/improvement-notices-and-directions"
        | "/government/publications/direction-issued-to-wakefield-council"
            if broken =>
        {
            HttpResponse::InternalServerError().finish()
        }
        "/government/collections/improvement-notices-and-directions" => {
            json(fixture(site.collection.unwrap_or("collection.json")).unwrap())
        }
        STOKE_OLD => HttpResponse::SeeOther().insert_header(("Location", format!("/api/content{STOKE_NEW}"))).finish(),
        "/government/publications/improvement-notice-issued-to-bury-council" => HttpResponse::NotFound().finish(),
        "/government/publications/direction-issued-to-doncaster-council" => HttpResponse::Gone().finish(),
        CHESHIRE_EAST if n == 1 => HttpResponse::TooManyRequests().insert_header(("Retry-After", "1")).finish(),
        _ => {
            let slug = path.rsplit('/').next().unwrap_or_default();
            fixture(&format!("doc-{slug}.json")).map_or_else(|| HttpResponse::NotFound().finish(), json)
        }
    }
}

async fn search(req: HttpRequest, site: web::Data<Arc<Site>>) -> HttpResponse {
    let q = req.query_string().to_owned();
    site.searches.lock().unwrap().push(q.clone());
    let start = q.split('&').find_map(|kv| kv.strip_prefix("start=")).unwrap_or("0");
    let page = match start {
        _ if site.search_finds_nothing => "search-empty.json",
        "0" => "search-page-0.json",
        "4" => "search-page-4.json",
        _ => "search-empty.json",
    };
    json(fixture(page).unwrap())
}

/// One stored record, in words: what it is, and what it is the same as and follows.
fn describe(r: &Intervention, stored: &[Intervention]) -> String {
    let name = |id: &Option<String>| {
        id.as_ref().map_or_else(
            || "-".to_owned(),
            |id| {
                stored.iter().find(|o| &o.id == id).map_or_else(
                    || format!("missing {id}"),
                    |o| {
                        format!(
                            "{}:{}@{}",
                            o.provenance.source,
                            o.kind,
                            o.start_date.map(|d| d.to_string()).unwrap_or_default()
                        )
                    },
                )
            },
        )
    };
    let date = |d: Option<schema::domain::PartialDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    format!(
        "{} {} {} {}..{} commissioner={} same_as={} follows={}",
        r.la,
        r.kind,
        r.service,
        date(r.start_date),
        date(r.end_date),
        r.commissioner.as_deref().unwrap_or("-"),
        name(&r.same_as),
        name(&r.follows),
    )
}

/// Serves `site` on 127.0.0.1; returns its base URL.
fn serve(site: Arc<Site>) -> String {
    let data = web::Data::new(site);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .route("/api/search.json", web::get().to(search))
            .default_service(web::get().to(content))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    base
}

/// Runs `lacs fetch interventions` against `base`: (success, stdout, stderr).
async fn fetch(db: &TestDb, base: &str, extra: &[&str]) -> (bool, String, String) {
    let url = db.url_string.clone();
    let mut args: Vec<String> =
        ["fetch", "interventions", "--base-url", base, "--rate", "100", "--timeout-secs", "2", "--retry-base-ms", "20"]
            .iter()
            .map(|s| s.to_string())
            .collect();
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

both_backends_async! {
    async fn fetch_interventions_from_an_imitation_of_govuk(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let site = Arc::new(Site::default());
        let base = serve(site.clone());
        let before = Dataset::load(&mut db.conn()).unwrap();

        // A dry run reads everything and changes nothing.
        let (ok, out, err) = fetch(&db, &base, &["--dry-run"]).await;
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("\"dry_run\": true"), "{out}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, before.version);

        let (ok, out, err) = fetch(&db, &base, &[]).await;
        assert!(ok, "{out}\n{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!((report["in_collection"].as_u64(), report["only_in_search"].as_u64(), report["documents_read"].as_u64()), (Some(14), Some(2), Some(12)), "{out}");
        assert_eq!(report["source_notes"], serde_json::json!([
            "the collection lists d76ce8be-261c-4217-b14d-ef48a120590b under `Closed notices` but links no page for it",
            "`Directions issued to Liverpool City Council` is published by Ministry of Housing, Communities and Local Government, not the Department for Education: not read",
            "GOV.UK withdrew `Somerset county council: advisers appointed` on 2019-06-01: This letter is no longer current.",
        ]), "{out}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.source.as_str(), run.status), ("govuk", FetchStatus::Partial), "{run:?}");
        let mut errors = run.errors.clone();
        errors.sort();
        assert_eq!(errors, [
            "document https://www.gov.uk/api/content/government/publications/direction-issued-to-doncaster-council: gone (HTTP 410): GOV.UK removed the page",
            "document https://www.gov.uk/api/content/government/publications/direction-issued-to-medway-council: malformed content item: EOF while parsing a string at line 7 column 53",
            "document https://www.gov.uk/api/content/government/publications/improvement-notice-issued-to-borsetshire-county-council: the council `Borsetshire County Council` matches no local authority; add the name to data/seed/la_aliases.csv",
            "document https://www.gov.uk/api/content/government/publications/improvement-notice-issued-to-bury-council: not found (HTTP 404)",
        ]);
        // Both routes were paged: `start` 0 and 4 of each of four queries, DfE only, in the dry run
        // and in the run.
        let searches = site.searches.lock().unwrap().clone();
        assert!(searches.iter().all(|q| q.contains("filter_organisations=department-for-education") && q.contains("filter_content_store_document_type=decision")), "{searches:?}");
        assert_eq!(searches.iter().filter(|q| q.ends_with("start=0") || q.contains("start=0&")).count(), 8, "{searches:?}");
        assert_eq!(searches.iter().filter(|q| q.contains("start=4")).count(), 8, "{searches:?}");
        // The 429 was retried; the moved page was read once, at its new address.
        assert_eq!(site.hits.lock().unwrap()[CHESHIRE_EAST], 3, "refused once, then read by the dry run and by the run");

        // Every record, exactly.
        let stored = schema::stored::all_interventions(&mut db.conn()).unwrap();
        let mut fetched: Vec<String> = stored.iter().filter(|i| i.provenance.source == "govuk").map(|r| describe(r, &stored)).collect();
        fetched.sort();
        let seed = "seed:interventions_seed.csv";
        let mut expected = [
            format!("E06000049 improvement_notice childrens_social_care 2024-07-04..- commissioner=- same_as={seed}:improvement_notice@2024-07 follows=-"),
            format!("E06000006 statutory_direction childrens_social_care 2025-02-10..- commissioner=- same_as={seed}:statutory_direction@2025-02-07 follows={seed}:statutory_direction@2024-08-30"),
            format!("E06000021 statutory_direction childrens_social_care 2019-05-16..- commissioner=Eleanor Brazil same_as={seed}:statutory_direction@2019-05-16 follows=-"),
            format!("E08000008 improvement_notice send 2025-03-18..- commissioner=- same_as={seed}:improvement_notice@2025-03 follows=-"),
            format!("E08000024 statutory_direction childrens_social_care -..2017-04 commissioner=- same_as={seed}:statutory_direction@2015-07-20 follows=-"),
            format!("E08000036 intervention_ended childrens_social_care 2022-01-13..- commissioner=- same_as={seed}:intervention_ended@2022-01-13 follows=govuk:statutory_direction@2018-12-13"),
            format!("E08000036 statutory_direction childrens_social_care 2018-08-03..2018-12-13 commissioner=- same_as={seed}:statutory_direction@2018-08 follows=-"),
            format!("E08000036 statutory_direction childrens_social_care 2018-12-13..2022-01-13 commissioner=- same_as={seed}:statutory_direction@2018-12-13 follows=govuk:statutory_direction@2018-08-03"),
            format!("E10000006 improvement_notice childrens_social_care 2014-01-07..2015-11-09 commissioner=- same_as={seed}:improvement_notice@2014-01-07 follows=-"),
            format!("E10000006 statutory_direction childrens_social_care 2015-11-09..- commissioner=- same_as={seed}:statutory_direction@2015-11-09 follows=govuk:improvement_notice@2014-01-07"),
            format!("E06000039 statutory_direction childrens_social_care 2017-10..- commissioner=- same_as={seed}:statutory_direction@2017-10 follows=-"),
            format!("E06000039 statutory_direction childrens_social_care 2020-05..- commissioner=- same_as={seed}:statutory_direction@2020-05 follows=-"),
            format!("E06000039 statutory_direction childrens_social_care 2021-04..- commissioner=- same_as={seed}:statutory_direction@2021-04-01 follows=-"),
            format!("E06000066 commissioner_appointed childrens_social_care -..- commissioner=- same_as={seed}:other@2015-03-27 follows=-"),
        ];
        expected.sort();
        assert_eq!(fetched, expected);
        let by_title = |t: &str| stored.iter().find(|i| i.provenance.source == "govuk" && i.title.as_deref() == Some(t)).unwrap();
        let cheshire = by_title("Improvement notice issued to Cheshire East Council: July 2024");
        assert_eq!(cheshire.source_urls, [
            format!("https://www.gov.uk{CHESHIRE_EAST}"),
            "https://assets.publishing.service.gov.uk/media/66b9d2a5ab5ecc1f0e6b1c11/Cheshire_East_improvement_notice.pdf".to_owned(),
        ]);
        assert_eq!(cheshire.provenance.source_url, format!("https://www.gov.uk/api/content{CHESHIRE_EAST}"));
        assert_eq!(cheshire.provenance.parser_version, fetchers::interventions::PARSER_VERSION);
        assert_eq!(cheshire.document_updated_at.unwrap().to_rfc3339(), "2024-08-12T08:30:00+00:00");
        assert_eq!(cheshire.summary.as_deref(), Some("An improvement notice issued by DfE to Cheshire East Council due to poor performance in children's services. It attaches `Improvement notice: Cheshire East Council` (PDF, 9 pages)."));
        assert_eq!(cheshire.provenance.sha256.len(), 64);
        let ended = stored.iter().find(|i| i.provenance.source == "govuk" && i.kind == schema::domain::InterventionKind::InterventionEnded).unwrap();
        assert_eq!(ended.summary.as_deref(), Some("The direction was revoked, as `Revised direction issued to Wakefield council` states."));
        assert_eq!(ended.title.as_deref(), Some("Revised direction issued to Wakefield council"));
        // A `policy_paper` and a `notice` are read like a `decision`.
        let cumbria = by_title("Improvement notice issued to Cumbria county council");
        assert!(cumbria.source_urls[1].ends_with("/file/271386/Cumbria_improvement_notice.pdf"), "{:?}", cumbria.source_urls);
        let cumbria_direction = by_title("Direction issued to Cumbria county council");
        assert_eq!(cumbria_direction.start_date.unwrap().to_string(), "2015-11-09");
        assert!(cumbria_direction.summary.as_deref().unwrap().ends_with("It attaches `Direction issued to Cumbria County Council` (PDF, 3 pages)."), "{:?}", cumbria_direction.summary);
        // Another department's directions are not DfE's intervention, whatever the title says.
        assert!(stored.iter().all(|i| !i.source_urls.iter().any(|u| u.contains("liverpool"))));
        // A page of several directions: one record per direction, each citing its own attachment.
        let slough = by_title("Direction issued to Slough Borough Council (May 2020)");
        assert_eq!(slough.source_urls, [
            "https://www.gov.uk/government/publications/directions-issued-to-slough-borough-council",
            "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file/887766/Slough_direction_May_2020.pdf",
        ]);
        let stoke = by_title("Direction issued to Stoke-on-Trent City Council: May 2019");
        assert_eq!(stoke.source_urls[0], format!("https://www.gov.uk{STOKE_NEW}"));
        let somerset = by_title("Somerset county council: advisers appointed");
        assert_eq!(
            somerset.summary.as_deref(),
            Some("Letter from the Children and Families Minister appointing advisers to Somerset County Council. GOV.UK withdrew this page on 2019-06-01: This letter is no longer current. The page gives no date of issue. GOV.UK first published it on 2015-03-27. It attaches `Letter to Somerset County Council: advisers appointed` (PDF, 2 pages).")
        );

        // Published: one record per event, both sources, discrepancies visible, histories linked.
        let data = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(data.interventions.len(), before.interventions.len(), "every fetched record joined a seeded one");
        // A page with no date of issue matched through its citation; it leaves the seed's date as it is.
        let sunderland = data.intervention(&by_title("Direction issued to Sunderland city council").id).unwrap();
        assert_eq!((sunderland.provenance.source.as_str(), sunderland.start_date.unwrap().to_string()), (seed, "2015-07-20".into()));
        assert_eq!(sunderland.corroborations.len(), 1);
        assert!(sunderland.discrepancies().is_empty(), "{:?}", sunderland.discrepancies());
        // Two dates for one direction: the record keeps its own and shows the other.
        let halton = data.intervention(&by_title("Revised direction issued to Halton Borough Council: February 2025").id).unwrap();
        let discrepancies = halton.discrepancies();
        assert_eq!(discrepancies.len(), 1, "{discrepancies:?}");
        assert_eq!((discrepancies[0].field, discrepancies[0].value.as_str(), discrepancies[0].other_value.as_str()), ("start_date", "2025-02-07", "2025-02-10"));
        let halton_2024 = data.intervention(halton.follows.as_deref().unwrap()).unwrap();
        assert_eq!(halton_2024.start_date.unwrap().to_string(), "2024-08-30");
        let wakefield_end = data.interventions_of("E08000036").find(|i| i.kind == schema::domain::InterventionKind::InterventionEnded).unwrap();
        let revised = data.intervention(wakefield_end.follows.as_deref().unwrap()).unwrap();
        assert_eq!((revised.provenance.source.as_str(), revised.start_date.unwrap().to_string()), (seed, "2018-12-13".into()));
        let first = data.intervention(revised.follows.as_deref().unwrap()).unwrap();
        assert_eq!((first.provenance.source.as_str(), first.start_date.unwrap().to_string()), (seed, "2018-08".into()));
        assert_eq!(first.title.as_deref(), Some("Direction issued to Wakefield council"), "taken from GOV.UK where the seed has none");
        let somerset = data.intervention(&somerset.id).unwrap();
        assert_eq!(somerset.discrepancies()[0].field, "kind");

        // The gaps report lists where the sources disagree.
        let (ok, report, err) = testkit::run_lacs(&db, &["report", "interventions"]);
        assert!(ok, "{err}");
        assert!(report.contains("## Interventions whose sources disagree (2)"), "{report}");
        assert!(report.contains("| Halton | statutory_direction | 2025-02-07 | start_date | 2025-02-07 | 2025-02-10 | https://www.gov.uk/api/content/government/publications/revised-direction-issued-to-halton-borough-council-february-2025 |"), "{report}");

        // The API shows it: a fetched id resolves to the joined record.
        let server = TestServer::start(&db);
        let body = server.get_json(&format!("/v1/interventions/{}", by_title("Revised direction issued to Halton Borough Council: February 2025").id), 200).await;
        assert_eq!(body["id"], halton.id.as_str());
        assert_eq!(body["corroborations"][0]["provenance"]["source"], "govuk");
        assert_eq!(body["discrepancies"][0]["other_value"], "2025-02-10");
        // Somerset's letter, withdrawn by GOV.UK, joined the seeded record: the published record
        // shows the withdrawal on the statement that carries it.
        let published = server.get_json(&format!("/v1/interventions/{}", somerset.id), 200).await;
        let withdrawn = published["corroborations"].as_array().unwrap().iter().find(|c| !c["document_withdrawn"].is_null());
        let withdrawn = withdrawn.map(|c| &c["document_withdrawn"]).unwrap_or(&published["document_withdrawn"]);
        assert_eq!(withdrawn, &serde_json::json!({"at": "2019-06-01T09:00:00Z", "explanation": "This letter is no longer current."}), "{published}");
        let tameside = server.get_json("/v1/interventions?la=tameside&service=send", 200).await;
        assert_eq!(tameside["data"].as_array().unwrap().len(), 1, "{tameside}");
        let query = format!(
            r#"{{"query": "{{ intervention(id: \"{}\") {{ service follows {{ startDate }} corroborations {{ documentUpdatedAt provenance {{ source }} }} discrepancies {{ field }} }} }}"}}"#,
            by_title("Revised direction issued to Halton Borough Council: February 2025").id
        );
        let graphql: serde_json::Value = server.client.post(format!("{}/graphql", server.base_url))
            .header("content-type", "application/json").body(query).send().await.unwrap().json().await.unwrap();
        let halton_gql = &graphql["data"]["intervention"];
        assert_eq!(halton_gql["service"], "CHILDRENS_SOCIAL_CARE", "{graphql}");
        assert_eq!(halton_gql["follows"]["startDate"], "2024-08-30", "{graphql}");
        assert_eq!(halton_gql["corroborations"][0]["provenance"]["source"], "govuk", "{graphql}");
        assert_eq!(halton_gql["discrepancies"][0]["field"], "start_date", "{graphql}");
        // The change feed says another source now states these interventions; it starts none.
        let feed = server.get_json(&format!("/v1/changes?limit=500&since={}", schema::query::changes::cursor_after(before.last_change_id())), 200).await;
        let events: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["intervention.corroborated"; 14], "{feed}");
        drop(server);

        // A second run changes nothing.
        let (ok, out, err) = fetch(&db, &base, &[]).await;
        assert!(ok, "{out}\n{err}");
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, data.version, "{out}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.created, run.changed, run.deleted), (0, 0, 0));

        // A run in which the collection and one document fail changes nothing either: the records
        // read before keep their links and matches.
        site.broken.store(true, std::sync::atomic::Ordering::SeqCst);
        let (ok, out, err) = fetch(&db, &base, &[]).await;
        assert!(ok, "{out}\n{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!(run.status, FetchStatus::Partial);
        assert!(run.errors.iter().any(|e| e.contains("improvement-notices-and-directions: HTTP 500")), "{:?}", run.errors);
        assert_eq!((run.created, run.changed, run.deleted), (0, 0, 0), "{:?}", run.errors);
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, data.version);

        // A site that cannot be reached fails the run and changes nothing.
        let (ok, out, err) = fetch(&db, "http://127.0.0.1:9", &[]).await;
        assert!(!ok, "{out}");
        assert!(err.contains("cannot reach GOV.UK"), "{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!(run.status, FetchStatus::Failed);
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, data.version);
    }
}

/// What the API says about interventions and councils, less what a corroborating source adds to
/// a record: its documents, its statement, the title and date of its page (the seed has none).
async fn what_the_api_says(db: &TestDb) -> (serde_json::Value, serde_json::Value) {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for added in ["corroborations", "source_urls", "title", "document_updated_at"] {
                    map.remove(added);
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let server = TestServer::start(db);
    let mut interventions = server.get_json("/v1/interventions?limit=500", 200).await["data"].take();
    let mut councils = server.get_json("/v1/local-authorities?status=all&limit=500", 200).await["data"].take();
    strip(&mut interventions);
    strip(&mut councils);
    (interventions, councils)
}

/// Where two lists of API objects differ: `id.field: before → after`, one line each.
fn differences(before: &serde_json::Value, after: &serde_json::Value) -> Vec<String> {
    let (Some(before), Some(after)) = (before.as_array(), after.as_array()) else { return vec!["not lists".into()] };
    if before.len() != after.len() {
        return vec![format!("{} items before, {} after", before.len(), after.len())];
    }
    let mut out = Vec::new();
    for (b, a) in before.iter().zip(after) {
        let (Some(b), Some(a)) = (b.as_object(), a.as_object()) else { continue };
        let id = b.get("id").or(b.get("gss_code")).and_then(|v| v.as_str()).unwrap_or("?");
        for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
            if b.get(key) != a.get(key) {
                let [b, a] = [b, a].map(|o| o.get(key).map_or_else(|| "absent".to_owned(), |v| v.to_string()));
                out.push(format!("{id}.{key}: {b} → {a}"));
            }
        }
    }
    out.sort();
    out
}

both_backends_async! {
    /// A fetch into the bundled dataset changes nothing when GOV.UK says what the seed already
    /// says: eight of DfE's pages (notices and directions, open and closed, a page of three
    /// directions, a moved page) that state what `interventions_seed.csv` states. Every page is
    /// read and joins the seeded record of its event; no intervention is added, no kind, date,
    /// commissioner, link, status or count changes, no discrepancy appears, and the change feed
    /// says only that GOV.UK now corroborates them.
    async fn a_fetch_that_agrees_with_the_seed_changes_nothing(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let site = Arc::new(Site { collection: Some("collection-agreeing.json"), search_finds_nothing: true, ..Site::default() });
        let base = serve(site);
        let before = Dataset::load(&mut db.conn()).unwrap();
        let (interventions_before, councils_before) = what_the_api_says(&db).await;

        let (ok, out, err) = fetch(&db, &base, &[]).await;
        assert!(ok, "{out}\n{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!((report["in_collection"].as_u64(), report["only_in_search"].as_u64(), report["documents_read"].as_u64()), (Some(8), Some(0), Some(8)), "{out}");
        assert_eq!(report["source_notes"], serde_json::json!([]), "{out}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!(run.status, FetchStatus::Ok, "{:?}", run.errors);
        assert_eq!((run.created, run.changed, run.deleted), (11, 0, 0), "GOV.UK's statements are stored, as its own rows");

        let after = Dataset::load(&mut db.conn()).unwrap();
        assert_eq!(after.interventions.len(), before.interventions.len(), "every statement joined a seeded record");
        let stored = schema::stored::all_interventions(&mut db.conn()).unwrap();
        let fetched: Vec<&Intervention> = stored.iter().filter(|i| i.provenance.source == "govuk").collect();
        assert_eq!(fetched.len(), 11);
        for statement in fetched {
            // A fetched id resolves to the seeded record it joined.
            let published = after.intervention(&statement.id).unwrap();
            assert_eq!(published.provenance.source, "seed:interventions_seed.csv", "{published:?}");
            assert!(published.discrepancies().is_empty(), "{:?}", published.discrepancies());
            assert!(published.corroborations.iter().any(|c| c.provenance.source == "govuk"));
        }
        let (interventions_after, councils_after) = what_the_api_says(&db).await;
        // The one thing GOV.UK says that the seed does not: which record continues which. The
        // Cumbria direction continues the notice it closed ("closed and replaced with a direction
        // issued on 9 November 2015"); Wakefield's revised direction continues the first, and its
        // revocation ends the revised one.
        let id_of = |kind: &str, la: &str, start: &str| {
            after.interventions_of(la).find(|i| i.kind.to_string() == kind && i.start_date.is_some_and(|d| d.to_string() == start)).unwrap().id.clone()
        };
        let follows = |from: String, to: String| format!(r#"{from}.follows: null → {{"href":"/v1/interventions/{to}","id":"{to}"}}"#);
        let mut linked = vec![
            follows(id_of("statutory_direction", "E10000006", "2015-11-09"), id_of("improvement_notice", "E10000006", "2014-01-07")),
            follows(id_of("statutory_direction", "E08000036", "2018-12-13"), id_of("statutory_direction", "E08000036", "2018-08")),
            follows(id_of("intervention_ended", "E08000036", "2022-01-13"), id_of("statutory_direction", "E08000036", "2018-12-13")),
        ];
        // And so the revocation's status now cites the direction it ended.
        let revoked = id_of("statutory_direction", "E08000036", "2018-12-13");
        linked.push(format!(
            r#"{}.status_evidence: [] → [{{"date":"2018-12-13","id":"{revoked}","kind":"intervention","url":null}}]"#,
            id_of("intervention_ended", "E08000036", "2022-01-13")
        ));
        // And a record the seed cites only from the press now has DfE's own page among its sources.
        let joined: Vec<&str> = after
            .interventions
            .iter()
            .filter(|i| i.corroborations.iter().any(|c| c.provenance.source == "govuk"))
            .filter(|i| before.intervention(&i.id).is_some_and(|b| b.source_class == schema::domain::SourceClass::Secondary))
            .map(|i| i.id.as_str())
            .collect();
        assert!(!joined.is_empty());
        linked.extend(joined.iter().map(|id| format!(r#"{id}.source_class: "secondary" → "primary""#)));
        linked.sort();
        assert_eq!(differences(&interventions_before, &interventions_after), linked);
        assert_eq!(differences(&councils_before, &councils_after), Vec::<String>::new());

        let server = TestServer::start(&db);
        let feed = server.get_json(&format!("/v1/changes?limit=500&since={}", schema::query::changes::cursor_after(before.last_change_id())), 200).await;
        let events: Vec<&str> = feed["data"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(events, ["intervention.corroborated"; 11], "{feed}");
        drop(server);

        // Again: nothing at all.
        let (ok, out, err) = fetch(&db, &base, &[]).await;
        assert!(ok, "{out}\n{err}");
        let run = &schema::stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
        assert_eq!((run.created, run.changed, run.deleted), (0, 0, 0));
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().version, after.version);
    }
}
