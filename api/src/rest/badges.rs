//! Embeddable SVGs: a council's latest grades as a badge, and its grades and interventions over
//! time as a small chart. Self-contained (no fonts, scripts or images from elsewhere), accessible
//! (`<title>` and `<desc>`, text labels as well as colour, white on dark fills for contrast).

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use schema::Dataset;
use schema::domain::{Area, Grade, Inspection, InterventionStatus, LocalAuthority};
use schema::query::intervention_status::{Evidence, status_on};
use schema::query::local_authorities::{self as la_query, LaStatus};

use super::local_authorities::find_la;
use super::params::{AsAtQuery, as_at, parse_query};
use crate::conditional::respond;
use crate::error::{ApiError, Problem};
use crate::format::{Format, xml};
use crate::state::AppState;
use crate::words::{area as area_words, date as long_date, grade as grade_words, grade_fill};

const FONT: &str = "font-family=\"Verdana, DejaVu Sans, Arial, sans-serif\"";

/// The badge's text, shared by its visible lines and its description.
fn badge_svg(s: &LaStatus<'_>) -> String {
    let la = s.la;
    let width = 440;
    let rows: Vec<(Area, Grade)> =
        s.latest_inspection.map(|i| i.judgements.iter().map(|j| (j.area, j.grade)).collect()).unwrap_or_default();
    let height = 76 + 24 * rows.len().max(1);
    let (summary, source) = match s.latest_inspection {
        Some(i) => (
            format!(
                "Ofsted {} published {}",
                if i.kind == schema::domain::InspectionKind::Inspection { "inspection" } else { "visit" },
                long_date(i.published)
            ),
            i.report_url.as_str(),
        ),
        None => ("No graded Ofsted inspection on record".to_owned(), ""),
    };
    let grades_text: Vec<String> =
        rows.iter().map(|(a, g)| format!("{}: {}", area_words(*a), grade_words(*g))).collect();
    let title =
        format!("{} children's services: {}", la.name, grades_text.first().cloned().unwrap_or_else(|| summary.clone()));
    let desc = format!(
        "{}. {}. {} As at {}. Source: Ofsted{}, via lacs; Open Government Licence v3.0.",
        la.name,
        summary,
        if grades_text.is_empty() { String::new() } else { format!("{}.", grades_text.join("; ")) },
        long_date(s.as_at),
        if source.is_empty() { String::new() } else { format!(" ({source})") }
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"lacs-title lacs-desc\">\n\
         <title id=\"lacs-title\">{}</title>\n<desc id=\"lacs-desc\">{}</desc>\n\
         <rect width=\"{width}\" height=\"{height}\" rx=\"6\" fill=\"#ffffff\" stroke=\"#505a5f\"/>\n\
         <text x=\"12\" y=\"24\" {FONT} font-size=\"15\" font-weight=\"bold\" fill=\"#0b0c0c\">{}</text>\n\
         <text x=\"12\" y=\"42\" {FONT} font-size=\"11\" fill=\"#0b0c0c\">{}</text>\n",
        xml(&title),
        xml(&desc),
        xml(&la.name),
        xml(&summary)
    );
    for (n, (area, grade)) in rows.iter().enumerate() {
        let y = 52 + 24 * n;
        svg.push_str(&format!(
            "<text x=\"12\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#0b0c0c\">{}</text>\n\
             <rect x=\"270\" y=\"{y}\" width=\"158\" height=\"20\" rx=\"3\" fill=\"{}\"/>\n\
             <text x=\"349\" y=\"{}\" {FONT} font-size=\"12\" fill=\"#ffffff\" text-anchor=\"middle\">{}</text>\n",
            y + 14,
            xml(area_words(*area)),
            grade_fill(Some(*grade)),
            y + 14,
            grade_words(*grade)
        ));
    }
    svg.push_str(&format!(
        "<text x=\"12\" y=\"{}\" {FONT} font-size=\"10\" fill=\"#0b0c0c\">As at {} · Source: Ofsted via lacs · OGL v3.0</text>\n</svg>\n",
        height - 10,
        long_date(s.as_at)
    ));
    svg
}

