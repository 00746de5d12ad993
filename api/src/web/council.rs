//! `GET /councils/{id}`: one council's story on one page, on a date (`as_at`, a date picker):
//! its status, the timeline chart, every inspection and intervention (`story`), DfE's failure
//! tests, predecessors and successors, statistical neighbours, the badge to embed, and links to
//! the same data as JSON, CSV and Atom.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use maud::{Markup, html};
use schema::Dataset;
use schema::domain::{Area, LocalAuthority};
use schema::query::local_authorities::{self as la_query, FailureTest, LaState, LaStatus};
use schema::query::records::{self, TimelineEvent};
use schema::query::{Direction, PageRequest, search};
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::PageError;
use super::given;
use super::layout::{Page, document};
use super::parts::{failure_flags, grade_chip};
use super::story::{inspection_anchor, story};
use crate::conditional::respond;
use crate::error::ApiError;
use crate::format::Format;
use crate::rest::params::{self, parse_query};
use crate::state::AppState;
use crate::words;

/// A council page's query.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CouncilQuery {
    /// The day to show the page as it stood on (YYYY-MM-DD); today when absent or empty.
    as_at: Option<String>,
}

/// `GET /councils/{id}`: any code or slug; the page lives at the slug.
pub async fn page(
    req: HttpRequest,
    id: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, PageError> {
    let q: CouncilQuery = parse_query(&req, &[])?;
    let dataset = state.dataset();
    let Some(la) = dataset.local_authority(&id) else {
        // Suggestions only for what could be a name (the guard bounds the path itself).
        let found =
            if id.chars().count() <= search::MAX_SEARCH_CHARS { search::councils(&dataset, &id) } else { Vec::new() };
        return Err(PageError::unknown_council(&id, &found));
    };
    if id.as_str() != la.slug {
        let query = if req.query_string().is_empty() { String::new() } else { format!("?{}", req.query_string()) };
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, format!("/councils/{}{query}", la.slug)))
            .finish());
    }
    let chosen = given(&q.as_at);
    let day = params::as_at(chosen)?;
    let base = crate::origin::public_base(&req)?.url;
    respond(&req, &dataset, Format::HtmlWithAbsoluteLinks, || {
        let status = la_query::status(&dataset, la, day);
        let everything = PageRequest { limit: None, after: None };
        let events = records::timeline(&dataset, &la.gss_code, Some(day), None, Direction::Descending, &everything)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!(e.0)))?;
        let events: Vec<&TimelineEvent<'_>> = events.rows().collect();
        let view = View { dataset: &dataset, la, status: &status, chosen, base: &base };
        let description = format!("{}: Ofsted judgements and DfE interventions in children's services", la.name);
        let page = Page { title: &la.name, description: &description, dataset: Some(&dataset) };
        Ok(document(&page, view.body(&events)).into_string().into_bytes())
    })
    .map_err(PageError::from)
}

struct View<'a> {
    dataset: &'a Dataset,
    la: &'a LocalAuthority,
    status: &'a LaStatus<'a>,
    /// The `as_at` asked for, if any.
    chosen: Option<&'a str>,
    /// This server's address, for the badge's embed code.
    base: &'a str,
}

