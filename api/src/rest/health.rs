//! Liveness and readiness.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(r#"{"status":"ok"}"#)
}

/// How long readiness waits for the database to answer.
pub const READY_TIMEOUT: Duration = Duration::from_secs(1);

/// The database answers within [`READY_TIMEOUT`] and a snapshot is loaded.
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    let ping = web::block(move || -> Result<(), String> {
        let mut conn = pool.get_timeout(READY_TIMEOUT).map_err(|e| e.to_string())?;
        schema::db::ping(&mut conn).map_err(|e| e.to_string())
    });
    // A frozen database holds the blocking thread; the answer does not wait for it.
    let ping = tokio::time::timeout(READY_TIMEOUT, ping).await.map_err(|_| {
        ApiError::Unavailable(format!("the database did not answer within {} ms", READY_TIMEOUT.as_millis()))
    })?;
    let ping = ping.map_err(|e| ApiError::Internal(anyhow::anyhow!("readiness check panicked: {e}")))?;
    ping.map_err(|e| ApiError::Unavailable(format!("database not reachable: {e}")))?;
    let dataset = state.dataset();
    if dataset.counts.local_authorities == 0 {
        return Err(ApiError::Unavailable("no data loaded yet".into()));
    }
    Ok(HttpResponse::Ok().json(json!({
        "status": "ready",
        "database": state.backend,
        "dataset_version": dataset.version,
    })))
}
