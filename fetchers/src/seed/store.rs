//! Writing the seed: once every file is read and checked and the losses measured, each group of
//! files in its own fetch run and transaction.

use schema::AnyConnection;
use schema::StoreError;
use schema::store::{RunSummary, Store};

use super::files::SeedFiles;
use super::losses::{Loss, Removals, losses};
use super::read::{HISTORY_SOURCE, INSPECTION_RUN, INTERVENTION_RUN, INTERVENTIONS_SOURCE, LA_RUN, read_groups};
use crate::source::{Source, Unreachable};

/// What the seed import did, one run per file group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// LAs and reorganisations.
    pub local_authorities: RunSummary,
    /// The inspection history.
    pub inspections: RunSummary,
    /// The interventions list.
    pub interventions: RunSummary,
    /// The indicator catalogue and figures (`data/seed/context/`).
    pub indicators: RunSummary,
}

/// [`import_with`] that refuses large removals.
pub fn import(conn: &mut AnyConnection, files: &SeedFiles) -> Result<SeedReport, StoreError> {
    import_with(conn, files, Removals::Refuse)
}

/// Imports the seed. Every file is read and checked, and what the import would remove or
/// downgrade is measured against the database, before anything is written: a bad line in any file,
/// or (unless `removals` allows it) a file that would remove or downgrade more than
/// [`REMOVAL_LIMIT_PERCENT`](super::losses::REMOVAL_LIMIT_PERCENT) of what it publishes, rejects the whole import and changes nothing
/// (the refusal is recorded as a failed run of that group). Then LAs, inspections and
/// interventions are written, each group in its own fetch run and transaction.
pub fn import_with(conn: &mut AnyConnection, files: &SeedFiles, removals: Removals) -> Result<SeedReport, StoreError> {
    let held = schema::stored::all_local_authorities(conn)?;
    let data = match read_groups(files, &held) {
        Ok(data) => data,
        Err((run, error)) => return Err(failed_run(conn, run, error)),
    };
    if removals == Removals::Refuse {
        let losses = losses(conn, files, &data)?;
        let refused: Vec<&Loss> = losses.iter().filter(|l| l.too_many()).collect();
        if let Some(first) = refused.first() {
            let errors: Vec<String> = refused.iter().map(|l| l.to_string()).collect();
            let error = StoreError::Rejected { what: "seed import".into(), errors };
            return Err(failed_run(conn, first.run, error));
        }
    }
    let local_authorities = Store::run(conn, LA_RUN, |w| {
        for la in &data.local_authorities {
            w.put_local_authority(la)?;
        }
        for s in &data.successions {
            w.put_succession(s)?;
        }
        for c in &data.code_changes {
            w.put_code_change(c)?;
        }
        Ok(())
    })?;
    let inspections = Store::run(conn, INSPECTION_RUN, |w| {
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
        Ok(())
    })?;
    let interventions = Store::run(conn, INTERVENTION_RUN, |w| {
        for intervention in &data.interventions {
            w.put_intervention(intervention)?;
        }
        w.delete_unseen(INTERVENTIONS_SOURCE)?;
        Ok(())
    })?;
    // The indicators are matched to the councils just written.
    // A directory without a `context/` folder (a copy made before indicators existed) imports
    // the bundled indicator files.
    let indicator_files = match files.dir().map(|d| d.join("context")).filter(|d| d.is_dir()) {
        Some(dir) => crate::indicators::IndicatorFiles::from_dir(&dir)
            .map_err(|e| StoreError::Rejected { what: "indicator import".into(), errors: vec![e.to_string()] })?,
        None => crate::indicators::IndicatorFiles::bundled(),
    };
    let indicators = crate::indicators::import(conn, &indicator_files, removals)?;
    Ok(SeedReport { local_authorities, inspections, interventions, indicators })
}

/// Records `error` as a failed run of `run` (writing nothing else) and returns it.
fn failed_run(conn: &mut AnyConnection, run: &str, error: StoreError) -> StoreError {
    match Store::run(conn, run, move |_| Err(error)) {
        Err(e) => e,
        Ok(_) => StoreError::Rejected { what: run.to_owned(), errors: vec!["the failure was not recorded".into()] },
    }
}

/// The seed as a [`Source`]: its files, read before the run (bundled, or from a directory, whose
/// errors name the file), so its crawl has nothing to reach; its store is [`import_with`].
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
