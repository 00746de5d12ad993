//! Mounts the GraphQL schema on actix: `POST /graphql`, `GET /graphql?query=…` and GraphiQL on
//! a plain `GET /graphql`, served offline from vendored files. Answers are kept in the response
//! cache under what they depend on (the document, the operation name, the variables, the dataset
//! version and the day), whichever method brought them, with the same ETag and 304 as REST;
//! automatic persisted queries let a client send a hash instead of the document.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use schema::Dataset;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::conditional::Keyed;
use crate::error::ApiError;
use crate::format::Format;
use crate::graphql::{Engine, Prepared, codes};
use crate::persisted_queries::{self as pq, Persisted, PersistedQueries};
use crate::rate_limit::{RunningQueries, Slot, Standing};
use crate::state::AppState;

/// Complexity from which a query is costly: it costs at least one request more than a cheap
/// one, runs on the costly lane and counts towards [`MAX_COSTLY_PER_CLIENT`].
pub const COSTLY_COMPLEXITY: usize = crate::rate_limit::GRAPHQL_COMPLEXITY_PER_REQUEST;
/// Costly queries one client address (IPv6: one /64) may run at once.
pub const MAX_COSTLY_PER_CLIENT: usize = 2;
/// How long a client's costly query waits for one of its running ones to finish before it is
/// refused.
pub const COSTLY_WAIT: Duration = Duration::from_secs(1);

/// Runs GraphQL requests on threads of their own under a time budget, so that a costly query
/// never holds the workers that answer REST and `/healthz`; cheap and costly queries have
/// separate threads, so a cheap query never waits behind a costly one. Holds the persisted
/// documents.
pub struct Executor {
    engine: Arc<Engine>,
    cheap: Option<tokio::runtime::Runtime>,
    costly: Option<tokio::runtime::Runtime>,
    budget: Duration,
    persisted: PersistedQueries,
    running: Arc<RunningQueries>,
}

/// What running one request gave.
struct Ran {
    /// 400 when the request failed as a whole, 503 past its budget, 500 on a fault.
    status: StatusCode,
    body: Vec<u8>,
    /// Whether the answer may be kept: it depends on nothing but the request and the data.
    repeatable: bool,
    /// Whether the document ran without failing as a whole (only such documents are persisted).
    ran: bool,
    /// The limit it was refused for (a code of `graphql::codes`), if it was.
    refusal: Option<&'static str>,
}

impl Ran {
    /// A request the engine did not answer (a fault, or past its budget): `body` as the whole
    /// answer, nothing kept.
    fn unanswered(status: StatusCode, body: &serde_json::Value, refusal: Option<&'static str>) -> Ran {
        let body = serde_json::to_vec(body).unwrap_or_default();
        Ran { status, body, repeatable: false, ran: false, refusal }
    }

    /// What the engine answered: 400 when the request failed as a whole.
    fn answered(outcome: &crate::graphql::Outcome) -> Ran {
        let status = if outcome.failed() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
        let (body, fits) = match outcome.render() {
            Ok(body) => (body, true),
            Err(refusal) => (refusal, false),
        };
        // A refusal for size depends on a limit, not only on the request: never kept.
        let refusal = refusal_code(&outcome.response, fits);
        Ran { status, body, repeatable: fits && outcome.repeatable(), ran: !outcome.failed(), refusal }
    }

    /// The answer, sent to be used once.
    fn unkept(self) -> HttpResponse {
        HttpResponse::build(self.status)
            .content_type("application/json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(self.body)
    }
}

/// The limit an answer was refused for: a refusal is the answer's only error.
fn refusal_code(response: &async_graphql::Response, fits: bool) -> Option<&'static str> {
    if !fits {
        return Some(codes::RESPONSE_TOO_LARGE);
    }
    let code = response.errors.iter().find_map(|e| match e.extensions.as_ref().and_then(|x| x.get("code")) {
        Some(async_graphql::Value::String(c)) => Some(c.clone()),
        _ => None,
    })?;
    [codes::QUERY_TOO_LARGE, codes::QUERY_TOO_DEEP, codes::QUERY_TOO_COMPLEX, codes::QUERY_TIMEOUT]
        .into_iter()
        .find(|known| *known == code)
}

