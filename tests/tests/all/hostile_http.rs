//! The hostile internet at the HTTP layer, against the real binary: compressed and slow request
//! bodies, connections held open, a cache filled with one-off requests, absolute URLs made from
//! what a client says, and forwarded addresses chosen by the client.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use testkit::{Backend, Contents, TestDb, TestServer, both_backends_async};

fn address(server: &TestServer) -> SocketAddr {
    server.base_url.trim_start_matches("http://").parse().unwrap()
}

/// A connection to the server from `source` (any 127.0.0.0/8 address is this machine).
async fn connect_from(server: &TestServer, source: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket.connect(address(server)).await.unwrap()
}

/// Sends `request` as it is and reads what comes back until the server closes or `wait` passes.
async fn exchange(stream: &mut TcpStream, request: &[u8], wait: Duration) -> String {
    stream.write_all(request).await.unwrap();
    read_for(stream, wait).await
}

async fn read_for(stream: &mut TcpStream, wait: Duration) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The server's peak resident memory so far (VmHWM), in MiB.
fn peak_rss_mb(server: &TestServer) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.pid())).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

fn gzip_of_zeros(mib: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

/// A metric's value in `/metrics`, summed over its labels.
async fn metric(server: &TestServer, name: &str) -> f64 {
    let text = server.get("/metrics").await.text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn compressed_request_bodies_are_refused_unread_under_a_flood() {
    let db = TestDb::new(Backend::Sqlite, Contents::Seeded);
    // One address, many connections at once: this test is about bodies, not the share.
    let server = TestServer::start_with(&db, &[("LACS_MAX_CONNECTIONS_PER_CLIENT", "0")]);
    let url = format!("{}/graphql", server.base_url);
    // 60 KiB of gzip that inflates to 60 MiB: under the body limit as sent.
    let bomb = gzip_of_zeros(60);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let before = peak_rss_mb(&server);
    let floods = (0..150).map(|i| {
        let (client, url, bomb) = (server.client.clone(), url.clone(), bomb.clone());
        let coding = ["gzip", "br", "deflate"][i % 3];
        tokio::spawn(async move {
            let r = client
                .post(url)
                .header("content-type", "application/json")
                .header("content-encoding", coding)
                .body(bomb)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.headers().get("accept-encoding").cloned(), r.text().await.unwrap())
        })
    });
    for flood in futures_util::future::join_all(floods).await {
        let (status, accept_encoding, body) = flood.unwrap();
        assert_eq!(status, 415, "{body}");
        assert_eq!(accept_encoding.unwrap(), "identity");
        assert!(body.contains("uncompressed"), "{body}");
    }
    let peak = peak_rss_mb(&server);
    assert!(peak < 200, "peak RSS {peak} MiB (before the flood {before} MiB)");
    // The same query uncompressed is answered; a body declared too large is refused unread.
    let plain = server.client.post(&url).json(&serde_json::json!({"query": "{ meta { datasetVersion } }"}));
    assert_eq!(plain.send().await.unwrap().status(), 200);
    let mut stream = connect_from(&server, [127, 0, 0, 1]).await;
    let head =
        "POST /graphql HTTP/1.1\r\nHost: lacs\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";
    let answer = exchange(&mut stream, head.as_bytes(), Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("application/problem+json") && answer.contains("65536 bytes"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_bodies_time_out_and_one_address_cannot_hold_every_connection() {
    let db = TestDb::new(Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start_with(&db, &[("LACS_MAX_CONNECTIONS_PER_CLIENT", "16")]);
    let slow =
        "POST /graphql HTTP/1.1\r\nHost: lacs\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n{";
    // One address opens 40 connections, each announcing 64 KiB and sending one byte.
    let mut held = Vec::new();
    for _ in 0..40 {
        let mut stream = connect_from(&server, [127, 0, 0, 1]).await;
        stream.write_all(slow.as_bytes()).await.unwrap();
        held.push(stream);
    }
    // Those past its share of 16 (in the order the server accepted them) are answered 429 and
    // closed at once; the others wait for their bodies.
    let answers =
        futures_util::future::join_all(held.iter_mut().map(|s| read_for(s, Duration::from_millis(2000)))).await;
    let mut waiting = Vec::new();
    for (stream, answer) in held.into_iter().zip(answers) {
        if answer.is_empty() {
            waiting.push(stream);
        } else {
            assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
            assert!(answer.contains("too many open connections from this address ("), "{answer}");
        }
    }
    assert_eq!(waiting.len(), 16, "the address's share is held, the rest refused");
    // Another address is served meanwhile.
    let mut other = connect_from(&server, [127, 0, 0, 2]).await;
    let answer = exchange(
        &mut other,
        b"GET /healthz HTTP/1.1\r\nHost: lacs\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The sixteen held get 408 when their bodies' time runs out, and are closed.
    for stream in &mut waiting {
        let answer = read_for(stream, Duration::from_secs(15)).await;
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("did not arrive within 10 seconds"), "{answer}");
    }
    // Their slots are free again.
    drop(waiting);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut again = connect_from(&server, [127, 0, 0, 1]).await;
    let answer = exchange(
        &mut again,
        b"GET /healthz HTTP/1.1\r\nHost: lacs\r\nConnection: close\r\n\r\n",
        Duration::from_secs(5),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cache_filled_with_one_off_requests_keeps_caching() {
    let db = TestDb::new(Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start(&db);
    // Large list pages, then many small one-off answers: far more than the cache holds.
    for day in 1..=28 {
        let r = server.get(&format!("/v1/inspections?limit=500&published_from=2000-01-{day:02}")).await;
        assert_eq!(r.status(), 200);
    }
    for n in 0..400 {
        assert_eq!(server.get(&format!("/v1/local-authorities?limit={}", n % 500 + 1)).await.status(), 200);
    }
    let bytes = metric(&server, "lacs_response_cache_bytes").await;
    assert!(bytes <= 24.0 * 1024.0 * 1024.0, "{bytes} bytes held");
    assert!(bytes > 12.0 * 1024.0 * 1024.0, "the cache filled: {bytes} bytes held");
    // A new request is still kept: the second time it is a hit.
    let hits = metric(&server, "lacs_response_cache_hits_total").await;
    for _ in 0..2 {
        assert_eq!(server.get("/v1/local-authorities/E10000020/inspections").await.status(), 200);
    }
    assert_eq!(metric(&server, "lacs_response_cache_hits_total").await, hits + 1.0, "kept though the cache was full");
}

both_backends_async! {
    async fn absolute_urls_follow_one_rule_whatever_the_request_says(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let page = "/councils/slough";
        // Forwarded headers are not believed without a trusted proxy; the Host is.
        let r = server
            .client
            .get(format!("{}{page}", server.base_url))
            .header("host", "lacs.example.net:8080")
            .header("x-forwarded-host", "javascript://evil.example")
            .header("x-forwarded-proto", "javascript")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let vary = r.headers()["vary"].to_str().unwrap().to_owned();
        assert!(vary.contains("Host"), "{vary}");
        let html = r.text().await.unwrap();
        assert!(html.contains("http://lacs.example.net:8080/"), "the embed code names the Host");
        assert!(!html.contains("evil.example") && !html.contains("javascript:"));
        // A Host that is not host[:port] is refused, not echoed.
        let r = server
            .client
            .get(format!("{}{page}", server.base_url))
            .header("host", "evil.example\"><script>alert(1)</script>")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(!r.text().await.unwrap().contains("<script>alert"));
        // An absolute-form request names another authority: the feed's links ignore it, and a
        // later ordinary request is not served what it made.
        let poison = b"GET http://evil.example/v1/feeds/changes.atom HTTP/1.1\r\nHost: lacs.example.net\r\nConnection: close\r\n\r\n";
        let mut stream = connect_from(&server, [127, 0, 0, 1]).await;
        let answer = exchange(&mut stream, poison, Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("href=\"http://lacs.example.net/v1/feeds/changes.atom\""), "{answer}");
        assert!(!answer.contains("evil.example"));
        let feed = server
            .client
            .get(format!("{}/v1/feeds/changes.atom", server.base_url))
            .header("host", "lacs.example.net")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!feed.contains("evil.example"));

        // Behind a trusted proxy its forwarded host and scheme make the links, and vary them.
        let proxied = TestServer::start_with(&db, &[("LACS_TRUSTED_PROXIES", "127.0.0.1/32")]);
        let get = |host: &'static str| {
            proxied
                .client
                .get(format!("{}/v1/feeds/changes.atom", proxied.base_url))
                .header("x-forwarded-host", host)
                .header("x-forwarded-proto", "https")
                .send()
        };
        let first = get("lacs.example.org").await.unwrap();
        let vary = first.headers()["vary"].to_str().unwrap().to_owned();
        assert!(vary.contains("X-Forwarded-Host") && vary.contains("Forwarded"), "{vary}");
        let etag = first.headers()["etag"].clone();
        assert!(first.text().await.unwrap().contains("https://lacs.example.org/v1/feeds/changes.atom"));
        let second = get("mirror.example.org").await.unwrap();
        assert_ne!(second.headers()["etag"], etag, "the validator follows the base");
        assert!(second.text().await.unwrap().contains("https://mirror.example.org/"));
        assert_eq!(get("javascript://evil.example").await.unwrap().status(), 400);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_are_read_from_the_right() {
    let db = TestDb::new(Backend::Sqlite, Contents::Seeded);
    // One proxy in front: the client is the entry it appended, the right-most.
    let server = TestServer::start_with(
        &db,
        &[("LACS_RATE_LIMIT", "60"), ("LACS_RATE_LIMIT_BURST", "3"), ("LACS_TRUSTED_PROXIES", "1")],
    );
    let get = |name: &'static str, value: String| {
        server.client.get(format!("{}/v1/meta", server.base_url)).header(name, value).send()
    };
    // A new left-most entry each time does not make a new client.
    for (i, header) in ["x-forwarded-for", "forwarded"].into_iter().enumerate() {
        let client = format!("198.51.100.{}", i + 1);
        let mut statuses = Vec::new();
        for n in 0..5 {
            let value = match header {
                "forwarded" => format!("for=203.0.113.{n}, for=\"{client}:4711\""),
                _ => format!("203.0.113.{n}, {client}"),
            };
            statuses.push(get(header, value).await.unwrap().status().as_u16());
        }
        assert_eq!(statuses, [200, 200, 200, 429, 429], "{header}");
    }
    // Both headers naming different clients: charged to the proxy, not to either.
    let both = |n: u8| {
        server
            .client
            .get(format!("{}/v1/meta", server.base_url))
            .header("x-forwarded-for", format!("192.0.2.{n}"))
            .header("forwarded", format!("for=192.0.2.{}", n + 100))
            .send()
    };
    let mut statuses = Vec::new();
    for n in 0..5 {
        statuses.push(both(n).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);

    // Trusted networks: every hop inside them is skipped, and the first outside is the client.
    let networks = TestServer::start_with(
        &db,
        &[
            ("LACS_RATE_LIMIT", "60"),
            ("LACS_RATE_LIMIT_BURST", "3"),
            ("LACS_TRUSTED_PROXIES", "127.0.0.0/8,10.0.0.0/8"),
        ],
    );
    let mut statuses = Vec::new();
    for n in 0..5 {
        let r = networks
            .client
            .get(format!("{}/v1/meta", networks.base_url))
            .header("x-forwarded-for", format!("203.0.113.{n}, 198.51.100.9, 10.1.2.3"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429]);
}
