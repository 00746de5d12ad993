//! GraphQL shared fairly between clients, against the real binary: a query is charged what it
//! computes (lists, totals and introspection included) before it runs, a burst cannot run more
//! than its allowance pays for, and a client's costly queries do not hold up another's cheap one.
//! Two client addresses on loopback: the server listens on 127.0.0.1 and the second client
//! connects from 127.0.0.2 (Linux routes all of 127/8 to the loopback interface).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use api::rate_limit::GRAPHQL_COMPLEXITY_PER_REQUEST;
use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

/// A client connecting from `address`.
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(address)).build().unwrap()
}

/// What a GraphQL POST answered: status, `RateLimit-Remaining`, `Retry-After`, body.
struct Answer {
    status: u16,
    remaining: Option<u32>,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    fn complexity(&self) -> usize {
        let complexity = self.body["extensions"]["analyzer"]["complexity"].as_u64();
        complexity.unwrap_or_else(|| panic!("no complexity: {}", self.body)) as usize
    }

    fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
    }
}

async fn post(client: &reqwest::Client, server: &TestServer, query: &str) -> Answer {
    let r = client.post(format!("{}/graphql", server.base_url)).json(&json!({ "query": query })).send().await.unwrap();
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let (status, remaining, retry_after) = (r.status().as_u16(), header("ratelimit-remaining"), header("retry-after"));
    Answer {
        status,
        remaining: remaining.map(|r: u64| r as u32),
        retry_after,
        body: r.json().await.unwrap_or(Value::Null),
    }
}

/// Requests of allowance a query of `complexity` costs, the one every request pays included.
fn requests(complexity: usize) -> u32 {
    1 + (complexity / GRAPHQL_COMPLEXITY_PER_REQUEST) as u32
}

/// A costly query (every council and its neighbours), made a new document by `n` so that it is
/// never answered from the response cache.
fn costly(n: usize) -> String {
    format!(
        "{{ localAuthorities(first: 500) {{ edges {{ node {{ gssCode name statisticalNeighbours {{ name gssCode slug \
         shortName }} }} }} }} }} # {n}"
    )
}

/// graphql-js's `getIntrospectionQuery()` selection, without its fragments.
const FULL_SCHEMA: &str = "__schema { queryType { name } types { kind name description
    fields(includeDeprecated: true) { name description args { name description type { kind name ofType { kind name
    ofType { kind name ofType { kind name } } } } defaultValue } type { kind name ofType { kind name ofType { kind name
    ofType { kind name } } } } isDeprecated deprecationReason } inputFields { name type { kind name ofType { kind name } } }
    enumValues(includeDeprecated: true) { name description } } directives { name locations args { name } } }";