impl View<'_> {
    fn day(&self) -> NaiveDate {
        self.status.as_at
    }

    /// `?as_at=…` when the page is on a chosen date, for links that keep it.
    fn as_at_query(&self, first: bool) -> String {
        match self.chosen {
            Some(_) => format!("{}as_at={}", if first { "?" } else { "&" }, self.day()),
            None => String::new(),
        }
    }

    fn body(&self, events: &[&TimelineEvent<'_>]) -> Markup {
        let la = self.la;
        let gss = &la.gss_code;
        html! {
            h1 { (la.name) }
            p.lead {
                @if let Some(t) = la.la_type { (words::la_type(t)) } @else { "Council" }
                @if let Some(r) = &la.region_name { " in " a href={ "/regions/" (super::region_slug(r)) } { (r) } }
                ". GSS code " (gss)
                @if let Some(d) = &la.dfe_code { ", DfE code " (d) }
                @if let Some(u) = &la.ofsted_urn { ", Ofsted URN " (u) }
                "."
            }
            (self.lifecycle_note())
            form.as-at method="get" action={ "/councils/" (la.slug) } {
                div {
                    label for="as_at" { "See this page as it stood on" }
                    input #as_at type="date" name="as_at" value=(self.day()) min="2000-01-01" max="2100-12-31" aria-describedby="as_at-hint";
                    span #as_at-hint.note { "A day from 1 January 2000; today when left empty" }
                }
                button type="submit" { "Show" }
            }
            @if self.chosen.is_some() {
                p.banner-note { "This page shows what was on record on " strong { (words::date(self.day())) } ". "
                    a href={ "/councils/" (la.slug) } { "See it as it is today" } "." }
            }
            (self.summary())
            h2 #timeline { "Timeline" }
            img.chart src={ "/v1/local-authorities/" (gss) "/timeline.svg" (self.as_at_query(true)) } width="640" height="150"
                alt={ "Chart of " (la.name) "'s overall Ofsted grades and DfE interventions over time, to " (words::date(self.day())) ". Every entry is listed below." };
            h2 #story { "Inspections, visits and interventions" }
            p.note { "Newest first. An intervention's status is as it stood on " (words::date(self.day())) ", with the reason and the records it rests on." }
            (story(self.dataset, events, self.day()))
            (self.failure_tests())
            (self.relations())
            (self.neighbours())
            (self.badge())
            (self.data_links())
        }
    }

    fn lifecycle_note(&self) -> Markup {
        let successors: Vec<_> = self.dataset.successors_of(&self.la.gss_code).collect();
        html! {
            @match self.status.state() {
                LaState::Retired => p.banner-note {
                    (self.la.name) " was abolished"
                    @if let Some(to) = self.la.valid_to { " on " (words::date(to)) }
                    @if !successors.is_empty() { ". Its services passed to " (self.council_links(successors.iter().map(|s| s.successor.as_str()))) }
                    "."
                },
                LaState::NotYetCreated => p.banner-note {
                    (self.la.name) " did not exist yet on " (words::date(self.day()))
                    @if let Some(from) = self.la.valid_from { "; it began on " (words::date(from)) }
                    "."
                },
                LaState::Current => {},
            }
        }
    }

    fn council_links<'s>(&self, codes: impl Iterator<Item = &'s str>) -> Markup {
        html! {
            @for (n, code) in codes.enumerate() {
                @if n > 0 { ", " }
                @match self.dataset.local_authority(code) {
                    Some(other) => a href={ "/councils/" (other.slug) } { (other.name) },
                    None => (code),
                }
            }
        }
    }

    fn summary(&self) -> Markup {
        let s = self.status;
        let latest = s.latest_inspection;
        html! {
            h2 #summary { @if self.chosen.is_some() { "On " (words::date(self.day())) } @else { "Today" } }
            dl.facts {
                dt { "Latest overall grade" }
                dd { (grade_chip(s.grade(Area::OverallEffectiveness)))
                    @if let Some(i) = latest { " from the " a href={ "#" (inspection_anchor(i)) } { (words::inspection_kind(i.kind).to_lowercase()) " published " (words::date(i.published)) } } }
                dt { "Last inspection" }
                dd { @match (s.last_inspection_date(), s.days_since_last_inspection()) {
                    (Some(d), Some(days)) => { time datetime=(d) { (words::date(d)) } " (" (days) " days before " (words::date(self.day())) ")" },
                    _ => "None on record",
                } }
                dt { "Interventions in force" }
                dd { @if s.active_interventions.is_empty() { "None" }
                    @for (n, i) in s.active_interventions.iter().enumerate() { @if n > 0 { ", " }
                        // A predecessor's trust is told on the predecessor's page.
                        @let page = if i.la == self.la.gss_code { String::new() } else {
                            self.dataset.local_authority(&i.la).map_or_else(String::new, |p| format!("/councils/{}", p.slug))
                        };
                        a href={ (page) "#" (super::story::intervention_anchor(i)) } { (words::intervention_kind(i.kind)) @if let Some(d) = i.start_date { " (" (words::partial_date(d)) ")" } }
                        @if i.la != self.la.gss_code { @if let Some(p) = self.dataset.local_authority(&i.la) { " (" (p.name) "'s, carried on)" } } } }
                dt { "DfE failure tests" }
                dd { (failure_flags(s)) " " a href="#failure-tests" { "What these mean" } }
            }
        }
    }

    fn failure_tests(&self) -> Markup {
        let test = |name: &str, t: FailureTest<'_>| {
            html! {
                h3 { (name) }
                p { (t.definition) "." }
                p { strong { @if t.met { "Met" } @else { "Not met" } } " on " (words::date(self.day())) "."
                    @if !t.inspections.is_empty() { " Counting: "
                        @for (n, i) in t.inspections.iter().enumerate() { @if n > 0 { ", " }
                            a href={ "#" (inspection_anchor(i)) } { (words::inspection_kind(i.kind)) " published " (words::date(i.published)) } } "." } }
            }
        };
        html! {
            h2 #failure-tests { "DfE failure tests" }
            (test("Persistent failure", self.status.persistent_failure_test()))
            (test("Systemic failure", self.status.systemic_failure_test()))
        }
    }

    fn relations(&self) -> Markup {
        let gss = self.la.gss_code.as_str();
        let before: Vec<_> = self.dataset.predecessors_of(gss).collect();
        let after: Vec<_> = self.dataset.successors_of(gss).collect();
        let former: Vec<_> = self.dataset.former_codes_of(gss).collect();
        html! {
            h2 #reorganisations { "Predecessors and successors" }
            @if before.is_empty() && after.is_empty() { p { "No reorganisation on record: " (self.la.name) " has neither predecessors nor successors." } }
            @if !before.is_empty() { h3 { "Took over from" } ul { @for s in &before {
                li { (self.council_links(std::iter::once(s.predecessor.as_str()))) ", from " (words::date(s.effective)) " (" a href=(s.source_url) { "source" } ")" } } } }
            @if !after.is_empty() { h3 { "Succeeded by" } ul { @for s in &after {
                li { (self.council_links(std::iter::once(s.successor.as_str()))) ", from " (words::date(s.effective)) " (" a href=(s.source_url) { "source" } ")" } } } }
            @if !former.is_empty() { h3 { "Former GSS codes (same council, same area)" } ul { @for c in &former {
                li { (c.former_gss) @if let Some(d) = c.former_until() { ", until " (words::date(d)) } @else { ", until a day no source lacs holds gives" }
                    " (" a href=(c.source_url) { "source" } ")" } } } }
        }
    }

    fn neighbours(&self) -> Markup {
        let neighbours: Vec<LaStatus<'_>> = self
            .la
            .statistical_neighbours
            .iter()
            .filter_map(|code| self.dataset.local_authority(code))
            .map(|la| la_query::status(self.dataset, la, self.day()))
            .collect();
        html! {
            h2 #neighbours { "Statistical neighbours" }
            @if neighbours.is_empty() { p { "DfE lists no statistical neighbours for " (self.la.name) "." } } @else {
                table {
                    caption { "DfE's statistical neighbours, with their latest overall grade on " (words::date(self.day())) }
                    thead { tr { th scope="col" { "Council" } th scope="col" { "Latest overall grade" } th scope="col" { "Last inspection" } } }
                    tbody { @for n in &neighbours { tr {
                        th scope="row" { a href={ "/councils/" (n.la.slug) (self.as_at_query(true)) } { (n.la.name) } }
                        td { (grade_chip(n.grade(Area::OverallEffectiveness))) }
                        td { @match n.last_inspection_date() { Some(d) => (words::date(d)), None => "None on record" } }
                    } } }
                }
            }
        }
    }

    fn badge(&self) -> Markup {
        let src = format!("/v1/local-authorities/{}/badge.svg", self.la.gss_code);
        let alt = format!("{}: latest Ofsted judgements of children's services", self.la.name);
        let embed = format!(
            "<a href=\"{base}/councils/{slug}\"><img src=\"{base}{src}\" alt=\"{alt}\"></a>",
            base = self.base,
            slug = self.la.slug,
            alt = crate::format::xml(&alt)
        );
        html! {
            h2 #badge { "Badge" }
            p { "The latest grades as an image that stays up to date. Embed it with the HTML below." }
            img src={ (src) (self.as_at_query(true)) } alt=(alt);
            div {
                label for="embed" { "HTML to embed the badge" }
                textarea #embed.embed readonly rows="3" { (embed) }
            }
        }
    }

    fn data_links(&self) -> Markup {
        let api = format!("/v1/local-authorities/{}", self.la.gss_code);
        let on = self.as_at_query(false);
        let on_first = self.as_at_query(true);
        html! {
            h2 #data { "This council's data" }
            ul {
                li { a href={ (api) (on_first) } { "The council and its status (JSON)" } }
                li { a href={ (api) "/timeline" (on_first) } { "Its timeline (JSON)" } " · " a href={ (api) "/timeline?format=csv" (on) } { "CSV" } }
                li { a href={ (api) "/inspections" (on_first) } { "Inspections and visits (JSON)" } " · " a href={ (api) "/inspections?format=csv" (on) } { "CSV" } }
                li { a href={ (api) "/interventions" (on_first) } { "Interventions (JSON)" } " · " a href={ (api) "/interventions?format=csv" (on) } { "CSV" } }
                li { a href={ (api) "/feed.atom" } { "Changes to this council's records (Atom feed)" } }
                li { a href="/graphql" { "GraphiQL" } ", to ask for exactly the fields you need" }
            }
        }
    }
}
