//! Lists: the `{data, links, meta}` envelope with cursor links (also as a `Link` header), and
//! the same page as RFC 4180 CSV, one row per record.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use schema::Dataset;
use schema::query::Page;
use serde::Serialize;
use utoipa::ToSchema;

use super::params::Paging;
use crate::conditional::{json_body, respond};
use crate::error::ApiError;
use crate::format::Format;

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
    paging: &Paging,
    page: Page<T>,
    view: impl Fn(&T) -> V,
) -> Result<HttpResponse, ApiError> {
    let next = page.next.as_deref().map(|c| with_cursor(req, paging.cursor_parameter, c));
    respond(req, dataset, format, || {
        let rows: Vec<V> = page.rows().map(&view).collect();
        match format {
            Format::Csv => csv_body(&rows),
            _ => {
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

/// A value's JSON text without quotes (enums), or empty for null.
pub fn text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => other.to_string(),
    }
}

/// An optional string as a CSV cell.
pub fn opt(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}
