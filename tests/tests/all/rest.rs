//! The REST API end to end: the real binary on each backend, every endpoint, filter, format,
//! page and error class, with values checked against the seed files.

use std::collections::HashSet;

use serde_json::Value;
use testkit::{Contents, TestDb, TestServer, both_backends_async};

async fn get_text(server: &TestServer, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let r = server.get(path).await;
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

/// Follows `links.next` to the end, checking the `Link` header on the way.
async fn walk(server: &TestServer, first: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut next = Some(first.to_owned());
    let mut pages = 0;
    while let Some(path) = next {
        let r = server.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let link = r.headers().get("link").map(|v| v.to_str().unwrap().to_owned());
        let body: Value = r.json().await.unwrap();
        next = body["links"]["next"].as_str().map(str::to_owned);
        match &next {
            Some(n) => assert_eq!(link.as_deref(), Some(format!("<{n}>; rel=\"next\"").as_str())),
            None => assert!(link.is_none()),
        }
        assert_eq!(body["meta"]["count"].as_u64().unwrap() as usize, body["data"].as_array().unwrap().len());
        rows.extend(body["data"].as_array().unwrap().iter().cloned());
        pages += 1;
        assert!(pages < 1000);
    }
    rows
}

fn ids(rows: &[Value], field: &str) -> Vec<String> {
    rows.iter().map(|r| r[field].as_str().unwrap().to_owned()).collect()
}

async fn problem(server: &TestServer, path: &str, status: u16, parameter: Option<&str>) -> Value {
    let r = server.get(path).await;
    assert_eq!(r.status().as_u16(), status, "{path}");
    assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("/docs/problems#"));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    if let Some(p) = parameter {
        assert_eq!(body["parameter"], p, "{path}: {body}");
    }
    body
}

