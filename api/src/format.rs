//! The representation a request asks for (JSON, CSV, SVG, Atom, and the website's HTML, CSS, JS), and escaping for the XML ones.
//! It knows only headers, so the response cache can key on it without depending on handlers.

use actix_web::HttpRequest;
use actix_web::http::header;

use crate::error::ApiError;

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
    /// `text/html`: the website's pages.
    Html,
    /// `text/html`, with absolute links made from the host when `LACS_PUBLIC_URL` is unset
    /// (a council's page, whose badge embed code names this server).
    HtmlWithAbsoluteLinks,
    /// `text/css`: the website's stylesheet.
    Css,
    /// `text/javascript`: the website's script.
    Js,
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

/// Escapes text for XML (Atom, SVG).
pub fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
