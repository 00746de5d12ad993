//! The hostile internet, against the real binary: requests that once crashed it, exhausted its
//! memory or held its workers, and the HTTP rules a public server must keep.

use std::time::Duration;

use serde_json::{Value, json};
use testkit::{Contents, TestDb, TestServer, both_backends_async};

async fn post_graphql(server: &TestServer, body: &Value) -> (u16, Value) {
    let r = server.client.post(format!("{}/graphql", server.base_url)).json(body).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn code(server: &TestServer, query: &str) -> String {
    let (_, body) = post_graphql(server, &json!({ "query": query })).await;
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or_else(|| panic!("no error code: {body}")).to_owned()
}

async fn alive(server: &TestServer) {
    assert_eq!(server.get("/healthz").await.status(), 200, "the server survived");
}

/// The server's resident memory, from /proc.
fn rss_mb(server: &TestServer) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn fragments(leaf: &str) -> String {
    let mut doc = format!("fragment F0 on LocalAuthority {{ {leaf} }}\n");
    for i in 1..=7 {
        let spreads = vec![format!("...F{}", i - 1); 10].join(" ");
        doc.push_str(&format!("fragment F{i} on LocalAuthority {{ {spreads} }}\n"));
    }
    doc + r#"{ localAuthority(id: "E10000020") { ...F7 } }"#
}

both_backends_async! {
    async fn graphql_documents_that_once_took_the_server_down(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);

        // 1. Nested values: refused before the parser, on POST and GET, in arguments, input
        // objects and variable defaults.
        let lists = format!("{{ meta(x: {}1{}) {{ datasetVersion }} }}", "[".repeat(1700), "]".repeat(1700));
        let objects = format!("{{ meta(x: {}1{}) {{ datasetVersion }} }}", "{a:".repeat(1200), "}".repeat(1200));
        let defaults = format!("query($v: Int = {}1{}) {{ meta {{ datasetVersion }} }}", "[".repeat(1700), "]".repeat(1700));
        for query in [&lists, &objects, &defaults] {
            assert_eq!(code(&server, query).await, "GRAPHQL_PARSE_FAILED");
        }
        let url = format!("{}/graphql?query={}", server.base_url, "%5B".repeat(3000));
        let r = server.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
        alive(&server).await;

        // 2. Plain lists carry their bounds: nested neighbours are refused however they are reached.
        let mut nested = String::from("name");
        for _ in 0..7 {
            nested = format!("statisticalNeighbours {{ {nested} }}");
        }
        assert_eq!(code(&server, &format!(r#"{{ localAuthority(id: "E10000020") {{ {nested} }} }}"#)).await, "QUERY_TOO_COMPLEX");
        let wide = "{ localAuthorities(first: 500) { edges { node { statisticalNeighbours { statisticalNeighbours { statisticalNeighbours { name } } } } } } }";
        assert_eq!(code(&server, wide).await, "QUERY_TOO_COMPLEX");
        let cells = "{ ratingStats { groups { grades { localAuthorities { statisticalNeighbours { statisticalNeighbours { statisticalNeighbours { name } } } } } } } }";
        assert_eq!(code(&server, cells).await, "QUERY_TOO_COMPLEX");
        // What the bounds allow still works, and the complexity reported is the real one.
        let (status, body) = post_graphql(&server, &json!({"query": r#"{ localAuthority(id: "E10000020") { statisticalNeighbours { name } } }"#})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["extensions"]["analyzer"]["complexity"], 1 + 10 * 2);
        assert_eq!(body["data"]["localAuthority"]["statisticalNeighbours"].as_array().unwrap().len(), 10);

        // 3. Fragment fan-out: costed once per fragment, refused at once.
        for leaf in ["__typename", "name"] {
            let started = std::time::Instant::now();
            assert_eq!(code(&server, &fragments(leaf)).await, "QUERY_TOO_COMPLEX", "{leaf}");
            eprintln!("fan-out on {leaf} refused in {:?}", started.elapsed());
        }
        let many_spreads = format!("fragment F on LocalAuthority {{ name }} {{ localAuthority(id: \"norfolk\") {{ {} }} }}", "...F ".repeat(150));
        assert_eq!(code(&server, &many_spreads).await, "QUERY_TOO_COMPLEX");

        // 4. Aliases and introspection count like any field.
        let aliases: String = (0..500).map(|i| format!("a{i}:__schema{{types{{name}}}} ")).collect();
        assert_eq!(code(&server, &format!("{{ {aliases} }}")).await, "QUERY_TOO_COMPLEX");
        let recursive = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert_eq!(code(&server, recursive).await, "QUERY_TOO_COMPLEX");
        alive(&server).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_runs_within_its_budget_and_rest_stays_responsive() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start_with(&db, &[("LACS_GRAPHQL_TIMEOUT_MS", "1")]);
    let everything = "{ localAuthorities(first: 500) { edges { node { gssCode name latestInspection { id judgements { area grade } } statisticalNeighbours { name } } } } }";
    let queries: Vec<_> = (0..8)
        .map(|_| {
            let request =
                server.client.post(format!("{}/graphql", server.base_url)).json(&json!({"query": everything}));
            tokio::spawn(async move {
                let r = request.send().await.unwrap();
                (r.status().as_u16(), r.json::<Value>().await.unwrap())
            })
        })
        .collect();
    assert_eq!(server.get("/healthz").await.status(), 200, "REST answers while GraphQL runs");
    for query in queries {
        let (status, body) = query.await.unwrap();
        let codes: Vec<&str> =
            body["errors"].as_array().into_iter().flatten().filter_map(|e| e["extensions"]["code"].as_str()).collect();
        let excerpt: String = body.to_string().chars().take(300).collect();
        assert!(codes.contains(&"QUERY_TIMEOUT"), "a 1 ms budget stops the query ({status}): {excerpt}");
    }
}

both_backends_async! {
    async fn http_rules_head_methods_caching_ranges_and_problems(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let url = |path: &str| format!("{}{path}", server.base_url);

        // 6. HEAD is GET without the body; other methods get a true Allow.
        for path in [
            "/v1/meta", "/v1/local-authorities/E10000020", "/v1/datasets/latest/inspections.csv",
            "/v1/local-authorities/norfolk/badge.svg", "/v1/feeds/changes.atom", "/v1/openapi.json", "/docs/",
        ] {
            let get = server.client.get(url(path)).send().await.unwrap();
            assert_eq!(get.status(), 200, "GET {path}");
            let (etag, length) = (get.headers().get("etag").cloned(), get.headers().get("content-length").cloned());
            let get_len = get.bytes().await.unwrap().len();
            let head = server.client.head(url(path)).send().await.unwrap();
            assert_eq!(head.status(), 200, "HEAD {path}");
            assert_eq!(head.headers().get("etag").cloned(), etag, "HEAD {path}: same ETag");
            assert_eq!(head.headers().get("content-length").cloned(), length, "HEAD {path}: same Content-Length");
            if let Some(length) = &length {
                assert_eq!(length.to_str().unwrap(), get_len.to_string());
            }
            assert!(head.bytes().await.unwrap().is_empty(), "HEAD {path}: no body");
        }
        let r = server.client.delete(url("/v1/meta")).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["allow"].to_str().unwrap()), (405, "GET, HEAD"));
        let r = server.client.put(url("/graphql")).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["allow"].to_str().unwrap()), (405, "GET, HEAD, POST"));
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(server.client.post(url("/no/such/path")).send().await.unwrap().status(), 404);

        // 7. The response cache does not grow with headers: distinct Accept and Host values.
        let before = rss_mb(&server);
        for i in 0..3000 {
            let accept = format!("application/json, text/x-{i}-{}", "a".repeat(4000));
            let r = server.client.get(url("/v1/meta")).header("accept", accept).header("host", format!("h{i}.example")).send().await.unwrap();
            assert_eq!(r.status(), 200);
        }
        let after = rss_mb(&server);
        assert!(after < before + 60, "RSS grew from {before} MB to {after} MB");
        let feed = server.client.get(url("/v1/feeds/changes.atom")).header("host", "elsewhere.example").send().await.unwrap();
        assert!(feed.headers()["vary"].to_str().unwrap().contains("Host"), "links follow Host only when LACS_PUBLIC_URL is unset, and say so");
        assert!(feed.text().await.unwrap().contains("http://elsewhere.example/"));

        // 8. Ranges.
        let file = url("/v1/datasets/latest/inspections.csv");
        let whole = server.client.get(&file).send().await.unwrap();
        let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
        let whole = whole.bytes().await.unwrap();
        let part = server.client.get(&file).header("range", "bytes=10-19").send().await.unwrap();
        assert_eq!(part.status(), 206);
        assert_eq!(part.headers()["content-range"].to_str().unwrap(), format!("bytes 10-19/{}", whole.len()));
        assert_eq!(part.bytes().await.unwrap(), whole.slice(10..20));
        let current = server.client.get(&file).header("range", "bytes=10-19").header("if-range", &etag).send().await.unwrap();
        assert_eq!(current.status(), 206, "If-Range with the current validator");
        for (range, if_range) in [("bytes=10-19", Some("\"0-stale\"")), ("bytes=10-19", Some(&*format!("W/{etag}"))), ("bytes=oops", None), ("bytes=0-1,5-6", None)] {
            let mut request = server.client.get(&file).header("range", range);
            if let Some(v) = if_range {
                request = request.header("if-range", v);
            }
            let r = request.send().await.unwrap();
            assert_eq!(r.status(), 200, "Range {range} with If-Range {if_range:?}: the whole file");
            assert_eq!(r.bytes().await.unwrap().len(), whole.len());
        }
        let r = server.client.get(&file).header("range", format!("bytes={}-", whole.len() + 5)).send().await.unwrap();
        assert_eq!(r.status(), 416);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.headers()["content-range"].to_str().unwrap(), format!("bytes */{}", whole.len()));
        let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
        let identity = raw.get(url("/v1/local-authorities?limit=100")).send().await.unwrap();
        let gzip = raw.get(url("/v1/local-authorities?limit=100")).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(gzip.headers()["content-encoding"], "gzip");
        assert_ne!(gzip.headers()["etag"], identity.headers()["etag"], "an encoded body has its own (weak) validator");
        assert!(gzip.headers()["etag"].to_str().unwrap().starts_with("W/"));

        // 9. Every error is a problem document.
        let big_body = json!({"query": format!("{{ meta {{ datasetVersion }} }} #{}", "x".repeat(100_000))});
        let r = server.client.post(url("/graphql")).json(&big_body).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (413, "application/problem+json"));
        let r = server.client.get(url("/v1/meta")).header("x-padding", "p".repeat(10_000)).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (431, "application/problem+json"));
        let r = server.client.get(url(&format!("/v1/{}", "a".repeat(3000)))).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (414, "application/problem+json"));
        let r = server.client.request(reqwest::Method::OPTIONS, url("/v1/meta"))
            .header("origin", "https://example.org").header("access-control-request-method", "DELETE").send().await.unwrap();
        assert!(r.status().is_client_error(), "CORS refuses DELETE");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        for path in ["/docs/..", "/docs/../../etc/passwd", "/docs/%2e%2e/Cargo.toml"] {
            let r = server.client.get(url(path)).send().await.unwrap();
            if !r.status().is_success() {
                assert_eq!(r.headers()["content-type"], "application/problem+json", "{path}");
            } else {
                assert!(!r.text().await.unwrap().contains("[package]"), "{path} leaks a file");
            }
        }
        alive(&server).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_per_client_with_headers_and_graphql_by_complexity() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start_with(&db, &[("LACS_RATE_LIMIT", "60"), ("LACS_RATE_LIMIT_BURST", "5")]);
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let r = server.get("/v1/meta").await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["ratelimit-limit"], "5");
        remaining.push(r.headers()["ratelimit-remaining"].to_str().unwrap().parse::<u32>().unwrap());
        assert!(r.headers().contains_key("ratelimit-reset"));
    }
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
    let r = server.get("/v1/meta").await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    tokio::time::sleep(Duration::from_millis(retry * 1000 + 100)).await;
    assert_eq!(server.get("/v1/meta").await.status(), 200, "allowed again after Retry-After");

    // A costly GraphQL query spends the allowance that a cheap one would not.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let heavy =
        "{ localAuthorities(first: 500) { edges { node { name latestInspection { judgements { area grade } } } } } }";
    let (status, body) = post_graphql(&server, &json!({"query": heavy})).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["extensions"]["analyzer"]["complexity"].as_u64().unwrap() >= 4000);
    assert_eq!(server.get("/v1/meta").await.status(), 429, "the query cost more than one request");
}

