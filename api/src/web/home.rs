//! `GET /`: what lacs is, a search box, and every current council with its latest overall
//! grade, last inspection, interventions in force and DfE failure flags. The table holds every
//! council; the filters the query string asks for (applied by `schema::query`) hide the rest,
//! so the script can filter and sort the same rows in place.

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use schema::Dataset;
use schema::domain::{Area, Grade};
use schema::query::local_authorities::{self as la_query, LaFilter, LaSort, LaStatus};
use schema::query::search::{self, MAX_SEARCH_CHARS};
use schema::query::{Direction, PageRequest, today};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::PageError;
use super::layout::{Page, document};
use super::parts::{failure_flags, grade_chip, regions};
use super::{bounded, given, see_other, with_param};
use crate::conditional::respond;
use crate::error::ApiError;
use crate::format::Format;
use crate::rest::params::{self, parse_query, vocab};
use crate::state::AppState;
use crate::words;

/// The home page's query: the search and the filters, as the form sends them (empty = any).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HomeQuery {
    /// Any name, code or slug, whole or in part.
    q: Option<String>,
    /// Region code or name.
    region: Option<String>,
    /// Latest overall effectiveness grade.
    rating: Option<String>,
    /// `active` or `none`.
    intervention: Option<String>,
    /// `name`, `latest_inspection` or `rating`, `-` for descending.
    sort: Option<String>,
}

/// The grades a council's latest overall judgement can be filtered by.
const FILTER_GRADES: [Grade; 4] = [Grade::Outstanding, Grade::Good, Grade::RequiresImprovement, Grade::Inadequate];

/// `GET /`.
pub async fn page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let q: HomeQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let text = bounded("q", given(&q.q), MAX_SEARCH_CHARS)?;
    // A whole code or slug names one council: go straight to it.
    if let Some(la) = text.and_then(|t| dataset.local_authority(t)) {
        return Ok(see_other(&format!("/councils/{}", la.slug)));
    }
    let mut filter = LaFilter::new(today());
    filter.region = params::region(&dataset, given(&q.region))?;
    if let Some(grade) = vocab("rating", given(&q.rating))? {
        filter.ratings.push((Area::OverallEffectiveness, grade));
    }
    filter.intervention = params::intervention_presence(given(&q.intervention))?;
    let sort = given(&q.sort);
    let (la_sort, direction) = sort.map(params::la_sort).transpose()?.unwrap_or((LaSort::Name, Direction::Ascending));
    let everything = PageRequest { limit: None, after: None };
    let mut all = LaFilter::new(filter.as_at);
    (all.sort, all.direction) = (la_sort, direction);
    let rows = la_query::list(&dataset, &all, &everything).map_err(|e| ApiError::Internal(anyhow::anyhow!(e.0)))?;
    let shown = la_query::list(&dataset, &filter, &everything).map_err(|e| ApiError::Internal(anyhow::anyhow!(e.0)))?;
    let found = text.map(|t| search::councils(&dataset, t));
    let mut visible: HashSet<&str> = shown.rows().map(|s| s.la.gss_code.as_str()).collect();
    if let Some(found) = &found {
        let matching: HashSet<&str> = found.iter().map(|la| la.gss_code.as_str()).collect();
        visible.retain(|code| matching.contains(code));
    }
    let retired: Vec<_> = found
        .iter()
        .flatten()
        .filter(|la| la_query::retired_by(la, filter.as_at))
        .map(|la| la_query::status(&dataset, la, filter.as_at))
        .collect();
    let choices = Choices {
        q: text,
        region: given(&q.region),
        rating: given(&q.rating),
        intervention: given(&q.intervention),
        sort,
        region_code: filter.region.as_deref(),
    };
    let rows: Vec<&LaStatus<'_>> = rows.rows().collect();
    respond(&req, &dataset, Format::Html, || {
        let main = body(&dataset, &choices, &rows, &visible, &retired);
        let page = Page {
            title: "Children's services in every English council",
            description: "Ofsted's judgements of every English council's children's services and what the Department for Education did about them.",
            dataset: Some(&dataset),
        };
        Ok(document(&page, main).into_string().into_bytes())
    })
    .map_err(PageError::from)
}

/// What the person chose, as given (the form shows it again).
struct Choices<'a> {
    q: Option<&'a str>,
    region: Option<&'a str>,
    rating: Option<&'a str>,
    intervention: Option<&'a str>,
    sort: Option<&'a str>,
    region_code: Option<&'a str>,
}

impl Choices<'_> {
    fn pairs(&self) -> Vec<(&str, Option<&str>)> {
        vec![
            ("q", self.q),
            ("region", self.region),
            ("rating", self.rating),
            ("intervention", self.intervention),
            ("sort", self.sort),
        ]
    }

    /// The link of a column heading: sorts by `field`, reversing when it is the sort already.
    fn sort_link(&self, field: &str) -> String {
        let next = if self.sort == Some(field) { format!("-{field}") } else { field.to_owned() };
        with_param(&self.pairs(), "sort", Some(&next))
    }

    fn aria_sort(&self, field: &str) -> Option<&'static str> {
        match self.sort {
            Some(s) if s == field => Some("ascending"),
            Some(s) if s.strip_prefix('-') == Some(field) => Some("descending"),
            None if field == "name" => Some("ascending"),
            _ => None,
        }
    }
}

