//! What an import would take away: per file, the records it publishes that the import would
//! remove or leave stating less, measured against the database before anything is written.

use std::collections::HashMap;

use schema::AnyConnection;
use schema::StoreError;
use schema::domain::{Inspection, Intervention, LocalAuthority};

use super::files::SeedFiles;
use super::read::{HISTORY_SOURCE, INSPECTION_RUN, INTERVENTION_RUN, INTERVENTIONS_SOURCE, LA_RUN, SeedData};

/// An import that would remove or downgrade more than this share (in per cent) of the records a
/// file publishes is refused unless removals are allowed ([`Removals::Allow`]).
pub const REMOVAL_LIMIT_PERCENT: usize = 5;

/// Whether an import may remove or downgrade more than [`REMOVAL_LIMIT_PERCENT`] of the records
/// a file publishes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Removals {
    /// Refuse such an import and change nothing (a truncated or emptied file is far likelier
    /// than a deliberate removal of that many records).
    #[default]
    Refuse,
    /// Import it (`lacs import seed --allow-removals`).
    Allow,
}

/// What importing one file would take away from the records it publishes.
#[derive(Debug)]
pub(super) struct Loss {
    /// The file, as messages name it.
    file: String,
    /// The group's fetch-run source.
    pub(super) run: &'static str,
    /// What the records are ("inspections read from their report PDFs" …).
    what: &'static str,
    /// Records it publishes now.
    published: usize,
    /// Records the import would delete.
    removed: usize,
    /// Records the import would replace with a lesser source or leave stating less.
    downgraded: usize,
    /// Judgements of these records, before and after, where they have judgements.
    judgements: Option<(usize, usize)>,
}

impl Loss {
    pub(super) fn too_many(&self) -> bool {
        (self.removed + self.downgraded) * 100 > self.published * REMOVAL_LIMIT_PERCENT
    }
}

impl std::fmt::Display for Loss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut would = Vec::new();
        if self.removed > 0 {
            would.push(format!("remove {}", self.removed));
        }
        if self.downgraded > 0 {
            would.push(format!("downgrade {}", self.downgraded));
        }
        write!(
            f,
            "{}: importing it would {} of the {} {} (more than {REMOVAL_LIMIT_PERCENT}%)",
            self.file,
            would.join(" and "),
            self.published,
            self.what
        )?;
        if let Some((before, after)) = self.judgements {
            write!(f, "; judgements {before} → {after}")?;
        }
        write!(
            f,
            ". Nothing was changed. Check the file (is it truncated?); to import it anyway, run `lacs import seed --allow-removals`"
        )
    }
}

/// Whether `new` states less than `old`: a value `old` has that `new` leaves out or empty, or a
/// list that gets shorter. Where a record came from (its provenance) is not compared.
fn states_less(old: &serde_json::Value, new: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (old, new) {
        (Value::Null, _) => false,
        (_, Value::Null) => true,
        (Value::Object(o), Value::Object(n)) => {
            o.iter().any(|(k, v)| k != "provenance" && states_less(v, n.get(k).unwrap_or(&Value::Null)))
        }
        (Value::Array(o), Value::Array(n)) => n.len() < o.len(),
        (Value::String(o), Value::String(n)) => !o.is_empty() && n.is_empty(),
        _ => false,
    }
}

fn states_less_than<T: serde::Serialize>(old: &T, new: &T) -> bool {
    match (serde_json::to_value(old), serde_json::to_value(new)) {
        (Ok(old), Ok(new)) => states_less(&old, &new),
        _ => false,
    }
}

