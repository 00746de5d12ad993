//! `/v1/inspections`.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use schema::query::records::{self, InspectionFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::listing::{self, Listing};
use super::params::{self, NoQuery, paging, parse_query, vocab};
use super::views::InspectionView;
use crate::conditional::{json_body, respond};
use crate::error::{ApiError, Problem};
use crate::format::Format;
use crate::state::AppState;
use crate::wire;

/// Query parameters of `GET /v1/inspections`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListInspectionsQuery {
    /// Local authority: GSS code, DfE code, Ofsted URN or slug.
    #[param(example = "E10000020")]
    la: Option<String>,
    /// Region of the local authority: ONS code or name.
    #[param(example = "London")]
    region: Option<String>,
    /// Kind of publication.
    #[param(value_type = Option<wire::InspectionKind>)]
    kind: Option<String>,
    /// Inspection framework.
    #[param(value_type = Option<wire::Framework>)]
    framework: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2023-01-01")]
    published_from: Option<String>,
    /// Published on or before (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2023-12-31")]
    published_to: Option<String>,
    /// First day on site on or after (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    inspected_from: Option<String>,
    /// First day on site on or before (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    inspected_to: Option<String>,
    /// Lead inspector's name contains this text (any case).
    #[param(example = "Burke")]
    lead_inspector: Option<String>,
    /// `published` (default, newest first as `-published`), `inspection_start` or `la`; prefix `-` to reverse.
    #[param(example = "-published")]
    sort: Option<String>,
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Rows per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    extra: BTreeMap<String, String>,
}

/// Ofsted inspections and visits across all councils.
///
/// Filter by council, region, kind, framework, publication and inspection dates, lead inspector,
/// and grades: `grade.<area>=<grade>` (repeatable, all must hold), e.g.
/// `grade.overall_effectiveness=inadequate`.
#[utoipa::path(
    tag = "inspections",
    params(ListInspectionsQuery),
    responses(
        (status = 200, description = "A page of inspections (JSON envelope, or CSV with one column per judgement area)", content((Listing<InspectionView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/inspections")]
pub async fn list_inspections(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: ListInspectionsQuery = parse_query(&req, &["grade."])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let (sort, direction) = params::inspection_sort(q.sort.as_deref())?;
    let filter = InspectionFilter {
        la: params::la(&dataset, q.la.as_deref())?,
        region: params::region(&dataset, q.region.as_deref())?,
        kind: vocab("kind", q.kind.as_deref())?,
        framework: vocab("framework", q.framework.as_deref())?,
        published_from: params::date("published_from", q.published_from.as_deref())?,
        published_to: params::date("published_to", q.published_to.as_deref())?,
        inspected_from: params::date("inspected_from", q.inspected_from.as_deref())?,
        inspected_to: params::date("inspected_to", q.inspected_to.as_deref())?,
        grades: params::area_grades(&q.extra, "grade.")?,
        lead_inspector: q.lead_inspector,
        sort,
        direction,
    };
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = records::inspections(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, None, &paging, page, |i| InspectionView::new(&dataset, i))
}

/// One inspection or visit, with its judgements, report URL and provenance.
#[utoipa::path(
    tag = "inspections",
    params(("id" = String, Path, description = "Ofsted file id", example = "50204404")),
    responses(
        (status = 200, description = "The inspection", body = InspectionView),
        (status = 404, description = "No inspection has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/inspections/{id}")]
pub async fn get_inspection(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    parse_query::<NoQuery>(&req, &[])?;
    let dataset = state.dataset();
    let inspection = crate::lookup::inspection(&dataset, &id)?;
    respond(&req, &dataset, Format::Json, || json_body(&InspectionView::new(&dataset, inspection)))
}
