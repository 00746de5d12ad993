//! One error taxonomy for the API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use schema::query::Invalid;
use serde::Serialize;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type; its fragment names the class of error.
    #[serde(rename = "type")]
    #[schema(example = "/docs/problems#invalid-parameter")]
    pub kind: String,
    /// A short summary of the problem type.
    #[schema(example = "Invalid request parameter")]
    pub title: &'static str,
    /// The HTTP status code.
    #[schema(example = 400)]
    pub status: u16,
    /// What went wrong with this request, in words.
    #[schema(example = "as_at: `2024-13-01` is not a date of the form YYYY-MM-DD")]
    pub detail: String,
    /// The query parameter at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "as_at")]
    pub parameter: Option<String>,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter is unknown or has a bad value.
    #[error("{detail}")]
    InvalidParameter {
        /// The parameter's name.
        parameter: String,
        /// What is wrong with it.
        detail: String,
    },
    /// No record has that id.
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not for this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The request passes a documented limit (size, rate, range), or another layer refused it.
    #[error("{detail}")]
    Refused {
        /// The status to answer with.
        status: StatusCode,
        /// What was refused and why.
        detail: String,
    },
    /// The database or the snapshot is not available.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; details are logged, not returned.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A bad value for `parameter`.
    pub fn invalid(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::InvalidParameter { parameter: parameter.into(), detail: detail.into() }
    }

    /// A request refused with `status`.
    pub fn refused(status: StatusCode, detail: impl Into<String>) -> Self {
        ApiError::Refused { status, detail: detail.into() }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (slug, title) = match self {
            ApiError::InvalidParameter { .. } => ("invalid-parameter", "Invalid request parameter"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Refused { status, .. } => refusal(*status),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        };
        let detail = match self {
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            ApiError::MethodNotAllowed => {
                "this resource does not answer that method; the Allow header lists those it does".to_owned()
            }
            other => other.to_string(),
        };
        Problem {
            kind: format!("/docs/problems#{slug}"),
            title,
            status: self.status_code().as_u16(),
            detail,
            parameter: match self {
                ApiError::InvalidParameter { parameter, .. } => Some(parameter.clone()),
                _ => None,
            },
        }
    }
}

/// The problem type and title of a refusal by its status.
fn refusal(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad-request", "Bad request"),
        403 => ("forbidden", "Forbidden"),
        406 => ("not-acceptable", "Not acceptable"),
        408 => ("request-timeout", "Request timeout"),
        411 => ("length-required", "Length required"),
        413 => ("payload-too-large", "Request body too large"),
        414 => ("uri-too-long", "URI too long"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        416 => ("range-not-satisfiable", "Range not satisfiable"),
        429 => ("rate-limited", "Too many requests"),
        431 => ("headers-too-large", "Request header fields too large"),
        500..=599 => ("server-error", "Server error"),
        _ => ("request-refused", "Request refused"),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Refused { status, .. } => *status,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        if matches!(self, ApiError::MethodNotAllowed) {
            response.insert_header((actix_web::http::header::ALLOW, "GET, HEAD"));
        }
        response
            .content_type("application/problem+json")
            .body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<crate::lookup::NotFound> for ApiError {
    fn from(e: crate::lookup::NotFound) -> Self {
        ApiError::NotFound(e.0)
    }
}

impl From<Invalid> for ApiError {
    fn from(e: Invalid) -> Self {
        ApiError::InvalidParameter { parameter: e.parameter, detail: e.detail }
    }
}