/// A council's latest grades, with the inspection date, the "as at" date and the source, as an
/// accessible SVG badge to embed.
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "norfolk"), AsAtQuery),
    responses(
        (status = 200, description = "SVG badge", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/badge.svg")]
pub async fn get_badge(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: AsAtQuery = parse_query(&req, &[])?;
    let day = as_at(q.as_at.as_deref())?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    respond(&req, &dataset, Format::Svg, || Ok(badge_svg(&la_query::status(&dataset, la, day)).into_bytes()))
}

fn timeline_svg(dataset: &Dataset, la: &LocalAuthority, as_at: NaiveDate) -> String {
    let (width, height, left, right) = (640.0_f64, 150.0_f64, 40.0_f64, 620.0_f64);
    let inspections: Vec<&Inspection> =
        dataset.inspections_of(&la.gss_code).filter(|i| i.published <= as_at && !i.judgements.is_empty()).collect();
    let interventions: Vec<_> =
        dataset.interventions_of(&la.gss_code).filter(|i| i.start_date.is_some_and(|s| s.first_day <= as_at)).collect();
    let first_year = inspections
        .iter()
        .map(|i| i.published.year())
        .chain(interventions.iter().filter_map(|i| i.start_date.map(|s| s.first_day.year())))
        .min()
        .unwrap_or(as_at.year())
        .min(as_at.year());
    let start = NaiveDate::from_ymd_opt(first_year, 1, 1).unwrap_or(as_at);
    let span = ((as_at - start).num_days().max(1)) as f64;
    let x = |d: NaiveDate| left + (right - left) * ((d - start).num_days().clamp(0, span as i64) as f64 / span);
    let described: Vec<String> = inspections
        .iter()
        .map(|i| {
            let overall = i.grade(Area::OverallEffectiveness).map_or("no overall grade", grade_words);
            format!("{}: {}", long_date(i.published), overall)
        })
        .collect();
    let title = format!("{}: Ofsted grades and DfE interventions to {}", la.name, long_date(as_at));
    let desc = format!(
        "Inspections (overall effectiveness): {}. Interventions: {}. Source: Ofsted and DfE via lacs; Open Government Licence v3.0.",
        if described.is_empty() { "none".to_owned() } else { described.join("; ") },
        if interventions.is_empty() {
            "none".to_owned()
        } else {
            interventions
                .iter()
                .map(|i| {
                    format!(
                        "{} from {}",
                        i.kind.as_str().replace('_', " "),
                        i.start_date.map(|d| d.to_string()).unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
    );
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"lacs-title lacs-desc\">\n\
         <title id=\"lacs-title\">{}</title>\n<desc id=\"lacs-desc\">{}</desc>\n\
         <rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n\
         <text x=\"{left}\" y=\"16\" {FONT} font-size=\"13\" font-weight=\"bold\" fill=\"#0b0c0c\">{}</text>\n\
         <line x1=\"{left}\" y1=\"100\" x2=\"{right}\" y2=\"100\" stroke=\"#505a5f\"/>\n",
        xml(&title),
        xml(&desc),
        xml(&la.name)
    );
    for year in first_year..=as_at.year() {
        if let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) {
            let px = x(d);
            svg.push_str(&format!(
                "<line x1=\"{px:.1}\" y1=\"100\" x2=\"{px:.1}\" y2=\"104\" stroke=\"#505a5f\"/>\
                 <text x=\"{px:.1}\" y=\"116\" {FONT} font-size=\"9\" fill=\"#0b0c0c\" text-anchor=\"middle\">{year}</text>\n"
            ));
        }
    }
    for i in &inspections {
        let grade = i.grade(Area::OverallEffectiveness);
        let label = match grade {
            Some(Grade::Outstanding) => "O",
            Some(Grade::Good) => "G",
            Some(Grade::RequiresImprovement) => "RI",
            Some(Grade::Inadequate) => "I",
            Some(Grade::Adequate) => "A",
            _ => "–",
        };
        let px = x(i.published);
        svg.push_str(&format!(
            "<g><title>{}</title><circle cx=\"{px:.1}\" cy=\"50\" r=\"11\" fill=\"{}\"/>\
             <text x=\"{px:.1}\" y=\"54\" {FONT} font-size=\"9\" fill=\"#ffffff\" text-anchor=\"middle\">{label}</text></g>\n",
            xml(&format!("{}: {}", long_date(i.published), grade.map_or("no overall grade", grade_words))),
            grade_fill(grade)
        ));
    }
    for (n, i) in interventions.iter().enumerate() {
        let Some(s) = i.start_date else { continue };
        // A bar runs as far as the status rule knows it lasted: to `as_at` only when in force.
        let status = status_on(dataset, i, as_at);
        let end = match status.status {
            InterventionStatus::InForce => as_at,
            InterventionStatus::Ended | InterventionStatus::Superseded => i
                .end_date
                .map(|e| e.last_day())
                .or_else(|| status.evidence.first().and_then(evidence_day))
                .unwrap_or(s.first_day),
            InterventionStatus::Unknown | InterventionStatus::NotStarted | InterventionStatus::NotAnIntervention => {
                s.first_day
            }
        }
        .min(as_at);
        let (x0, x1) = (x(s.first_day), x(end).max(x(s.first_day) + 3.0));
        let y = 70 + (n % 3) * 8;
        svg.push_str(&format!(
            "<g><title>{}</title><rect x=\"{x0:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"6\" fill=\"#0b0c0c\"/></g>\n",
            xml(&format!("{} from {s}: {} ({})", i.kind.as_str().replace('_', " "), status.status, status.reason)),
            x1 - x0
        ));
    }
    svg.push_str(&format!(
        "<text x=\"{left}\" y=\"140\" {FONT} font-size=\"9\" fill=\"#0b0c0c\">Circles: overall effectiveness (O outstanding, G good, RI requires improvement, I inadequate). Bars: DfE interventions. Source: Ofsted, DfE via lacs.</text>\n</svg>\n"
    ));
    svg
}

/// A council's grades and interventions over time, as a small SVG chart to embed.
#[utoipa::path(
    tag = "local authorities",
    params(("id" = String, Path, description = "GSS code, DfE code, Ofsted URN or slug", example = "slough"), AsAtQuery),
    responses(
        (status = 200, description = "SVG chart", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "No local authority has that id", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/local-authorities/{id}/timeline.svg")]
pub async fn get_timeline_chart(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let q: AsAtQuery = parse_query(&req, &[])?;
    let day = as_at(q.as_at.as_deref())?;
    let dataset = state.dataset();
    let la = find_la(&dataset, &id)?;
    respond(&req, &dataset, Format::Svg, || Ok(timeline_svg(&dataset, la, day).into_bytes()))
}

/// The day a piece of status evidence speaks of: where an ended or superseded bar stops.
fn evidence_day(e: &Evidence<'_>) -> Option<NaiveDate> {
    match *e {
        Evidence::Intervention(i) => i.start_date.map(|d| d.first_day),
        Evidence::Inspection(i) => Some(i.published),
        Evidence::Document { date, .. } => date.map(|d| d.last_day()),
    }
}
