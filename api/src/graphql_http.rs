//! Mounts the GraphQL schema on actix: `POST /graphql`, `GET /graphql?query=…` (cacheable, with
//! the same ETag rules as REST) and GraphiQL on a plain `GET /graphql`, served offline from
//! vendored files.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::conditional;
use crate::error::ApiError;
use crate::format::Format;
use crate::graphql::{Engine, codes};
use crate::state::AppState;

/// Runs GraphQL requests on threads of their own under a time budget, so that a costly query
/// never holds the workers that answer REST and `/healthz`.
pub struct Executor {
    engine: Arc<Engine>,
    runtime: Option<tokio::runtime::Runtime>,
    budget: Duration,
}

impl Executor {
    /// An executor with `threads` threads and a wall-clock `budget` per request.
    pub fn new(threads: usize, budget: Duration) -> std::io::Result<Executor> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("lacs-graphql")
            .enable_time()
            .build()?;
        Ok(Executor { engine: Arc::new(Engine::new()), runtime: Some(runtime), budget })
    }

    /// Executes and renders: the status (400 when the request failed as a whole, 503 past its
    /// budget) and the JSON body. The client is charged by the query's complexity on top of the
    /// one request the guard charged.
    async fn run(&self, req: &HttpRequest, state: &AppState, request: async_graphql::Request) -> (StatusCode, Vec<u8>) {
        let (engine, dataset, budget) = (self.engine.clone(), state.dataset(), self.budget);
        let Some(runtime) = &self.runtime else { return timed_out(budget) };
        let mut task = runtime.spawn(async move {
            let outcome = engine.execute(dataset, request, budget).await;
            let status = if outcome.failed() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
            (status, outcome.to_json(), outcome.cost.map_or(0, |c| c.complexity))
        });
        // The deadline inside the engine stops resolving; this one also covers a query that
        // never reaches a field boundary.
        match tokio::time::timeout(budget + Duration::from_secs(1), &mut task).await {
            Ok(Ok((status, body, complexity))) => {
                let extra = complexity / crate::rate_limit::GRAPHQL_COMPLEXITY_PER_REQUEST;
                if extra > 0
                    && let Some(client) = crate::guard::client(req, state.trust_forwarded)
                {
                    state.limits.charge(client, u32::try_from(extra).unwrap_or(u32::MAX));
                }
                (status, body)
            }
            Ok(Err(e)) => {
                tracing::error!(error = %e, "GraphQL execution failed");
                let body =
                    serde_json::json!({"errors": [{"message": "an unexpected error occurred; it has been logged"}]});
                (StatusCode::INTERNAL_SERVER_ERROR, serde_json::to_vec(&body).unwrap_or_default())
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
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn timed_out(budget: Duration) -> (StatusCode, Vec<u8>) {
    let message = format!("the query did not finish within its time budget of {} ms", budget.as_millis());
    let body = serde_json::json!({"errors": [{"message": message, "extensions": {"code": codes::QUERY_TIMEOUT}}]});
    (StatusCode::SERVICE_UNAVAILABLE, serde_json::to_vec(&body).unwrap_or_default())
}

/// A GraphQL request as JSON (POST body) or query string (GET).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphqlBody {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
}

/// `GET /graphql?query=…&variables=…` in the query string.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlQuery {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

fn request(body: GraphqlBody) -> Result<async_graphql::Request, ApiError> {
    let query = body.query.filter(|q| !q.trim().is_empty()).ok_or_else(|| {
        ApiError::invalid("query", "a GraphQL request needs a `query`; open /graphql in a browser for GraphiQL")
    })?;
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = body.operation_name {
        request = request.operation_name(name);
    }
    match body.variables {
        None | Some(serde_json::Value::Null) => {}
        Some(v @ serde_json::Value::Object(_)) => request = request.variables(async_graphql::Variables::from_json(v)),
        Some(_) => return Err(ApiError::invalid("variables", "`variables` must be a JSON object")),
    }
    Ok(request)
}

/// `POST /graphql`.
pub async fn post(
    req: HttpRequest,
    executor: web::Data<Executor>,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: GraphqlBody = serde_json::from_slice(&body).map_err(|e| {
        ApiError::invalid("body", format!("the body must be JSON with `query`, `variables` and `operationName`: {e}"))
    })?;
    let (status, bytes) = executor.run(&req, &state, request(body)?).await;
    Ok(HttpResponse::build(status)
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

/// `GET /graphql`: a query in the query string, or GraphiQL for a browser.
pub async fn get(
    req: HttpRequest,
    executor: web::Data<Executor>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: GraphqlQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| ApiError::invalid("query", format!("the query string cannot be decoded: {e}")))?;
    if q.query.is_none() {
        return Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(GRAPHIQL_HTML));
    }
    let variables = match q.variables.as_deref() {
        None => None,
        Some(text) => Some(
            serde_json::from_str(text)
                .map_err(|e| ApiError::invalid("variables", format!("`variables` is not JSON: {e}")))?,
        ),
    };
    let request = request(GraphqlBody { query: q.query, operation_name: q.operation_name, variables })?;
    let dataset = state.dataset();
    if conditional::is_fresh(&req, &dataset, Format::Json) {
        return conditional::respond(&req, &dataset, Format::Json, || Ok(Vec::new()));
    }
    let (status, bytes) = executor.run(&req, &state, request).await;
    if status != StatusCode::OK {
        return Ok(HttpResponse::build(status).content_type("application/json").body(bytes));
    }
    conditional::respond(&req, &dataset, Format::Json, || Ok(bytes))
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