impl Executor {
    /// An executor with `threads` threads for cheap queries and as many for costly ones, and a
    /// wall-clock `budget` per request.
    pub fn new(threads: usize, budget: Duration) -> std::io::Result<Executor> {
        let lane = |name: &str| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads.max(1))
                .thread_name(name)
                .enable_time()
                .build()
        };
        Ok(Executor {
            engine: Arc::new(Engine::new()),
            cheap: Some(lane("lacs-graphql")?),
            costly: Some(lane("lacs-graphql-costly")?),
            budget,
            persisted: Default::default(),
            running: RunningQueries::new(MAX_COSTLY_PER_CLIENT),
        })
    }

    /// Executes and renders within the budget, on the lane its cost calls for; `slot` (the
    /// client's place among its running costly queries) is held until the query stops.
    async fn run(&self, dataset: Arc<Dataset>, prepared: Prepared, slot: Option<Slot>) -> Ran {
        let (engine, budget) = (self.engine.clone(), self.budget);
        let lane = if prepared.cost.complexity >= COSTLY_COMPLEXITY { &self.costly } else { &self.cheap };
        let Some(runtime) = lane else { return timed_out(budget) };
        // The budget runs from here: time spent waiting for a thread counts.
        let deadline = Instant::now() + budget;
        let mut task = runtime.spawn(async move {
            let outcome = engine.run(dataset, prepared, deadline).await;
            drop(slot);
            Ran::answered(&outcome)
        });
        // The deadline inside the engine stops resolving; this one also covers a query that
        // never reaches a field boundary.
        match tokio::time::timeout(budget + Duration::from_secs(1), &mut task).await {
            Ok(Ok(ran)) => ran,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "GraphQL execution failed");
                let body =
                    serde_json::json!({"errors": [{"message": "an unexpected error occurred; it has been logged"}]});
                Ran::unanswered(StatusCode::INTERNAL_SERVER_ERROR, &body, None)
            }
            Err(_) => {
                task.abort();
                timed_out(budget)
            }
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        // Dropped inside the server's own runtime, where a blocking shutdown is not allowed.
        for runtime in [self.cheap.take(), self.costly.take()].into_iter().flatten() {
            runtime.shutdown_background();
        }
    }
}

fn timed_out(budget: Duration) -> Ran {
    let message = format!("the query did not finish within its time budget of {} ms", budget.as_millis());
    let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": codes::QUERY_TIMEOUT}}]});
    Ran::unanswered(StatusCode::SERVICE_UNAVAILABLE, &body, Some(codes::QUERY_TIMEOUT))
}

/// A GraphQL request as JSON (POST body) or query string (GET).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphqlBody {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    extensions: Option<serde_json::Value>,
}

/// `GET /graphql?query=…&variables=…&extensions=…` in the query string.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlQuery {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

/// `variables` written with sorted keys, so that the same values make the same cache key
/// whatever order a client wrote them in.
fn canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (n, key) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// What an answer depends on besides the dataset version and the day, as a SHA-256 in hex: the
/// document, the operation name and the canonical variables, each ended by a byte no UTF-8 text
/// holds, so no two requests share a key.
fn request_key(document: &str, operation: Option<&str>, variables: &str) -> String {
    let digest = Sha256::new()
        .chain_update(document)
        .chain_update([0xff])
        .chain_update(operation.unwrap_or_default())
        .chain_update([0xff, u8::from(operation.is_some())])
        .chain_update(variables)
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A GraphQL error answer that is never kept, in the shape GraphQL clients read.
fn graphql_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    refusal(status, message, serde_json::json!({ "code": code }))
}

/// [`graphql_error`] with more `extensions` than the code.
fn refusal(status: StatusCode, message: &str, extensions: serde_json::Value) -> HttpResponse {
    let body = serde_json::json!({"errors": [{"message": message, "extensions": extensions}]});
    HttpResponse::build(status)
        .content_type("application/json")
        // As Apollo's servers do: a client must not reuse the answer to a hash it will now send again.
        .insert_header((header::CACHE_CONTROL, "private, no-cache, must-revalidate"))
        .body(serde_json::to_vec(&body).unwrap_or_default())
}

/// What a query costs in requests beyond the one the guard charged.
fn extra_requests(complexity: usize) -> u32 {
    u32::try_from(complexity / crate::rate_limit::GRAPHQL_COMPLEXITY_PER_REQUEST).unwrap_or(u32::MAX)
}

/// Charges `client` the `extra` requests a query costs, before it runs: where the client stands
/// then (`None` when there is nothing to charge); `Limited` when its allowance does not cover
/// the cost, and then nothing is spent.
fn charge(state: &AppState, client: Option<IpAddr>, extra: u32) -> Option<Standing> {
    let client = client.filter(|_| extra > 0)?;
    Some(state.limits.charge(client, extra))
}

/// The `429` for a query that costs `extra` requests more than the client has left, until
/// `retry_after`.
fn over_allowance(extra: u32, complexity: Option<usize>, retry_after: Duration) -> HttpResponse {
    let (requests, wait) = (u64::from(extra) + 1, crate::rate_limit::seconds(retry_after));
    let message = format!(
        "this query costs {requests} requests of this address's allowance, more than it has left; send it again \
         in {wait} s (Retry-After), or ask for less"
    );
    let mut extensions = serde_json::json!({"code": codes::RATE_LIMITED, "cost": requests, "retryAfter": wait});
    if let Some(complexity) = complexity {
        extensions["complexity"] = complexity.into();
    }
    refusal(StatusCode::TOO_MANY_REQUESTS, &message, extensions)
}

