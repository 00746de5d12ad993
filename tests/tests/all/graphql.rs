//! GraphQL end to end: the real binary on each backend, every root field, relations, filters,
//! pagination, `asAt`, error codes and limits, and agreement with REST.

use std::collections::HashSet;

use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

async fn gql(server: &TestServer, query: &str, variables: Value) -> (u16, Value) {
    let r = server
        .client
        .post(format!("{}/graphql", server.base_url))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn data(server: &TestServer, query: &str, variables: Value) -> Value {
    let (status, body) = gql(server, query, variables).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn error_code(server: &TestServer, query: &str) -> String {
    let (_, body) = gql(server, query, json!({})).await;
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}")).to_owned()
}

both_backends_async! {
    async fn graph(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        // One council, any code, with relations in every direction.
        let d = data(&server, r#"query($id: String!) { localAuthority(id: $id, asAt: "2026-05-17") {
            gssCode dfeCode ofstedUrn name region { code name } laType
            latestInspection { id published judgements { area grade } localAuthority { slug } }
            status { state latestGrades { area grade } persistentFailure { met inspections { id } } systemicFailure { met } }
            statisticalNeighbours { gssCode }
            inspections(first: 10) { totalCount edges { node { id } } }
            timeline(first: 50) { totalCount edges { node { date event inspection { id } } } }
        } }"#, json!({"id": "80418"})).await;
        let la = &d["localAuthority"];
        assert_eq!(la["gssCode"], "E10000020");
        assert_eq!(la["latestInspection"]["id"], "50204404");
        assert_eq!(la["latestInspection"]["localAuthority"]["slug"], "norfolk");
        assert_eq!(la["latestInspection"]["judgements"][0], json!({"area": "OVERALL_EFFECTIVENESS", "grade": "GOOD"}));
        assert_eq!(la["status"]["state"], "CURRENT");
        assert_eq!(la["statisticalNeighbours"].as_array().unwrap().len(), 10);
        assert_eq!(la["inspections"]["totalCount"], 8, "published on or before asAt: four inspections, two focused visits, and the 2011 and 2013 inspections only Ofsted's statistics state");
        let entries = la["timeline"]["edges"].as_array().unwrap();
        assert_eq!(la["timeline"]["totalCount"], 11, "six inspections (two only the statistics state), two focused visits and three interventions");
        assert_eq!(entries.iter().filter(|e| e["node"]["event"] == "INSPECTION_PUBLISHED").count(), 8);
        let after = data(&server, r#"{ localAuthority(id: "norfolk", asAt: "2026-05-18") { latestInspection { id grade(area: OVERALL_EFFECTIVENESS) } } }"#, json!({})).await;
        assert_eq!(after["localAuthority"]["latestInspection"], json!({"id": "50301680", "grade": "OUTSTANDING"}));

        // Northamptonshire in 2020 and 2022; successors and predecessors.
        let n = data(&server, r#"{ a: localAuthority(id: "E10000021", asAt: "2020-06-30") { status { state } }
            b: localAuthority(id: "northamptonshire", asAt: "2022-06-30") { status { state } successors { effective localAuthority { gssCode predecessors { localAuthority { gssCode } } } } } }"#, json!({})).await;
        assert_eq!(n["a"]["status"]["state"], "CURRENT");
        assert_eq!(n["b"]["status"]["state"], "RETIRED");
        assert_eq!(n["b"]["successors"][0]["effective"], "2021-04-01");
        assert_eq!(n["b"]["successors"][0]["localAuthority"]["gssCode"], "E06000061");
        assert_eq!(n["b"]["successors"][0]["localAuthority"]["predecessors"][0]["localAuthority"]["gssCode"], "E10000021");

        // Walk every inspection with cursors: no gaps, no repeats.
        let mut seen = HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let d = data(&server, "query($after: String) { inspections(first: 60, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }", json!({"after": after})).await;
            let c = &d["inspections"];
            assert_eq!(c["totalCount"], 1069);
            for e in c["edges"].as_array().unwrap() {
                assert!(seen.insert(e["node"]["id"].as_str().unwrap().to_owned()));
            }
            if c["pageInfo"]["hasNextPage"] == false { break; }
            after = c["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len(), 1069);

        // Filters, the same as REST's.
        let f = data(&server, r#"{
            inspections(first: 500, filter: { grades: [{ area: OVERALL_EFFECTIVENESS, grade: INADEQUATE }] }) { totalCount }
            y2023: inspections(first: 500, filter: { publishedFrom: "2023-01-01", publishedTo: "2023-12-31", framework: ILACS, kind: INSPECTION, region: "London" }) { edges { node { published localAuthority { region { name } } } } }
            burke: inspections(first: 10, filter: { leadInspector: "burke", la: "norfolk" }) { totalCount }
            sw: localAuthorities(first: 500, filter: { region: "South West" }) { totalCount }
            london: localAuthorities(first: 500, filter: { laType: LONDON_BOROUGH }) { totalCount }
            retired: localAuthorities(first: 500, filter: { status: RETIRED }) { totalCount }
            inadequate: localAuthorities(first: 500, filter: { rating: INADEQUATE }) { edges { node { latestInspection { grade(area: OVERALL_EFFECTIVENESS) } } } }
            active: localAuthorities(first: 500, filter: { interventionActive: true }) { totalCount }
            none: localAuthorities(first: 500, filter: { interventionActive: false }) { totalCount }
            directions: interventions(first: 500, filter: { kind: STATUTORY_DIRECTION }) { totalCount }
            slough: interventions(first: 50, filter: { la: "slough", activeOn: "2021-06-30" }) { edges { node { active localAuthority { name } } } }
            byRating: localAuthorities(first: 3, orderBy: { field: RATING }) { edges { node { latestInspection { grade(area: OVERALL_EFFECTIVENESS) } } } }
        }"#, json!({})).await;
        assert_eq!(f["inspections"]["totalCount"], 100);
        for e in f["y2023"]["edges"].as_array().unwrap() {
            assert!(e["node"]["published"].as_str().unwrap().starts_with("2023"));
            assert_eq!(e["node"]["localAuthority"]["region"]["name"], "London");
        }
        assert!(f["burke"]["totalCount"].as_u64().unwrap() >= 1);
        assert_eq!(f["sw"]["totalCount"], 15);
        assert_eq!(f["london"]["totalCount"], 33);
        assert_eq!(f["retired"]["totalCount"], 5);
        assert!(f["inadequate"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["latestInspection"]["grade"] == "INADEQUATE"));
        assert_eq!(f["active"]["totalCount"].as_u64().unwrap() + f["none"]["totalCount"].as_u64().unwrap(), 153);
        assert_eq!(f["directions"]["totalCount"], 39);
        assert!(f["slough"]["edges"].as_array().unwrap().iter().all(|e| e["node"]["active"] == true && e["node"]["localAuthority"]["name"] == "Slough"));
        assert_eq!(f["byRating"]["edges"][0]["node"]["latestInspection"]["grade"], "OUTSTANDING");

        // Single records, stats and meta.
        let one = data(&server, r#"{ inspection(id: "50204404") { published leadInspectors provenance { source sha256 } localAuthority { gssCode } }
            ratingStats(asAt: "2023-03-31", by: REGION) { total groups { key total grades { grade count localAuthorities { gssCode } } } }
            meta { datasetVersion counts { localAuthorities inspections judgements interventions } licence maxComplexity maxDepth } }"#, json!({})).await;
        assert_eq!(one["inspection"]["localAuthority"]["gssCode"], "E10000020");
        assert_eq!(one["inspection"]["leadInspectors"], json!(["Margaret Burke"]));
        assert_eq!(one["ratingStats"]["groups"].as_array().unwrap().len(), 9);
        let rest_stats = server.get_json("/v1/stats/ratings?as_at=2023-03-31&by=region", 200).await;
        assert_eq!(one["ratingStats"]["total"], rest_stats["total"]);
        assert_eq!(one["meta"]["counts"], json!({"localAuthorities": 158, "inspections": 1069, "judgements": 3006, "interventions": 142}));
        assert_eq!(one["meta"]["licence"], "Open Government Licence v3.0");
        let first_iv = server.get_json("/v1/interventions?limit=1", 200).await["data"][0]["id"].as_str().unwrap().to_owned();
        let iv = data(&server, "query($id: String!) { intervention(id: $id) { id kind startDate localAuthority { gssCode } } }", json!({"id": first_iv})).await;
        assert_eq!(iv["intervention"]["id"], first_iv.as_str());

        // Error codes and limits, refused before running.
        assert_eq!(error_code(&server, r#"{ localAuthority(id: "atlantis") { name } }"#).await, "NOT_FOUND");
        assert_eq!(error_code(&server, r#"{ inspection(id: "1") { id } }"#).await, "NOT_FOUND");
        assert_eq!(error_code(&server, "{ localAuthorities(first: 0) { totalCount } }").await, "BAD_USER_INPUT");
        // A refused value is named as the client sent it.
        let (_, negative) = gql(&server, "{ localAuthorities(first: -5) { totalCount } }", json!({})).await;
        assert_eq!(negative["errors"][0]["extensions"]["argument"], "first", "{negative}");
        assert!(negative["errors"][0]["message"].as_str().unwrap().contains("(got -5)"), "{negative}");
        let rest = server.get_json("/v1/local-authorities?limit=-5", 400).await;
        assert!(rest["detail"].as_str().unwrap().contains("(got -5)"), "{rest}");
        assert_eq!(error_code(&server, r#"{ localAuthorities(first: 5, filter: { region: "Atlantis" }) { totalCount } }"#).await, "BAD_USER_INPUT");
        assert_eq!(error_code(&server, r#"{ inspections(first: 5, after: "forged.cursor") { totalCount } }"#).await, "BAD_USER_INPUT");
        let (_, forged) = gql(&server, r#"{ inspections(first: 5, after: "forged.cursor") { totalCount } }"#, json!({})).await;
        assert_eq!(forged["errors"][0]["extensions"]["argument"], "after", "a forged cursor names GraphQL's own argument: {forged}");
        assert_eq!(error_code(&server, "{ localAuthorities(first: 5 { totalCount } }").await, "GRAPHQL_PARSE_FAILED");
        assert_eq!(error_code(&server, "{ localAuthorities(first: 5) { colour } }").await, "GRAPHQL_VALIDATION_FAILED");
        assert_eq!(error_code(&server, "{ localAuthorities { totalCount } }").await, "GRAPHQL_VALIDATION_FAILED", "first is required");
        // Nested pages multiply: every council's inspections, each with its judgements and statements.
        let wide = "{ localAuthorities(first: 500) { edges { node { inspections(first: 500) { edges { node { id judgements { area grade } statements { source judgements { area grade } } } } } } } } }";
        assert_eq!(error_code(&server, wide).await, "QUERY_TOO_COMPLEX");
        let mut deep = String::from("gssCode");
        for _ in 0..16 {
            deep = format!("successors {{ localAuthority {{ {deep} }} }}");
        }
        assert_eq!(error_code(&server, &format!("{{ localAuthority(id: \"cumbria\") {{ {deep} }} }}")).await, "QUERY_TOO_DEEP");
        let huge = format!("{{ meta {{ datasetVersion }} }} # {}", "x".repeat(20_000));
        assert_eq!(error_code(&server, &huge).await, "QUERY_TOO_LARGE");
        let (status, body) = gql(&server, "{ meta { datasetVersion } }", json!({})).await;
        assert_eq!(status, 200);
        assert!(body["extensions"]["analyzer"]["complexity"].as_u64().unwrap() > 0, "complexity echoed: {body}");

        // Introspection, as GraphiQL sends it, fits within the limits.
        let introspection = data(&server, INTROSPECTION, json!({})).await;
        assert!(introspection["__schema"]["types"].as_array().unwrap().iter().any(|t| t["name"] == "JudgementArea"));

        // GET queries cache like REST.
        let url = format!("{}/graphql?query=%7Bmeta%7BdatasetVersion%7D%7D", server.base_url);
        let r = server.client.get(&url).send().await.unwrap();
        let etag = r.headers()["etag"].to_str().unwrap().to_owned();
        assert_eq!(r.headers()["cache-control"], "public, max-age=300");
        let r = server.client.get(&url).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(r.status(), 304);

        // GraphiQL is served from lacs itself and links to the REST docs.
        let (page, js) = (server.get("/graphql").await.text().await.unwrap(), server.get("/graphql/assets/graphiql.min.js").await);
        assert!(page.contains("/graphql/assets/graphiql.min.js") && page.contains("/docs/"));
        assert!(!page.contains("https://"), "GraphiQL must not load anything from the internet");
        assert_eq!(js.status(), 200);
        let spec: Value = server.get_json("/v1/openapi.json", 200).await;
        assert!(spec["info"]["description"].as_str().unwrap().contains("(/graphql)"), "the REST docs link to GraphiQL");
    }
}

both_backends_async! {
    async fn graphql_and_rest_agree(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let g = data(&server, "{ localAuthorities(first: 500) { totalCount edges { node {
            gssCode name latestInspection { id published judgements { area grade } }
            activeInterventions { id kind startDate commissioner } } } } }", json!({})).await;
        let rest = server.get_json("/v1/local-authorities?limit=500", 200).await;
        let rest_rows = rest["data"].as_array().unwrap();
        let edges = g["localAuthorities"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), rest_rows.len());
        assert_eq!(g["localAuthorities"]["totalCount"], rest["meta"]["total"]);
        for (e, r) in edges.iter().zip(rest_rows) {
            let n = &e["node"];
            assert_eq!(n["gssCode"], r["gss_code"]);
            assert_eq!(n["name"], r["name"]);
            match r["latest_inspection"].as_object() {
                None => assert!(n["latestInspection"].is_null()),
                Some(ri) => {
                    assert_eq!(n["latestInspection"]["id"], ri["id"]);
                    assert_eq!(n["latestInspection"]["published"], ri["published"]);
                    let gj: Vec<(String, String)> = n["latestInspection"]["judgements"].as_array().unwrap().iter()
                        .map(|j| (j["area"].as_str().unwrap().to_lowercase(), j["grade"].as_str().unwrap().to_lowercase())).collect();
                    let mut rj: Vec<(String, String)> = ri["judgements"].as_object().unwrap().iter()
                        .map(|(a, g)| (a.clone(), g.as_str().unwrap().to_owned())).collect();
                    let mut gj_sorted = gj.clone();
                    gj_sorted.sort();
                    rj.sort();
                    assert_eq!(gj_sorted, rj, "{}", r["gss_code"]);
                }
            }
            let gi: Vec<(&Value, String, &Value, &Value)> = n["activeInterventions"].as_array().unwrap().iter()
                .map(|i| (&i["id"], i["kind"].as_str().unwrap().to_lowercase(), &i["startDate"], &i["commissioner"])).collect();
            let ri: Vec<(&Value, String, &Value, &Value)> = r["active_interventions"].as_array().unwrap().iter()
                .map(|i| (&i["id"], i["kind"].as_str().unwrap().to_owned(), &i["start_date"], &i["commissioner"])).collect();
            assert_eq!(gi, ri, "{}", r["gss_code"]);
        }
    }
}

#[test]
fn the_committed_graphql_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == api::graphql::sdl(),
        "openapi/schema.graphql is out of date; regenerate it with:\n    cargo run -p api --bin lacs -- graphql-schema > openapi/schema.graphql"
    );
}

/// graphql-js's `getIntrospectionQuery()`, which GraphiQL sends to learn the schema.
const INTROSPECTION: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }";

both_backends_async! {
    async fn an_inspections_sources_and_their_disagreements(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        // Staffordshire, 6 November 2023: the 2024 edition of Ofsted's statistics said care
        // leavers Good; the report (and the 2025 edition, correcting itself) Requires improvement.
        let d = data(&server, r#"{ inspection(id: "50237007") {
            grade(area: CARE_LEAVERS)
            statements { source locator judgements { area grade } }
            discrepancies { field value otherValue otherSource otherLocator }
        } }"#, json!({})).await;
        let i = &d["inspection"];
        assert_eq!(i["grade"], "REQUIRES_IMPROVEMENT");
        let statements = i["statements"].as_array().unwrap();
        assert!(statements.iter().any(|s| s["locator"].as_str().unwrap().starts_with("LA_Inspection_Outcomes_as_at_31_March_2025.ods")), "{i}");
        let disagreements = i["discrepancies"].as_array().unwrap();
        assert_eq!(disagreements.len(), 3, "{i}");
        for x in disagreements {
            assert_eq!((x["field"].as_str(), x["value"].as_str(), x["otherValue"].as_str()), (Some("care_leavers"), Some("requires_improvement"), Some("good")));
            assert_eq!(x["otherSource"], "ofsted-stats");
            assert!(x["otherLocator"].as_str().unwrap().starts_with("LA_Inspection_Outcomes_as_at_March_2024.ods"));
        }
    }
}
