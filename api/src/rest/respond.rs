//! What every REST response shares: strict query parsing, JSON or CSV, the list envelope,
//! cursor links, and HTTP caching (strong ETag from the dataset version and the request,
//! `If-None-Match` → 304, `Last-Modified`, `Cache-Control`).

use std::collections::{BTreeMap, HashSet};

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use schema::Dataset;
use schema::query::{DEFAULT_LIMIT, Invalid, Page, PageRequest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::InvalidParameter { parameter: e.parameter, detail: e.detail }
    }
}

/// How long clients and caches may reuse a response.
pub const MAX_AGE_SECS: u32 = 300;

/// Parses the query string into `T`, refusing unknown and repeated parameters. Names under
/// `prefixes` (such as `rating.` in `rating.help_and_protection`) are accepted and left in the
/// struct's flattened map.
pub fn parse_query<T: DeserializeOwned + IntoParams>(req: &HttpRequest, prefixes: &[&str]) -> Result<T, ApiError> {
    let query = req.query_string();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|e| ApiError::invalid("query", format!("the query string cannot be decoded: {e}")))?;
    let known: Vec<String> =
        T::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query)).into_iter().map(|p| p.name).collect();
    let mut seen = HashSet::new();
    for (name, _) in &pairs {
        if !seen.insert(name.as_str()) {
            return Err(ApiError::invalid(name, format!("`{name}` is given more than once; give it once")));
        }
        let prefixed = prefixes.iter().any(|p| name.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
        if !known.iter().any(|k| k == name) && !prefixed {
            let mut accepted = known.join(", ");
            for p in prefixes {
                accepted.push_str(&format!(", {p}<area>"));
            }
            return Err(ApiError::invalid(
                name,
                format!("unknown parameter `{name}`; this endpoint accepts {accepted}"),
            ));
        }
    }
    serde_urlencoded::from_str(query).map_err(|e| ApiError::invalid("query", e.to_string()))
}

/// Parses an optional vocabulary value.
pub fn vocab<T: std::str::FromStr<Err = schema::domain::UnknownValue>>(
    parameter: &str,
    value: Option<&str>,
) -> Result<Option<T>, ApiError> {
    Ok(value.map(|v| schema::query::parse_value(parameter, v)).transpose()?)
}

/// Parses an optional date.
pub fn date(parameter: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    Ok(value.map(|v| schema::query::parse_date(parameter, v)).transpose()?)
}

/// The date a request describes: `as_at`, or today.
pub fn as_at(value: Option<&str>) -> Result<NaiveDate, ApiError> {
    Ok(date("as_at", value)?.unwrap_or_else(|| chrono::Utc::now().date_naive()))
}

/// `<prefix><area>=<grade>` pairs, parsed.
pub fn area_grades(
    extra: &BTreeMap<String, String>,
    prefix: &str,
) -> Result<Vec<(schema::domain::Area, schema::domain::Grade)>, ApiError> {
    extra
        .iter()
        .filter_map(|(k, v)| k.strip_prefix(prefix).map(|area| (k, area, v)))
        .map(|(k, area, v)| Ok((schema::query::parse_value(k, area)?, schema::query::parse_value(k, v)?)))
        .collect()
}

/// Response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `application/json`.
    Json,
    /// `text/csv`.
    Csv,
    /// `image/svg+xml` (badges and charts).
    Svg,
    /// `application/atom+xml` (feeds).
    Atom,
}

impl Format {
    /// `format=json|csv` wins; otherwise `Accept: text/csv` asks for CSV.
    pub fn of(req: &HttpRequest, format: Option<&str>) -> Result<Format, ApiError> {
        match format {
            Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some(other) => Err(ApiError::invalid("format", format!("format: `{other}` is not json or csv"))),
            None => Ok(Format::accepted(req.headers())),
        }
    }

    /// What `Accept` asks a list for: CSV when it names `text/csv`, JSON otherwise.
    pub fn accepted(headers: &header::HeaderMap) -> Format {
        let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let wants_csv = accept.split(',').any(|part| part.trim().starts_with("text/csv"));
        if wants_csv { Format::Csv } else { Format::Json }
    }
}

/// The page requested by `cursor` and `limit`. Without `limit`, JSON gets the default page
/// size and CSV gets every row.
pub fn page_request(cursor: Option<&str>, limit: Option<&str>, format: Format) -> Result<PageRequest, ApiError> {
    let limit = match limit {
        Some(text) => {
            let n: usize = text
                .parse()
                .map_err(|_| ApiError::invalid("limit", format!("limit: `{text}` is not a whole number")))?;
            Some(PageRequest::limit("limit", n)?)
        }
        None if format == Format::Csv => None,
        None => Some(DEFAULT_LIMIT),
    };
    // An empty cursor (`since=`) means the beginning, like no cursor.
    Ok(PageRequest { limit, after: cursor.filter(|c| !c.is_empty()).map(str::to_owned) })
}

/// Links of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListLinks {
    /// This page.
    #[serde(rename = "self")]
    pub self_: String,
    /// The next page, or null on the last.
    pub next: Option<String>,
}

