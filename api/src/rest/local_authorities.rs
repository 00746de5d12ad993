//! `/v1/local-authorities` and everything under one LA.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use schema::Dataset;
use schema::domain::{Area, LocalAuthority};
use schema::query::Direction;
use schema::query::codes::GssCode;
use schema::query::intervention_status::status_on;
use schema::query::local_authorities::{self as la_query, LaFilter};
use schema::query::records::{self, TimelineEvent};
use serde::Deserialize;
use utoipa::IntoParams;

use super::listing::{self, Listing, text};
use super::params::{self, AsAtQuery, as_at, paging, parse_query, vocab};
use super::views::*;
use crate::conditional::{json_body, respond};
use crate::error::{ApiError, Problem};
use crate::format::Format;
use crate::state::AppState;
use crate::wire;

/// Query parameters of `GET /v1/local-authorities`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListLocalAuthoritiesQuery {
    /// Region: ONS code or name.
    #[param(example = "South West")]
    region: Option<String>,
    /// Kind of council.
    #[serde(rename = "type")]
    #[param(value_type = Option<wire::LaType>)]
    la_type: Option<String>,
    /// `current` (existing on `as_at`, the default), `retired` (abolished by `as_at`) or `all`.
    #[param(example = "current")]
    status: Option<String>,
    /// Latest overall effectiveness grade. For another area use `rating.<area>=<grade>`,
    /// e.g. `rating.help_and_protection=inadequate` (several may be given; all must hold).
    #[param(value_type = Option<wire::Grade>)]
    rating: Option<String>,
    /// `active`: has an intervention in force on `as_at`; `none`: has none.
    #[param(example = "active")]
    intervention: Option<String>,
    /// Only interventions of this kind count for `intervention` (alone, it implies `intervention=active`).
    #[serde(rename = "intervention.kind")]
    #[param(rename = "intervention.kind", value_type = Option<wire::InterventionKind>)]
    intervention_kind: Option<String>,
    /// `true`: DfE's persistent-failure definition is met on `as_at` (inadequate overall more
    /// than once in five years); `false`: it is not.
    #[param(value_type = Option<bool>)]
    persistent_failure: Option<String>,
    /// The date to describe (YYYY-MM-DD); default today.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2022-06-30")]
    as_at: Option<String>,
    /// `name` (default), `latest_inspection` or `rating` (best first); prefix `-` to reverse.
    #[param(example = "-latest_inspection")]
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

/// Local authorities, with their latest judgements and interventions on `as_at`.
///
/// Lists the councils that existed on `as_at` (today by default), each with its latest graded
/// inspection, the interventions in force and DfE's failure tests. Filter by region, type,
/// latest grade per area, interventions and persistent failure.
#[utoipa::path(
    tag = "local authorities",
    params(ListLocalAuthoritiesQuery),
    responses(
        (status = 200, description = "A page of local authorities (JSON envelope, or CSV with one row per LA)", content((Listing<LocalAuthoritySummary> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities")]
pub async fn list_local_authorities(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: ListLocalAuthoritiesQuery = parse_query(&req, &["rating."])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let mut filter = LaFilter::new(as_at(q.as_at.as_deref())?);
    filter.lifecycle = params::lifecycle(q.status.as_deref())?;
    filter.region = params::region(&dataset, q.region.as_deref())?;
    filter.la_type = vocab("type", q.la_type.as_deref())?;
    if let Some(grade) = vocab("rating", q.rating.as_deref())? {
        filter.ratings.push((Area::OverallEffectiveness, grade));
    }
    filter.ratings.extend(params::area_grades(&q.extra, "rating.")?);
    filter.intervention = params::intervention_presence(q.intervention.as_deref())?;
    filter.intervention_kind = vocab("intervention.kind", q.intervention_kind.as_deref())?;
    filter.persistent_failure = params::boolean("persistent_failure", q.persistent_failure.as_deref())?;
    if let Some(sort) = q.sort.as_deref() {
        (filter.sort, filter.direction) = params::la_sort(sort)?;
    }
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = la_query::list(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, Some(filter.as_at), &paging, page, LocalAuthoritySummary::new)
}

/// The id in the path: GSS code, DfE code, Ofsted URN or slug.
pub(crate) fn find_la<'a>(dataset: &'a Dataset, id: &str) -> Result<&'a LocalAuthority, ApiError> {
    crate::lookup::local_authority(dataset, id)
        .map_err(|e| ApiError::NotFound(format!("{e}; list them at /v1/local-authorities?status=all")))
}

/// One local authority in full, with its derived status on `as_at`.
///
/// `{id}` may be the GSS code (current or former), DfE code, Ofsted URN or slug. The body holds
/// codes, names, region, type, statistical neighbours, predecessors and successors, the latest
/// graded inspection, interventions in force and the derived `status` block (latest grade per
/// area, days since the last inspection, DfE's persistent and systemic failure tests with the
/// inspections that meet them). A retired council answers with its record, `status.state:
/// retired` and links to its successors.
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "norfolk"), AsAtQuery),
    responses(
        (status = 200, description = "The local authority", body = LocalAuthorityDetail),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}")]
