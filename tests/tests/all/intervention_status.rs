//! An intervention's status end to end: the one rule behind REST, GraphQL, CSV, the council list
//! and the change feed, on the bundled data and after a source says more.

use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async, run_lacs, seed_dir_copy};

/// The old records the curated list gives no end: none of them is in force today.
const OLD_WITHOUT_END: [(&str, &str); 5] = [
    ("Haringey", "2008"),
    ("Doncaster", "2009"),
    ("Salford", "2010"),
    ("Gloucestershire", "2011"),
    ("Wiltshire", "2012"),
];

async fn all(server: &TestServer, query: &str) -> Vec<Value> {
    let page = server.get_json(&format!("/v1/interventions?limit=500{query}"), 200).await;
    assert!(page["links"]["next"].is_null());
    page["data"].as_array().unwrap().clone()
}

fn started(v: &Value, name: &str, year: &str) -> bool {
    v["local_authority"]["name"].as_str().unwrap().contains(name)
        && v["start_date"].as_str().is_some_and(|s| s.starts_with(year))
}

both_backends_async! {
    async fn only_interventions_with_evidence_are_in_force(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        let every = all(&server, "").await;
        assert_eq!(every.len(), 142);
        let statuses = ["in_force", "ended", "superseded", "unknown", "not_started"];
        for v in &every {
            assert!(statuses.contains(&v["status"].as_str().unwrap()), "{v}");
            assert!(!v["status_reason"].as_str().unwrap().is_empty(), "{v}");
            assert_eq!(v["active"], json!(v["status"] == "in_force"), "the deprecated alias");
            assert!(!v["source_urls"].as_array().unwrap().is_empty(), "every record cites a document");
        }
        for (name, year) in OLD_WITHOUT_END {
            let v = every.iter().find(|v| started(v, name, year)).unwrap_or_else(|| panic!("{name} {year}"));
            assert!(v["end_date"].is_null() || v["status"] == "ended", "{v}");
            assert_ne!(v["status"], "in_force", "{name} {year}: {v}");
        }

        let in_force = all(&server, "&status=in_force").await;
        assert!(!in_force.is_empty() && in_force.len() < 30, "{}", in_force.len());
        assert!(in_force.iter().all(|v| v["status"] == "in_force" && !v["status_evidence"].as_array().unwrap().is_empty()));
        let in_force_ids: Vec<&Value> = in_force.iter().map(|v| &v["id"]).collect();
        let expected: Vec<&Value> = every.iter().filter(|v| v["status"] == "in_force").map(|v| &v["id"]).collect();
        assert_eq!(in_force_ids, expected);
        assert!(in_force.iter().all(|v| !OLD_WITHOUT_END.iter().any(|(n, y)| started(v, n, y))));

        // On a date in the past the same rule answers for that date; `active_on` is its alias.
        let then = all(&server, "&status=in_force&as_at=2016-06-30").await;
        let alias = all(&server, "&active_on=2016-06-30").await;
        assert_eq!(then, alias);
        assert!(then.iter().any(|v| started(v, "Birmingham", "2015")), "Birmingham's 2015 direction was in force in 2016");
        assert_eq!(server.get("/v1/interventions?status=lapsed").await.status(), 400);
        assert_eq!(server.get("/v1/interventions?active_on=2016-06-30&status=ended").await.status(), 400);

        // A superseded record names what continued it, and that record exists.
        let superseded = every.iter().find(|v| v["status"] == "superseded").expect("a superseded record");
        let by = superseded["status_evidence"][0]["id"].as_str().unwrap();
        assert_eq!(server.get(&format!("/v1/interventions/{by}")).await.status(), 200);

        // The council list and GraphQL use the same rule.
        let councils = server.get_json("/v1/local-authorities?intervention=active&status=all&limit=500", 200).await;
        let mut with: Vec<String> = in_force.iter().map(|v| v["local_authority"]["gss_code"].as_str().unwrap().to_owned()).collect();
        with.sort();
        with.dedup();
        let mut listed: Vec<String> = councils["data"].as_array().unwrap().iter().map(|c| c["gss_code"].as_str().unwrap().to_owned()).collect();
        listed.sort();
        assert_eq!(listed, with);
        let body = json!({"query": "{ interventions(first: 500, filter: {status: IN_FORCE}) { totalCount edges { node { id status statusReason statusEvidence { kind } } } } }"});
        let r: Value = reqwest::Client::new().post(format!("{}/graphql", server.base_url)).json(&body).send().await.unwrap().json().await.unwrap();
        let nodes = r["data"]["interventions"]["edges"].as_array().unwrap();
        assert_eq!(nodes.len(), in_force.len(), "{r}");
        assert!(nodes.iter().zip(&in_force).all(|(n, v)| n["node"]["id"] == v["id"] && n["node"]["status"] == "IN_FORCE" && n["node"]["statusReason"] == v["status_reason"]));

        // The council's chart draws a bar only as far as the rule knows the intervention lasted,
        // and says why.
        let chart = server.get("/v1/local-authorities/haringey/timeline.svg").await.text().await.unwrap();
        assert!(chart.contains("from 2008") && chart.contains(": unknown (no end recorded"), "{chart}");
        let chart = server.get("/v1/local-authorities/slough/timeline.svg").await.text().await.unwrap();
        assert!(chart.contains("statutory direction from 2021-04-01: in_force ("), "{chart}");

        // CSV carries the status and its reason.
        let csv = server.get("/v1/interventions?format=csv&status=in_force").await.text().await.unwrap();
        let header = csv.lines().next().unwrap();
        assert!(header.contains(",status,status_reason,active,"), "{header}");
        assert_eq!(csv.lines().count(), in_force.len() + 1);
    }
}

both_backends_async! {
    async fn a_source_saying_it_is_in_force_changes_its_status_and_the_feed_says_so(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let dir = seed_dir_copy();
        let file = dir.path().join("interventions_seed.csv");
        let text = std::fs::read_to_string(&file).unwrap();
        // Wiltshire 2012: no end, unknown today. A (made-up, test-only) source from last month
        // says it is still in force.
        let line = text.lines().find(|l| l.contains("Wiltshire") && l.contains(",2012")).unwrap().to_owned();
        // The last three columns: in_force_confirmed_on, in_force_source_url, service.
        assert!(line.ends_with(",,,"), "no confirmation yet: {line}");
        let last_month = (chrono::Utc::now().date_naive() - chrono::Days::new(30)).to_string();
        let confirmed = format!("{},{last_month},https://www.example.gov.uk/wiltshire-still-in-force,", &line[..line.len() - 3]);
        std::fs::write(&file, text.replacen(&line, &confirmed, 1)).unwrap();
        let (ok, _, err) = run_lacs(&db, &["import", "seed", "--dir", dir.path().to_str().unwrap()]);
        assert!(ok, "{err}");

        let server = TestServer::start(&db);
        let wiltshire = all(&server, "&la=wiltshire").await;
        let v = wiltshire.iter().find(|v| started(v, "Wiltshire", "2012")).unwrap();
        assert_eq!(v["status"], "in_force", "{v}");
        assert!(v["status_reason"].as_str().unwrap().contains(&format!("a source says it was in force on {last_month}")), "{v}");
        assert_eq!(v["status_evidence"][0]["url"], "https://www.example.gov.uk/wiltshire-still-in-force");

        let feed = server.get_json("/v1/changes?event=intervention.status_changed&limit=100", 200).await;
        let events = feed["data"].as_array().unwrap();
        assert_eq!(events.len(), 1, "{feed}");
        assert_eq!(events[0]["record_id"], v["id"], "{feed}");
    }
}
