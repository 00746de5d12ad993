//! The REST surface.

pub mod health;
pub mod meta;

use actix_web::web;

use crate::error::ApiError;

/// Registers every REST route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/v1/meta").get(meta::get_meta))
        .default_service(web::to(not_found));
}

async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::ResponseError;
    use actix_web::http::Method;
    let error = if req.method() != Method::GET && req.method() != Method::HEAD {
        ApiError::MethodNotAllowed
    } else {
        ApiError::NotFound(format!("no resource at {}", req.path()))
    };
    error.error_response()
}
