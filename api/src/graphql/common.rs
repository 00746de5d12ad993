//! What every part of the graph shares: the `Date` scalar, argument errors, connections and
//! paging, provenance and judgements.

use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ErrorExtensions, InputObject, Result, Scalar, ScalarType, SimpleObject, Value};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain as d;
use schema::query::codes::{self as resolved, GssCode, RegionCode};
use schema::query::{BadCursor, Direction, Invalid, Page, PageRequest};

use super::{codes, error};
use crate::wire::*;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> async_graphql::InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Date).map_err(|_| {
                async_graphql::InputValueError::custom(format!("`{s}` is not a date of the form YYYY-MM-DD"))
            }),
            _ => Err(async_graphql::InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        // `Display` writes `YYYY-MM-DD` without parsing a pattern on every call, as `format` does.
        Value::String(self.0.to_string())
    }
}

pub(super) fn dataset<'c>(ctx: &Context<'c>) -> Result<&'c Arc<Dataset>> {
    ctx.data::<Arc<Dataset>>()
}

pub(super) fn bad_input(e: Invalid) -> async_graphql::Error {
    let argument = e.parameter.clone();
    error(codes::BAD_USER_INPUT, e.detail).extend_with(move |_, ext| ext.set("argument", argument.as_str()))
}

pub(super) fn not_found(e: crate::lookup::NotFound) -> async_graphql::Error {
    error(codes::NOT_FOUND, e.0)
}

/// A cursor the query layer refused, named as GraphQL names it.
pub(super) fn bad_after(e: BadCursor) -> async_graphql::Error {
    bad_input(Invalid::new("after", e.0))
}

pub(super) fn council(ds: &Dataset, value: Option<String>) -> Result<Option<GssCode>> {
    value.map(|la| resolved::resolve_la(ds, "la", &la)).transpose().map_err(bad_input)
}

pub(super) fn region(ds: &Dataset, value: Option<String>) -> Result<Option<RegionCode>> {
    value.map(|r| resolved::resolve_region(ds, "region", &r)).transpose().map_err(bad_input)
}

/// `first` is required on every list and capped like REST's `limit`.
pub(super) fn page(first: i32, after: Option<String>) -> Result<PageRequest> {
    let limit = PageRequest::limit("first", i64::from(first)).map_err(bad_input)?;
    Ok(PageRequest { limit: Some(limit), after })
}

/// Extra fields of every connection.
#[derive(SimpleObject)]
pub struct ConnectionInfo {
    /// Rows matching in all.
    pub total_count: usize,
}

pub(super) type Conn<N> = Connection<EdgeCursor, N, ConnectionInfo>;

/// An edge's cursor, encoded only when a query asks for it (most ask for nodes alone, and
/// encoding is a hash per edge).
pub(super) struct EdgeCursor {
    key: schema::query::SortKey,
    query: Arc<str>,
}

impl async_graphql::connection::CursorType for EdgeCursor {
    type Error = &'static str;

    // Cursors come back as `after: String` arguments, decoded by the query layer.
    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("cursors are decoded by the query layer")
    }

    fn encode_cursor(&self) -> String {
        schema::query::Cursor::encode(&self.key, &self.query)
    }
}

pub(super) fn connection<T, N: async_graphql::OutputType>(
    page: Page<T>,
    first_page: bool,
    node: impl Fn(T) -> N,
) -> Conn<N> {
    let mut c = Connection::with_additional_fields(
        !first_page,
        page.next.is_some(),
        ConnectionInfo { total_count: page.total },
    );
    let query: Arc<str> = page.query().into();
    c.edges.extend(
        page.items.into_iter().map(|(key, row)| Edge::new(EdgeCursor { key, query: query.clone() }, node(row))),
    );
    c
}

/// An ONS region.
#[derive(SimpleObject)]
pub struct Region {
    /// ONS region code.
    pub code: Option<String>,
    /// Region name.
    pub name: Option<String>,
}

/// One judgement: an area and its grade.
#[derive(SimpleObject)]
pub struct Judgement {
    /// What was judged.
    pub area: Area,
    /// The grade given.
    pub grade: Grade,
}

pub(super) fn judgements(js: &[d::Judgement]) -> Vec<Judgement> {
    js.iter().map(|j| Judgement { area: j.area.into(), grade: j.grade.into() }).collect()
}

/// A time as GraphQL gives it: RFC 3339 in UTC.
pub(super) fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Where a record came from.
#[derive(SimpleObject)]
pub struct Provenance {
    /// The source's name.
    pub source: String,
    /// The document read.
    pub source_url: String,
    /// When it was retrieved (RFC 3339).
    pub retrieved_at: String,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// The parser that read them.
    pub parser_version: String,
    /// Our archived copy of the document, when lacs holds one.
    pub archive_url: Option<String>,
}

impl Provenance {
    pub(super) fn new(ds: &Dataset, p: &d::Provenance) -> Self {
        Provenance {
            archive_url: ds.archive_url(&p.sha256),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: timestamp(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
        }
    }
}

/// A required grade for one area of the latest inspection.
#[derive(InputObject)]
pub struct AreaGrade {
    /// The area.
    pub area: Area,
    /// The grade.
    pub grade: Grade,
}

/// Sort direction.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl From<OrderDirection> for Direction {
    fn from(d: OrderDirection) -> Self {
        match d {
            OrderDirection::Asc => Direction::Ascending,
            OrderDirection::Desc => Direction::Descending,
        }
    }
}
