//! The one query layer: filters, sorting, cursor pagination, `as_at` and derived status over a
//! [`Dataset`](crate::Dataset). REST and GraphQL both call these functions and own no logic of
//! their own; they only parse their inputs into these types and render the results.

pub mod changes;
pub mod codes;
mod cursor;
pub mod duplicates;
pub mod gaps;
pub mod gaps_markdown;
pub mod indicators;
pub mod intervention_status;
pub mod local_authorities;
pub mod records;
pub mod search;
pub mod sources_markdown;
pub mod stats;

use chrono::NaiveDate;

pub use cursor::Cursor;

/// The date an answer describes when the client names none: today (UTC).
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The largest page a client may ask for.
pub const MAX_LIMIT: usize = 500;
/// The page size when a client does not say.
pub const DEFAULT_LIMIT: usize = 50;

/// A request the query layer refuses, naming the parameter at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Invalid {
    /// The parameter (REST query parameter or GraphQL argument, snake case).
    pub parameter: String,
    /// What is wrong, in words.
    pub detail: String,
}

/// A cursor this server did not issue for the query it is given with (edited, or from another
/// query). Each surface names its own parameter for it: REST `cursor` or `since`, GraphQL `after`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadCursor(pub String);

impl Invalid {
    /// A bad value for `parameter`.
    pub fn new(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        Invalid { parameter: parameter.into(), detail: detail.into() }
    }
}

/// Parses a vocabulary value, naming the parameter when it is not one.
pub fn parse_value<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
    parameter: &str,
    value: &str,
) -> Result<T, Invalid> {
    value.parse().map_err(|e: crate::domain::UnknownValue| Invalid::new(parameter, format!("{parameter}: {e}")))
}

/// Parses an ISO date (`YYYY-MM-DD`), naming the parameter when it is not one.
pub fn parse_date(parameter: &str, value: &str) -> Result<NaiveDate, Invalid> {
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok().filter(|_| value.len() == 10).ok_or_else(|| {
        Invalid::new(parameter, format!("{parameter}: `{value}` is not a date of the form YYYY-MM-DD"))
    })?;
    // Nothing before Ofsted's first council inspections matters, and far-future dates only cost.
    let (min, max) = (NaiveDate::from_ymd_opt(2000, 1, 1), NaiveDate::from_ymd_opt(2100, 12, 31));
    if min.is_some_and(|m| date < m) || max.is_some_and(|m| date > m) {
        return Err(Invalid::new(parameter, format!("{parameter}: {value} is outside 2000-01-01 to 2100-12-31")));
    }
    Ok(date)
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Smallest first.
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// Which page of a list to return.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Rows per page; `None` means every row (CSV exports without `limit`).
    pub limit: Option<usize>,
    /// Continue after this cursor.
    pub after: Option<String>,
}

impl PageRequest {
    /// Validates a page size from a client: 1 to [`MAX_LIMIT`]; a refusal names the value sent.
    pub fn limit(parameter: &str, limit: i64) -> Result<usize, Invalid> {
        match usize::try_from(limit) {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(Invalid::new(parameter, format!("{parameter} must be between 1 and {MAX_LIMIT} (got {limit})"))),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The rows, with their sort keys.
    pub items: Vec<(SortKey, T)>,
    /// How many rows match in all.
    pub total: usize,
    /// The cursor for the next page, when there is one.
    pub next: Option<String>,
    query: String,
}

impl<T> Page<T> {
    /// The rows without their keys.
    pub fn rows(&self) -> impl Iterator<Item = &T> {
        self.items.iter().map(|(_, t)| t)
    }

    /// The cursor that continues after the row with `key` (for per-row cursors, as in GraphQL
    /// edges; only computed when asked for).
    pub fn cursor(&self, key: &[String]) -> String {
        Cursor::encode(key, &self.query)
    }

    /// What the page's cursors are bound to (for surfaces that encode them lazily).
    pub fn query(&self) -> &str {
        &self.query
    }
}

/// A sort key: compared as a tuple of strings, so every part must sort as text (ISO dates,
/// zero-padded numbers). The last part is always a unique id, so no two rows tie.
pub type SortKey = Vec<String>;

/// Sorts `rows`, then returns the page after `page.after`. `query` identifies the filter and
/// sort, so that a cursor from one query cannot be replayed against another.
pub(crate) fn paginate<T>(
    mut rows: Vec<(SortKey, T)>,
    direction: Direction,
    query: &str,
    page: &PageRequest,
) -> Result<Page<T>, BadCursor> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if direction == Direction::Descending {
        rows.reverse();
    }
    let total = rows.len();
    let start = match &page.after {
        None => 0,
        Some(text) => {
            let cursor = Cursor::decode(text, query).map_err(BadCursor)?;
            let after = |key: &SortKey| match direction {
                Direction::Ascending => key > &cursor.key,
                Direction::Descending => key < &cursor.key,
            };
            rows.iter().position(|(k, _)| after(k)).unwrap_or(total)
        }
    };
    let end = page.limit.map_or(total, |l| (start + l).min(total));
    let items: Vec<(SortKey, T)> = rows.into_iter().skip(start).take(end - start).collect();
    let next = match (items.last(), end < total) {
        (Some((key, _)), true) => Some(Cursor::encode(key, query)),
        _ => None,
    };
    Ok(Page { items, total, next, query: query.to_owned() })
}

/// Formats a date so that it sorts as text; missing dates sort first.
pub(crate) fn date_key(date: Option<NaiveDate>) -> String {
    // `Display` writes `YYYY-MM-DD` (as `%Y-%m-%d` does for the years a record can have, 0 to
    // 9999) without parsing a pattern on every call, as `format` does.
    date.map_or_else(|| "0000-00-00".to_owned(), |d| d.to_string())
}
