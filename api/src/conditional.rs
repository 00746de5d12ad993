//! Conditional responses, shared by REST, GraphQL over GET and the website: a strong `ETag` from the dataset
//! version and the request, `If-None-Match` → 304, `Last-Modified`, `Cache-Control` and `Vary`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use schema::Dataset;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::format::Format;
use crate::origin::PublicBase;

/// How long clients and caches may reuse a response.
pub const MAX_AGE_SECS: u32 = 300;

/// Serialises a JSON body.
pub fn json_body<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))
}

/// The base of the absolute links a representation carries (feeds, a council's page), for the
/// formats that have them.
fn links_base(req: &HttpRequest, format: Format) -> Result<Option<PublicBase>, ApiError> {
    match format {
        Format::Atom | Format::HtmlWithAbsoluteLinks => crate::origin::public_base(req).map(Some),
        _ => Ok(None),
    }
}

/// A strong validator for this representation: dataset version, the request (path, query,
/// format, and the base of its absolute links where it has them) and the day, since answers
/// without `as_at` describe today.
fn etag(req: &HttpRequest, dataset: &Dataset, format: Format) -> String {
    etag_of(req, dataset, format, req.path(), req.query_string())
}

/// The validator of a representation named by `path` and `identity` (the query string, or for
/// GraphQL the key its response cache uses), with the base of its absolute links.
fn etag_of(req: &HttpRequest, dataset: &Dataset, format: Format, path: &str, identity: &str) -> String {
    let today = schema::query::today();
    let base = links_base(req, format).ok().flatten().map(|b| b.url).unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(base)
        .chain_update([0])
        .chain_update(path)
        .chain_update([0])
        .chain_update(identity)
        .chain_update([0])
        .chain_update([format as u8])
        .chain_update(today.to_string())
        .finalize();
    validator(dataset, &digest)
}

/// An entity tag: the dataset version and the first bytes of `digest`.
fn validator(dataset: &Dataset, digest: &[u8]) -> String {
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{}-{hash}\"", dataset.version)
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks of it) or is `*`.
pub fn if_none_match(headers: &header::HeaderMap, etag: &[u8]) -> bool {
    let Some(value) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let bare = |tag: &[u8]| tag.strip_prefix(b"W/").unwrap_or(tag).to_vec();
    value.split(',').map(str::trim).any(|candidate| candidate == "*" || bare(candidate.as_bytes()) == bare(etag))
}

fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    if_none_match(req.headers(), etag.as_bytes())
}

/// Whether the client already holds the current representation (its `If-None-Match` matches).
pub fn is_fresh(req: &HttpRequest, dataset: &Dataset, format: Format) -> bool {
    not_modified(req, &etag(req, dataset, format))
}

/// Answers with `render()`'s body, or 304 when the client already has it.
pub fn respond(
    req: &HttpRequest,
    dataset: &Dataset,
    format: Format,
    render: impl FnOnce() -> Result<Vec<u8>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    respond_with_etag(req, dataset, format, etag(req, dataset, format), MAX_AGE_SECS, render)
}

/// How long clients and caches may reuse a representation that changes without the dataset
/// version (`/v1/meta`, whose sources' freshness moves with every run; `/v1/datasets`, whose
/// newest release is cut just after its version is served).
pub const LIVE_MAX_AGE_SECS: u32 = 60;

/// Answers with `body`, a JSON representation that changes without the dataset version: its
/// validator is made from the body itself, caches may keep it [`LIVE_MAX_AGE_SECS`], and the
/// response cache never keeps it.
pub fn respond_live(req: &HttpRequest, dataset: &Dataset, body: Vec<u8>) -> Result<HttpResponse, ApiError> {
    let etag = validator(dataset, &Sha256::digest(&body));
    let mut response = respond_with_etag(req, dataset, Format::Json, etag, LIVE_MAX_AGE_SECS, || Ok(body))?;
    response.extensions_mut().insert(crate::cache::Unkept);
    Ok(response)
}

/// A representation that is not named by its URL (a GraphQL query, which can come in a POST
/// body): its validator is made from `identity`, what the answer depends on besides the dataset
/// version and the day.
pub struct Keyed<'a> {
    /// The path it is served at.
    pub path: &'a str,
    /// Everything else the answer depends on, as one string.
    pub identity: &'a str,
}

impl Keyed<'_> {
    /// Whether the client already holds it.
    pub fn is_fresh(&self, req: &HttpRequest, dataset: &Dataset, format: Format) -> bool {
        not_modified(req, &etag_of(req, dataset, format, self.path, self.identity))
    }

    /// Answers with `render()`'s body, or 304 when the client already has it.
    pub fn respond(
        &self,
        req: &HttpRequest,
        dataset: &Dataset,
        format: Format,
        render: impl FnOnce() -> Result<Vec<u8>, ApiError>,
    ) -> Result<HttpResponse, ApiError> {
        let etag = etag_of(req, dataset, format, self.path, self.identity);
        respond_with_etag(req, dataset, format, etag, MAX_AGE_SECS, render)
    }
}

fn respond_with_etag(
    req: &HttpRequest,
    dataset: &Dataset,
    format: Format,
    etag: String,
    max_age: u32,
    render: impl FnOnce() -> Result<Vec<u8>, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let base = links_base(req, format)?;
    let mut builder = if not_modified(req, &etag) { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    let last_modified = header::HttpDate::from(std::time::SystemTime::from(dataset.updated_at));
    builder
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::LAST_MODIFIED, last_modified))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={max_age}")))
        .insert_header((
            header::VARY,
            match base.as_ref().map(|b| b.from_headers).filter(|h| !h.is_empty()) {
                Some(headers) => format!("Accept, Accept-Encoding, {headers}"),
                None => "Accept, Accept-Encoding".to_owned(),
            },
        ));
    // A body made from request headers besides the cache key's is never kept in the shared cache.
    if base.as_ref().is_some_and(|b| !b.from_headers.is_empty()) {
        builder.extensions_mut().insert(crate::cache::Unkept);
    }
    if not_modified(req, &etag) {
        return Ok(builder.finish());
    }
    let body = render()?;
    match format {
        Format::Json => builder.content_type("application/json"),
        Format::Svg => builder.content_type("image/svg+xml; charset=utf-8"),
        Format::Atom => builder.content_type("application/atom+xml; charset=utf-8"),
        Format::Html | Format::HtmlWithAbsoluteLinks => builder.content_type("text/html; charset=utf-8"),
        Format::Css => builder.content_type("text/css; charset=utf-8"),
        Format::Js => builder.content_type("text/javascript; charset=utf-8"),
        Format::Csv => builder
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", req.path().trim_start_matches("/v1/").replace('/', "-")),
            ))
            .insert_header(("X-Licence", schema::LICENCE)),
    };
    Ok(builder.body(body))
}