both_backends_async! {
    async fn graphql_is_charged_what_it_computes_before_it_runs(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        // One request back a minute: nothing refills while the test runs.
        let server = TestServer::start_with(&db, &[("LACS_RATE_LIMIT", "1"), ("LACS_RATE_LIMIT_BURST", "100")]);
        let client = client_from([127, 0, 0, 1]);

        // The first response already shows the whole cost spent.
        let cheap = post(&client, &server, "{ meta { datasetVersion } }").await;
        assert_eq!((cheap.status, cheap.remaining), (200, Some(99)), "{}", cheap.body);
        let heavy = post(&client, &server, &costly(0)).await;
        assert_eq!(heavy.status, 200, "{}", heavy.body);
        let cost = requests(heavy.complexity());
        assert!(cost > 2, "every council with its neighbours costs more than two requests: {}", heavy.complexity());
        assert_eq!(heavy.remaining, Some(99 - cost), "charged {cost} requests before it ran");
        let mut left = 99 - cost;

        // The issue's query: 150 councils × 40 indicators × every council's figure, counted,
        // though it asks only for `totalCount`. Refused before it runs; it costs one request.
        let issue = "{ localAuthorities(first: 150) { edges { node { indicators { indicator { values(first: 500) { totalCount } } } } } } }";
        let refused = post(&client, &server, issue).await;
        assert_eq!((refused.status, refused.code()), (400, "QUERY_TOO_COMPLEX"), "{}", refused.body);
        left -= 1;
        assert_eq!(refused.remaining, Some(left));

        // `totalCount` costs the list it counts.
        let indicators = post(&client, &server, "{ indicators { id } }").await;
        left -= 1;
        let id = indicators.body["data"]["indicators"][0]["id"].as_str().unwrap().to_owned();
        let counted = post(&client, &server, &format!(r#"{{ indicator(id: "{id}") {{ values(first: 500) {{ totalCount }} }} }}"#)).await;
        assert_eq!(counted.status, 200, "{}", counted.body);
        let total = counted.body["data"]["indicator"]["values"]["totalCount"].as_u64().unwrap() as usize;
        assert!(total > 100, "a figure for most councils: {total}");
        assert!(counted.complexity() > 2 * total, "every figure read and paged is counted: {} for {total}", counted.complexity());
        left -= requests(counted.complexity());
        assert_eq!(counted.remaining, Some(left));

        // Introspection lists cost what they list: 29 aliased `__schema` cost more than two
        // requests, and at least one unit for every name they return; 29 whole schemas are
        // refused.
        let aliased: String = (0..29).map(|i| format!("a{i}: __schema {{ types {{ name }} }} ")).collect();
        let listed = post(&client, &server, &format!("{{ {aliased} }}")).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let names: usize = listed.body["data"].as_object().unwrap().values().map(|s| s["types"].as_array().unwrap().len()).sum();
        assert!(listed.complexity() >= names, "{} for {names} names", listed.complexity());
        let cost = requests(listed.complexity());
        assert!(cost > 2, "29 schemas cost {cost} requests");
        left -= cost;
        assert_eq!(listed.remaining, Some(left));
        let whole: String = (0..29).map(|i| format!("a{i}: {FULL_SCHEMA} ")).collect();
        let refused = post(&client, &server, &format!("{{ {whole} }}")).await;
        assert_eq!((refused.status, refused.code()), (400, "QUERY_TOO_COMPLEX"), "{}", refused.body);
        left -= 1;
        let one = post(&client, &server, &format!("{{ {FULL_SCHEMA} }}")).await;
        assert_eq!(one.status, 200, "one whole schema is allowed: {}", one.body);
        left -= requests(one.complexity());
        assert_eq!(one.remaining, Some(left));

        // A kept answer costs what running it did, charged before it is served.
        let again = post(&client, &server, &costly(0)).await;
        assert_eq!(again.status, 200);
        left -= requests(heavy.complexity());
        assert_eq!(again.remaining, Some(left));

        // A burst of 40 at once from a fresh address: every request pays its one, then each
        // query its cost before it runs, so no more run than the allowance pays for.
        let burst_client = client_from([127, 0, 0, 3]);
        let queries: Vec<String> = (1..=40).map(costly).collect();
        let answers = futures_util::future::join_all(queries.iter().map(|q| post(&burst_client, &server, q))).await;
        let cost = requests(heavy.complexity());
        let ran = answers.iter().filter(|a| a.status == 200).count() as u32;
        assert!(ran >= 1, "some run");
        assert!(ran <= (100 - 40) / (cost - 1), "{ran} of 40 ran, each costing {cost} of 100");
        let mut rate_limited = 0;
        for refused in answers.iter().filter(|a| a.status != 200) {
            assert_eq!(refused.status, 429, "{}", refused.body);
            assert!(refused.retry_after.is_some_and(|s| s >= 1), "Retry-After: {}", refused.body);
            match refused.code() {
                "RATE_LIMITED" => {
                    rate_limited += 1;
                    assert_eq!(refused.body["errors"][0]["extensions"]["cost"], cost, "{}", refused.body);
                    assert_eq!(refused.remaining, Some(0));
                }
                "TOO_MANY_RUNNING_QUERIES" => {}
                other => panic!("refused for {other}: {}", refused.body),
            }
        }
        assert!(rate_limited >= 1, "the allowance ran out before the burst did");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bystander_is_answered_while_another_address_runs_costly_queries() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = std::sync::Arc::new(TestServer::start(&db));
    // Three threads from 127.0.0.2, each sending the costliest kind of query it is allowed,
    // a new document every time.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let attackers: Vec<_> = (0..3)
        .map(|thread| {
            let (server, stop) = (server.clone(), stop.clone());
            tokio::spawn(async move {
                let client = client_from([127, 0, 0, 2]);
                let (mut n, mut answered) = (0, 0);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let query = format!(
                        "{{ localAuthorities(first: 50) {{ edges {{ node {{ gssCode name statisticalNeighbours {{ name \
                         latestInspection {{ published judgements {{ area grade }} }} }} }} }} }} }} # {thread} {n}"
                    );
                    let answer = post(&client, &server, &query).await;
                    assert!([200, 429].contains(&answer.status), "{}", answer.body);
                    answered += usize::from(answer.status == 200);
                }
                answered
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let bystander = client_from([127, 0, 0, 1]);
    let mut times = Vec::new();
    for n in 0..20 {
        let started = Instant::now();
        let answer = post(&bystander, &server, &format!("{{ meta {{ datasetVersion }} }} # {n}")).await;
        times.push(started.elapsed());
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(answer.body["data"]["meta"]["datasetVersion"].is_number(), "{}", answer.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answered = 0;
    for attacker in attackers {
        answered += attacker.await.unwrap();
    }
    assert!(answered >= 3, "the costly queries ran meanwhile ({answered})");
    times.sort();
    // Timings are written down in docs/benchmarks.md (release build), never asserted.
    eprintln!(
        "bystander under load (debug build): median {:?}, max {:?}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