pub async fn get_local_authority(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: AsAtQuery = parse_query(&req, &[])?;
    let as_at = as_at(q.as_at.as_deref())?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    respond(&req, &dataset, Format::Json, || {
        let status = la_query::status(&dataset, la, as_at);
        json_body(&LocalAuthorityDetail::new(&dataset, &status))
    })
}

/// Query parameters of an LA's lists.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LaListQuery {
    /// Only what was published (or started) on or before this date (YYYY-MM-DD).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2020-06-30")]
    as_at: Option<String>,
    /// `date` (default, oldest first) or `-date`.
    #[param(example = "-date")]
    sort: Option<String>,
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Rows per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

fn date_sort(value: Option<&str>) -> Result<Direction, ApiError> {
    params::one_field_sort(value, "date")
}

/// A council's inspections and visits.
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "E10000020"), LaListQuery),
    responses(
        (status = 200, description = "A page of inspections, oldest first", content((Listing<InspectionView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/inspections")]
pub async fn list_local_authority_inspections(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: LaListQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    let format = Format::of(&req, q.format.as_deref())?;
    let filter = records::InspectionFilter {
        la: Some(GssCode::of(la)),
        published_to: params::date("as_at", q.as_at.as_deref())?,
        direction: date_sort(q.sort.as_deref())?,
        ..Default::default()
    };
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = records::inspections(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, filter.published_to, &paging, page, |i| InspectionView::new(&dataset, i))
}

/// A council's interventions, each marked `active` on `as_at` (today by default).
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "slough"), LaListQuery),
    responses(
        (status = 200, description = "A page of interventions, earliest first", content((Listing<InterventionView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/interventions")]
pub async fn list_local_authority_interventions(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: LaListQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    let format = Format::of(&req, q.format.as_deref())?;
    let day = as_at(q.as_at.as_deref())?;
    let filter = records::InterventionFilter {
        la: Some(GssCode::of(la)),
        started_to: params::date("as_at", q.as_at.as_deref())?,
        direction: date_sort(q.sort.as_deref())?,
        ..Default::default()
    };
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = records::interventions(&dataset, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, Some(day), &paging, page, |i| InterventionView::new(&dataset, i, day))
}

/// Renders one timeline event.
pub fn timeline_entry<'a>(dataset: &'a Dataset, event: &TimelineEvent<'a>, as_at: NaiveDate) -> TimelineEntry<'a> {
    match *event {
        TimelineEvent::Inspection(i) => {
            let grades = JudgementsView::new(&i.judgements);
            let summary = match grades.overall_effectiveness {
                Some(g) => format!(
                    "Ofsted {} published; overall effectiveness {}",
                    text(&wire::InspectionKind::from(i.kind)).replace('_', " "),
                    text(&g).replace('_', " ")
                ),
                None => format!("Ofsted {} published", text(&wire::InspectionKind::from(i.kind)).replace('_', " ")),
            };
            // A visit says what it looked at.
            let summary = match i.theme {
                Some(t) => format!("{summary}: {}", t.as_str().replace('_', " ")),
                None => summary,
            };
            TimelineEntry {
                date: event.date().map(|d| d.first_day),
                date_precision: event.date().map(|d| d.precision.into()),
                event: event.into(),
                inspection_kind: Some(i.kind.into()),
                intervention_kind: None,
                intervention_status: None,
                summary,
                judgements: Some(grades),
                href: inspection_href(&i.id),
                source_url: &i.report_url,
                indicator: None,
                period: None,
                figure: None,
            }
        }
        TimelineEvent::InterventionStarted(i) | TimelineEvent::InterventionEnded(i) => {
            let started = matches!(event, TimelineEvent::InterventionStarted(_));
            let kind = text(&wire::InterventionKind::from(i.kind)).replace('_', " ");
            let mut summary = if started { kind } else { format!("{kind} ended") };
            if let Some(c) = &i.commissioner {
                summary.push_str(&format!(" ({c})"));
            }
            TimelineEntry {
                date: event.date().map(|d| d.first_day),
                date_precision: event.date().map(|d| d.precision.into()),
                event: event.into(),
                inspection_kind: None,
                intervention_kind: Some(i.kind.into()),
                intervention_status: Some(status_on(dataset, i, as_at).status.into()),
                summary,
                judgements: None,
                href: intervention_href(&i.id),
                source_url: i.source_urls.first().map_or("", String::as_str),
                indicator: None,
                period: None,
                figure: None,
            }
        }
        TimelineEvent::Figure(v) => {
            let title = dataset.indicator(&v.indicator).map_or(v.indicator.as_str(), |i| i.title.as_str());
            let figure = match (&v.value, &v.suppressed) {
                (Some(n), _) => n.clone(),
                (None, Some(s)) => format!("not given ({s})"),
                (None, None) => "not given".to_owned(),
            };
            TimelineEntry {
                date: event.date().map(|d| d.first_day),
                date_precision: event.date().map(|d| d.precision.into()),
                event: event.into(),
                inspection_kind: None,
                intervention_kind: None,
                intervention_status: None,
                summary: format!("{title}, {}: {figure}", v.period),
                judgements: None,
                href: format!("{}/indicators?indicator={}", la_href(&v.area_code), v.indicator),
                source_url: &v.provenance.source_url,
                indicator: Some(&v.indicator),
                period: Some(&v.period),
                figure: Some(FigureView::new(v)),
            }
        }
    }
}

/// Query parameters of a council's timeline.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Only what was published (or started) on or before this date (YYYY-MM-DD); with
    /// `include=indicators`, only figures published on or before it (figures whose publication
    /// date is unknown are left out).
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2020-06-30")]
    as_at: Option<String>,
    /// `indicators`: the council's official figures too (spending, workforce, demand), one
    /// entry per indicator and period, at the start of the year the period ends.
    #[param(example = "indicators")]
    include: Option<String>,
    /// Only these indicators' figures (ids, comma separated; implies `include=indicators`).
    #[param(example = "agency_worker_rate,csc_spend_total")]
    indicator: Option<String>,
    /// `date` (default, oldest first) or `-date`.
    #[param(example = "-date")]
    sort: Option<String>,
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Rows per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// The figures `include` and `indicator` ask a timeline for.
fn timeline_figures(
    dataset: &Dataset,
    q: &TimelineQuery,
    as_at: Option<NaiveDate>,
) -> Result<Option<records::TimelineFigures>, ApiError> {
    let mut figures = None;
    for part in params::list(q.include.as_deref()) {
        match part.as_str() {
            "indicators" => figures = Some(records::TimelineFigures { indicators: Vec::new(), published_by: as_at }),
            other => {
                return Err(ApiError::invalid("include", format!("include: `{other}` is not `indicators`")));
            }
        }
    }
    let ids = params::list(q.indicator.as_deref());
    schema::query::indicators::check_indicators(dataset, "indicator", &ids)?;
    if !ids.is_empty() {
        figures = Some(records::TimelineFigures { indicators: ids, published_by: as_at });
    }
    Ok(figures)
}

/// A council's story: inspections, visits and interventions in date order, and with
/// `include=indicators` its official figures year by year.
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "northamptonshire"), TimelineQuery),
    responses(
        (status = 200, description = "A page of timeline entries (undated interventions last)", content((Listing<TimelineEntry> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/timeline")]
pub async fn get_local_authority_timeline(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: TimelineQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    let format = Format::of(&req, q.format.as_deref())?;
    let day = params::date("as_at", q.as_at.as_deref())?;
    let figures = timeline_figures(&dataset, &q, day)?;
    let direction = date_sort(q.sort.as_deref())?;
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = records::timeline(&dataset, &la.gss_code, day, figures.as_ref(), direction, &paging.request)
        .map_err(|e| paging.refused(e))?;
    let on = day.unwrap_or_else(schema::query::today);
    listing::list(&req, &dataset, format, day, &paging, page, |e| timeline_entry(&dataset, e, on))
}
