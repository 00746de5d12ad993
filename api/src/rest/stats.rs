//! `/v1/stats/ratings`: how many councils held each grade on a date.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use schema::domain::Area;
use schema::query::local_authorities::{Basis, published_by};
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
    /// Which date puts an inspection in the count: `inspected` (default; its first day on site, as
    /// Ofsted's official "as at 31 March" statistics count) or `published` (its publication date).
    #[param(value_type = Option<CountBasis>)]
    basis: Option<String>,
    /// `json` (default) or `csv` (one row per group and grade).
    #[param(value_type = Option<crate::wire::ListFormat>)]
    format: Option<String>,
}

/// Which date puts an inspection in a count.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CountBasis {
    /// Its first day on site (Ofsted's official statistics).
    Inspected,
    /// Its publication date.
    Published,
}

/// The councils holding one grade in one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeCell<'a> {
    /// The grade; null for councils inspected but with no grade for the area (their latest
    /// inspection's framework does not judge it).
    pub grade: Option<wire::Grade>,
    /// How many councils.
    pub count: usize,
    /// `count` over the group's councils inspected by `as_at`, to four decimal places.
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
    /// Councils in the group with an inspection by `as_at`: the shares' denominator.
    pub inspected: usize,
    /// Grades best first, then no grade.
    pub grades: Vec<GradeCell<'a>>,
    /// Councils with no inspection by `as_at` (created since their last inspection): listed,
    /// and left out of the shares, as Ofsted does.
    pub not_yet_inspected: Vec<LaLink<'a>>,
}

/// Counts of councils by grade.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingStats<'a> {
    /// The date described.
    pub as_at: NaiveDate,
    /// The area counted.
    pub area: wire::Area,
    /// Which date put an inspection in the count.
    pub basis: CountBasis,
    /// The basis, in words.
    pub basis_description: &'static str,
    /// With `basis=inspected`: the latest publication date of a report counted (the cut-off
    /// Ofsted's edition for the day states, else three months after it).
    pub published_by: Option<NaiveDate>,
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
    share: Option<f64>,
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
            self.share.map_or_else(String::new, |s| s.to_string()),
            self.local_authorities.clone(),
        ]
    }
}

/// How many councils held each grade on a date: the figure behind "one in five councils inadequate".
///
/// Each council that existed on `as_at` counts once, with the grade its latest inspection on or
/// before `as_at` gave the area. By default an inspection counts from its first day on site, as
/// Ofsted's official "as at 31 March" statistics count (it was published later); `basis=published`
/// counts from publication. Councils with no inspection by then are listed as not yet inspected
/// and left out of the shares. Each cell lists its councils.
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
    let basis = match q.basis.as_deref() {
        None | Some("inspected") => Basis::Inspected,
        Some("published") => Basis::Published,
        Some(other) => {
            return Err(ApiError::invalid("basis", format!("basis: `{other}` is not inspected or published")));
        }
    };
    respond(&req, &dataset, format, || {
        let counts = stats::ratings(&dataset, as_at, area, by, basis);
        let groups: Vec<RatingGroupView<'_>> = counts
            .groups
            .into_iter()
            .map(|g| RatingGroupView {
                total: g.total,
                inspected: g.inspected(),
                not_yet_inspected: g.not_yet_inspected.iter().map(|la| LaLink::new(&dataset, &la.gss_code)).collect(),
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
                let codes = |las: &[LaLink<'_>]| las.iter().map(|l| l.gss_code).collect::<Vec<_>>().join(";");
                let rows: Vec<StatsRow> = groups
                    .iter()
                    .flat_map(|g| {
                        let graded = g.grades.iter().map(|c| StatsRow {
                            key: g.key.clone(),
                            label: g.label.clone(),
                            grade: text(&c.grade),
                            count: c.count,
                            total: g.total,
                            share: Some(c.share),
                            local_authorities: codes(&c.local_authorities),
                        });
                        let not_yet = (!g.not_yet_inspected.is_empty()).then(|| StatsRow {
                            key: g.key.clone(),
                            label: g.label.clone(),
                            grade: "not_yet_inspected".to_owned(),
                            count: g.not_yet_inspected.len(),
                            total: g.total,
                            share: None,
                            local_authorities: codes(&g.not_yet_inspected),
                        });
                        graded.chain(not_yet)
                    })
                    .collect();
                listing::csv_body(&rows)
            }
            _ => json_body(&RatingStats {
                as_at: counts.as_at,
                area: counts.area.into(),
                basis: match counts.basis {
                    Basis::Inspected => CountBasis::Inspected,
                    Basis::Published => CountBasis::Published,
                },
                basis_description: counts.basis.description(),
                published_by: (counts.basis == Basis::Inspected).then(|| published_by(counts.as_at)),
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