/// `response`, telling the guard where the client stands after what the handler charged.
fn standing(mut response: HttpResponse, standing: Option<Standing>) -> HttpResponse {
    if let Some(standing) = standing {
        response.extensions_mut().insert(standing);
    }
    response
}

/// The `429` for a costly query past the client's [`MAX_COSTLY_PER_CLIENT`].
fn too_many_running(complexity: usize) -> HttpResponse {
    let message = format!(
        "this address is already running {MAX_COSTLY_PER_CLIENT} costly queries (complexity {COSTLY_COMPLEXITY} or \
         more; this one is {complexity}) and none finished within {} s; send it again when one has",
        COSTLY_WAIT.as_secs()
    );
    let extensions = serde_json::json!({
        "code": codes::TOO_MANY_RUNNING_QUERIES, "complexity": complexity, "retryAfter": 1,
    });
    let mut response = refusal(StatusCode::TOO_MANY_REQUESTS, &message, extensions);
    response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// One request by either method: the document (sent, or persisted before under its hash), the
/// kept answer when there is one, otherwise a run whose repeatable 200 answers are kept. What
/// it costs is charged before it runs.
async fn answer(
    req: &HttpRequest,
    executor: &Executor,
    state: &AppState,
    body: GraphqlBody,
) -> Result<HttpResponse, ApiError> {
    let persisted = match pq::read_extension(body.extensions.as_ref()) {
        Ok(p) => p,
        Err(e) => {
            return Ok(graphql_error(StatusCode::BAD_REQUEST, pq::codes::PERSISTED_QUERY_INVALID, &e.to_string()));
        }
    };
    let sent = body.query.filter(|q| !q.trim().is_empty());
    let (document, persist): (Arc<str>, Option<pq::Hash>) = match (sent, persisted) {
        (Some(query), Persisted::Hash(hash)) => {
            if let Err(e) = pq::check(&query, &hash) {
                let message = e.to_string();
                return Ok(graphql_error(StatusCode::BAD_REQUEST, pq::codes::PERSISTED_QUERY_INVALID, &message));
            }
            (query.into(), Some(hash))
        }
        (None, Persisted::Hash(hash)) => match executor.persisted.get(&hash) {
            Some(document) => (document, None),
            // HTTP 200, as Apollo's clients expect before they send the document.
            None => {
                return Ok(graphql_error(
                    StatusCode::OK,
                    pq::codes::PERSISTED_QUERY_NOT_FOUND,
                    "PersistedQueryNotFound",
                ));
            }
        },
        (Some(query), Persisted::Absent) => (query.into(), None),
        (None, Persisted::Absent) => {
            return Err(ApiError::invalid(
                "query",
                "a GraphQL request needs a `query` (or a persisted query's hash); open /graphql in a browser for GraphiQL",
            ));
        }
    };
    let variables = match body.variables {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ serde_json::Value::Object(_)) => Some(v),
        Some(_) => return Err(ApiError::invalid("variables", "`variables` must be a JSON object")),
    };
    let mut canonical_variables = String::new();
    if let Some(v) = &variables {
        canonical(v, &mut canonical_variables);
    }
    let identity = request_key(&document, body.operation_name.as_deref(), &canonical_variables);
    let key = format!("graphql {identity}");
    let dataset = state.dataset();
    let (version, day) = (dataset.version, schema::query::today());
    let client = crate::origin::client(req, &state.proxies);
    let remember = |document: Arc<str>| {
        if let Some(hash) = persist {
            executor.persisted.put(hash, document);
        }
    };

    if let Some(hit) = state.cache.get(version, day, &key) {
        let charged = charge(state, client, hit.charge);
        if let Some(Standing::Limited { retry_after, .. }) = charged {
            return Ok(standing(over_allowance(hit.charge, None, retry_after), charged));
        }
        remember(document);
        return Ok(standing(hit.response(req.headers()), charged));
    }
    let keyed = Keyed { path: "/graphql", identity: &identity };
    if keyed.is_fresh(req, &dataset, Format::Json) {
        return keyed.respond(req, &dataset, Format::Json, || Ok(Vec::new()));
    }
    let mut request = async_graphql::Request::new(document.to_string());
    if let Some(name) = body.operation_name {
        request = request.operation_name(name);
    }
    if let Some(v) = variables {
        request = request.variables(async_graphql::Variables::from_json(v));
    }
    let prepared = match executor.engine.prepare(&dataset, request) {
        Ok(prepared) => prepared,
        Err(outcome) => {
            let ran = Ran::answered(&outcome);
            if let Some(code) = ran.refusal {
                state.metrics.graphql_refused(code);
            }
            return Ok(ran.unkept());
        }
    };
    let complexity = prepared.cost.complexity;
    // A costly query first waits for a place among its client's running ones, then pays.
    let slot = match client.filter(|c| complexity >= COSTLY_COMPLEXITY && !state.limits.exempts(*c)) {
        Some(c) => match executor.running.slot(c, COSTLY_WAIT).await {
            Some(slot) => Some(slot),
            None => {
                state.metrics.graphql_refused(codes::TOO_MANY_RUNNING_QUERIES);
                return Ok(too_many_running(complexity));
            }
        },
        None => None,
    };
    let extra = extra_requests(complexity);
    let charged = charge(state, client, extra);
    if let Some(Standing::Limited { retry_after, .. }) = charged {
        state.metrics.graphql_refused(codes::RATE_LIMITED);
        return Ok(standing(over_allowance(extra, Some(complexity), retry_after), charged));
    }
    state.metrics.graphql_ran(complexity);
    let ran = executor.run(dataset.clone(), prepared, slot).await;
    if let Some(code) = ran.refusal {
        state.metrics.graphql_refused(code);
    }
    if ran.ran {
        remember(document);
    }
    if ran.status != StatusCode::OK || !ran.repeatable {
        return Ok(standing(ran.unkept(), charged));
    }
    let response = keyed.respond(req, &dataset, Format::Json, || Ok(ran.body))?;
    Ok(standing(state.cache.keep(version, day, key, response, extra), charged))
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    executor: web::Data<Executor>,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = match crate::body::read(payload).await {
        Ok(body) => body,
        Err(error) => return Ok(crate::body::closing(error)),
    };
    let body: GraphqlBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid(
            "body",
            format!("the body must be JSON with `query`, `variables`, `operationName` and `extensions`: {e}"),
        )
    })?;
    answer(&req, &executor, &state, body).await
}

