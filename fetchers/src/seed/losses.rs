//! What an import would take away: per file, the records it publishes that the import would
//! remove or leave stating less, measured against the database before anything is written, and
//! whether that is too many: whether what would remain falls more than [`REMOVAL_LIMIT_PERCENT`]
//! below the most the file published within the last [`REMOVAL_WINDOW_DAYS`] days (its
//! [`Peak`], from the change log), so that removals spread over several imports are refused like
//! one large one.

use std::collections::{HashMap, HashSet};

use schema::AnyConnection;
use schema::StoreError;
use schema::domain::{Inspection, Intervention, LocalAuthority};

use super::files::SeedFiles;
use super::history::{Peak, beyond_limit};
pub use super::history::{REMOVAL_LIMIT_PERCENT, REMOVAL_WINDOW_DAYS};
use super::read::{Checked, HISTORY_SOURCE, INTERVENTIONS_SOURCE};

/// Whether an import may take a file more than [`REMOVAL_LIMIT_PERCENT`] below the most it
/// published within the last [`REMOVAL_WINDOW_DAYS`] days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Removals {
    /// Refuse such an import and change nothing (a truncated or emptied file is far likelier
    /// than a deliberate removal of that many records).
    #[default]
    Refuse,
    /// Import it (`lacs import seed --allow-removals`). The count it leaves is where the next
    /// import is measured from.
    Allow,
}

/// What importing one file would take away from the records it publishes.
#[derive(Debug)]
pub(super) struct Loss {
    /// The file, as messages name it.
    file: String,
    /// The `source` of the records it publishes (in the change log).
    source: String,
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
    /// The most it published within the window, once measured ([`set_peaks`]).
    peak: Option<Peak>,
}

impl Loss {
    /// Records the import would take away.
    fn lost(&self) -> usize {
        self.removed + self.downgraded
    }

    /// What the comparison is with: the peak, or what the file publishes now.
    fn peak_records(&self) -> usize {
        self.peak.map_or(self.published, |p| p.records.max(self.published))
    }

