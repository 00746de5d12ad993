//! The website's one stylesheet and one small script, compiled into the binary and served with
//! the same ETag and caching as everything else.

use actix_web::{HttpRequest, HttpResponse, web};

use super::error::PageError;
use crate::conditional::respond;
use crate::error::ApiError;
use crate::format::Format;
use crate::state::AppState;

const STYLESHEET: &str = include_str!("static/site.css");
const SCRIPT: &str = include_str!("static/site.js");

/// `GET /assets/{file}`.
pub async fn get(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    if !req.query_string().is_empty() {
        return Err(ApiError::invalid("query", "the stylesheet and script take no parameters").into());
    }
    let (format, body) = match file.as_str() {
        "site.css" => (Format::Css, STYLESHEET),
        "site.js" => (Format::Js, SCRIPT),
        other => return Err(ApiError::NotFound(format!("there is no file {other} among this site's assets")).into()),
    };
    let dataset = state.dataset();
    Ok(respond(&req, &dataset, format, || Ok(body.as_bytes().to_vec()))?)
}
