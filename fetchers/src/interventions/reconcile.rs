//! Reconciling: each record read is matched with the record another source keeps of the same
//! event (`same_as`), and linked to the record it continues (`follows`).

use std::collections::HashMap;

use schema::domain::{Intervention, InterventionKind, PartialDate};

use super::crawl::Crawl;
use super::read::{Hints, read_document};
use super::site::SOURCE;
use crate::seed::CouncilNames;

/// Two records of the same kind for the same council whose start dates are this close (and
/// neither can be the other stated less precisely) are taken to be the same event stated with
/// different dates: a recorded discrepancy.
const SAME_EVENT_DAYS: i64 = 62;

fn is_notice_or_direction(kind: InterventionKind) -> bool {
    matches!(kind, InterventionKind::ImprovementNotice | InterventionKind::StatutoryDirection)
}

/// Two dates of what may be one event: they agree, or are at most [`SAME_EVENT_DAYS`] apart.
fn close(a: PartialDate, b: PartialDate) -> bool {
    a.agrees_with(&b) || (a.first_day - b.first_day).num_days().abs() <= SAME_EVENT_DAYS
}

/// Sets `follows` where the documents say one record continues another: a revised direction
/// continues the council's latest earlier direction; a direction "replaces the earlier direction
/// issued on …"; a notice "closed and replaced with a direction issued on …" is continued by that
/// direction. Targets are this run's records and `others` (every other stored record), never
/// the record another source keeps of the same event (`same_as`, set by [`reconcile`] first).
fn link(records: &mut [Intervention], hints: &HashMap<String, Hints>, others: &[Intervention]) {
    // Every notice and direction with a start date, this run's first.
    let candidates: Vec<(&Intervention, PartialDate)> = records
        .iter()
        .chain(others)
        .filter(|i| is_notice_or_direction(i.kind))
        .filter_map(|i| Some((i, i.start_date?)))
        .collect();
    let directions_of = |r: &Intervention| {
        candidates
            .iter()
            .filter(|(c, _)| {
                c.id != r.id
                    && r.same_as.as_ref() != Some(&c.id)
                    && c.la == r.la
                    && c.service == r.service
                    && c.kind == InterventionKind::StatutoryDirection
            })
            .collect::<Vec<_>>()
    };
    let mut follows: Vec<(usize, String)> = Vec::new();
    for (n, r) in records.iter().enumerate() {
        let Some(hint) = hints.get(&r.id) else { continue };
        let target = match (hint.replaces, r.start_date) {
            (Some(on), _) => directions_of(r).into_iter().find(|(_, s)| s.agrees_with(&on)),
            // The latest earlier direction, not another source's record of this one.
            (None, Some(start)) if hint.revised => {
                directions_of(r).into_iter().filter(|(_, s)| *s < start && !close(*s, start)).max_by_key(|(_, s)| *s)
            }
            _ => None,
        };
        if let Some((t, _)) = target {
            follows.push((n, t.id.clone()));
        }
        if let Some(on) = hint.replaced_on {
            for (m, other) in records.iter().enumerate() {
                if m != n
                    && other.la == r.la
                    && other.service == r.service
                    && other.kind == InterventionKind::StatutoryDirection
                    && other.start_date.is_some_and(|s| s.agrees_with(&on))
                {
                    follows.push((m, r.id.clone()));
                }
            }
        }
    }
    for (n, target) in follows {
        if records[n].follows.is_none() {
            records[n].follows = Some(target);
        }
    }
}

/// How sure we are that a fetched record and another source's record state the same event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Match {
    /// The other record cites this page and their dates agree, but they name different kinds.
    CitesPage,
    /// The same kind, dates close but not agreeing: a discrepancy.
    CloseDates,
    /// The same kind, dates close, and the other record cites this page.
    CloseDatesCitingPage,
    /// The same kind, dates agreeing.
    AgreeingDates,
    /// The same kind, dates agreeing, and the other record cites this page.
    AgreeingDatesCitingPage,
}

/// Whether `other` states the event `fetched` states; `when` is the fetched record's date (its
/// start, or the page's publication date where the page gives none).
fn matches(fetched: &Intervention, when: Option<PartialDate>, other: &Intervention) -> Option<Match> {
    if other.la != fetched.la || other.service != fetched.service {
        return None;
    }
    let bare = |u: &str| {
        let u = u.trim_start_matches("https://").trim_start_matches("http://");
        u.trim_start_matches("www.").trim_end_matches('/').to_owned()
    };
    let page = fetched.source_urls.first().map(|u| bare(u));
    let cites = page.is_some_and(|page| other.source_urls.iter().any(|u| bare(u) == page));
    let (agree, near) = match (when, other.start_date) {
        (Some(a), Some(b)) => (a.agrees_with(&b), close(a, b)),
        _ => (false, false),
    };
    match (other.kind == fetched.kind, agree, near, cites) {
        (true, true, _, true) => Some(Match::AgreeingDatesCitingPage),
        (true, true, _, false) => Some(Match::AgreeingDates),
        (true, false, true, true) => Some(Match::CloseDatesCitingPage),
        (true, false, true, false) => Some(Match::CloseDates),
        (false, true, _, true) => Some(Match::CitesPage),
        _ => None,
    }
}

/// Marks each fetched record that states an event another source's record already states as
/// `same_as` that record. Each of those takes at most one fetched record, the best match; those
/// already taken by this fetcher's records not read again this run stay taken.
fn reconcile(
    records: &mut [Intervention],
    hints: &HashMap<String, Hints>,
    others: &[Intervention],
    kept: &[Intervention],
) {
    let mut taken: Vec<bool> = others.iter().map(|o| kept.iter().any(|k| k.same_as.as_ref() == Some(&o.id))).collect();
    let mut pairs = Vec::new();
    for (n, r) in records.iter().enumerate() {
        let when = r.start_date.or_else(|| hints.get(&r.id).and_then(|h| h.published));
        for (m, o) in others.iter().enumerate() {
            if let Some(quality) = matches(r, when, o) {
                pairs.push((quality, n, m));
            }
        }
    }
    // Best matches first; ties in a stable order.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut matched = vec![false; records.len()];
    for (_, n, m) in pairs {
        if !matched[n] && !taken[m] {
            matched[n] = true;
            taken[m] = true;
            records[n].same_as = Some(others[m].id.clone());
        }
    }
}

/// What a crawl becomes: the records to write, and the documents that could not be read.
/// `stored` is every intervention in the database, as stored.
pub fn records(crawl: &Crawl, names: &CouncilNames, stored: &[Intervention]) -> (Vec<Intervention>, Vec<String>) {
    let mut records = Vec::new();
    let mut hints = HashMap::new();
    let mut errors = Vec::new();
    for doc in &crawl.documents {
        match read_document(doc, names) {
            Ok((rs, h)) => {
                for r in &rs {
                    hints.insert(r.id.clone(), h.clone());
                }
                records.extend(rs);
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    // Other sources' records, as they state them; and this fetcher's records not read again this
    // run (a page that failed), which keep their links and matches.
    let (mine, others): (Vec<Intervention>, Vec<Intervention>) =
        stored.iter().cloned().partition(|i| i.provenance.source == SOURCE);
    let kept: Vec<Intervention> = mine.into_iter().filter(|k| !records.iter().any(|r| r.id == k.id)).collect();
    let targets: Vec<Intervention> = others.iter().chain(&kept).cloned().collect();
    reconcile(&mut records, &hints, &others, &kept);
    link(&mut records, &hints, &targets);
    (records, errors)
}
