//! `GET /v1/meta`: what the dataset holds, where it came from and how it may be reused.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use schema::dataset::{SourceSummary, TableCounts};
use schema::rows::FetchRun;
use serde::Serialize;

use crate::state::AppState;

/// The licence, with its text's address.
#[derive(Debug, Serialize)]
pub struct Licence {
    /// Its name.
    pub name: &'static str,
    /// Where to read it.
    pub url: &'static str,
}

/// The body of `/v1/meta`.
#[derive(Debug, Serialize)]
pub struct Meta<'a> {
    /// Increases with every change to public data.
    pub dataset_version: i64,
    /// When public data last changed.
    pub last_modified: DateTime<Utc>,
    /// Rows per table.
    pub counts: &'a TableCounts,
    /// Every source, with when it was retrieved.
    pub sources: &'a [SourceSummary],
    /// The latest fetch and import runs.
    pub recent_runs: &'a [FetchRun],
    /// The data's licence.
    pub licence: Licence,
    /// The attribution to give when reusing the data.
    pub attribution: &'static str,
}

/// Dataset version, counts, sources, licence and attribution.
pub async fn get_meta(state: web::Data<AppState>) -> HttpResponse {
    let dataset = state.dataset();
    HttpResponse::Ok().json(Meta {
        dataset_version: dataset.version,
        last_modified: dataset.updated_at,
        counts: &dataset.counts,
        sources: &dataset.sources,
        recent_runs: &dataset.recent_runs,
        licence: Licence { name: schema::LICENCE, url: schema::LICENCE_URL },
        attribution: schema::ATTRIBUTION,
    })
}
