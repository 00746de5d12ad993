//! The REST surface, `/v1`. Each handler is registered once, through utoipa-actix-web, so the
//! route table and the OpenAPI document cannot disagree.

pub mod badges;
pub mod changes;
pub mod datasets;
pub mod files;
pub mod health;
pub mod indicators;
pub mod inspections;
pub mod interventions;
pub mod listing;
pub mod local_authorities;
pub mod meta;
pub mod params;
pub mod stats;
pub mod views;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

/// Registers every `/v1` resource (mounted under the `/v1` scope).
pub fn v1(cfg: &mut ServiceConfig) {
    cfg.service(local_authorities::list_local_authorities)
        .service(local_authorities::get_local_authority)
        .service(local_authorities::list_local_authority_inspections)
        .service(local_authorities::list_local_authority_interventions)
        .service(local_authorities::get_local_authority_timeline)
        .service(indicators::list_local_authority_indicators)
        .service(indicators::list_indicators)
        .service(indicators::get_indicator)
        .service(inspections::list_inspections)
        .service(inspections::get_inspection)
        .service(interventions::list_interventions)
        .service(interventions::get_intervention)
        .service(stats::get_rating_stats)
        .service(meta::get_meta)
        .service(changes::list_changes)
        .service(changes::get_change)
        .service(changes::changes_feed)
        .service(changes::inadequate_feed)
        .service(changes::region_feed)
        .service(changes::local_authority_feed)
        .service(badges::get_badge)
        .service(badges::get_timeline_chart)
        .service(datasets::list_datasets)
        .service(datasets::get_dataset_file)
        .service(datasets::get_archived);
}

/// Routes outside the documented API: health and the docs UI's address.
pub fn operational(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(
            web::resource("/docs").get(|| async {
                HttpResponse::PermanentRedirect().insert_header((header::LOCATION, "/docs/")).finish()
            }),
        );
}

/// Any request no route took: a path we serve asked with another method (every such resource
/// answers GET and HEAD only; `/graphql` says so itself), or a path we do not serve.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if req.resource_map().has_resource(req.path()) {
        return ApiError::MethodNotAllowed.error_response();
    }
    ApiError::from(crate::lookup::no_resource(req.path())).error_response()
}
