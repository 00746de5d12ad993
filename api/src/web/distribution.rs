//! `GET /england` and `GET /regions/{region}`: how many councils held each overall grade, year
//! by year (31 March) up to the page's date, as a chart and a table, and the councils in each
//! grade on that date. The counts are `schema::query::stats::ratings`.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{Datelike, NaiveDate};
use maud::{Markup, html};
use schema::Dataset;
use schema::domain::{Area, Grade};
use schema::query::codes::resolve_region;
use schema::query::local_authorities::Basis;
use schema::query::stats::{self, GroupBy, RatingGroup};
use serde::Deserialize;
use utoipa::IntoParams;

use super::chart::{Bar, band_name, distribution};
use super::error::PageError;
use super::layout::{Page, document};
use super::parts::{grade_chip, regions};
use super::{given, region_slug};
use crate::conditional::respond;
use crate::error::ApiError;
use crate::format::Format;
use crate::rest::params::{self, parse_query};
use crate::state::AppState;
use crate::words;

/// A distribution page's query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DistributionQuery {
    /// The last day counted (YYYY-MM-DD); today when absent or empty.
    as_at: Option<String>,
}

/// Where the chart's years begin, at the latest: the first year with a graded inspection.
const FIRST_YEAR: i32 = 2010;

/// The bands of the chart, best grade first, then councils with no overall grade.
const BANDS: [Option<Grade>; 7] = [
    Some(Grade::Outstanding),
    Some(Grade::Good),
    Some(Grade::Adequate),
    Some(Grade::RequiresImprovement),
    Some(Grade::Inadequate),
    Some(Grade::NotJudged),
    None,
];

/// `GET /england`.
pub async fn england(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    render(&req, &state, None)
}

/// `GET /regions/{region}`: the region by ONS code, name or the slug of its name.
pub async fn region(
    req: HttpRequest,
    region: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let dataset = state.dataset();
    let named = region.replace('-', " ");
    let code = resolve_region(&dataset, "region", &region)
        .or_else(|_| resolve_region(&dataset, "region", &named))
        .map_err(|e| ApiError::NotFound(e.detail.replacen("region: ", "", 1)))?;
    let name = regions(&dataset).into_iter().find(|(c, _)| *c == *code).map(|(_, n)| n).unwrap_or_default();
    if region.as_str() != region_slug(&name) {
        let query = if req.query_string().is_empty() { String::new() } else { format!("?{}", req.query_string()) };
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, format!("/regions/{}{query}", region_slug(&name))))
            .finish());
    }
    render(&req, &state, Some((code.to_string(), name)))
}

/// The dates counted: 31 March of each year up to `day`, then `day` itself.
fn dates(dataset: &Dataset, day: NaiveDate) -> Vec<NaiveDate> {
    let first = dataset.inspections.first().map_or(FIRST_YEAR, |i| i.published.year()).max(FIRST_YEAR);
    let mut dates: Vec<NaiveDate> =
        (first..=day.year()).filter_map(|y| NaiveDate::from_ymd_opt(y, 3, 31)).filter(|d| *d <= day).collect();
    if dates.last() != Some(&day) {
        dates.push(day);
    }
    dates
}

/// The group a page counts: England, or one region.
fn group<'a>(dataset: &'a Dataset, on: NaiveDate, region: Option<&str>) -> Option<RatingGroup<'a>> {
    let by = if region.is_some() { GroupBy::Region } else { GroupBy::England };
    let counts = stats::ratings(dataset, on, Area::OverallEffectiveness, by, Basis::Inspected);
    counts.groups.into_iter().find(|g| region.is_none_or(|code| g.key == code))
}

fn count_of(group: Option<&RatingGroup<'_>>, band: Option<Grade>) -> usize {
    group.and_then(|g| g.cells.iter().find(|c| c.grade == band)).map_or(0, |c| c.count())
}