    pub(super) fn too_many(&self) -> bool {
        let remaining = self.published.saturating_sub(self.lost());
        self.lost() > 0 && beyond_limit(self.peak_records() as i64, remaining as i64)
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
        write!(f, "{}: importing it would {} of the {} {}", self.file, would.join(" and "), self.published, self.what)?;
        match self.peak.filter(|p| p.records > self.published) {
            None => write!(f, " (more than {REMOVAL_LIMIT_PERCENT}%)")?,
            Some(peak) => {
                let remaining = self.published.saturating_sub(self.lost());
                let on = peak.until.map_or_else(|| "today".to_owned(), |t| format!("on {}", t.format("%Y-%m-%d")));
                write!(
                    f,
                    ", leaving {remaining}: {} fewer (more than {REMOVAL_LIMIT_PERCENT}%) than the {} it published {on}, \
                     the most in the last {REMOVAL_WINDOW_DAYS} days",
                    peak.records - remaining,
                    peak.records,
                )?;
            }
        }
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

/// Measures the [`Peak`] of each file the import would take records from (what the others
/// published does not matter: they cannot be refused).
pub(super) fn set_peaks(conn: &mut AnyConnection, files: &SeedFiles, losses: &mut [Loss]) -> Result<(), StoreError> {
    let losing: Vec<&mut Loss> = losses.iter_mut().filter(|l| l.lost() > 0).collect();
    if losing.is_empty() {
        return Ok(());
    }
    // The change log names the document an indicator period was read from, not its file.
    let figure_sources: HashMap<&str, &str> = files
        .indicators()
        .of_figures()
        .map(|f| (f.provenance.source_url.as_str(), f.provenance.source.as_str()))
        .collect();
    let published: Vec<(&str, usize)> = losing.iter().map(|l| (l.source.as_str(), l.published)).collect();
    let peaks = super::history::peaks(conn, &published, &figure_sources)?;
    for (loss, peak) in losing.into_iter().zip(peaks) {
        loss.peak = Some(peak);
    }
    Ok(())
}

/// Of `held` (the records of one source), how many the import's records (`new`, by id) would
/// remove and how many they would leave stating less.
fn removed_and_downgraded<T: serde::Serialize>(
    held: &[&T],
    new: &HashMap<&str, &T>,
    id: impl Fn(&T) -> &str,
) -> (usize, usize) {
    let removed = held.iter().filter(|old| !new.contains_key(id(old))).count();
    let downgraded =
        held.iter().filter(|old| new.get(id(old)).is_some_and(|new| states_less_than(**old, *new))).count();
    (removed, downgraded)
}

/// What importing `checked` would remove or downgrade, per file, against what the database holds.
pub(super) fn losses(conn: &mut AnyConnection, files: &SeedFiles, checked: &Checked) -> Result<Vec<Loss>, StoreError> {
    let data = &checked.data;
    let held_las = schema::stored::all_local_authorities(conn)?;
    let held_inspections = schema::stored::all_inspections(conn)?;
    let held_interventions = schema::stored::all_interventions(conn)?;
    let mut losses = Vec::new();
    let mut loss = |file: String, source: &str, what, published, (removed, downgraded), judgements| {
        losses.push(Loss {
            file,
            source: source.to_owned(),
            what,
            published,
            removed,
            downgraded,
            judgements,
            peak: None,
        })
    };

    // LAs are never removed; a file that would leave LAs stating less (no valid_to, no codes …).
    let new_las: HashMap<&str, &LocalAuthority> =
        data.local_authorities.iter().map(|la| (la.gss_code.as_str(), la)).collect();
    for name in ["Provider_data_lookup.csv", "extra_local_authorities.csv"] {
        let source = format!("seed:{name}");
        let mine: Vec<&LocalAuthority> = held_las.iter().filter(|la| la.provenance.source == source).collect();
        let (_, downgraded) = removed_and_downgraded(&mine, &new_las, |la| &la.gss_code);
        loss(files.path(name), &source, "local authorities it describes", mine.len(), (0, downgraded), None);
    }

    let new_inspections: HashMap<&str, &Inspection> = data.inspections.iter().map(|i| (i.id.as_str(), i)).collect();
    let of_source = |source: &str| -> Vec<&Inspection> {
        held_inspections.iter().filter(|i| i.provenance.source == source).collect()
    };
    // What the store would keep: judgements of areas the framework does not judge are refused.
    let judgements = |list: &mut dyn Iterator<Item = &Inspection>| {
        list.map(|i| i.judgements.iter().filter(|j| i.framework_judges(j.area)).count()).sum::<usize>()
    };
    // Our parser's readings (the records `ofsted_inspections.csv` and `lacs fetch ofsted` publish):
    // never deleted by the seed, but downgraded when the scraper's row would take a reading's
    // place or a reading would state less.
    let ours = of_source(crate::ofsted::SOURCE);
    let downgraded = ours
        .iter()
        .filter(|old| {
            new_inspections
                .get(old.id.as_str())
                .is_some_and(|new| new.provenance.source != crate::ofsted::SOURCE || states_less_than(**old, *new))
        })
        .count();
    let before = judgements(&mut ours.iter().copied());
    let after = judgements(&mut ours.iter().map(|old| new_inspections.get(old.id.as_str()).copied().unwrap_or(*old)));
    let (file, what) = (files.path("ofsted_inspections.csv"), "inspections read from their report PDFs");
    loss(file, crate::ofsted::SOURCE, what, ours.len(), (0, downgraded), Some((before, after)));
    // The scraper's rows: deleted when the file no longer has them.
    let history = of_source(HISTORY_SOURCE);
    let before = judgements(&mut history.iter().copied());
    let after = judgements(&mut history.iter().filter_map(|old| new_inspections.get(old.id.as_str()).copied()));
    let measured = removed_and_downgraded(&history, &new_inspections, |i| &i.id);
    let file = files.path("ofsted_csc_ilacs_history.csv");
    loss(file, HISTORY_SOURCE, "inspections it publishes", history.len(), measured, Some((before, after)));
    // The focused-visit letters: deleted when the file no longer has them (a letter that became
    // one record with the crawler's reading of the same file is no longer held under this source).
    let visits = of_source(super::focused_visits::SOURCE);
    let measured = removed_and_downgraded(&visits, &new_inspections, |i| &i.id);
    let (file, what) = (files.path(super::focused_visits::FILE), "focused-visit letters it publishes");
    loss(file, super::focused_visits::SOURCE, what, visits.len(), measured, None);
    // The records only Ofsted's statistics state: deleted when no row states them any more (or a
    // record of another source now does).
    let official = of_source(crate::official::SOURCE);
    let measured = removed_and_downgraded(&official, &new_inspections, |i| &i.id);
    let (file, what) = (files.path(super::official::FILE), "inspections only Ofsted's statistics state");
    loss(file, crate::official::SOURCE, what, official.len(), measured, None);

    let new_interventions: HashMap<&str, &Intervention> =
        data.interventions.iter().map(|i| (i.id.as_str(), i)).collect();
    let curated: Vec<&Intervention> =
        held_interventions.iter().filter(|i| i.provenance.source == INTERVENTIONS_SOURCE).collect();
    let measured = removed_and_downgraded(&curated, &new_interventions, |i| &i.id);
    let (file, what) = (files.path("interventions_seed.csv"), "interventions it publishes");
    loss(file, INTERVENTIONS_SOURCE, what, curated.len(), measured, None);

    // Indicator figures (each file's, by indicator, area and period): removed when no line
    // states them any more.
    let incoming: HashSet<(&str, &str, &str)> =
        checked.figures.iter().map(|v| (v.indicator.as_str(), v.area_code.as_str(), v.period.as_str())).collect();
    for file in files.indicators().of_figures() {
        let source = &file.provenance.source;
        let held = schema::stored::indicator_value_keys(conn, source)?;
        let removed = held.iter().filter(|(i, a, p)| !incoming.contains(&(i.as_str(), a.as_str(), p.as_str()))).count();
        loss(files.indicators().path(file.name), source, "figures it publishes", held.len(), (removed, 0), None);
    }
    Ok(losses)
}
