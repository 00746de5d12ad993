//! One error taxonomy for the API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
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

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (slug, title) = match self {
            ApiError::InvalidParameter { .. } => ("invalid-parameter", "Invalid request parameter"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        };
        let detail = match self {
            ApiError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            ApiError::MethodNotAllowed => "this resource is read-only: use GET".to_owned(),
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

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. } => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
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
