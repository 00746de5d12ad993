//! The GraphQL schema: the same data and the same query layer as REST, as one graph. This module
//! knows nothing about HTTP; the server only mounts [`Engine::execute`].

mod common;
mod indicators;
mod inspections;
mod interventions;
pub mod limits;
mod local_authorities;
mod meta;
mod nodes;
mod stats;
mod timeline;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo};
use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Schema, ServerResult, Value};
use schema::Dataset;

pub use limits::{MAX_COMPLEXITY, MAX_DEPTH};

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Largest response body, in bytes; a larger answer is refused with `RESPONSE_TOO_LARGE`.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

// The root of every query: one part per domain, in the order of the published schema. (A `///`
// comment here would become the type's description and change the committed SDL.)
#[derive(async_graphql::MergedObject, Default)]
pub struct QueryRoot(
    local_authorities::LocalAuthorityQuery,
    inspections::InspectionQuery,
    interventions::InterventionQuery,
    stats::StatsQuery,
    indicators::IndicatorQuery,
    meta::MetaQuery,
);

/// The schema type.
pub type LacsSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema. Its cost limits are applied by [`Engine`] before async-graphql sees a
/// document; the recursion limit stays as a second line of defence for the parser.
pub fn build() -> LacsSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .limit_recursive_depth(MAX_DEPTH * 2)
        .extension(DeadlineCheck)
        .finish()
}

/// The schema in SDL, as committed in `openapi/schema.graphql`.
pub fn sdl() -> String {
    let mut sdl = build().sdl();
    if !sdl.ends_with('\n') {
        sdl.push('\n');
    }
    sdl
}

/// Machine-readable error codes, in `extensions.code`.
pub mod codes {
    /// A bad argument value.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// No record with that id.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The query's complexity (or another bound on its work) is over the limit.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The query nests deeper than the limit.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// The query text is longer than the limit.
    pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
    /// The answer would be larger than the limit.
    pub const RESPONSE_TOO_LARGE: &str = "RESPONSE_TOO_LARGE";
    /// The query ran past its time budget.
    pub const QUERY_TIMEOUT: &str = "QUERY_TIMEOUT";
    /// The query costs more requests than the client's rate limit has left (HTTP 429).
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The client is already running as many costly queries as it may (HTTP 429).
    pub const TOO_MANY_RUNNING_QUERIES: &str = "TOO_MANY_RUNNING_QUERIES";
    /// The query is not valid GraphQL (or nests its text too deeply to parse safely).
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The query does not fit the schema.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The snapshot broke one of its own invariants (never expected; reported, not papered over).
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
}

/// An error with a code.
pub(crate) fn error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

fn refused(code: &'static str, message: impl Into<String>) -> async_graphql::Response {
    async_graphql::Response::from_errors(vec![error(code, message).into_server_error(Default::default())])
}

/// The schema with the model its documents are costed by.
pub struct Engine {
    schema: LacsSchema,
    costs: limits::CostModel,
}

/// The answer to one request: the response and, when the document was costed, its cost.
pub struct Outcome {
    /// What to send.
    pub response: async_graphql::Response,
    /// What the document cost (absent when it was refused before costing).
    pub cost: Option<limits::Cost>,
}

impl Outcome {
    /// Whether the request failed as a whole (errors and no data).
    pub fn failed(&self) -> bool {
        self.response.data == Value::Null && !self.response.errors.is_empty()
    }

    /// The response as JSON, or a `RESPONSE_TOO_LARGE` error when it passes `MAX_RESPONSE_BYTES`.
    pub fn to_json(&self) -> Vec<u8> {
        self.render().unwrap_or_else(|refusal| refusal)
    }

    /// The response as JSON, or (as the error) the `RESPONSE_TOO_LARGE` refusal.
    pub fn render(&self) -> Result<Vec<u8>, Vec<u8>> {
        let mut out = Bounded(Vec::new());
        match serde_json::to_writer(&mut out, &self.response) {
            Ok(()) => Ok(out.0),
            Err(_) => {
                let message =
                    format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes; ask for fewer fields or items");
                Err(serde_json::to_vec(&refused(codes::RESPONSE_TOO_LARGE, message)).unwrap_or_default())
            }
        }
    }

    /// Whether the answer depends only on the document, its variables and the data: not on the
    /// time budget (`QUERY_TIMEOUT`) or on a fault (`INTERNAL_SERVER_ERROR`). Such answers may
    /// be kept and served again.
    pub fn repeatable(&self) -> bool {
        self.response.errors.iter().all(|e| {
            let code = e.extensions.as_ref().and_then(|x| x.get("code"));
            !matches!(code, Some(Value::String(c)) if c == codes::QUERY_TIMEOUT || c == codes::INTERNAL_SERVER_ERROR)
        })
    }
}

