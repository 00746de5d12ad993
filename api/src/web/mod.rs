//! The website for people: `/` (every council, searchable and filterable), `/councils/{id}`
//! (one council's story), `/england` and `/regions/{region}` (the rating distribution over
//! time), server-rendered from the same snapshot, query layer, guard, ETags and response cache
//! as the API. One file per page kind (`home`, `council` with its `story`, `distribution` with
//! its `chart`); `layout` is the shell every page shares, `parts` the fragments several show,
//! `error` the pages errors become, `assets` the stylesheet and script compiled into the binary.
//!
//! Pages derive nothing themselves: every fact comes from `schema::query` (a council's status
//! on a date, the list, the timeline, interventions' status, rating counts) and every word for
//! a vocabulary from [`crate::words`].

pub mod assets;
pub mod chart;
pub mod council;
pub mod distribution;
pub mod error;
pub mod home;
pub mod layout;
pub mod parts;
pub mod story;

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::error::ApiError;

/// Registers the pages (outside `/v1` and the OpenAPI document: they are for people).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").get(home::page))
        .service(web::resource("/councils").get(|| async { see_other("/") }))
        .service(web::resource("/councils/{id}").get(council::page))
        .service(web::resource("/england").get(distribution::england))
        .service(web::resource("/regions/{region}").get(distribution::region))
        .service(web::resource("/assets/{file}").get(assets::get));
}

/// Whether a path is one of the website's, whose errors are HTML pages for people (every other
/// path keeps problem documents).
pub fn is_page(path: &str) -> bool {
    path == "/"
        || path == "/england"
        || path == "/councils"
        || ["/councils/", "/regions/", "/assets/"].iter().any(|prefix| path.starts_with(prefix))
}

/// A redirect a browser follows with GET (after a search, or to a page's one address).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// A form field's value: absent and empty (a form's "any" choice) are the same.
pub(crate) fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The same query string with `name` set to `value` (or removed), for links that change one
/// choice and keep the others.
pub(crate) fn with_param(pairs: &[(&str, Option<&str>)], name: &str, value: Option<&str>) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(n, _)| *n != name)
        .filter_map(|(n, v)| v.map(|v| (*n, v)))
        .chain(value.map(|v| (name, v)))
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("?{q}"),
        _ => "?".to_owned(),
    }
}

/// The URL-safe name of a region (`south-west`), the address of its page.
pub fn region_slug(name: &str) -> String {
    schema::query::search::fold(name).replace(' ', "-")
}

/// Refuses a text input longer than `max` characters, naming it.
pub(crate) fn bounded<'a>(parameter: &str, value: Option<&'a str>, max: usize) -> Result<Option<&'a str>, ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::invalid(
            parameter,
            format!("{parameter}: at most {max} characters, please ({} given)", v.chars().count()),
        )),
        other => Ok(other),
    }
}
