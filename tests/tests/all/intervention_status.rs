//! An intervention's status end to end: the one rule behind REST, GraphQL, CSV, the council list
//! and the change feed, on the bundled data and after a source says more.

use schema::Dataset;
use schema::domain::{InterventionKind, InterventionStatus, SourceClass};
use schema::query::intervention_status::{sources_about_another_council, status_on};
use schema::query::local_authorities::active_interventions;
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
        let statuses = ["in_force", "ended", "superseded", "unknown", "not_started", "not_an_intervention"];
        for v in &every {
            assert!(statuses.contains(&v["status"].as_str().unwrap()), "{v}");
            assert!(!v["status_reason"].as_str().unwrap().is_empty(), "{v}");
            assert_eq!(v["active"], json!(v["status"] == "in_force"), "the deprecated alias");
            let sourced = !v["source_urls"].as_array().unwrap().is_empty();
            assert_eq!(sourced, v["source_class"] != "unsourced", "every record cites a document or says it has none: {v}");
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
        // A successor carries its predecessor's trusts in force (the Northamptonshire Children's Trust).
        let mut with: Vec<String> = in_force.iter().map(|v| v["local_authority"]["gss_code"].as_str().unwrap().to_owned()).collect();
        with.extend(["E06000061".to_owned(), "E06000062".to_owned()]);
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
        // The last five columns: in_force_confirmed_on, in_force_source_url, service,
        // unsourced_reason, start_note.
        assert!(line.ends_with(",,,,,"), "no confirmation yet: {line}");
        let last_month = (chrono::Utc::now().date_naive() - chrono::Days::new(30)).to_string();
        let confirmed =
            format!("{},{last_month},https://www.example.gov.uk/wiltshire-still-in-force,,,", &line[..line.len() - 5]);
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

/// Records whose own notes quoted the end (now explicit in `end_source_url`/`end_date`), and two
/// with an end date but no start: all ended.
const RECORDED_ENDS: [&str; 9] = [
    "iv-20f8897041f3d2ed", // Devon: "I am lifting the improvement notice"
    "iv-4087c2af912a956a", // Isle of Wight: "is now lifted"
    "iv-954a64c2d81f072f", // Middlesbrough: "revoke the revised Statutory Direction"
    "iv-649dd01e9733b8e1", // Peterborough: "had been lifted with immediate effect"
    "iv-e771761c16db2301", // Reading: "lifting Government direction with immediate effect"
    "iv-6073cf37066f7c22", // Salford: "has been lifted"
    "iv-34bad2bcf99f331d", // Worcestershire: "has ended its statutory direction"
    "iv-648c395e2fb8a17c", // Sandwell's notice: end date, no start
    "iv-9536db4a979a2c39", // Rotherham's end of intervention: end date, no start
];

both_backends_async! {
    /// Rules that hold for every record of the bundled dataset, and the cases that showed them wrong.
    async fn every_bundled_intervention_status_rests_on_evidence(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let ds = Dataset::load(&mut db.conn()).unwrap();
        let today = schema::query::today();
        for v in &ds.interventions {
            let s = status_on(&ds, v, today);
            let wrong = sources_about_another_council(&ds, v);
            assert!(wrong.is_empty(), "{} cites documents not about its council: {wrong:?}", v.id);
            if v.source_class == SourceClass::Unsourced {
                assert!(v.source_urls.is_empty(), "{}", v.id);
                assert_eq!(s.status, InterventionStatus::Unknown, "an unsourced record is never in force: {}", v.id);
                continue;
            }
            assert!(!v.source_urls.is_empty(), "{}", v.id);
            if v.kind == InterventionKind::VoluntaryArrangement {
                assert_eq!(s.status, InterventionStatus::NotAnIntervention, "{}", v.id);
                continue;
            }
            let end_recorded = v.end_date.is_some_and(|e| e.last_day() < today) || v.end_source_url.is_some();
            if end_recorded {
                assert!(
                    matches!(s.status, InterventionStatus::Ended | InterventionStatus::Superseded),
                    "{} has a recorded end but is {:?}: {}",
                    v.id,
                    s.status,
                    s.reason
                );
            }
        }
        for la in &ds.local_authorities {
            let active = active_interventions(&ds, &la.gss_code, today);
            assert!(active.iter().all(|i| i.kind != InterventionKind::VoluntaryArrangement), "{}", la.gss_code);
            assert!(active.iter().all(|i| i.source_class != SourceClass::Unsourced), "{}", la.gss_code);
            // A successor carries what was in force for its predecessor's area.
            for s in ds.predecessors_of(&la.gss_code).filter(|s| s.effective <= today) {
                for i in ds.interventions_of(&s.predecessor).filter(|i| {
                    matches!(i.kind, InterventionKind::AlternativeDelivery | InterventionKind::PartnershipWithAnotherCouncil)
                        && status_on(&ds, i, today).in_force()
                }) {
                    assert!(active.iter().any(|a| a.id == i.id), "{} does not carry {}", la.gss_code, i.id);
                }
            }
        }
        for id in RECORDED_ENDS {
            let v = ds.intervention(id).unwrap();
            assert_eq!(status_on(&ds, v, today).status, InterventionStatus::Ended, "{id}");
        }

        let server = TestServer::start(&db);
        // Birmingham Children's Trust: the lifting of a direction about it did not end it, and the
        // April 2023 Ofsted report names it as the provider.
        let trust = server.get_json("/v1/interventions/iv-13105fbc5773ca92", 200).await;
        assert_eq!(trust["status"], "in_force", "{trust}");
        assert!(trust["status_evidence"].to_string().contains("https://files.ofsted.gov.uk/v1/file/50214110"), "{trust}");
        // The Northamptonshire Children's Trust serves both successor councils.
        for slug in ["E06000061", "E06000062"] {
            let la = server.get_json(&format!("/v1/local-authorities/{slug}"), 200).await;
            let ids: Vec<&str> = la["active_interventions"].as_array().unwrap().iter().filter_map(|i| i["id"].as_str()).collect();
            assert!(ids.contains(&"iv-fbd28aefb15189d1"), "{slug}: {la}");
        }
        // Achieving for Children is shared by choice: listed, never in force.
        let afc = server.get_json("/v1/interventions/iv-baa18c4bd84ad7ac", 200).await;
        assert_eq!((&afc["kind"], &afc["status"]), (&json!("voluntary_arrangement"), &json!("not_an_intervention")), "{afc}");
        let windsor = server.get_json("/v1/local-authorities/E06000040", 200).await;
        assert!(windsor["active_interventions"].as_array().unwrap().is_empty(), "{windsor}");
        let listed = server.get_json("/v1/local-authorities?intervention=active&limit=500", 200).await;
        assert!(!listed.to_string().contains("E06000040"), "{listed}");
        // A record whose only source was about Doncaster is unsourced and unknown.
        let scilly = server.get_json("/v1/interventions/iv-83476715369f351e", 200).await;
        assert_eq!((&scilly["source_class"], &scilly["status"]), (&json!("unsourced"), &json!("unknown")), "{scilly}");
    }
}