both_backends_async! {
    async fn local_authorities(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        // Any code or the slug finds Norfolk.
        for id in ["E10000020", "926", "80418", "norfolk", "NORFOLK"] {
            let la = server.get_json(&format!("/v1/local-authorities/{id}"), 200).await;
            assert_eq!(la["gss_code"], "E10000020", "{id}");
        }
        // North Yorkshire's pre-2023 code still answers.
        let ny = server.get_json("/v1/local-authorities/E10000023", 200).await;
        assert_eq!(ny["gss_code"], "E06000065");
        assert_eq!(ny["former_gss_codes"][0], "E10000023");

        // Norfolk before and after its 2026 re-inspection.
        let before = server.get_json("/v1/local-authorities/norfolk?as_at=2026-05-17", 200).await;
        assert_eq!(before["latest_inspection"]["id"], "50204404");
        assert_eq!(before["status"]["latest_grades"]["overall_effectiveness"], "good");
        assert_eq!(before["status"]["latest_grades"]["children_in_care_and_care_leavers"], "good");
        assert_eq!(before["status"]["state"], "current");
        let after = server.get_json("/v1/local-authorities/norfolk?as_at=2026-05-18", 200).await;
        assert_eq!(after["latest_inspection"]["id"], "50301680");
        assert_eq!(after["status"]["latest_grades"]["overall_effectiveness"], "outstanding");
        assert_eq!(after["status"]["last_inspection_date"], after["latest_inspection"]["end_date"]);
        let neighbours = after["statistical_neighbours"].as_array().unwrap();
        assert_eq!(neighbours.len(), 10);
        assert_eq!(neighbours[0]["dfe_code"], "935");
        assert_eq!(neighbours[0]["href"], "/v1/local-authorities/E10000029");

        // Northamptonshire existed in 2020 and was retired in 2022, with two successors.
        let n2020 = server.get_json("/v1/local-authorities/northamptonshire?as_at=2020-06-30", 200).await;
        assert_eq!(n2020["status"]["state"], "current");
        let n2022 = server.get_json("/v1/local-authorities/E10000021?as_at=2022-06-30", 200).await;
        assert_eq!(n2022["status"]["state"], "retired");
        let successors: Vec<&str> =
            n2022["successors"].as_array().unwrap().iter().map(|s| s["gss_code"].as_str().unwrap()).collect();
        assert_eq!(successors, ["E06000061", "E06000062"]);
        assert_eq!(n2022["successors"][0]["href"], "/v1/local-authorities/E06000061");
        let west = server.get_json("/v1/local-authorities/west-northamptonshire", 200).await;
        assert_eq!(west["predecessors"][0]["gss_code"], "E10000021");
        let current_2020 = ids(&walk(&server, "/v1/local-authorities?as_at=2020-06-30&limit=500").await, "gss_code");
        assert!(current_2020.contains(&"E10000021".to_owned()));
        assert!(!current_2020.contains(&"E06000061".to_owned()));
        let current_2022 = ids(&walk(&server, "/v1/local-authorities?as_at=2022-06-30&limit=500").await, "gss_code");
        assert!(!current_2022.contains(&"E10000021".to_owned()));
        assert!(current_2022.contains(&"E06000061".to_owned()) && current_2022.contains(&"E06000062".to_owned()));
        let retired = ids(&walk(&server, "/v1/local-authorities?status=retired").await, "gss_code");
        assert_eq!(retired.len(), 5, "Bournemouth, Poole, Dorset CC, Northamptonshire, Cumbria: {retired:?}");
        assert_eq!(walk(&server, "/v1/local-authorities?status=all&limit=17").await.len(), 158);

        // Today: 153 councils, walked in pages of 20 with no gaps or repeats.
        let all = walk(&server, "/v1/local-authorities?limit=20").await;
        let codes = ids(&all, "gss_code");
        assert_eq!(codes.len(), 153);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 153);
        let names: Vec<String> = all.iter().map(|r| r["name"].as_str().unwrap().to_lowercase()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "sorted by name");

        // Filters hold for every row, and the rows left out fail them.
        let sw = walk(&server, "/v1/local-authorities?region=South%20West").await;
        assert_eq!(sw.len(), 15);
        assert!(sw.iter().all(|r| r["region"]["code"] == "E12000009"));
        assert_eq!(walk(&server, "/v1/local-authorities?region=e12000009").await.len(), 15);
        let london = walk(&server, "/v1/local-authorities?type=london_borough").await;
        assert_eq!(london.len(), 33);
        let inadequate = walk(&server, "/v1/local-authorities?rating=inadequate").await;
        let expected = all.iter().filter(|r| r["latest_inspection"]["judgements"]["overall_effectiveness"] == "inadequate").count();
        assert!(expected > 0);
        assert_eq!(inadequate.len(), expected);
        let hp = walk(&server, "/v1/local-authorities?rating.help_and_protection=good&rating=outstanding").await;
        assert!(!hp.is_empty());
        assert!(hp.iter().all(|r| r["latest_inspection"]["judgements"]["help_and_protection"] == "good"
            && r["latest_inspection"]["judgements"]["overall_effectiveness"] == "outstanding"));
        let active = walk(&server, "/v1/local-authorities?intervention=active").await;
        let none = walk(&server, "/v1/local-authorities?intervention=none").await;
        assert!(!active.is_empty());
        assert_eq!(active.len() + none.len(), 153);
        assert!(active.iter().all(|r| !r["active_interventions"].as_array().unwrap().is_empty()));
        let directions = walk(&server, "/v1/local-authorities?intervention.kind=statutory_direction").await;
        assert!(directions.iter().all(|r| r["active_interventions"].as_array().unwrap().iter().any(|i| i["kind"] == "statutory_direction")));
        let persistent = walk(&server, "/v1/local-authorities?persistent_failure=true&status=all&as_at=2019-06-30").await;
        for r in &persistent {
            let la = server.get_json(&format!("/v1/local-authorities/{}?as_at=2019-06-30", r["gss_code"].as_str().unwrap()), 200).await;
            let evidence = la["status"]["persistent_failure"]["inspections"].as_array().unwrap();
            assert!(evidence.len() >= 2 && la["status"]["persistent_failure"]["met"] == true);
            assert!(evidence.iter().all(|i| i["judgements"]["overall_effectiveness"] == "inadequate"));
        }
        let by_rating = walk(&server, "/v1/local-authorities?sort=rating").await;
        let score = |r: &Value| match r["latest_inspection"]["judgements"]["overall_effectiveness"].as_str() {
            Some("outstanding") => 1, Some("good") => 2, Some("requires_improvement") => 3, Some("inadequate") => 4, _ => 9,
        };
        assert!(by_rating.windows(2).all(|w| score(&w[0]) <= score(&w[1])));
        let newest = walk(&server, "/v1/local-authorities?sort=-latest_inspection").await;
        let dates: Vec<&str> = newest.iter().map(|r| r["latest_inspection"]["published"].as_str().unwrap_or("")).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]));

        // An LA's own lists.
        let norfolk_inspections = walk(&server, "/v1/local-authorities/norfolk/inspections").await;
        assert_eq!(norfolk_inspections.len(), 9, "five inspections, two focused visits and two inspections (2011, 2013) only Ofsted's statistics state");
        assert_eq!(walk(&server, "/v1/local-authorities/norfolk/inspections?as_at=2023-01-13").await.len(), 8);
        let slough = walk(&server, "/v1/local-authorities/slough/interventions").await;
        assert_eq!(slough.len(), 7);
        let timeline = walk(&server, "/v1/local-authorities/E10000021/timeline?limit=2").await;
        let dated: Vec<&str> = timeline.iter().filter_map(|e| e["date"].as_str()).collect();
        assert!(dated.windows(2).all(|w| w[0][..4] <= w[1][..4]), "{dated:?}");
        assert!(timeline.iter().any(|e| e["event"] == "intervention_started"));
    }
}