fn body(
    dataset: &Dataset,
    choices: &Choices<'_>,
    rows: &[&LaStatus<'_>],
    visible: &HashSet<&str>,
    retired: &[LaStatus<'_>],
) -> Markup {
    let shown = rows.iter().filter(|s| visible.contains(s.la.gss_code.as_str())).count();
    html! {
        h1 { "Children's services in every English council" }
        p.lead {
            "lacs publishes what Ofsted judged about each English council's children's services and what the Department for Education did about it: improvement notices, statutory directions, commissioners and trusts. "
            "Every fact links to the document it came from, and the same data is an open API, GraphQL and bulk downloads."
        }
        p { a href="/docs/" { "API documentation" } " · " a href="/graphql" { "GraphiQL" } " · " a href="/v1/datasets" { "Downloads (CSV, NDJSON, SQLite)" } " · " a href="/england" { "Ratings across England over time" } }
        form #filters.filters method="get" action="/" role="search" aria-label="Find and filter councils" {
            div {
                label for="q" { "Find a council" }
                input #q type="search" name="q" value=[choices.q] maxlength=(MAX_SEARCH_CHARS) autocomplete="off" aria-describedby="q-hint";
                span #q-hint.note { "Name, GSS code, DfE code, Ofsted URN or slug" }
            }
            div {
                label for="region" { "Region" }
                select #region name="region" {
                    option value="" { "All regions" }
                    @for (code, name) in regions(dataset) {
                        option value=(code) selected[choices.region_code == Some(code.as_str())] { (name) }
                    }
                }
            }
            div {
                label for="rating" { "Latest overall grade" }
                select #rating name="rating" {
                    option value="" { "Any grade" }
                    @for g in FILTER_GRADES {
                        option value=(g.as_str()) selected[choices.rating == Some(g.as_str())] { (words::grade(g)) }
                    }
                }
            }
            div {
                label for="intervention" { "DfE intervention" }
                select #intervention name="intervention" {
                    option value="" { "Any" }
                    option value="active" selected[choices.intervention == Some("active")] { "In force" }
                    option value="none" selected[choices.intervention == Some("none")] { "None in force" }
                }
            }
            @if let Some(sort) = choices.sort { input type="hidden" name="sort" value=(sort); }
            button type="submit" { "Search" }
        }
        @if !retired.is_empty() {
            div.banner-note {
                p { "Former councils matching “" (choices.q.unwrap_or_default()) "”:" }
                ul { @for s in retired {
                    li { a href={ "/councils/" (s.la.slug) } { (s.la.name) } @if let Some(to) = s.la.valid_to { " (abolished " (words::date(to)) ")" } }
                } }
            }
        }
        p #count aria-live="polite" { "Showing " (shown) " of " (rows.len()) " councils" }
        table #councils {
            caption { "Current councils, with their latest Ofsted judgement and DfE interventions in force today" }
            thead { tr {
                th scope="col" data-sort="name" aria-sort=[choices.aria_sort("name")] { a href=(choices.sort_link("name")) { "Council" } }
                th scope="col" { "Region" }
                th scope="col" data-sort="rating" aria-sort=[choices.aria_sort("rating")] { a href=(choices.sort_link("rating")) { "Latest overall grade" } }
                th scope="col" data-sort="latest_inspection" aria-sort=[choices.aria_sort("latest_inspection")] { a href=(choices.sort_link("latest_inspection")) { "Last inspection" } }
                th scope="col" { "Interventions in force" }
                th scope="col" { "DfE failure tests" }
            } }
            tbody {
                @for s in rows { (row(s, visible.contains(s.la.gss_code.as_str()))) }
            }
        }
        p.note { "Grades are Ofsted's overall effectiveness judgement of the latest full inspection; the 2026 framework gives none. "
            "An intervention is in force when a source says so, or it is recent for its kind and nothing later ends it; "
            a href="/docs/" { "the API documentation" } " gives the rule." }
    }
}

fn row(s: &LaStatus<'_>, visible: bool) -> Markup {
    let grade = s.grade(Area::OverallEffectiveness);
    let latest = s.latest_inspection.map(|i| i.published.to_string()).unwrap_or_default();
    let intervention = if s.active_interventions.is_empty() { "none" } else { "active" };
    html! {
        tr hidden[!visible] data-search=(search::search_text(s.la)) data-region=(s.la.region_code.as_deref().unwrap_or_default())
            data-rating=(grade.map_or("none", Grade::as_str)) data-intervention=(intervention) {
            th scope="row" data-sort-value=(search::fold(&s.la.name)) { a href={ "/councils/" (s.la.slug) } { (s.la.name) } }
            td { (s.la.region_name.as_deref().unwrap_or("—")) }
            td data-sort-value=(grade.and_then(Grade::score).unwrap_or(9)) { (grade_chip(grade)) }
            td data-sort-value=(latest) {
                @match s.last_inspection_date() { Some(d) => time datetime=(d) { (words::date(d)) }, None => span.muted { "None on record" } }
            }
            td {
                @if s.active_interventions.is_empty() { span.muted { "None in force" } }
                @for i in &s.active_interventions { (words::intervention_kind(i.kind)) br; }
            }
            td { (failure_flags(s)) }
        }
    }
}
