//! A council's story on its page: every inspection and visit with its judgements and documents,
//! and every intervention with its status on the page's date, the reason and the evidence, in
//! the order `schema::query::records::timeline` gives them.

use chrono::NaiveDate;
use maud::{Markup, html};
use schema::Dataset;
use schema::domain::{Inspection, Intervention, InterventionStatus};
use schema::query::intervention_status::{Evidence, status_on};
use schema::query::records::TimelineEvent;

use crate::words;

/// The whole story, newest first.
pub fn story(dataset: &Dataset, events: &[&TimelineEvent<'_>], day: NaiveDate) -> Markup {
    html! {
        @if events.is_empty() { p { "Nothing on record by " (words::date(day)) "." } }
        ol.story reversed {
            @for e in events {
                @match e {
                    TimelineEvent::Inspection(i) => (inspection(dataset, i)),
                    TimelineEvent::InterventionStarted(i) => (intervention(dataset, i, day)),
                    TimelineEvent::InterventionEnded(i) => (ended(i)),
                    // The page asks its timeline for no figures.
                    TimelineEvent::Figure(_) => {}
                }
            }
        }
    }
}

/// An inspection's anchor on the page.
pub fn inspection_anchor(i: &Inspection) -> String {
    format!("inspection-{}", i.id)
}

/// An intervention's anchor on the page.
pub fn intervention_anchor(i: &Intervention) -> String {
    format!("intervention-{}", i.id)
}

fn on_site(i: &Inspection) -> Option<String> {
    let period = |from: Option<NaiveDate>, to: Option<NaiveDate>| match (from, to) {
        (Some(f), Some(t)) => Some(format!("{} to {}", words::date(f), words::date(t))),
        (Some(f), None) => Some(format!("from {}", words::date(f))),
        (None, Some(t)) => Some(format!("until {}", words::date(t))),
        (None, None) => None,
    };
    let first = period(i.start_date, i.end_date)?;
    Some(match period(i.second_start_date, i.second_end_date) {
        Some(second) => format!("{first}, and {second}"),
        None => first,
    })
}

fn inspection(dataset: &Dataset, i: &Inspection) -> Markup {
    html! {
        li.inspection id=(inspection_anchor(i)) {
            h3 { (words::inspection_kind(i.kind)) ", published " time datetime=(i.published) { (words::date(i.published)) } }
            dl.facts {
                @if let Some(f) = i.framework { dt { "Framework" } dd { (words::framework(f)) @if let Some(t) = i.inspection_type { ", " (t.as_str()) " inspection" } } }
                @if let Some(period) = on_site(i) { dt { "On site" } dd { (period) } }
                @if !i.lead_inspectors.is_empty() { dt { "Lead inspector" } dd { (i.lead_inspectors.join(", ")) } }
            }
            @if i.judgements.is_empty() {
                p.muted { "No graded judgements in this publication." }
            } @else {
                table {
                    caption { "Judgements" }
                    thead { tr { th scope="col" { "Area" } th scope="col" { "Grade" } } }
                    tbody { @for j in &i.judgements {
                        tr { th scope="row" { (words::area(j.area)) } td { (super::parts::grade_chip(Some(j.grade))) } }
                    } }
                }
            }
            @if let Some(n) = &i.notes { p.note { (n) } }
            p {
                a href=(i.report_url) { "Report (Ofsted)" }
                @if let Some(archived) = dataset.archive_url(&i.provenance.sha256) { " · " a href=(archived) { "Our archived copy" } }
                @if let Some(page) = &i.provider_url { " · " a href=(page) { "Ofsted's page for this council" } }
            }
        }
    }
}

fn evidence(e: &Evidence<'_>) -> Markup {
    match e {
        Evidence::Intervention(o) => html! {
            a href={ "#" (intervention_anchor(o)) } {
                (words::intervention_kind(o.kind)) @if let Some(d) = o.start_date { " of " (words::partial_date(d)) }
            }
        },
        Evidence::Inspection(i) => html! {
            a href={ "#" (inspection_anchor(i)) } { (words::inspection_kind(i.kind)) " published " (words::date(i.published)) }
        },
        Evidence::Document { url, date } => html! {
            @if url.is_empty() { "no document" } @else {
                a href=(url) { "Document" @if let Some(d) = date { " (" (words::partial_date(*d)) ")" } }
            }
        },
    }
}

fn intervention(dataset: &Dataset, i: &Intervention, day: NaiveDate) -> Markup {
    let status = status_on(dataset, i, day);
    let class = format!("status status-{}", status.status.as_str());
    html! {
        li.intervention id=(intervention_anchor(i)) {
            h3 {
                (words::intervention_kind(i.kind))
                @if let Some(d) = i.start_date { ", " (words::partial_date(d)) }
            }
            p { span class=(class) { (words::intervention_status(status.status)) }
                @if status.status != InterventionStatus::NotStarted { " on " (words::date(day)) } ": " (status.reason) "." }
            @if !status.evidence.is_empty() {
                p { "Evidence: " @for (n, e) in status.evidence.iter().enumerate() { @if n > 0 { "; " } (evidence(e)) } }
            }
            dl.facts {
                dt { "Service" } dd { (words::service(i.service)) }
                @if let Some(end) = i.end_date { dt { "Ended" } dd { (words::partial_date(end)) } }
                @if let Some(c) = &i.commissioner { dt { "Commissioner" } dd { (c) } }
                @if let Some(t) = &i.title { dt { "Document" } dd { (t) } }
            }
            @if let Some(s) = &i.summary { p { (s) } }
            @if let Some(n) = &i.end_note { p.note { (n) } }
            @if !i.source_urls.is_empty() || i.end_source_url.is_some() {
                ul {
                    @for url in &i.source_urls { li { a href=(url) { (document_name(url)) } } }
                    @if let Some(end) = &i.end_source_url { li { a href=(end) { "Its end: " (document_name(end)) } } }
                }
            }
            @if !i.see_also.is_empty() {
                p { "Reported in: " @for (n, url) in i.see_also.iter().enumerate() { @if n > 0 { ", " } a href=(url) { (document_name(url)) } } }
            }
        }
    }
}

fn ended(i: &Intervention) -> Markup {
    html! {
        li.intervention {
            h3 { (words::intervention_kind(i.kind)) " ended" @if let Some(d) = i.end_date { ", " (words::partial_date(d)) } }
            p { "The end of the " a href={ "#" (intervention_anchor(i)) } { (words::intervention_kind(i.kind).to_lowercase()) } " recorded below." }
        }
    }
}

/// A document's link text: its site and the last part of its path, so a list of links reads
/// as a list of different documents.
fn document_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split('/').next().unwrap_or(rest).trim_start_matches("www.");
    let last = rest.trim_end_matches('/').rsplit('/').next().filter(|l| *l != host).unwrap_or_default();
    if last.is_empty() { host.to_owned() } else { format!("{host}: {last}") }
}
