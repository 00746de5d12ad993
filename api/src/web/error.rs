//! Errors as pages for people. A page handler's error (a bad `as_at`, an unknown council)
//! renders here with its status and what to do next; `guard::problems` turns any other error
//! on a page's path (rate limit, sizes, methods) into the same page, so people never get a
//! problem document and the API never gets HTML.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use maud::{Markup, html};
use schema::domain::LocalAuthority;

use super::layout::{Page, document};
use crate::error::ApiError;

/// An error on a page, with the councils a search for what was asked finds.
#[derive(Debug)]
pub struct PageError {
    /// What went wrong, as the API would say it.
    pub error: ApiError,
    /// What was looked for (an unknown council's id), offered again in the search box.
    pub looked_for: Option<String>,
    /// Councils whose names or codes contain it: (name, slug).
    pub suggestions: Vec<(String, String)>,
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError { error, looked_for: None, suggestions: Vec::new() }
    }
}

impl PageError {
    /// No council has `id`; suggests the councils a search for it finds.
    pub fn unknown_council(id: &str, found: &[&LocalAuthority]) -> Self {
        PageError {
            error: ApiError::NotFound(format!(
                "No council has the name, GSS code, DfE code, Ofsted URN or slug “{id}”."
            )),
            looked_for: Some(id.to_owned()),
            suggestions: found.iter().take(10).map(|la| (la.name.clone(), la.slug.clone())).collect(),
        }
    }
}

/// The page for an error: its title, what went wrong, and a way on (search, the list).
pub fn page(status: StatusCode, title: &str, detail: &str, parameter: Option<&str>, error: &PageError) -> Markup {
    let main = html! {
        h1 { (title) }
        p.lead { (detail) }
        @if let Some(p) = parameter {
            p { "The value of " code { (p) } " needs changing. Go back and correct it, or start again from the " a href="/" { "list of councils" } "." }
        }
        @if !error.suggestions.is_empty() {
            h2 { "Did you mean" }
            ul { @for (name, slug) in &error.suggestions { li { a href={ "/councils/" (slug) } { (name) } } } }
        }
        @if status == StatusCode::NOT_FOUND {
            h2 { "Find a council" }
            form.search method="get" action="/" role="search" {
                label for="q" { "Name, GSS code, DfE code, Ofsted URN or slug" }
                input #q type="search" name="q" maxlength=(schema::query::search::MAX_SEARCH_CHARS) value=[error.looked_for.as_deref()];
                button type="submit" { "Search" }
            }
        }
        p { a href="/" { "All councils" } " · " a href="/england" { "England" } }
    };
    document(&Page { title, description: detail, dataset: None }, main)
}

/// An HTML error response with `status`.
pub fn response(
    status: StatusCode,
    title: &str,
    detail: &str,
    parameter: Option<&str>,
    error: &PageError,
) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.content_type("text/html; charset=utf-8");
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.insert_header((header::ALLOW, HeaderValue::from_static("GET, HEAD")));
    }
    response.body(page(status, title, detail, parameter, error).into_string())
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = &self.error {
            tracing::error!(error = format!("{e:#}"), "page failed");
        }
        let problem = self.error.problem();
        let detail = sentence(&problem.detail);
        response(self.status_code(), problem.title, &detail, problem.parameter.as_deref(), self)
    }
}

/// A problem's detail as a sentence: capitalised, ending with a full stop.
pub fn sentence(detail: &str) -> String {
    let mut chars = detail.trim().chars();
    let mut out: String = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
