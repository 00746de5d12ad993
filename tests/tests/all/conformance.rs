//! The OpenAPI document says what the server does: requests generated from the served spec
//! (every operation; each parameter alone with its enum values, examples, range edges, values
//! outside them and seeded junk) get a status the operation documents, with a documented media
//! type, never a 5xx; values the spec allows are accepted.

use serde_json::Value;
use testkit::{Contents, TestDb, TestServer};

/// A small fixed-seed generator for junk values.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn junk(&mut self) -> String {
        const PIECES: &[&str] =
            &["a", "Z", "0", "9", "-", "_", ".", "é", "%", "'", "\"", " ", "<", "{", "[", "\u{0}", "∞", "/", "+"];
        let len = (self.next() % 12) as usize;
        (0..len).map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize]).collect()
    }
}

/// A value to try, and whether the spec allows it.
struct Candidate {
    value: String,
    allowed: bool,
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => &spec["components"]["schemas"][name],
        None => schema,
    }
}

fn candidates(spec: &Value, param: &Value, rng: &mut XorShift) -> Vec<Candidate> {
    let mut schema = resolve(spec, &param["schema"]);
    // Option<T> comes out as oneOf [null, T].
    if let Some(branch) = schema["oneOf"].as_array().and_then(|b| b.iter().find(|s| s["type"] != "null")) {
        schema = resolve(spec, branch);
    }
    let mut out = Vec::new();
    let mut allow = |value: String| out.push(Candidate { value, allowed: true });
    if let Some(example) = param.get("example").filter(|e| !e.is_null()) {
        allow(example.as_str().map_or_else(|| example.to_string(), str::to_owned));
    }
    if let Some(values) = schema["enum"].as_array() {
        values.iter().filter_map(Value::as_str).for_each(|v| allow(v.to_owned()));
    }
    let ty = schema["type"]
        .as_str()
        .or_else(|| schema["type"].as_array().and_then(|t| t.iter().find_map(|t| t.as_str().filter(|t| *t != "null"))));
    match (ty, schema["format"].as_str()) {
        (Some("integer"), _) => {
            let (min, max) = (schema["minimum"].as_i64(), schema["maximum"].as_i64());
            if let Some(min) = min {
                allow(min.to_string());
            }
            if let Some(max) = max {
                allow(max.to_string());
            }
        }
        (_, Some("date")) => {
            allow("2000-01-01".into());
            allow("2100-12-31".into());
        }
        (Some("boolean"), _) => {
            allow("true".into());
            allow("false".into());
        }
        _ => {}
    }
    let mut try_it = |value: &str| out.push(Candidate { value: value.to_owned(), allowed: false });
    for value in
        ["", "zz", "-1", "0", "501", "99999999999999999999", "1999-12-31", "2101-01-01", "2024-02-30", "true", "TRUE"]
    {
        try_it(value);
    }
    for _ in 0..6 {
        try_it(&rng.junk());
    }
    out
}

fn path_value(param: &Value) -> String {
    match param["example"].as_str() {
        Some(v) => v.to_owned(),
        None if param["example"].is_number() => param["example"].to_string(),
        // The archive's only parameter: a document name of the right form.
        None => format!("{}.pdf", "0".repeat(64)),
    }
}

fn documented(op: &Value, status: u16) -> Option<&Value> {
    op["responses"].get(status.to_string()).or_else(|| op["responses"].get(format!("{}XX", status / 100)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_get_what_the_spec_documents() {
    let db = TestDb::new(testkit::Backend::Sqlite, Contents::Seeded);
    let server = TestServer::start(&db);
    let spec: Value = server.get_json("/v1/openapi.json", 200).await;
    let mut rng = XorShift(0x1ac5_2026);
    let (mut requests, mut failures) = (0, Vec::new());
    for (template, item) in spec["paths"].as_object().unwrap() {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let mut path = template.clone();
        for p in params.iter().filter(|p| p["in"] == "path") {
            path = path.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &path_value(p));
        }
        let mut cases: Vec<(String, bool)> = vec![(String::new(), true), ("unknown_parameter=1".into(), false)];
        for p in params.iter().filter(|p| p["in"] == "query") {
            let name = p["name"].as_str().unwrap();
            for c in candidates(&spec, p, &mut rng) {
                let query = serde_urlencoded::to_string([(name, c.value.as_str())]).unwrap();
                cases.push((query, c.allowed));
            }
        }
        // The path itself with junk in it.
        for _ in 0..3 {
            let junk: String = url_escape(&rng.junk());
            if let Some(p) = params.iter().find(|p| p["in"] == "path") {
                let bad = template.replace(&format!("{{{}}}", p["name"].as_str().unwrap()), &format!("x{junk}"));
                cases.push((format!("@{bad}"), false));
            }
        }
        for (query, allowed) in cases {
            let url = match query.strip_prefix('@') {
                Some(bad_path) => format!("{}{bad_path}", server.base_url),
                None if query.is_empty() => format!("{}{path}", server.base_url),
                None => format!("{}{path}?{query}", server.base_url),
            };
            let r = server.client.get(&url).send().await.unwrap();
            requests += 1;
            let status = r.status().as_u16();
            let media = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().split(';').next().unwrap().trim().to_owned());
            let what = format!("GET {url} → {status} {media:?}");
            let Some(response) = documented(op, status) else {
                failures.push(format!("{what}: status not documented"));
                continue;
            };
            if status >= 500 {
                failures.push(format!("{what}: server error"));
            }
            if allowed && !(200..300).contains(&status) && status != 404 {
                failures.push(format!("{what}: a value the spec allows was refused"));
            }
            if let (Some(content), Some(media)) = (response["content"].as_object(), media)
                && !content.keys().any(|k| k == &media)
            {
                failures.push(format!("{what}: media type not documented ({:?})", content.keys().collect::<Vec<_>>()));
            }
        }
    }
    eprintln!("{requests} generated requests");
    assert!(requests > 500, "only {requests} requests generated");
    assert!(
        failures.is_empty(),
        "{} of {requests} requests disagree with the spec:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}
