//! GraphQL answers kept like REST's: under the document, the operation name, the variables, the
//! dataset version and the day, for POST and GET alike, served again byte for byte with the same
//! headers and the same ETag and 304; automatic persisted queries (the Apollo convention).

use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use testkit::{Contents, TestDb, TestServer};

const COUNCIL: &str = "query Council($id: String!, $asAt: Date) { localAuthority(id: $id, asAt: $asAt) {
    gssCode name latestInspection { published judgements { area grade } } } }";

async fn post(server: &TestServer, body: &Value, if_none_match: Option<&str>) -> (u16, HeaderMap, Vec<u8>) {
    let mut request = server.client.post(format!("{}/graphql", server.base_url)).json(body);
    if let Some(etag) = if_none_match {
        request = request.header("if-none-match", etag);
    }
    let r = request.send().await.unwrap();
    (r.status().as_u16(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
}

async fn get(server: &TestServer, params: &[(&str, String)]) -> (u16, HeaderMap, Vec<u8>) {
    let r = server.client.get(graphql_url(server, params)).send().await.unwrap();
    (r.status().as_u16(), r.headers().clone(), r.bytes().await.unwrap().to_vec())
}

fn graphql_url(server: &TestServer, params: &[(&str, String)]) -> String {
    format!("{}/graphql?{}", server.base_url, serde_urlencoded::to_string(params).unwrap())
}

/// The headers a kept answer must repeat exactly (the rate-limit headers move with each request).
fn representation(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| !n.as_str().starts_with("ratelimit-") && n.as_str() != "date")
        .map(|(n, v)| {
            let value = v.to_str().unwrap();
            // actix-cors writes the exposed headers from a hash set, in an order of each worker's own.
            let value = if n.as_str() == "access-control-expose-headers" {
                let mut names: Vec<&str> = value.split(',').map(str::trim).collect();
                names.sort_unstable();
                names.join(", ")
            } else {
                value.to_owned()
            };
            (n.as_str().to_owned(), value)
        })
        .collect();
    kept.sort();
    kept
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

fn code(body: &[u8]) -> String {
    json_of(body)["errors"][0]["extensions"]["code"].as_str().unwrap_or_default().to_owned()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_kept_for_post_and_get_under_what_they_depend_on() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start(&db);
    let norfolk =
        json!({"query": COUNCIL, "operationName": "Council", "variables": {"id": "norfolk", "asAt": "2026-05-17"}});

    // The first answer and the kept one: same status, body and headers.
    let (status, first_headers, first) = post(&server, &norfolk, None).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&first));
    assert_eq!(json_of(&first)["data"]["localAuthority"]["gssCode"], "E10000020");
    let etag = first_headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "a strong validator: {etag}");
    assert_eq!(first_headers["cache-control"], "public, max-age=300");
    let (_, again_headers, again) = post(&server, &norfolk, None).await;
    assert_eq!(again, first, "byte for byte");
    assert_eq!(representation(&again_headers), representation(&first_headers));

    // The variables in another order are the same request; other values are another.
    let reordered =
        json!({"query": COUNCIL, "operationName": "Council", "variables": {"asAt": "2026-05-17", "id": "norfolk"}});
    let (_, headers, body) = post(&server, &reordered, None).await;
    assert_eq!((headers["etag"].to_str().unwrap(), body.as_slice()), (etag.as_str(), first.as_slice()));
    let suffolk =
        json!({"query": COUNCIL, "operationName": "Council", "variables": {"id": "suffolk", "asAt": "2026-05-17"}});
    let (_, headers, body) = post(&server, &suffolk, None).await;
    assert_ne!(headers["etag"].to_str().unwrap(), etag);
    assert_eq!(json_of(&body)["data"]["localAuthority"]["name"], "Suffolk");
    let earlier = json!({"query": COUNCIL, "variables": {"id": "norfolk", "asAt": "2015-01-01"}});
    let (_, headers, body) = post(&server, &earlier, None).await;
    assert_ne!(headers["etag"].to_str().unwrap(), etag, "no operation name and another date");
    assert_ne!(body, first);

    // GET with the same document, operation and variables is the same answer and validator.
    let params = [
        ("query", COUNCIL.to_owned()),
        ("operationName", "Council".to_owned()),
        ("variables", r#"{"id":"norfolk","asAt":"2026-05-17"}"#.to_owned()),
    ];
    let (status, headers, body) = get(&server, &params).await;
    assert_eq!((status, body.as_slice()), (200, first.as_slice()));
    assert_eq!(representation(&headers), representation(&first_headers));

    // If-None-Match: 304 by either method, with the validator and no body.
    let (status, headers, body) = post(&server, &norfolk, Some(&etag)).await;
    assert_eq!((status, headers["etag"].to_str().unwrap(), body.len()), (304, etag.as_str(), 0));
    let r = server.client.get(graphql_url(&server, &params)).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(r.status(), 304);

    // Errors the request itself causes are answered, never with public caching headers unless
    // repeatable; a document that fails as a whole is a 400 that no one keeps.
    let (status, headers, body) = post(&server, &json!({"query": "{ nope }"}), None).await;
    assert_eq!((status, code(&body).as_str()), (400, "GRAPHQL_VALIDATION_FAILED"));
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers.get("etag").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_cut_short_by_the_time_budget_are_not_kept() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start_with(&db, &[("LACS_GRAPHQL_TIMEOUT_MS", "1")]);
    let everything = json!({"query": "{ localAuthorities(first: 500, filter: {status: ALL}) { edges { node { gssCode
        inspections(first: 20) { edges { node { id published grade(area: OVERALL_EFFECTIVENESS) } } } } } } }"});
    for _ in 0..3 {
        let (status, headers, body) = post(&server, &everything, None).await;
        let codes: Vec<String> = json_of(&body)["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
            .collect();
        assert!(codes.iter().any(|c| c == "QUERY_TIMEOUT"), "{status} {codes:?}");
        assert_eq!(headers["cache-control"], "no-store", "neither lacs nor a proxy keeps it");
        assert!(headers.get("etag").is_none());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_persisted_queries_follow_the_apollo_protocol() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start(&db);
    let document = "{ localAuthority(id: \"norfolk\") { gssCode name } }";
    let hash = sha256_hex(document);
    let extension = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});

    // The hash alone, before the document was ever sent: HTTP 200 with PERSISTED_QUERY_NOT_FOUND.
    let (status, headers, body) = get(&server, &[("extensions", extension.to_string())]).await;
    assert_eq!((status, code(&body).as_str()), (200, "PERSISTED_QUERY_NOT_FOUND"));
    assert!(headers.get("etag").is_none());
    assert!(headers["cache-control"].to_str().unwrap().contains("no-cache"));
    let (status, _, body) = post(&server, &json!({"extensions": extension}), None).await;
    assert_eq!((status, code(&body).as_str()), (200, "PERSISTED_QUERY_NOT_FOUND"));

    // A document that does not hash to the hash sent with it, or another protocol version: 400.
    let wrong = json!({"query": "{ meta { datasetVersion } }", "extensions": extension});
    let (status, _, body) = post(&server, &wrong, None).await;
    assert_eq!((status, code(&body).as_str()), (400, "PERSISTED_QUERY_INVALID"));
    let v2 = json!({"query": document, "extensions": {"persistedQuery": {"version": 2, "sha256Hash": hash}}});
    let (status, _, body) = post(&server, &v2, None).await;
    assert_eq!((status, code(&body).as_str()), (400, "PERSISTED_QUERY_INVALID"));

    // Sent once with its hash, the document runs and is kept; then the hash alone is enough,
    // over GET (a short URL a CDN can cache), with the same answer and validator.
    let (status, first_headers, first) =
        post(&server, &json!({"query": document, "extensions": extension}), None).await;
    assert_eq!(status, 200);
    assert_eq!(json_of(&first)["data"]["localAuthority"]["gssCode"], "E10000020");
    let (status, headers, body) = get(&server, &[("extensions", extension.to_string())]).await;
    assert_eq!((status, body.as_slice()), (200, first.as_slice()));
    assert_eq!(headers["etag"], first_headers["etag"]);
    let (status, _, body) = post(&server, &json!({"extensions": extension}), None).await;
    assert_eq!((status, body), (200, first));

    // A persisted document still passes the cost limits, and one refused is not kept.
    let wide = "{ localAuthorities(first: 500) { edges { node { inspections(first: 500) { edges { node { id \
                judgements { area grade } statements { source judgements { area grade } } } } } } } } }";
    let wide_ext = json!({"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(wide)}});
    let (_, _, body) = post(&server, &json!({"query": wide, "extensions": wide_ext}), None).await;
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX");
    let (status, _, body) = get(&server, &[("extensions", wide_ext.to_string())]).await;
    assert_eq!((status, code(&body).as_str()), (200, "PERSISTED_QUERY_NOT_FOUND"));

    // Malformed extensions are refused, and a plain GET is still GraphiQL.
    let (status, _, body) = get(&server, &[("extensions", "{\"persistedQuery\": 7}".to_owned())]).await;
    assert_eq!((status, code(&body).as_str()), (400, "PERSISTED_QUERY_INVALID"));
    let (status, _, _) = get(&server, &[("extensions", "not json".to_owned())]).await;
    assert_eq!(status, 400);
    let page = server.get("/graphql").await.text().await.unwrap();
    assert!(page.contains("graphiql"));
}