both_backends_async! {
    async fn inspections_interventions_and_stats(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        let one = server.get_json("/v1/inspections/50204404", 200).await;
        assert_eq!(one["local_authority"]["gss_code"], "E10000020");
        assert_eq!(one["published"], "2023-01-13");
        assert_eq!(one["report_url"], "https://files.ofsted.gov.uk/v1/file/50204404");
        assert_eq!(one["judgements"]["help_and_protection"], "good");
        assert!(one["judgements"].get("care_leavers").is_none(), "an area not judged is absent");
        assert_eq!(one["provenance"]["source"], "seed:ofsted_csc_ilacs_history.csv");

        // Every inspection exactly once, newest first, in pages of 45.
        let all = walk(&server, "/v1/inspections?limit=45").await;
        let all_ids = ids(&all, "id");
        assert_eq!(all_ids.len(), 1069);
        assert_eq!(all_ids.iter().collect::<HashSet<_>>().len(), 1069);
        let published: Vec<&str> = all.iter().map(|r| r["published"].as_str().unwrap()).collect();
        assert!(published.windows(2).all(|w| w[0] >= w[1]));
        let by_la = walk(&server, "/v1/inspections?sort=la&limit=500").await;
        assert_eq!(by_la.len(), 1069);

        let inadequate = walk(&server, "/v1/inspections?grade.overall_effectiveness=inadequate&limit=500").await;
        assert_eq!(inadequate.len(), 100, "100 inspections judged inadequate overall, SIF and pre-SIF ones (and those only Ofsted's statistics state) included");
        // Rochdale, 29 January 2018: the statistics' reading (children in care Good) stands before
        // the scraper's (Requires improvement), which is listed.
        let rochdale = server.get_json("/v1/inspections/50000290", 200).await;
        assert_eq!(rochdale["judgements"]["children_in_care_and_care_leavers"], "good", "{rochdale}");
        let d = rochdale["discrepancies"].as_array().unwrap();
        assert_eq!(d.len(), 1, "{rochdale}");
        assert_eq!(d[0]["other_source"], "seed:ofsted_csc_ilacs_history.csv");
        assert_eq!(d[0]["other_value"], "requires_improvement");
        assert!(rochdale["statements"].as_array().unwrap().iter().any(|s| s["source"] == "ofsted-stats"));
        // A publication only the statistics state: no PDF, and its provenance says so.
        let only = server.get_json("/v1/inspections/os-E10000020-2011-07-22", 200).await;
        assert_eq!(only["provenance"]["source"], "ofsted-stats");
        assert!(only["notes"].as_str().unwrap().contains("no report PDF"), "{only}");
        assert!(only["report_url"].as_str().unwrap().ends_with(".ods"));
        let both = walk(&server, "/v1/inspections?grade.overall_effectiveness=inadequate&grade.help_and_protection=inadequate").await;
        assert!(both.len() <= inadequate.len() && !both.is_empty());
        assert!(both.iter().all(|r| r["judgements"]["help_and_protection"] == "inadequate"));
        let y2023 = walk(&server, "/v1/inspections?published_from=2023-01-01&published_to=2023-12-31").await;
        assert!(y2023.iter().all(|r| r["published"].as_str().unwrap().starts_with("2023")));
        assert!(!y2023.is_empty());
        let inspected = walk(&server, "/v1/inspections?inspected_from=2024-01-01&inspected_to=2024-03-31").await;
        assert!(inspected.iter().all(|r| ("2024-01-01".."2024-04-01").contains(&r["start_date"].as_str().unwrap())));
        let burke = walk(&server, "/v1/inspections?lead_inspector=margaret%20BURKE").await;
        assert!(burke.iter().any(|r| r["id"] == "50204404"));
        assert!(burke.iter().all(|r| r["lead_inspectors"][0] == "Margaret Burke"));
        assert_eq!(walk(&server, "/v1/inspections?la=80418").await.len(), 9, "five inspections, two focused visits, two inspections only the statistics state");
        let london = walk(&server, "/v1/inspections?region=London&framework=ilacs&kind=inspection").await;
        assert!(london.iter().all(|r| r["framework"] == "ilacs"));

        // Interventions.
        let interventions = walk(&server, "/v1/interventions?limit=30").await;
        assert_eq!(interventions.len(), 142);
        let first = &interventions[0];
        let fetched = server.get_json(first["links"]["self"].as_str().unwrap(), 200).await;
        assert_eq!(fetched["id"], first["id"]);
        let directions = walk(&server, "/v1/interventions?kind=statutory_direction").await;
        assert_eq!(directions.len(), 39);
        let slough_2020 = walk(&server, "/v1/interventions?la=slough&active_on=2021-06-30").await;
        assert!(slough_2020.iter().all(|r| r["active"] == true));
        let started = walk(&server, "/v1/interventions?started_from=2015-01-01&started_to=2015-12-31").await;
        assert!(started.iter().all(|r| r["start_date"].as_str().unwrap().starts_with("2015")));

        // Stats: every council that existed counts once. Counted by publication date, a cell holds
        // the councils the list shows with that grade on the day.
        let stats = server.get_json("/v1/stats/ratings?as_at=2023-03-31&basis=published", 200).await;
        let total = stats["total"].as_u64().unwrap();
        let existing = walk(&server, "/v1/local-authorities?as_at=2023-03-31&limit=500").await;
        assert_eq!(total as usize, existing.len());
        let cells = stats["groups"][0]["grades"].as_array().unwrap();
        assert_eq!(cells.iter().map(|c| c["count"].as_u64().unwrap()).sum::<u64>(), total);
        for cell in cells {
            assert_eq!(cell["count"].as_u64().unwrap() as usize, cell["local_authorities"].as_array().unwrap().len());
        }
        let inadequate_then = existing.iter().filter(|r| r["latest_inspection"]["judgements"]["overall_effectiveness"] == "inadequate").count();
        let cell = cells.iter().find(|c| c["grade"] == "inadequate").unwrap();
        assert_eq!(cell["count"].as_u64().unwrap() as usize, inadequate_then);
        let regions = server.get_json("/v1/stats/ratings?as_at=2023-03-31&by=region&area=help_and_protection", 200).await;
        assert_eq!(regions["groups"].as_array().unwrap().len(), 9);
        assert_eq!(regions["total"], total);
        let types = server.get_json("/v1/stats/ratings?by=type", 200).await;
        assert_eq!(types["groups"].as_array().unwrap().len(), 4);
    }
}

