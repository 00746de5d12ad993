//! `/v1/interventions`.

use actix_web::{HttpRequest, HttpResponse, get, web};
use schema::query::records::{self, InterventionFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::listing::{self, Listing};
use super::params::{self, paging, parse_query, vocab};
use super::views::InterventionView;
use crate::conditional::{json_body, respond};
use crate::error::{ApiError, Problem};
use crate::format::Format;
use crate::state::AppState;
use crate::wire;

/// Query parameters of `GET /v1/interventions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListInterventionsQuery {
    /// Local authority: GSS code, DfE code, Ofsted URN or slug.
    #[param(example = "slough")]
    la: Option<String>,
    /// Region of the local authority: ONS code or name.
    #[param(example = "South East")]
    region: Option<String>,
    /// Kind of intervention.
    #[param(value_type = Option<wire::InterventionKind>)]
    kind: Option<String>,
    /// Children's social care or SEND.
    #[param(value_type = Option<wire::Service>)]
    service: Option<String>,
    /// Only interventions with this status on `as_at` (the rule is in the API description).
    #[param(value_type = Option<wire::InterventionStatus>, example = "in_force")]
    status: Option<String>,
    /// The date `status` describes (YYYY-MM-DD; default today).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2019-06-30")]
    as_at: Option<String>,
    /// Deprecated (to be removed in the next API version): `active_on=D` means `status=in_force&as_at=D`.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    active_on: Option<String>,
    /// Started on or after (YYYY-MM-DD; a month or year date counts from its first day).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    started_from: Option<String>,
    /// Started on or before (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    started_to: Option<String>,
    /// `started` (default, earliest first; undated last) or `-started`.
    #[param(example = "-started")]
    sort: Option<String>,
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Rows per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// DfE interventions across all councils: improvement notices, statutory directions,
/// commissioners, trusts and their ends.
#[utoipa::path(
    tag = "interventions",
    params(ListInterventionsQuery),
    responses(
        (status = 200, description = "A page of interventions", content((Listing<InterventionView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/interventions")]
pub async fn list_interventions(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: ListInterventionsQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let active_on = params::date("active_on", q.active_on.as_deref())?;
    let as_at = params::date("as_at", q.as_at.as_deref())?;
    let mut status = vocab("status", q.status.as_deref())?;
    if active_on.is_some() {
        if as_at.is_some() || status.is_some() {
            return Err(ApiError::invalid("active_on", "active_on: use `status` and `as_at` instead (not both)"));
        }
        status = Some(schema::domain::InterventionStatus::InForce);
    }
    let day = as_at.or(active_on).unwrap_or_else(schema::query::today);
    let direction = params::one_field_sort(q.sort.as_deref(), "started")?;
    let filter = InterventionFilter {
        la: params::la(&dataset, q.la.as_deref())?,
        region: params::region(&dataset, q.region.as_deref())?,
        kind: vocab("kind", q.kind.as_deref())?,
        service: vocab("service", q.service.as_deref())?,
        status,
        as_at: day,
        started_from: params::date("started_from", q.started_from.as_deref())?,
        started_to: params::date("started_to", q.started_to.as_deref())?,
        direction,
    };
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = records::interventions(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, Some(day), &paging, page, |i| InterventionView::new(&dataset, i, day))
}

/// Query parameters of `GET /v1/interventions/{id}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterventionQuery {
    /// The date `status` describes (YYYY-MM-DD; default today).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2019-06-30")]
    as_at: Option<String>,
}

/// One intervention, with its sources, its status and provenance.
#[utoipa::path(
    tag = "interventions",
    params(("id" = String, Path, description = "Intervention id", example = "iv-3f1c0b7a9d2e4c51"), InterventionQuery),
    responses(
        (status = 200, description = "The intervention, with its status on `as_at` (default today)", body = InterventionView),
        (status = 404, description = "No intervention has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/interventions/{id}")]
pub async fn get_intervention(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: InterventionQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let intervention = crate::lookup::intervention(&dataset, &id)?;
    let day = params::date("as_at", q.as_at.as_deref())?.unwrap_or_else(schema::query::today);
    respond(&req, &dataset, Format::Json, || json_body(&InterventionView::new(&dataset, intervention, day)))
}