/// `GET /graphql`: a query (or a persisted query's hash) in the query string, or GraphiQL for a
/// browser.
pub async fn get(
    req: HttpRequest,
    executor: web::Data<Executor>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: GraphqlQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::invalid("query", format!("the query string cannot be decoded: {e}")))?;
    if q.query.is_none() && q.extensions.is_none() {
        return Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(GRAPHIQL_HTML));
    }
    let json = |name: &str, text: Option<String>| -> Result<Option<serde_json::Value>, ApiError> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| ApiError::invalid(name, format!("`{name}` is not JSON: {e}")))
        })
        .transpose()
    };
    let body = GraphqlBody {
        variables: json("variables", q.variables)?,
        extensions: json("extensions", q.extensions)?,
        query: q.query,
        operation_name: q.operation_name,
    };
    answer(&req, &executor, &state, body).await
}

/// The vendored GraphiQL files.
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "graphiql.min.js" => (include_bytes!("../assets/graphiql/graphiql.min.js"), "text/javascript"),
        "graphiql.min.css" => (include_bytes!("../assets/graphiql/graphiql.min.css"), "text/css"),
        "react.production.min.js" => (include_bytes!("../assets/graphiql/react.production.min.js"), "text/javascript"),
        "react-dom.production.min.js" => {
            (include_bytes!("../assets/graphiql/react-dom.production.min.js"), "text/javascript")
        }
        _ => return ApiError::NotFound(format!("no GraphiQL asset `{file}`")).into_response(),
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

impl ApiError {
    fn into_response(self) -> HttpResponse {
        actix_web::ResponseError::error_response(&self)
    }
}

const GRAPHIQL_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>lacs GraphQL</title>
  <link rel="stylesheet" href="/graphql/assets/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
  header { padding: 6px 12px; font-size: 14px; border-bottom: 1px solid #ddd; }
  #graphiql { flex: 1; }</style>
</head>
<body>
  <header><strong>lacs</strong> GraphQL · <a href="/docs/">REST API docs</a> · data: Ofsted and DfE, Open Government Licence v3.0</header>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphql/assets/react.production.min.js"></script>
  <script src="/graphql/assets/react-dom.production.min.js"></script>
  <script src="/graphql/assets/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    const query = `# All current councils with their latest judgements and active interventions
{
  localAuthorities(first: 10) {
    totalCount
    edges { node { name gssCode latestInspection { published judgements { area grade } } activeInterventions { kind startDate } } }
  }
}`;
    ReactDOM.createRoot(document.getElementById('graphiql'))
      .render(React.createElement(GraphiQL, { fetcher, defaultQuery: query }));
  </script>
</body>
</html>
"#;