/// A writer that fails past `MAX_RESPONSE_BYTES`.
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_RESPONSE_BYTES {
            return Err(std::io::Error::other("response too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl Engine {
    /// The schema and its cost model.
    pub fn new() -> Engine {
        let schema = build();
        let costs = limits::CostModel::from_sdl(&schema.sdl(), "QueryRoot")
            .unwrap_or_else(|e| panic!("the schema's own SDL does not parse: {e}"));
        Engine { schema, costs }
    }

    /// The cost model (for tests and documentation).
    pub fn costs(&self) -> &limits::CostModel {
        &self.costs
    }

    /// Runs one request against `dataset` within `budget` ([`Engine::prepare`], then
    /// [`Engine::run`]).
    pub async fn execute(&self, dataset: Arc<Dataset>, request: async_graphql::Request, budget: Duration) -> Outcome {
        match self.prepare(&dataset, request) {
            Ok(prepared) => self.run(dataset, prepared, Instant::now() + budget).await,
            Err(refused) => *refused,
        }
    }

    /// Checks and costs a request before anything of it runs: refuses documents that are too
    /// large, too nested or too costly for `dataset` (the answer is the refusal).
    pub fn prepare(&self, dataset: &Dataset, mut request: async_graphql::Request) -> Result<Prepared, Box<Outcome>> {
        let refuse = |code, message: String| Box::new(Outcome { response: refused(code, message), cost: None });
        let query = &request.query;
        if query.len() > MAX_QUERY_BYTES {
            let message = format!("the query is {} bytes; the limit is {MAX_QUERY_BYTES}", query.len());
            return Err(refuse(codes::QUERY_TOO_LARGE, message));
        }
        if limits::check_nesting(query).is_err() {
            let message = format!("the query nests brackets more than {} deep", limits::MAX_NESTING);
            return Err(refuse(codes::GRAPHQL_PARSE_FAILED, message));
        }
        let doc = match async_graphql::parser::parse_query(query) {
            Ok(doc) => doc,
            Err(e) => {
                return Err(refuse(codes::GRAPHQL_PARSE_FAILED, e.to_string()));
            }
        };
        let cost = match self.costs.cost(&doc, &request.variables, &limits::RecordCounts::of(dataset)) {
            Ok(cost) => cost,
            Err(refusal) => {
                let (code, message) = match refusal {
                    limits::Refusal::TooNested => {
                        (codes::GRAPHQL_PARSE_FAILED, "the query nests too deeply".to_owned())
                    }
                    limits::Refusal::TooDeep => {
                        (codes::QUERY_TOO_DEEP, format!("the query nests selections more than {MAX_DEPTH} deep"))
                    }
                    limits::Refusal::TooComplex(message) => (codes::QUERY_TOO_COMPLEX, message),
                };
                return Err(refuse(code, message));
            }
        };
        request.set_parsed_query(doc);
        Ok(Prepared { request, cost })
    }

    /// Runs a prepared request against `dataset` (the one it was costed for), resolving no
    /// field after `deadline`, and gives every error a code.
    pub async fn run(&self, dataset: Arc<Dataset>, prepared: Prepared, deadline: Instant) -> Outcome {
        let Prepared { request, cost } = prepared;
        let request = request.data(dataset).data(Deadline(deadline));
        let mut response = self.schema.execute(request).await;
        for err in &mut response.errors {
            let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
            if !has_code {
                let code = if err.path.is_empty() { codes::GRAPHQL_VALIDATION_FAILED } else { codes::BAD_USER_INPUT };
                err.extensions.get_or_insert_with(Default::default).set("code", code);
            }
        }
        let analyzer = serde_json::json!({"complexity": cost.complexity, "depth": cost.depth, "fields": cost.fields});
        response.extensions.insert("analyzer".into(), Value::from_json(analyzer).unwrap_or_default());
        Outcome { response, cost: Some(cost) }
    }
}

/// A request that passed the limits, parsed, with its cost.
pub struct Prepared {
    request: async_graphql::Request,
    /// What it costs.
    pub cost: limits::Cost,
}

/// When the request's time budget ends.
struct Deadline(Instant);

/// Refuses to resolve fields once the request's deadline has passed, so a query that runs long
/// stops at the next field instead of holding its thread.
struct DeadlineCheck;

impl ExtensionFactory for DeadlineCheck {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DeadlineCheck)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for DeadlineCheck {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if ctx.data_opt::<Deadline>().is_some_and(|d| Instant::now() > d.0) {
            let err = error(codes::QUERY_TIMEOUT, "the query ran past its time budget");
            return Err(err.into_server_error(Default::default()));
        }
        next.run(ctx, info).await
    }
}
