//! `/v1/indicators`, `/v1/indicators/{indicator}` and `/v1/local-authorities/{id}/indicators`:
//! the numbers behind the grades (spending, workforce, demand).

use actix_web::{HttpRequest, HttpResponse, get, web};
use schema::query::indicators::{self, FigureSort, PeriodQuery, SeriesFilter};
use serde::Deserialize;
use utoipa::IntoParams;

use super::listing::{self, CsvRow, Listing};
use super::local_authorities::find_la;
use super::params::{self, paging, parse_query};
use super::views::{CouncilFigureView, IndicatorView, SeriesCsvRow, SeriesView};
use crate::conditional::respond;
use crate::error::{ApiError, Problem};
use crate::format::Format;
use crate::state::AppState;

/// Query parameters of `GET /v1/indicators`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListIndicatorsQuery {
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Rows per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also selects CSV.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// The indicator catalogue: what each indicator measures, its unit and period type, the
/// publication, file and column it is read from, and the periods held.
#[utoipa::path(
    tag = "indicators",
    params(ListIndicatorsQuery),
    responses(
        (status = 200, description = "The catalogue", content((Listing<IndicatorView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/indicators")]
pub async fn list_indicators(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: ListIndicatorsQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = indicators::catalogue(&dataset, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, None, &paging, page, |i| IndicatorView::new(&dataset, i))
}

/// Query parameters of `GET /v1/indicators/{indicator}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// The period, as the catalogue lists it (`2024`, `2023-24`); default the latest with figures
    /// published by `as_at`.
    #[param(example = "2024")]
    period: Option<String>,
    /// Region of the councils: ONS code or name.
    #[param(example = "South East")]
    region: Option<String>,
    /// Only figures published on or before this date (YYYY-MM-DD); the latest grades are also
    /// as at this date (default today). Figures whose publication date is unknown are left out.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    as_at: Option<String>,
    /// `value` (default; suppressed figures last), `-value`, `name` or `-name`.
    #[param(example = "-value")]
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

fn figure_sort(value: Option<&str>) -> Result<(FigureSort, schema::query::Direction), ApiError> {
    let Some(value) = value else { return Ok((FigureSort::Value, schema::query::Direction::Ascending)) };
    let (field, direction) = params::split_sort(value);
    let sort = match field {
        "value" => FigureSort::Value,
        "name" => FigureSort::Name,
        other => {
            return Err(ApiError::invalid(
                "sort",
                format!("sort: `{other}` is not a sort field; use value or name, with - for descending"),
            ));
        }
    };
    Ok((sort, direction))
}

/// One indicator for every council in one period, with each council's latest graded
/// inspection: e.g. every council's social worker turnover in 2024 beside its grade.
#[utoipa::path(
    tag = "indicators",
    params(("indicator" = String, Path, description = "Indicator id", example = "social_worker_turnover_rate"), IndicatorQuery),
    responses(
        (status = 200, description = "A page of councils' figures", content((Listing<CouncilFigureView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No indicator has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/indicators/{indicator}")]
pub async fn get_indicator(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: IndicatorQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let indicator = dataset.indicator(&id).ok_or_else(|| {
        ApiError::NotFound(format!("no indicator has the id `{id}`; the catalogue is at /v1/indicators"))
    })?;
    let format = Format::of(&req, q.format.as_deref())?;
    let as_at = params::date("as_at", q.as_at.as_deref())?;
    if let Some(period) = &q.period
        && !indicators::periods(&dataset, &indicator.id, None).contains(&period.as_str())
    {
        let held = indicators::periods(&dataset, &indicator.id, None).join(", ");
        return Err(ApiError::invalid("period", format!("period: `{period}` has no figures; periods held: {held}")));
    }
    let (sort, direction) = figure_sort(q.sort.as_deref())?;
    let query = PeriodQuery {
        period: q.period.clone(),
        region: params::region(&dataset, q.region.as_deref())?,
        as_at,
        sort,
        direction,
    };
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let (_, page) =
        indicators::council_figures(&dataset, indicator, &query, &paging.request).map_err(|e| paging.refused(e))?;
    listing::list(&req, &dataset, format, as_at, &paging, page, |f| CouncilFigureView::new(&dataset, f))
}

/// Query parameters of `GET /v1/local-authorities/{id}/indicators`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LaIndicatorsQuery {
    /// Only these indicators (ids, comma separated).
    #[param(example = "agency_worker_rate,csc_spend_total")]
    indicator: Option<String>,
    /// Periods ending in this year or later: a year (`2019`) or a financial year (`2019-20`).
    #[param(example = "2019")]
    from: Option<String>,
    /// Periods ending in this year or earlier.
    #[param(example = "2024")]
    to: Option<String>,
    /// Only figures published on or before this date (YYYY-MM-DD); figures whose publication
    /// date is unknown are left out and counted in `unknown_publication`.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$")]
    as_at: Option<String>,
    /// Continue from a `links.next` cursor.
    cursor: Option<String>,
    /// Indicators per page, 1–500 (default 50; CSV without `limit` returns every row).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    /// `json` (default) or `csv` (one row per indicator and period); `Accept: text/csv` also selects CSV.
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// Every indicator's series for one council, each period with England's figure, its region's
/// and the median of its DfE statistical neighbours. Suppressed figures are `null` with the
/// source's symbol and its meaning.
#[utoipa::path(
    tag = "indicators",
    params(("id" = String, Path, description = "GSS code (current or former), DfE code, Ofsted URN or slug", example = "slough"), LaIndicatorsQuery),
    responses(
        (status = 200, description = "The council's series, one per indicator", content((Listing<SeriesView> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/indicators")]
pub async fn list_local_authority_indicators(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: LaIndicatorsQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    let format = Format::of(&req, q.format.as_deref())?;
    let ids = params::list(q.indicator.as_deref());
    indicators::check_indicators(&dataset, "indicator", &ids)?;
    let bound = |name: &str, v: Option<&str>| v.map(|v| indicators::parse_period_bound(name, v)).transpose();
    let filter = SeriesFilter {
        indicators: ids,
        from: bound("from", q.from.as_deref())?,
        to: bound("to", q.to.as_deref())?,
        as_at: params::date("as_at", q.as_at.as_deref())?,
    };
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && from > to
    {
        return Err(ApiError::invalid("from", "from: the period range ends before it starts"));
    }
    let paging = paging("cursor", q.cursor.as_deref(), q.limit.as_deref(), format)?;
    let page = indicators::series_page(&dataset, la, &filter, &paging.request).map_err(|e| paging.refused(e))?;
    if format == Format::Csv {
        return respond(&req, &dataset, Format::Csv, || {
            let views: Vec<SeriesView> = page.rows().map(|s| SeriesView::new(&dataset, s)).collect();
            let rows: Vec<SeriesCsvRow> = views.iter().flat_map(SeriesView::rows).collect();
            listing::csv_body(&rows)
        });
    }
    listing::list(&req, &dataset, format, filter.as_at, &paging, page, |s| SeriesView::new(&dataset, s))
}

// A series is one JSON item but several CSV rows: its list CSV is written by the handler above.
impl CsvRow for SeriesView<'_> {
    fn header() -> Vec<&'static str> {
        SeriesCsvRow::header()
    }

    fn record(&self) -> Vec<String> {
        self.rows().next().map(|r| r.record()).unwrap_or_default()
    }
}