fn render(req: &HttpRequest, state: &AppState, region: Option<(String, String)>) -> Result<HttpResponse, PageError> {
    let q: DistributionQuery = parse_query(req, &[])?;
    let chosen = given(&q.as_at);
    let day = params::as_at(chosen)?;
    let dataset = state.dataset();
    respond(req, &dataset, Format::Html, || {
        let code = region.as_ref().map(|(c, _)| c.as_str());
        let place = region.as_ref().map_or("England", |(_, n)| n.as_str());
        let days = dates(&dataset, day);
        let groups: Vec<Option<RatingGroup<'_>>> = days.iter().map(|d| group(&dataset, *d, code)).collect();
        let on_day = groups.last().cloned().flatten();
        // Only the bands some date has, so the chart's legend names only what it shows.
        let bands: Vec<Option<Grade>> =
            BANDS.into_iter().filter(|b| groups.iter().any(|g| count_of(g.as_ref(), *b) > 0)).collect();
        let mut series: Vec<Bar> = days
            .into_iter()
            .zip(&groups)
            .map(|(on, g)| Bar { on, counts: bands.iter().map(|b| (*b, count_of(g.as_ref(), *b))).collect() })
            .collect();
        // Years before any council in the place had a graded inspection on record say nothing.
        let first_graded = series.iter().position(|b| b.counts.iter().any(|(g, n)| g.is_some() && *n > 0));
        series.drain(..first_graded.unwrap_or(0).min(series.len().saturating_sub(1)));
        let title = format!("Overall Ofsted grades of councils in {place}, over time");
        let main = html! {
            h1 { "Ratings in " (place) }
            p.lead { "How many councils" @if region.is_some() { " in " (place) } " held each overall effectiveness grade from Ofsted, on 31 March of each year and on "
                (words::date(day)) ". Counted " (Basis::Inspected.description()) ". Councils not yet inspected are listed apart and left out of the shares." }
            form.as-at method="get" action=(req.path()) {
                div {
                    label for="as_at" { "Count up to" }
                    input #as_at type="date" name="as_at" value=(day) min="2000-01-01" max="2100-12-31";
                }
                button type="submit" { "Show" }
            }
            (distribution("distribution", &title, &series))
            (table(&series, place))
            h2 #councils { "Councils by grade on " (words::date(day)) }
            @match &on_day {
                Some(g) => (cells(g, chosen.map(|_| day))),
                None => p { "No councils on record on that day." },
            }
            @if region.is_none() { (region_table(&dataset, day, chosen.is_some())) }
            p { a href={ "/v1/stats/ratings?as_at=" (day) @if region.is_some() { "&by=region" } } { "These counts as JSON" } " · "
                a href={ "/v1/stats/ratings?format=csv&as_at=" (day) @if region.is_some() { "&by=region" } } { "CSV" } }
        };
        let page = Page { title: &format!("Ratings in {place}"), description: &title, dataset: Some(&dataset) };
        Ok(document(&page, main).into_string().into_bytes())
    })
    .map_err(PageError::from)
}

fn table(series: &[Bar], place: &str) -> Markup {
    let bands: Vec<Option<Grade>> = series.first().map(|b| b.counts.iter().map(|c| c.0).collect()).unwrap_or_default();
    html! {
        table {
            caption { "Councils in " (place) " by latest overall grade (the figures in the chart)" }
            thead { tr { th scope="col" { "Date" } @for b in &bands { th.num scope="col" { (band_name(*b)) } } th.num scope="col" { "Councils" } } }
            tbody { @for bar in series { tr {
                th scope="row" { (words::date(bar.on)) }
                @for (_, n) in &bar.counts { td.num { (n) } }
                td.num { (bar.counts.iter().map(|c| c.1).sum::<usize>()) }
            } } }
        }
    }
}

fn cells(group: &RatingGroup<'_>, as_at: Option<NaiveDate>) -> Markup {
    let suffix = as_at.map(|d| format!("?as_at={d}")).unwrap_or_default();
    html! {
        @for cell in &group.cells {
            h3 { (grade_chip(cell.grade)) " " (cell.count()) " of " (group.inspected()) " inspected (" (format!("{:.0}", cell.share * 100.0)) "%)" }
            ul.councils-list { @for la in &cell.local_authorities { li { a href={ "/councils/" (la.slug) (suffix) } { (la.name) } } } }
        }
        @if !group.not_yet_inspected.is_empty() {
            h3 { "Not yet inspected: " (group.not_yet_inspected.len()) }
            ul.councils-list { @for la in &group.not_yet_inspected { li { a href={ "/councils/" (la.slug) (suffix) } { (la.name) } } } }
        }
    }
}

fn region_table(dataset: &Dataset, day: NaiveDate, chosen: bool) -> Markup {
    let counts = stats::ratings(dataset, day, Area::OverallEffectiveness, GroupBy::Region, Basis::Inspected);
    let bands: Vec<Option<Grade>> =
        BANDS.into_iter().filter(|b| counts.groups.iter().any(|g| count_of(Some(g), *b) > 0)).collect();
    let suffix = if chosen { format!("?as_at={day}") } else { String::new() };
    html! {
        h2 #regions { "Regions" }
        table {
            caption { "Councils in each region by latest overall grade on " (words::date(day)) }
            thead { tr { th scope="col" { "Region" } @for b in &bands { th.num scope="col" { (band_name(*b)) } } th.num scope="col" { "Councils" } } }
            tbody { @for g in &counts.groups { tr {
                th scope="row" { a href={ "/regions/" (region_slug(&g.label)) (suffix) } { (g.label) } }
                @for b in &bands { td.num { (count_of(Some(g), *b)) } }
                td.num { (g.total) }
            } } }
        }
    }
}