/// About a list: its size, the data version and the terms of reuse.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// Rows on this page.
    pub count: usize,
    /// Rows matching in all.
    pub total: usize,
    /// The dataset version the answer comes from.
    pub dataset_version: i64,
    /// The date the answer describes, where it depends on one.
    pub as_at: Option<NaiveDate>,
    /// The data's licence.
    #[schema(example = "Open Government Licence v3.0")]
    pub licence: &'static str,
    /// Where to read the licence.
    pub licence_url: &'static str,
    /// The attribution to give.
    pub attribution: &'static str,
}

/// A page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listing<T> {
    /// The records.
    pub data: Vec<T>,
    /// Navigation.
    pub links: ListLinks,
    /// Counts, version and licence.
    pub meta: ListMeta,
}

/// Rows of a CSV export: a header and one record per row.
pub trait CsvRow {
    /// Column names.
    fn header() -> Vec<&'static str>;
    /// One row's values, in header order.
    fn record(&self) -> Vec<String>;
}

/// The URL of the same request with the cursor parameter `name` replaced.
fn with_cursor(req: &HttpRequest, name: &str, cursor: &str) -> String {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.into(), cursor.into()));
    format!("{}?{}", req.path(), serde_urlencoded::to_string(pairs).unwrap_or_default())
}

fn self_url(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

/// Renders a list page as JSON (the envelope) or CSV (every row of the page).
pub fn list<T, V: Serialize + CsvRow>(
    req: &HttpRequest,
    dataset: &Dataset,
    format: Format,
    as_at: Option<NaiveDate>,
    page: Page<T>,
    view: impl Fn(&T) -> V,
) -> Result<HttpResponse, ApiError> {
    let next = page.next.as_deref().map(|c| with_cursor(req, page.cursor_parameter, c));
    respond(req, dataset, format, || {
        let rows: Vec<V> = page.rows().map(&view).collect();
        match format {
            Format::Csv => csv_body(&rows),
            Format::Json | Format::Svg | Format::Atom => {
                let listing = Listing {
                    meta: ListMeta {
                        count: rows.len(),
                        total: page.total,
                        dataset_version: dataset.version,
                        as_at,
                        licence: schema::LICENCE,
                        licence_url: schema::LICENCE_URL,
                        attribution: schema::ATTRIBUTION,
                    },
                    data: rows,
                    links: ListLinks { self_: self_url(req), next: next.clone() },
                };
                json_body(&listing)
            }
        }
    })
    .map(|mut response| {
        if let Some(next) = &next
            && let Ok(value) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
        {
            response.headers_mut().insert(header::LINK, value);
        }
        response
    })
}

/// Escapes text for XML (Atom, SVG).
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Serialises a JSON body.
pub fn json_body<T: Serialize>(value: &T) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.into()))
}

/// RFC 4180 CSV with a header row; the licence goes in the response headers.
pub fn csv_body<V: CsvRow>(rows: &[V]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(e.into());
    writer.write_record(V::header()).map_err(fail)?;
    for row in rows {
        writer.write_record(row.record()).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// Whether the representation depends on the `Host` header: feeds carry absolute links, made
/// from `LACS_PUBLIC_URL` or, when it is unset, from the request's host.
fn depends_on_host(req: &HttpRequest, format: Format) -> bool {
    format == Format::Atom
        && req.app_data::<actix_web::web::Data<crate::state::AppState>>().is_none_or(|s| s.public_url.is_none())
}

/// A strong validator for this representation: dataset version, the request (path, query,
/// format, and the host where links depend on it) and the day, since answers without `as_at`
/// describe today.
fn etag(req: &HttpRequest, dataset: &Dataset, format: Format) -> String {
    let today = chrono::Utc::now().date_naive();
    let host = match depends_on_host(req, format) {
        true => req.headers().get(header::HOST).map(|h| h.as_bytes()).unwrap_or_default(),
        false => &[],
    };
    let digest = Sha256::new()
        .chain_update(host)
        .chain_update([0])
        .chain_update(req.path())
        .chain_update([0])
        .chain_update(req.query_string())
        .chain_update([0])
        .chain_update([format as u8])
        .chain_update(today.to_string())
        .finalize();
    let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{}-{hash}\"", dataset.version)
}

fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    let Some(value) = req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value.split(',').map(str::trim).any(|candidate| candidate == "*" || candidate.trim_start_matches("W/") == etag)
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
    let etag = etag(req, dataset, format);
    let mut builder = if not_modified(req, &etag) { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    let last_modified = header::HttpDate::from(std::time::SystemTime::from(dataset.updated_at));
    builder
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::LAST_MODIFIED, last_modified))
        .insert_header((header::CACHE_CONTROL, format!("public, max-age={MAX_AGE_SECS}")))
        .insert_header((
            header::VARY,
            if depends_on_host(req, format) { "Accept, Accept-Encoding, Host" } else { "Accept, Accept-Encoding" },
        ));
    if not_modified(req, &etag) {
        return Ok(builder.finish());
    }
    let body = render()?;
    match format {
        Format::Json => builder.content_type("application/json"),
        Format::Svg => builder.content_type("image/svg+xml; charset=utf-8"),
        Format::Atom => builder.content_type("application/atom+xml; charset=utf-8"),
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
