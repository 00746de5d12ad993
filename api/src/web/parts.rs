//! Fragments more than one page shows: a grade as a labelled chip, DfE's failure flags, the
//! regions to choose from.

use std::collections::HashSet;

use maud::{Markup, html};
use schema::Dataset;
use schema::domain::Grade;
use schema::query::local_authorities::{self as la_query, LaStatus};

use crate::words;

/// Every region of the snapshot's councils, by name: (code, name).
pub fn regions(dataset: &Dataset) -> Vec<(String, String)> {
    let mut regions: Vec<(String, String)> = dataset
        .local_authorities
        .iter()
        .filter_map(|la| Some((la.region_code.clone()?, la.region_name.clone()?)))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    regions.sort_by(|a, b| a.1.cmp(&b.1));
    regions
}

/// The grade as a labelled chip (the text says the grade; the colour only repeats it).
pub fn grade_chip(grade: Option<Grade>) -> Markup {
    match grade {
        Some(g) => html! { span class={ "grade grade-" (g.as_str()) } { (words::grade(g)) } },
        None => html! { span.muted { "No overall grade" } },
    }
}

/// Failure tests met, as flags.
pub fn failure_flags(s: &LaStatus<'_>) -> Markup {
    html! {
        @if s.persistent_failure() { span.flag title=(la_query::PERSISTENT_FAILURE_DEFINITION) { "Persistent failure" } " " }
        @if s.systemic_failure.is_some() { span.flag title=(la_query::SYSTEMIC_FAILURE_DEFINITION) { "Systemic failure" } }
        @if !s.persistent_failure() && s.systemic_failure.is_none() { span.muted { "Neither met" } }
    }
}