/// A TCP proxy to PostgreSQL that can stop answering, as a frozen server does.
struct FreezingProxy {
    port: u16,
    frozen: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl FreezingProxy {
    fn start(target: std::net::SocketAddr) -> FreezingProxy {
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let frozen = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = frozen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = std::net::TcpStream::connect(target) else { continue };
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    let flag = flag.clone();
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            let Ok(n) = std::io::Read::read(&mut from, &mut buf) else { return };
                            if n == 0 {
                                return;
                            }
                            while flag.load(Ordering::SeqCst) {
                                std::thread::sleep(Duration::from_millis(50));
                            }
                            if std::io::Write::write_all(&mut to, &buf[..n]).is_err() {
                                return;
                            }
                        }
                    });
                }
            }
        });
        FreezingProxy { port, frozen }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_answers_when_postgres_freezes() {
    let db = TestDb::new(testkit::Backend::Postgres, Contents::Seeded);
    let url = reqwest::Url::parse(&db.url_string).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432)).parse().unwrap();
    let proxy = FreezingProxy::start(target);
    let mut through = url.clone();
    through.set_port(Some(proxy.port)).unwrap();
    let server = TestServer::start_with(&db, &[("DATABASE_URL", through.as_str())]);
    assert_eq!(server.get("/readyz").await.status(), 200);
    proxy.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    let r =
        tokio::time::timeout(Duration::from_secs(10), server.get("/readyz")).await.expect("readyz answers, not hangs");
    assert_eq!(r.status(), 503);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    assert_eq!(server.get("/healthz").await.status(), 200);
    assert_eq!(server.get("/v1/meta").await.status(), 200, "reads come from the snapshot");
    proxy.frozen.store(false, std::sync::atomic::Ordering::SeqCst);
}

#[test]
fn serve_against_a_database_that_never_answers_fails_and_names_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts connections and never says a word.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in listener.incoming().flatten() {
            held.push(c);
        }
    });
    let data = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(testkit::lacs_binary())
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", format!("postgres://lacs:secret@127.0.0.1:{port}/lacs"))
        .env("LACS_DATA_DIR", data.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("lacs serve still waits on a silent database");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert!(stderr.contains(&format!("127.0.0.1:{port}/lacs")), "names the address: {stderr}");
    assert!(!stderr.contains("secret"), "never prints the password: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_public_url_is_not_changed_by_host() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start_with(&db, &[("LACS_PUBLIC_URL", "https://lacs.example.org")]);
    let feed = server
        .client
        .get(format!("{}/v1/feeds/changes.atom", server.base_url))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert!(!feed.headers()["vary"].to_str().unwrap().contains("Host"));
    let text = feed.text().await.unwrap();
    assert!(text.contains("https://lacs.example.org/") && !text.contains("evil.example"));
}