both_backends_async! {
    async fn formats_caching_and_errors(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        // CSV: all rows without a limit, parsed back, and the same judgements as the JSON.
        let (status, headers, csv_text) = get_text(&server, "/v1/inspections?format=csv").await;
        assert_eq!(status, 200);
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        let header = reader.headers().unwrap().clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1069);
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let norfolk = rows.iter().find(|r| &r[col("id")] == "50204404").unwrap();
        assert_eq!(&norfolk[col("overall_effectiveness")], "good");
        assert_eq!(&norfolk[col("children_in_care_and_care_leavers")], "good");
        assert_eq!(&norfolk[col("care_leavers")], "");
        let accept = server.client.get(format!("{}/v1/local-authorities?limit=5", server.base_url))
            .header("accept", "text/csv").send().await.unwrap().text().await.unwrap();
        assert_eq!(csv::Reader::from_reader(accept.as_bytes()).records().count(), 5);
        let (_, _, la_csv) = get_text(&server, "/v1/local-authorities?format=csv&status=all").await;
        assert_eq!(csv::Reader::from_reader(la_csv.as_bytes()).records().count(), 158);
        let (_, _, stats_csv) = get_text(&server, "/v1/stats/ratings?format=csv&by=region").await;
        assert!(stats_csv.starts_with("group_key,group_label,grade,count"));

        // ETag / 304, byte-identical bodies, caching headers.
        let (_, h1, b1) = get_text(&server, "/v1/local-authorities/norfolk").await;
        let (_, h2, b2) = get_text(&server, "/v1/local-authorities/norfolk").await;
        assert_eq!(b1, b2);
        let etag = h1["etag"].to_str().unwrap().to_owned();
        assert_eq!(etag, h2["etag"].to_str().unwrap());
        assert!(etag.starts_with('"') && !etag.starts_with("W/"));
        assert_eq!(h1["cache-control"], "public, max-age=300");
        assert!(h1.contains_key("last-modified"));
        let r = server.client.get(format!("{}/v1/local-authorities/norfolk", server.base_url))
            .header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), 304);
        assert_eq!(r.headers()["etag"].to_str().unwrap(), etag);
        assert!(r.text().await.unwrap().is_empty());
        let (_, other, _) = get_text(&server, "/v1/local-authorities/norfolk?as_at=2020-01-01").await;
        assert_ne!(other["etag"], h1["etag"]);

        // CORS and compression.
        let r = server.client.get(format!("{}/v1/meta", server.base_url))
            .header("origin", "https://example.org").header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.headers()["access-control-allow-origin"], "https://example.org");
        assert_eq!(r.headers()["content-encoding"], "gzip");

        // Every error class.
        problem(&server, "/v1/local-authorities?colour=red", 400, Some("colour")).await;
        problem(&server, "/v1/inspections?published_from=2023-02-30", 400, Some("published_from")).await;
        problem(&server, "/v1/inspections?kind=audit", 400, Some("kind")).await;
        problem(&server, "/v1/local-authorities/norfolk/timeline.svg?as_at=+200000-01-01", 400, Some("as_at")).await;
        problem(&server, "/v1/local-authorities?as_at=2999-01-01", 400, Some("as_at")).await;
        problem(&server, "/v1/local-authorities?rating=excellent", 400, Some("rating")).await;
        problem(&server, "/v1/local-authorities?rating.cooking=good", 400, Some("rating.cooking")).await;
        problem(&server, "/v1/local-authorities?limit=0", 400, Some("limit")).await;
        problem(&server, "/v1/local-authorities?limit=501", 400, Some("limit")).await;
        problem(&server, "/v1/local-authorities?limit=ten", 400, Some("limit")).await;
        problem(&server, "/v1/local-authorities?region=Atlantis", 400, Some("region")).await;
        problem(&server, "/v1/local-authorities?sort=colour", 400, Some("sort")).await;
        problem(&server, "/v1/local-authorities?format=xml", 400, Some("format")).await;
        problem(&server, "/v1/inspections?la=nowhere", 400, Some("la")).await;
        problem(&server, "/v1/stats/ratings?by=colour", 400, Some("by")).await;
        problem(&server, "/v1/inspections?limit=1&limit=2", 400, Some("limit")).await;
        let page = server.get_json("/v1/inspections?limit=5", 200).await;
        let next = page["links"]["next"].as_str().unwrap();
        let cursor = next.split("cursor=").nth(1).unwrap();
        let tampered = format!("{}x{}", &cursor[..4], &cursor[5..]);
        problem(&server, &format!("/v1/inspections?limit=5&cursor={tampered}"), 400, Some("cursor")).await;
        problem(&server, &format!("/v1/inspections?limit=5&kind=inspection&cursor={cursor}"), 400, Some("cursor")).await;
        problem(&server, "/v1/local-authorities/atlantis", 404, None).await;
        problem(&server, "/v1/inspections/1", 404, None).await;
        problem(&server, "/v1/interventions/iv-0", 404, None).await;
        problem(&server, "/v1/no-such-thing", 404, None).await;
        let r = server.client.delete(format!("{}/v1/local-authorities/norfolk", server.base_url)).send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = api::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; regenerate it with:\n    cargo run -p api --bin lacs -- openapi > openapi/openapi.json"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(doc["info"]["license"]["name"], "Open Government Licence v3.0 (data)");
    for path in [
        "/v1/local-authorities",
        "/v1/local-authorities/{id}",
        "/v1/local-authorities/{id}/timeline",
        "/v1/inspections",
        "/v1/inspections/{id}",
        "/v1/interventions",
        "/v1/interventions/{id}",
        "/v1/stats/ratings",
        "/v1/meta",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is not documented");
    }
}

both_backends_async! {
    async fn the_spec_and_docs_are_served_offline(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let (status, _, spec) = get_text(&server, "/v1/openapi.json").await;
        assert_eq!(status, 200);
        assert_eq!(spec, api::openapi::document_json());
        let (status, _, page) = get_text(&server, "/docs/").await;
        assert_eq!(status, 200);
        assert!(page.contains("swagger-ui"));
        assert!(!page.contains("https://"), "the docs page must not load anything from the internet");
        let (status, headers, js) = get_text(&server, "/docs/swagger-ui-bundle.js").await;
        assert_eq!(status, 200);
        assert!(headers["content-type"].to_str().unwrap().contains("javascript"));
        assert!(js.len() > 100_000);
        let (_, _, init) = get_text(&server, "/docs/swagger-initializer.js").await;
        assert!(init.contains("/v1/openapi.json"), "{init}");
    }
}
