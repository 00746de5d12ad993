//! `/v1/stats/ratings`: how many councils held each grade on a date.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use schema::domain::Area;
use schema::query::stats::{self, GroupBy};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::listing::{self, CsvRow, text};
use super::params::{as_at, parse_query, vocab};
use super::views::LaLink;
use crate::conditional::{json_body, respond};
use crate::error::{ApiError, Problem};
use crate::format::Format;
use crate::state::AppState;
use crate::wire;

/// Query parameters of `GET /v1/stats/ratings`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatingStatsQuery {
    /// The date to describe (YYYY-MM-DD); default today.
    #[param(format = Date, pattern = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$", example = "2023-03-31")]
    as_at: Option<String>,
    /// The judgement area to count (default `overall_effectiveness`).
    #[param(value_type = Option<wire::Area>)]
    area: Option<String>,
    /// `region` or `type`; without it, one group for England.
    #[param(example = "region")]
    by: Option<String>,
    /// `json` (default) or `csv` (one row per group and grade).
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// The councils holding one grade in one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeCell<'a> {
    /// The grade; null for councils with no grade for the area (never inspected under a framework
    /// that judges it, or inspected before it existed).
    pub grade: Option<wire::Grade>,
    /// How many councils.
    pub count: usize,
    /// `count` over the group's total, to four decimal places.
    pub share: f64,
    /// The councils.
    pub local_authorities: Vec<LaLink<'a>>,
}

/// One group of councils (a region, a type, or England).
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingGroupView<'a> {
    /// Region code, LA type, or `england`.
    #[schema(example = "E12000007")]
    pub key: String,
    /// Region name, LA type, or `England`.
    #[schema(example = "London")]
    pub label: String,
    /// Councils in the group on `as_at`.
    pub total: usize,
    /// Grades best first, then no grade.
    pub grades: Vec<GradeCell<'a>>,
}

/// Counts of councils by grade.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingStats<'a> {
    /// The date described.
    pub as_at: NaiveDate,
    /// The area counted.
    pub area: wire::Area,
    /// How the councils are grouped.
    #[schema(example = "region")]
    pub by: &'static str,
    /// Councils that existed on `as_at`.
    pub total: usize,
    /// The groups.
    pub groups: Vec<RatingGroupView<'a>>,
    /// The dataset version the answer comes from.
    pub dataset_version: i64,
    /// The data's licence.
    pub licence: &'static str,
    /// The attribution to give.
    pub attribution: &'static str,
}

/// One CSV row: a group and a grade.
pub struct StatsRow {
    key: String,
    label: String,
    grade: String,
    count: usize,
    total: usize,
    share: f64,
    local_authorities: String,
}

impl CsvRow for StatsRow {
    fn header() -> Vec<&'static str> {
        vec!["group_key", "group_label", "grade", "count", "group_total", "share", "local_authorities"]
    }

    fn record(&self) -> Vec<String> {
        vec![
            self.key.clone(),
            self.label.clone(),
            self.grade.clone(),
            self.count.to_string(),
            self.total.to_string(),
            self.share.to_string(),
            self.local_authorities.clone(),
        ]
    }
}

/// How many councils held each grade on a date: the figure behind "one in five councils inadequate".
///
/// Each council that existed on `as_at` counts once, with the grade its latest inspection
/// published on or before `as_at` gave the area. Each cell lists its councils.
#[utoipa::path(
    tag = "stats",
    params(RatingStatsQuery),
    responses(
        (status = 200, description = "Counts by grade (JSON, or CSV with one row per group and grade)", content((RatingStats = "application/json"), (String = "text/csv"))),
        (status = 400, description = "An unknown parameter or a bad value", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/stats/ratings")]
pub async fn get_rating_stats(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let q: RatingStatsQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let format = Format::of(&req, q.format.as_deref())?;
    let as_at = as_at(q.as_at.as_deref())?;
    let area: Area = vocab("area", q.area.as_deref())?.unwrap_or(stats::DEFAULT_AREA);
    let by = match q.by.as_deref() {
        None => GroupBy::England,
        Some("region") => GroupBy::Region,
        Some("type") => GroupBy::Type,
        Some(other) => return Err(ApiError::invalid("by", format!("by: `{other}` is not region or type"))),
    };
    respond(&req, &dataset, format, || {
        let counts = stats::ratings(&dataset, as_at, area, by);
        let groups: Vec<RatingGroupView<'_>> = counts
            .groups
            .into_iter()
            .map(|g| RatingGroupView {
                total: g.total,
                grades: g
                    .cells
                    .into_iter()
                    .map(|c| GradeCell {
                        grade: c.grade.map(Into::into),
                        count: c.count(),
                        share: c.share,
                        local_authorities: c
                            .local_authorities
                            .iter()
                            .map(|la| LaLink::new(&dataset, &la.gss_code))
                            .collect(),
                    })
                    .collect(),
                key: g.key,
                label: g.label,
            })
            .collect();
        match format {
            Format::Csv => {
                let rows: Vec<StatsRow> = groups
                    .iter()
                    .flat_map(|g| {
                        g.grades.iter().map(|c| StatsRow {
                            key: g.key.clone(),
                            label: g.label.clone(),
                            grade: text(&c.grade),
                            count: c.count,
                            total: g.total,
                            share: c.share,
                            local_authorities: c
                                .local_authorities
                                .iter()
                                .map(|l| l.gss_code)
                                .collect::<Vec<_>>()
                                .join(";"),
                        })
                    })
                    .collect();
                listing::csv_body(&rows)
            }
            _ => json_body(&RatingStats {
                as_at: counts.as_at,
                area: counts.area.into(),
                by: counts.by.as_str(),
                total: counts.total,
                groups,
                dataset_version: dataset.version,
                licence: schema::LICENCE,
                attribution: schema::ATTRIBUTION,
            }),
        }
    })
}
