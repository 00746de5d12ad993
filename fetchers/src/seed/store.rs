//! Writing the seed: once every file is read and checked and the losses measured, everything in
//! one fetch run and one transaction, so that an import publishes all of its files or nothing.

use schema::AnyConnection;
use schema::StoreError;
use schema::store::{RunCounts, RunSummary, Store};

use super::files::SeedFiles;
use super::losses::{Loss, Removals, losses, set_peaks};
use super::read::{Checked, HISTORY_SOURCE, INTERVENTIONS_SOURCE, read_all};
use crate::source::{Source, Unreachable};

/// What the seed import did: its one run, and what each group of files changed in it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// The run (`fetch_runs` id, totals, the dataset version after it).
    pub run: RunSummary,
    /// LAs and reorganisations.
    pub local_authorities: RunCounts,
    /// The inspection history.
    pub inspections: RunCounts,
    /// The interventions list.
    pub interventions: RunCounts,
    /// The indicator catalogue and figures (`context/`).
    pub indicators: RunCounts,
}

/// [`import_with`] that refuses large removals.
pub fn import(conn: &mut AnyConnection, files: &SeedFiles) -> Result<SeedReport, StoreError> {
    import_with(conn, files, Removals::Refuse)
}

/// Imports the seed. Every file (the seed files and the indicator files) is read and checked,
/// and what the import would remove or downgrade is measured against the database and its
/// change log, before anything is written: a bad line in any file, or (unless `removals` allows
/// it) a file that would fall too far below what it published
/// ([`REMOVAL_LIMIT_PERCENT`](super::losses::REMOVAL_LIMIT_PERCENT)), rejects the whole import and
/// changes nothing (the refusal is recorded as a failed run). Then everything is written in one
/// fetch run and one transaction: a failure anywhere in it (a database error included) rolls all
/// of it back, and a successful import moves the dataset version once.
pub fn import_with(conn: &mut AnyConnection, files: &SeedFiles, removals: Removals) -> Result<SeedReport, StoreError> {
    let held = schema::stored::all_local_authorities(conn)?;
    let checked = match read_all(files, &held) {
        Ok(checked) => checked,
        Err(error) => return Err(failed_run(conn, error)),
    };
    if removals == Removals::Refuse {
        let mut losses = losses(conn, files, &checked)?;
        set_peaks(conn, files, &mut losses)?;
        let errors: Vec<String> = losses.iter().filter(|l| l.too_many()).map(Loss::to_string).collect();
        if !errors.is_empty() {
            return Err(failed_run(conn, StoreError::Rejected { what: "seed import".into(), errors }));
        }
    }
    let Checked { data, indicators, figures } = checked;
    let mut groups = [RunCounts::default(); 4];
    let run = Store::run(conn, Seed::NAME, |w| {
        let mut done = w.counts();
        let mut group_done = |w: &schema::Writer<'_>, group: usize| {
            groups[group] = w.counts() - done;
            done = w.counts();
        };
        for la in &data.local_authorities {
            w.put_local_authority(la)?;
        }
        for s in &data.successions {
            w.put_succession(s)?;
        }
        for c in &data.code_changes {
            w.put_code_change(c)?;
        }
        group_done(w, 0);
        for inspection in &data.inspections {
            // A record new to the database that a later edition of the statistics corrects is
            // first written as the earlier edition stated it: the correction is then an update in
            // the change log, with both values.
            if let Some(file) = crate::official::join::revised_by(inspection)
                && let Some(earlier) = crate::official::join::before_edition(inspection, &file)
                && schema::stored::find_inspection(w.conn(), &inspection.id)?.is_none()
                && schema::stored::inspection_alias(w.conn(), &inspection.id)?.is_none()
            {
                w.put_inspection(&earlier)?;
            }
            w.put_inspection(inspection)?;
        }
        w.delete_unseen(HISTORY_SOURCE)?;
        w.delete_unseen(super::focused_visits::SOURCE)?;
        w.delete_unseen(crate::official::SOURCE)?;
        group_done(w, 1);
        for intervention in &data.interventions {
            w.put_intervention(intervention)?;
        }
        w.delete_unseen(INTERVENTIONS_SOURCE)?;
        group_done(w, 2);
        // Only the periods the seed files own: one a fetch brought later is newer than the copy.
        crate::indicators::write(w, &indicators, figures, |s| s.starts_with("seed:"))?;
        group_done(w, 3);
        Ok(())
    })?;
    let [local_authorities, inspections, interventions, indicators] = groups;
    Ok(SeedReport { run, local_authorities, inspections, interventions, indicators })
}

/// Records `error` as a failed run of the seed (writing nothing else) and returns it.
fn failed_run(conn: &mut AnyConnection, error: StoreError) -> StoreError {
    match Store::run(conn, Seed::NAME, move |_| Err(error)) {
        Err(e) => e,
        Ok(_) => {
            StoreError::Rejected { what: Seed::NAME.to_owned(), errors: vec!["the failure was not recorded".into()] }
        }
    }
}

/// The seed as a [`Source`]: its files, all read before the run (bundled, or from a directory,
/// whose errors name the file), so its crawl has nothing to reach; its store is [`import_with`].
pub struct Seed {
    /// The files to import.
    pub files: SeedFiles,
    /// Whether the import may remove or downgrade many records.
    pub removals: Removals,
}

impl Source for Seed {
    const NAME: &'static str = "seed";
    type Crawl = ();
    type Report = SeedReport;

    async fn crawl(&self) -> Result<(), Unreachable> {
        Ok(())
    }

    fn store(&self, conn: &mut AnyConnection, crawl: Result<(), Unreachable>) -> Result<SeedReport, StoreError> {
        crawl.map_err(|e| e.rejected("seed import"))?;
        import_with(conn, &self.files, self.removals)
    }
}
