//! `GET /v1/meta`: what the dataset holds, where it came from, how it may be reused.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use schema::dataset::{SourceSummary, TableCounts};
use schema::rows::FetchRun;
use serde::Serialize;
use utoipa::ToSchema;

use super::params::{NoQuery, parse_query};
use crate::conditional::{json_body, respond_live};
use crate::error::ApiError;
use crate::state::AppState;

/// The licence, with its text's address.
#[derive(Debug, Serialize, ToSchema)]
pub struct Licence {
    /// Its name.
    #[schema(example = "Open Government Licence v3.0")]
    pub name: &'static str,
    /// Where to read it.
    pub url: &'static str,
}

/// The body of `/v1/meta`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Meta<'a> {
    /// Increases with every change to public data.
    #[schema(example = 3)]
    pub dataset_version: i64,
    /// When public data last changed.
    pub last_modified: DateTime<Utc>,
    /// Rows per table: local_authorities, successions, inspections, judgements, interventions, fetch_runs, changes.
    #[schema(value_type = Object)]
    pub counts: &'a TableCounts,
    /// Every source, with the first and last retrieval of its records and how many it gave.
    #[schema(value_type = Vec<Object>)]
    pub sources: &'a [SourceSummary],
    /// How current each scheduled source is: latest success, latest attempt, next run, stale.
    /// Changes with every run, so this document is revalidated after a minute, not cached with
    /// the dataset version.
    pub freshness: Vec<crate::freshness::SourceFreshness>,
    /// The latest fetch and import runs, newest first.
    #[schema(value_type = Vec<Object>)]
    pub recent_runs: &'a [FetchRun],
    /// The data's licence.
    pub licence: Licence,
    /// The attribution to give when reusing the data.
    pub attribution: &'static str,
}

/// Dataset version, row counts, sources with retrieval dates, recent runs, licence and attribution.
#[utoipa::path(tag = "meta", responses((status = 200, description = "About the dataset", body = Meta)))]
#[get("/meta")]
pub async fn get_meta(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let body = json_body(&Meta {
        dataset_version: dataset.version,
        last_modified: dataset.updated_at,
        counts: &dataset.counts,
        sources: &dataset.sources,
        freshness: state.freshness.report(Utc::now()),
        recent_runs: &dataset.recent_runs,
        licence: Licence { name: schema::LICENCE, url: schema::LICENCE_URL },
        attribution: schema::ATTRIBUTION,
    })?;
    respond_live(&req, &dataset, body)
}