/// What importing `data` would remove or downgrade, per file, against what the database holds.
pub(super) fn losses(conn: &mut AnyConnection, files: &SeedFiles, data: &SeedData) -> Result<Vec<Loss>, StoreError> {
    let held_las = schema::stored::all_local_authorities(conn)?;
    let held_inspections = schema::Dataset::load(conn)?.inspections;
    let held_interventions = schema::stored::all_interventions(conn)?;
    let mut losses = Vec::new();

    // LAs are never removed; a file that would leave LAs stating less (no valid_to, no codes …).
    let new_las: HashMap<&str, &LocalAuthority> =
        data.local_authorities.iter().map(|la| (la.gss_code.as_str(), la)).collect();
    for name in ["Provider_data_lookup.csv", "extra_local_authorities.csv"] {
        let source = format!("seed:{name}");
        let mine: Vec<&LocalAuthority> = held_las.iter().filter(|la| la.provenance.source == source).collect();
        let downgraded = mine
            .iter()
            .filter(|old| new_las.get(old.gss_code.as_str()).is_some_and(|new| states_less_than(**old, *new)))
            .count();
        losses.push(Loss {
            file: files.path(name),
            run: LA_RUN,
            what: "local authorities it describes",
            published: mine.len(),
            removed: 0,
            downgraded,
            judgements: None,
        });
    }

    let new_inspections: HashMap<&str, &Inspection> = data.inspections.iter().map(|i| (i.id.as_str(), i)).collect();
    // Our parser's readings (the records `ofsted_inspections.csv` and `lacs fetch ofsted` publish):
    // never deleted by the seed, but downgraded when the scraper's row would take a reading's
    // place or a reading would state less.
    let ours: Vec<&Inspection> =
        held_inspections.iter().filter(|i| i.provenance.source == crate::ofsted::SOURCE).collect();
    let downgraded: Vec<&&Inspection> = ours
        .iter()
        .filter(|old| {
            new_inspections
                .get(old.id.as_str())
                .is_some_and(|new| new.provenance.source != crate::ofsted::SOURCE || states_less_than(**old, *new))
        })
        .collect();
    let judgements = |list: &mut dyn Iterator<Item = &Inspection>| list.map(|i| i.judgements.len()).sum::<usize>();
    let before = judgements(&mut ours.iter().copied());
    let after = judgements(&mut ours.iter().map(|old| new_inspections.get(old.id.as_str()).copied().unwrap_or(*old)));
    losses.push(Loss {
        file: files.path("ofsted_inspections.csv"),
        run: INSPECTION_RUN,
        what: "inspections read from their report PDFs",
        published: ours.len(),
        removed: 0,
        downgraded: downgraded.len(),
        judgements: Some((before, after)),
    });
    // The scraper's rows: deleted when the file no longer has them.
    let history: Vec<&Inspection> = held_inspections.iter().filter(|i| i.provenance.source == HISTORY_SOURCE).collect();
    let removed = history.iter().filter(|old| !new_inspections.contains_key(old.id.as_str())).count();
    let downgraded = history
        .iter()
        .filter(|old| new_inspections.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
        .count();
    let before = judgements(&mut history.iter().copied());
    let after = judgements(&mut history.iter().filter_map(|old| new_inspections.get(old.id.as_str()).copied()));
    losses.push(Loss {
        file: files.path("ofsted_csc_ilacs_history.csv"),
        run: INSPECTION_RUN,
        what: "inspections it publishes",
        published: history.len(),
        removed,
        downgraded,
        judgements: Some((before, after)),
    });

    // The focused-visit letters: deleted when the file no longer has them (a letter that became
    // one record with the crawler's reading of the same file is no longer held under this source).
    let visits: Vec<&Inspection> =
        held_inspections.iter().filter(|i| i.provenance.source == super::focused_visits::SOURCE).collect();
    losses.push(Loss {
        file: files.path(super::focused_visits::FILE),
        run: INSPECTION_RUN,
        what: "focused-visit letters it publishes",
        published: visits.len(),
        removed: visits.iter().filter(|old| !new_inspections.contains_key(old.id.as_str())).count(),
        downgraded: visits
            .iter()
            .filter(|old| new_inspections.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
            .count(),
        judgements: None,
    });

    // The records only Ofsted's statistics state: deleted when no row states them any more (or a
    // record of another source now does).
    let official: Vec<&Inspection> =
        held_inspections.iter().filter(|i| i.provenance.source == crate::official::SOURCE).collect();
    losses.push(Loss {
        file: files.path(super::official::FILE),
        run: INSPECTION_RUN,
        what: "inspections only Ofsted's statistics state",
        published: official.len(),
        removed: official.iter().filter(|old| !new_inspections.contains_key(old.id.as_str())).count(),
        downgraded: official
            .iter()
            .filter(|old| new_inspections.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
            .count(),
        judgements: None,
    });

    let new_interventions: HashMap<&str, &Intervention> =
        data.interventions.iter().map(|i| (i.id.as_str(), i)).collect();
    let curated: Vec<&Intervention> =
        held_interventions.iter().filter(|i| i.provenance.source == INTERVENTIONS_SOURCE).collect();
    let removed = curated.iter().filter(|old| !new_interventions.contains_key(old.id.as_str())).count();
    let downgraded = curated
        .iter()
        .filter(|old| new_interventions.get(old.id.as_str()).is_some_and(|new| states_less_than(**old, *new)))
        .count();
    losses.push(Loss {
        file: files.path("interventions_seed.csv"),
        run: INTERVENTION_RUN,
        what: "interventions it publishes",
        published: curated.len(),
        removed,
        downgraded,
        judgements: None,
    });
    Ok(losses)
}
