//! REST query parameters: strict parsing (unknown and repeated names refused), and each
//! parameter's value turned into the typed filters and page requests of `schema::query`.

use std::collections::{BTreeMap, HashSet};

use actix_web::HttpRequest;
use chrono::NaiveDate;
use schema::query::codes::{self, GssCode, RegionCode};
use schema::query::local_authorities::{InterventionPresence, LaSort, Lifecycle};
use schema::query::records::InspectionSort;
use schema::query::{BadCursor, DEFAULT_LIMIT, Direction, PageRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;

use crate::error::ApiError;
use crate::format::Format;

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
    Ok(date("as_at", value)?.unwrap_or_else(schema::query::today))
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

/// A page request and the name of the parameter its cursor came in (`cursor`, or `since` for
/// the change feed), which the `next` link reuses and a refused cursor names.
#[derive(Debug, Clone)]
pub struct Paging {
    /// The page asked for.
    pub request: PageRequest,
    /// The cursor's parameter.
    pub cursor_parameter: &'static str,
}

impl Paging {
    /// The error for a cursor the query layer refused.
    pub fn refused(&self, e: BadCursor) -> ApiError {
        ApiError::invalid(self.cursor_parameter, e.0)
    }
}

/// The page requested by `cursor` (the change feed's `since`) and `limit`. Without `limit`,
/// JSON gets the default page size and CSV gets every row.
pub fn paging(
    cursor_parameter: &'static str,
    cursor: Option<&str>,
    limit: Option<&str>,
    format: Format,
) -> Result<Paging, ApiError> {
    Ok(Paging { request: page_request(cursor, limit, format)?, cursor_parameter })
}

fn page_request(cursor: Option<&str>, limit: Option<&str>, format: Format) -> Result<PageRequest, ApiError> {
    let limit = match limit {
        Some(text) => {
            let n: i64 = text
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

/// No query parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct NoQuery {}

/// Query parameters that only set the date.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsAtQuery {
    /// The date to describe (YYYY-MM-DD); default today.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2020-06-30")]
    pub as_at: Option<String>,
}

/// Splits `sort=-name` into (`name`, descending).
pub fn split_sort(value: &str) -> (&str, Direction) {
    match value.strip_prefix('-') {
        Some(field) => (field, Direction::Descending),
        None => (value, Direction::Ascending),
    }
}

/// `sort` of the council list, such as `-latest_inspection`.
pub fn la_sort(value: &str) -> Result<(LaSort, Direction), ApiError> {
    let (field, direction) = split_sort(value);
    let sort = match field {
        "name" => LaSort::Name,
        "latest_inspection" => LaSort::LatestInspection,
        "rating" => LaSort::Rating,
        other => {
            return Err(ApiError::invalid(
                "sort",
                format!(
                    "sort: `{other}` is not a sort field; use name, latest_inspection or rating, with - for descending"
                ),
            ));
        }
    };
    Ok((sort, direction))
}

/// `sort` of the inspection list, such as `-published`; newest first without one.
pub fn inspection_sort(value: Option<&str>) -> Result<(InspectionSort, Direction), ApiError> {
    let Some(value) = value else { return Ok(InspectionSort::NEWEST_FIRST) };
    let (field, direction) = split_sort(value);
    let sort = match field {
        "published" => InspectionSort::Published,
        "inspection_start" => InspectionSort::InspectionStart,
        "la" => InspectionSort::La,
        other => {
            return Err(ApiError::invalid(
                "sort",
                format!(
                    "sort: `{other}` is not a sort field; use published, inspection_start or la, with - for descending"
                ),
            ));
        }
    };
    Ok((sort, direction))
}

/// `sort=<field>` or `-<field>` where one field is allowed; ascending without it.
pub fn one_field_sort(value: Option<&str>, field: &str) -> Result<Direction, ApiError> {
    match value.map(split_sort) {
        None => Ok(Direction::Ascending),
        Some((f, d)) if f == field => Ok(d),
        Some(_) => Err(ApiError::invalid("sort", format!("sort: use {field} or -{field}"))),
    }
}

/// `status`: `current` (the default), `retired` or `all`.
pub fn lifecycle(value: Option<&str>) -> Result<Lifecycle, ApiError> {
    match value {
        None | Some("current") => Ok(Lifecycle::Current),
        Some("retired") => Ok(Lifecycle::Retired),
        Some("all") => Ok(Lifecycle::All),
        Some(other) => Err(ApiError::invalid("status", format!("status: `{other}` is not current, retired or all"))),
    }
}

/// `intervention`: `active` or `none`.
pub fn intervention_presence(value: Option<&str>) -> Result<Option<InterventionPresence>, ApiError> {
    match value {
        None => Ok(None),
        Some("active") => Ok(Some(InterventionPresence::Active)),
        Some("none") => Ok(Some(InterventionPresence::None)),
        Some(other) => Err(ApiError::invalid("intervention", format!("intervention: `{other}` is not active or none"))),
    }
}

/// A boolean parameter: `true` or `false`.
/// A comma-separated list (`a,b`), empty items dropped.
pub fn list(value: Option<&str>) -> Vec<String> {
    value.map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()).unwrap_or_default()
}

pub fn boolean(parameter: &str, value: Option<&str>) -> Result<Option<bool>, ApiError> {
    match value {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ApiError::invalid(parameter, format!("{parameter}: `{other}` is not true or false"))),
    }
}

/// A council given by any code or slug, as a GSS code.
pub fn la(dataset: &schema::Dataset, value: Option<&str>) -> Result<Option<GssCode>, ApiError> {
    Ok(value.map(|v| codes::resolve_la(dataset, "la", v)).transpose()?)
}

/// A region given by code or name, as its code.
pub fn region(dataset: &schema::Dataset, value: Option<&str>) -> Result<Option<RegionCode>, ApiError> {
    Ok(value.map(|v| codes::resolve_region(dataset, "region", v)).transpose()?)
}
