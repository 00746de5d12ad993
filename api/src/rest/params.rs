//! REST query parameters: strict parsing (unknown and repeated names refused), and each
//! parameter's value turned into the typed filters and page requests of `schema::query`.

use std::collections::{BTreeMap, HashSet};

use actix_web::HttpRequest;
use chrono::NaiveDate;
use schema::query::{DEFAULT_LIMIT, PageRequest};
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
