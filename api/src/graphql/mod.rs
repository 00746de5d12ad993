//! The GraphQL schema: the same data and the same query layer as REST, as one graph. This module
//! knows nothing about HTTP; the server only mounts [`execute`].

mod types;

use std::sync::Arc;

use async_graphql::extensions::Analyzer;
use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Schema};
use schema::Dataset;

pub use types::QueryRoot;

/// Deepest selection nesting accepted.
pub const MAX_DEPTH: usize = 16;
/// Largest complexity accepted: each field costs 1 and a list multiplies its selection by `first`.
pub const MAX_COMPLEXITY: usize = 25_000;
/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The schema type.
pub type LacsSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema with its public-endpoint limits.
pub fn build() -> LacsSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(64)
        .extension(Analyzer)
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
    /// The query's complexity is over the limit.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The query nests deeper than the limit.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// The query text is longer than the limit.
    pub const QUERY_TOO_LARGE: &str = "QUERY_TOO_LARGE";
    /// The query is not valid GraphQL.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The query does not fit the schema.
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}

/// An error with a code.
pub(crate) fn error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// Runs one request against `dataset`: refuses oversized queries, and gives every error a code.
pub async fn execute(
    schema: &LacsSchema,
    dataset: Arc<Dataset>,
    request: async_graphql::Request,
) -> async_graphql::Response {
    if request.query.len() > MAX_QUERY_BYTES {
        let message = format!("the query is {} bytes; the limit is {MAX_QUERY_BYTES}", request.query.len());
        let err = error(codes::QUERY_TOO_LARGE, message).into_server_error(Default::default());
        return async_graphql::Response::from_errors(vec![err]);
    }
    if let Err(e) = async_graphql::parser::parse_query(&request.query) {
        let err = error(codes::GRAPHQL_PARSE_FAILED, e.to_string()).into_server_error(Default::default());
        return async_graphql::Response::from_errors(vec![err]);
    }
    let mut response = schema.execute(request.data(dataset)).await;
    for err in &mut response.errors {
        let has_code = err.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let message = err.message.to_lowercase();
        let code = if message.contains("too complex") {
            codes::QUERY_TOO_COMPLEX
        } else if message.contains("nested too deep") || message.contains("recursion") {
            codes::QUERY_TOO_DEEP
        } else if err.path.is_empty() {
            codes::GRAPHQL_VALIDATION_FAILED
        } else {
            codes::BAD_USER_INPUT
        };
        err.extensions.get_or_insert_with(Default::default).set("code", code);
    }
    response
}
