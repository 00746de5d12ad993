//! The curated interventions list (`interventions_seed.csv`), read and checked.

use std::collections::HashSet;

use chrono::Utc;
use schema::StoreError;
use schema::domain::{InForceConfirmation, Intervention, InterventionKind, PartialDate, Service, SourceClass};

use super::files::{Problems, SeedFiles, Table, get, non_empty};
use super::names::LaIndex;
use crate::ids::intervention_id;

fn intervention_kind(text: &str) -> Result<InterventionKind, String> {
    Ok(match text {
        "improvement_notice" => InterventionKind::ImprovementNotice,
        "statutory_direction" => InterventionKind::StatutoryDirection,
        "commissioner_appointed" => InterventionKind::CommissionerAppointed,
        "trust_or_alternative_delivery" => InterventionKind::AlternativeDelivery,
        "partnership_with_another_council" => InterventionKind::PartnershipWithAnotherCouncil,
        "intervention_lifted" => InterventionKind::InterventionEnded,
        "trust_returned_in_house" => InterventionKind::ReturnedInHouse,
        "other_intervention" => InterventionKind::Other,
        "voluntary_arrangement" => InterventionKind::VoluntaryArrangement,
        other => return Err(format!("`{other}` is not an intervention type")),
    })
}

/// The curated interventions list, read and checked.
pub(super) fn read(files: &SeedFiles, las: &LaIndex) -> Result<Vec<Intervention>, StoreError> {
    let mut problems = Problems::new("seed interventions");
    let table = Table::read(
        files,
        "interventions_seed.csv",
        // Also read when present: id, source_class, see_also, end_source_url, end_note,
        // in_force_confirmed_on, in_force_source_url, service, unsourced_reason, start_note.
        &["local_authority", "intervention_type", "date", "end_date", "commissioner", "details", "source_url"],
        &mut problems,
    );
    problems.finish()?;
    let mut problems = Problems::new("seed interventions");
    let retrieved_at = Utc::now();
    let mut ids = HashSet::new();
    let mut interventions = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(&table.path, *line, reason);
        let name = get(row, "local_authority");
        let date = |column: &str| -> Result<Option<PartialDate>, String> {
            let text = get(row, column);
            if text.is_empty() { Ok(None) } else { text.parse().map(Some).map_err(|e| format!("{column}: {e}")) }
        };
        let dates = date("date").and_then(|s| Ok((s, date("end_date")?)));
        // A name two councils shared means the one that existed when the intervention started.
        let start = dates.as_ref().ok().and_then(|(s, _)| s.map(|s| s.first_day));
        let Some(la) = las.councils.names().find(name, start).map(str::to_owned) else {
            fail(format!("local authority `{name}` matches no LA name; add it to {}", files.path("la_aliases.csv")));
            continue;
        };
        let kind = match intervention_kind(get(row, "intervention_type")) {
            Ok(k) => k,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let (start_date, end_date) = match dates {
            Ok(dates) => dates,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let source = get(row, "source_url");
        let see_also: Vec<String> = get(row, "see_also").split_whitespace().map(str::to_owned).collect();
        let urls = [source, get(row, "end_source_url"), get(row, "in_force_source_url")];
        let web_address = |u: &&str| u.is_empty() || u.starts_with("https://") || u.starts_with("http://");
        if let Some(bad) = urls.into_iter().chain(see_also.iter().map(String::as_str)).find(|u| !web_address(u)) {
            fail(format!("`{bad}` is not a web address"));
            continue;
        }
        // A record without a source about its council says why, and is served as unsourced.
        let unsourced = get(row, "source_class") == "unsourced";
        match (source.is_empty(), unsourced, get(row, "unsourced_reason").is_empty()) {
            (true, false, _) => {
                fail(
                    "source_url is empty: every intervention cites a document, or is `unsourced` with a reason".into(),
                );
                continue;
            }
            (false, true, _) => {
                fail("an `unsourced` record cites no source_url".into());
                continue;
            }
            (_, true, true) => {
                fail("an `unsourced` record says why in unsourced_reason".into());
                continue;
            }
            _ => {}
        }
        // Stated where a source says which service (a SEND notice whose summary does not say so);
        // otherwise read from the summary.
        let service = match get(row, "service") {
            "" if crate::govuk::is_send(get(row, "details")) => Service::Send,
            "" => Service::ChildrensSocialCare,
            stated => match stated.parse::<Service>() {
                Ok(s) => s,
                Err(e) => {
                    fail(format!("service: {e}"));
                    continue;
                }
            },
        };
        // A source nobody has classed is taken for a report of the event, not the document itself.
        let source_class =
            match non_empty(get(row, "source_class")).as_deref().unwrap_or("secondary").parse::<SourceClass>() {
                Ok(c) => c,
                Err(e) => {
                    fail(format!("source_class: {e}"));
                    continue;
                }
            };
        let in_force_confirmed = match (get(row, "in_force_confirmed_on"), get(row, "in_force_source_url")) {
            ("", "") => None,
            (on, url) if !on.is_empty() && !url.is_empty() => match on.parse() {
                Ok(on) => Some(InForceConfirmation { on, source_url: url.to_owned() }),
                Err(e) => {
                    fail(format!("in_force_confirmed_on: `{on}`: {e}"));
                    continue;
                }
            },
            _ => {
                fail("in_force_confirmed_on and in_force_source_url go together".into());
                continue;
            }
        };
        // The id is written in the file, so that a record keeps it when a better source replaces
        // the one it was first cited with; a new line without one gets it from its content.
        let id = match get(row, "id") {
            "" => intervention_id(&[
                name,
                get(row, "intervention_type"),
                get(row, "date"),
                get(row, "commissioner"),
                source,
            ]),
            written => written.to_owned(),
        };
        if !ids.insert(id.clone()) {
            fail("the same local authority, type, date, commissioner and source as an earlier line".into());
            continue;
        }
        interventions.push(Intervention {
            id,
            la,
            kind,
            service,
            start_date,
            end_date,
            commissioner: non_empty(get(row, "commissioner")),
            title: None,
            summary: non_empty(get(row, "details")),
            source_urls: non_empty(source).into_iter().collect(),
            follows: None,
            same_as: None,
            document_updated_at: None,
            source_class,
            see_also,
            end_source_url: non_empty(get(row, "end_source_url")),
            end_note: non_empty(get(row, "end_note")),
            in_force_confirmed,
            document_withdrawn: None,
            corroborations: Vec::new(),
            provenance: table.provenance("data/seed/interventions_seed.csv", retrieved_at),
        });
    }
    problems.finish()?;
    Ok(interventions)
}
