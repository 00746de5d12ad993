//! Writes. Everything that changes public data goes through [`Store`]: idempotent upserts keyed by
//! public ids, one transaction per run, a `changes` row for every create/update/delete with the
//! before and after JSON, and one dataset-version bump per transaction that changed anything.
//! A run that fails leaves the published data exactly as it was and is recorded as failed.
//!
//! Longer than 500 lines on purpose: every write of public data, and the change log it keeps,
//! is in this one file, so that no write can bypass the log.

use std::collections::BTreeSet;

use diesel::prelude::*;
use serde::Serialize;

use crate::StoreError;
use crate::db::AnyConnection;
use crate::domain::*;
use crate::rows::*;
use crate::stored::{current_version, find_inspection, find_intervention, find_local_authority, inspection_alias};
use crate::tables::{
    changes, code_changes, dataset_version, fetch_runs, inspection_aliases, inspections, interventions, judgements,
    local_authorities, successions,
};

mod indicators;

pub use indicators::PeriodChange;

/// What a run did, as recorded in `fetch_runs`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    /// Records read.
    pub seen: i64,
    /// Records created.
    pub created: i64,
    /// Records changed.
    pub changed: i64,
    /// Records deleted.
    pub deleted: i64,
    /// Records that could not be read.
    pub failed: i64,
}

impl std::ops::Sub for RunCounts {
    type Output = RunCounts;

    /// What a run did between two readings of its counts.
    fn sub(self, earlier: RunCounts) -> RunCounts {
        RunCounts {
            seen: self.seen - earlier.seen,
            created: self.created - earlier.created,
            changed: self.changed - earlier.changed,
            deleted: self.deleted - earlier.deleted,
            failed: self.failed - earlier.failed,
        }
    }
}

/// The result of a completed run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// The `fetch_runs` id.
    pub run_id: i64,
    /// What it did.
    pub counts: RunCounts,
    /// The dataset version after the run.
    pub dataset_version: i64,
    /// `ok`, or `partial` when some documents could not be read.
    pub status: FetchStatus,
    /// Why those documents could not be read.
    pub errors: Vec<String>,
}

/// What an upsert did to one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new record.
    Created,
    /// An existing record with different content.
    Updated,
    /// The same content was already stored.
    Unchanged,
}

/// The write side of the database.
pub struct Store;

impl Store {
    /// Runs `write` as one fetch run of `source` in one transaction.
    ///
    /// The run is recorded in `fetch_runs` whatever happens: `ok` with its counts, or `failed`
    /// with the error, in which case every write inside `write` is rolled back.
    pub fn run<F>(conn: &mut AnyConnection, source: &str, write: F) -> Result<RunSummary, StoreError>
    where
        F: FnOnce(&mut Writer<'_>) -> Result<(), StoreError>,
    {
        // A run opened by whoever holds the source's lock ([`open_run`]) is this one.
        let run_id = match claimed_run(conn, source)? {
            Some(id) => id,
            None => start_run(conn, source)?,
        };
        let result = conn.transaction(|conn| {
            // One writing run at a time (replicas share one PostgreSQL): change ids are then
            // committed in order, so a change-feed cursor never passes a change still to come.
            if let AnyConnection::Postgresql(c) = conn {
                use diesel::connection::SimpleConnection;
                c.batch_execute("SELECT pg_advisory_xact_lock(727101)")?;
            }
            let mut writer =
                Writer { conn, run_id, counts: RunCounts::default(), touched: Touched::default(), errors: Vec::new() };
            write(&mut writer)?;
            let (counts, errors) = (writer.counts, writer.errors);
            if counts.created + counts.changed + counts.deleted > 0 {
                diesel::update(dataset_version::table)
                    .set((
                        dataset_version::version.eq(dataset_version::version + 1),
                        dataset_version::updated_at.eq(now_db()),
                    ))
                    .execute(writer.conn)?;
                // Delivered to every listening replica when (and only if) this commits.
                notify(writer.conn, DATASET_CHANNEL, "")?;
            }
            Ok::<_, StoreError>((counts, errors))
        });
        match result {
            Ok((counts, errors)) => {
                // Errors that did not stop the run (one report of many) make it partial.
                let status = if errors.is_empty() { FetchStatus::Ok } else { FetchStatus::Partial };
                finish_run(conn, run_id, status, counts, &errors)?;
                Ok(RunSummary { run_id, counts, dataset_version: current_version(conn)?.0, status, errors })
            }
            Err(err) => {
                let errors = match &err {
                    StoreError::Rejected { errors, .. } => errors.clone(),
                    other => vec![other.to_string()],
                };
                let counts = RunCounts { failed: errors.len() as i64, ..RunCounts::default() };
                finish_run(conn, run_id, FetchStatus::Failed, counts, &errors)?;
                Err(err)
            }
        }
    }
}

/// The PostgreSQL channel a committed run that changed public data notifies (payload empty:
/// listeners read the version from the database).
pub const DATASET_CHANNEL: &str = "lacs_dataset_version";
/// The PostgreSQL channel every finished or abandoned run notifies, with its source as payload.
pub const RUNS_CHANNEL: &str = "lacs_fetch_runs";

/// `NOTIFY channel, payload` on PostgreSQL (inside a transaction, sent when it commits); nothing
/// on SQLite, whose one process learns of its own runs directly.
fn notify(conn: &mut AnyConnection, channel: &str, payload: &str) -> QueryResult<()> {
    if let AnyConnection::Postgresql(c) = conn {
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(channel)
            .bind::<diesel::sql_types::Text, _>(payload)
            .execute(c)?;
    }
    Ok(())
}

/// Opens a run of `source` before its crawl starts, for a caller that holds the source's lock
/// ([`crate::run_lock::SourceLock`]): runs of `source` still marked running were left by a
/// process that died holding the lock (a killed process records nothing), so they are closed as
/// failed with `abandoned` as the reason. The next [`Store::run`] of `source` on any connection
/// records into the run opened here, so a process that dies during the crawl leaves a run the
/// next holder closes. Returns the run's id and how many abandoned runs were closed.
pub fn open_run(conn: &mut AnyConnection, source: &str, abandoned: &str) -> QueryResult<(i64, usize)> {
    let closed = close_running(conn, source, None, abandoned)?;
    Ok((start_run(conn, source)?, closed))
}

/// Closes the run `run_id` as failed with `error` if nothing recorded into it (the work failed
/// before its store began, e.g. reading the database for the crawl). Returns whether it did.
pub fn close_unfinished_run(conn: &mut AnyConnection, run_id: i64, source: &str, error: &str) -> QueryResult<bool> {
    Ok(close_running(conn, source, Some(run_id), error)? > 0)
}

/// Closes as failed, with `error`, the runs of `source` still marked running (only `run_id`,
/// when given), and tells the listening replicas. Returns how many it closed.
fn close_running(conn: &mut AnyConnection, source: &str, run_id: Option<i64>, error: &str) -> QueryResult<usize> {
    let running = fetch_runs::table
        .filter(fetch_runs::source.eq(source))
        .filter(fetch_runs::status.eq(FetchStatus::Running.as_str()));
    let failed = (
        fetch_runs::finished_at.eq(Some(now_db())),
        fetch_runs::status.eq(FetchStatus::Failed.as_str()),
        fetch_runs::failed.eq(1),
        fetch_runs::errors.eq(error),
    );
    let closed = match run_id {
        Some(id) => diesel::update(running.filter(fetch_runs::id.eq(id))).set(failed).execute(conn)?,
        None => diesel::update(running).set(failed).execute(conn)?,
    };
    if closed > 0 {
        notify(conn, RUNS_CHANNEL, source)?;
    }
    Ok(closed)
}

/// The run of `source` opened by [`open_run`] and not yet recorded into. While the source's lock
/// is held the holder's is the only running one: every other was closed when it took the lock.
fn claimed_run(conn: &mut AnyConnection, source: &str) -> QueryResult<Option<i64>> {
    fetch_runs::table
        .filter(fetch_runs::source.eq(source))
        .filter(fetch_runs::status.eq(FetchStatus::Running.as_str()))
        .order(fetch_runs::id.desc())
        .select(fetch_runs::id)
        .first(conn)
        .optional()
}

fn start_run(conn: &mut AnyConnection, source: &str) -> QueryResult<i64> {
    let values = (
        fetch_runs::source.eq(source),
        fetch_runs::started_at.eq(now_db()),
        fetch_runs::status.eq(FetchStatus::Running.as_str()),
    );
    // RETURNING is not portable across MultiConnection backends: one statement per backend.
    crate::each_backend!(conn, |c| diesel::insert_into(fetch_runs::table)
        .values(values)
        .returning(fetch_runs::id)
        .get_result(c))
}

fn finish_run(
    conn: &mut AnyConnection,
    run_id: i64,
    status: FetchStatus,
    counts: RunCounts,
    errors: &[String],
) -> QueryResult<()> {
    diesel::update(fetch_runs::table.find(run_id))
        .set((
            fetch_runs::finished_at.eq(Some(now_db())),
            fetch_runs::status.eq(status.as_str()),
            fetch_runs::seen.eq(counts.seen),
            fetch_runs::created.eq(counts.created),
            fetch_runs::changed.eq(counts.changed),
            fetch_runs::deleted.eq(counts.deleted),
            fetch_runs::failed.eq(counts.failed),
            fetch_runs::errors.eq(join_list(errors)),
        ))
        .execute(conn)?;
    let source: String = fetch_runs::table.find(run_id).select(fetch_runs::source).first(conn)?;
    notify(conn, RUNS_CHANNEL, &source)
}

#[derive(Default)]
struct Touched {
    inspections: BTreeSet<String>,
    interventions: BTreeSet<String>,
}

/// Writes inside one run's transaction.
pub struct Writer<'c> {
    conn: &'c mut AnyConnection,
    run_id: i64,
    counts: RunCounts,
    touched: Touched,
    errors: Vec<String>,
}

/// Compares two versions of a record by what they state. Reading the same facts again (later,
/// from an edited copy of the same file, or with a newer parser) is not a change: the record
/// keeps the provenance it was first read with, which still states those facts. A new source
/// (another document or site) is a change.
fn same_content<T: Clone + PartialEq>(old: &T, new: &T, provenance: fn(&mut T) -> &mut Provenance) -> bool {
    let (mut old, mut new) = (old.clone(), new.clone());
    for p in [provenance(&mut old), provenance(&mut new)] {
        p.retrieved_at = chrono::DateTime::UNIX_EPOCH;
        p.sha256.clear();
        p.parser_version.clear();
    }
    old == new
}

/// [`same_content`] for inspections: the statements' own provenance (their document's checksum
/// and retrieval time) is not content either.
fn same_inspection(old: &Inspection, new: &Inspection) -> bool {
    let bare = |i: &Inspection| {
        let mut i = i.clone();
        for s in &mut i.statements {
            s.retrieved_at = chrono::DateTime::UNIX_EPOCH;
            s.sha256.clear();
        }
        i
    };
    same_content(&bare(old), &bare(new), |i| &mut i.provenance)
}

impl Writer<'_> {
    /// This run's `fetch_runs` id.
    pub fn run_id(&self) -> i64 {
        self.run_id
    }

    /// What the run has done so far.
    pub fn counts(&self) -> RunCounts {
        self.counts
    }

    /// Records an error that does not stop the run (one document of many): the run ends
    /// `partial` and the published record it concerns keeps its previous values.
    pub fn record_error(&mut self, error: impl Into<String>) {
        self.counts.failed += 1;
        self.errors.push(error.into());
    }

    /// The connection, for reads inside the transaction.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.conn
    }

    fn log<T: Serialize>(
        &mut self,
        record_type: RecordType,
        record_id: &str,
        action: ChangeAction,
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<(), StoreError> {
        let json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).unwrap_or_default());
        diesel::insert_into(changes::table)
            .values(NewChange {
                fetch_run_id: self.run_id,
                changed_at: now_db(),
                record_type: record_type.as_str().to_owned(),
                record_id: record_id.to_owned(),
                action: action.as_str().to_owned(),
                before: json(before),
                after: json(after),
            })
            .execute(self.conn)?;
        match action {
            ChangeAction::Create => self.counts.created += 1,
            ChangeAction::Update => self.counts.changed += 1,
            ChangeAction::Delete => self.counts.deleted += 1,
        }
        Ok(())
    }

    /// Inserts or updates a local authority by GSS code.
    pub fn put_local_authority(&mut self, la: &LocalAuthority) -> Result<Outcome, StoreError> {
        self.counts.seen += 1;
        let old = find_local_authority(self.conn, &la.gss_code)?;
        let row = LocalAuthorityRow::from(la);
        let outcome = match &old {
            Some(old) if same_content(old, la, |l| &mut l.provenance) => {
                return Ok(Outcome::Unchanged);
            }
            Some(_) => {
                diesel::update(local_authorities::table.find(&la.gss_code)).set(&row).execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(local_authorities::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        let action = if outcome == Outcome::Created { ChangeAction::Create } else { ChangeAction::Update };
        self.log(RecordType::LocalAuthority, &la.gss_code, action, old.as_ref(), Some(la))?;
        Ok(outcome)
    }

    /// Records that `predecessor` was succeeded by `successor`. Logged as a change to the
    /// predecessor, whose public record lists its successors.
    pub fn put_succession(&mut self, s: &Succession) -> Result<Outcome, StoreError> {
        let key = (s.predecessor.as_str(), s.successor.as_str());
        let old: Option<Succession> = successions::table
            .find(key)
            .select(SuccessionRow::as_select())
            .first(self.conn)
            .optional()?
            .map(Succession::from);
        let row = SuccessionRow::from(s);
        let outcome = match &old {
            Some(old) if old == s => return Ok(Outcome::Unchanged),
            Some(_) => {
                diesel::update(successions::table.find(key)).set(&row).execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(successions::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        self.log(RecordType::LocalAuthority, &s.predecessor, ChangeAction::Update, old.as_ref(), Some(s))?;
        Ok(outcome)
    }

    /// Records that a council's former GSS code is replaced by its current one. Logged as a
    /// change to the council, whose public record lists its former codes.
    pub fn put_code_change(&mut self, c: &CodeChange) -> Result<Outcome, StoreError> {
        let old: Option<CodeChange> = code_changes::table
            .find(&c.former_gss)
            .select(CodeChangeRow::as_select())
            .first(self.conn)
            .optional()?
            .map(CodeChange::from);
        let row = CodeChangeRow::from(c);
        let outcome = match &old {
            Some(old) if old == c => return Ok(Outcome::Unchanged),
            Some(_) => {
                diesel::update(code_changes::table.find(&c.former_gss)).set(&row).execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(code_changes::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        self.log(RecordType::LocalAuthority, &c.gss_code, ChangeAction::Update, old.as_ref(), Some(c))?;
        Ok(outcome)
    }

    /// Inserts or updates an inspection and its judgements by id.
    ///
    /// The same file (same SHA-256) published under two ids becomes one record. A record lacs
    /// published under its own id (a bundled visit letter, `fv-…`, whose Ofsted file id was not
    /// known offline) gives way to the same file read under its Ofsted file id: it is deleted, the
    /// file id's record written, and the old id kept as an alias of it (the API answers it). Met
    /// again afterwards (a seed import after the crawl), the old id changes nothing and leaves the
    /// file id's record standing. Two Ofsted file ids of the same bytes stay two records.
    pub fn put_inspection(&mut self, inspection: &Inspection) -> Result<Outcome, StoreError> {
        // Judgements compare in area order, the order they are read back in.
        let mut inspection = inspection.clone();
        inspection.refuse_judgements_outside_framework();
        inspection.judgements.sort_by_key(|j| j.area);
        let inspection = &inspection;
        self.counts.seen += 1;
        if let Some(target) = inspection_alias(self.conn, &inspection.id)? {
            self.touched.inspections.insert(target);
            return Ok(Outcome::Unchanged);
        }
        self.touched.inspections.insert(inspection.id.clone());
        let old = find_inspection(self.conn, &inspection.id)?;
        let same_file = match (&old, inspection.provenance.sha256.as_str()) {
            (None, sha) if !sha.is_empty() => inspections::table
                .filter(inspections::sha256.eq(sha))
                .filter(inspections::id.ne(&inspection.id))
                .select(inspections::id)
                .order(inspections::id)
                .load::<String>(self.conn)?,
            _ => Vec::new(),
        };
        let is_file_id = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
        if let Some(file_id) = same_file.iter().find(|id| is_file_id(id))
            && !is_file_id(&inspection.id)
        {
            // Already read under its file id: this id is another name for that record.
            self.touched.inspections.insert(file_id.clone());
            self.put_alias(&inspection.id, file_id, &inspection.provenance.sha256, true)?;
            return Ok(Outcome::Unchanged);
        }
        if is_file_id(&inspection.id) {
            for own in same_file.iter().filter(|id| !is_file_id(id)) {
                if find_inspection(self.conn, own)?.is_some() {
                    self.write_inspection(inspection, None)?;
                    let reason = format!(
                        "the same file (SHA-256 {}) as Ofsted file {}",
                        inspection.provenance.sha256, inspection.id
                    );
                    self.retire_into(own, &inspection.id, reason)?;
                    return Ok(Outcome::Created);
                }
            }
        }
        self.write_inspection(inspection, old)
    }

    /// [`Writer::put_inspection`], and the records `replaced` (records lacs published under its
    /// own ids, `os-…`, from Ofsted's statistics alone) become this one: each is deleted and its
    /// id kept as an alias of `inspection`'s (the API answers it), `reason` saying why.
    pub fn put_inspection_replacing(
        &mut self,
        inspection: &Inspection,
        replaced: &[String],
        reason: &str,
    ) -> Result<Outcome, StoreError> {
        let outcome = self.put_inspection(inspection)?;
        for own in replaced.iter().filter(|own| **own != inspection.id) {
            self.retire_into(own, &inspection.id, reason.to_owned())?;
        }
        Ok(outcome)
    }

    /// Deletes the record `own`, which gives way to `into` (already written), and keeps its id as
    /// an alias of `into`; aliases of `own` name `into` from now on. Nothing when `own` is gone.
    fn retire_into(&mut self, own: &str, into: &str, reason: String) -> Result<(), StoreError> {
        let Some(gone) = find_inspection(self.conn, own)? else { return Ok(()) };
        diesel::update(inspection_aliases::table.filter(inspection_aliases::inspection_id.eq(own)))
            .set(inspection_aliases::inspection_id.eq(into))
            .execute(self.conn)?;
        diesel::delete(judgements::table.filter(judgements::inspection_id.eq(own))).execute(self.conn)?;
        diesel::delete(inspections::table.find(own)).execute(self.conn)?;
        self.log(RecordType::Inspection, own, ChangeAction::Delete, Some(&gone), None)?;
        self.touched.inspections.insert(own.to_owned());
        if inspection_aliases::table.find(own).count().get_result::<i64>(self.conn)? == 0 {
            diesel::insert_into(inspection_aliases::table)
                .values((
                    inspection_aliases::alias.eq(own),
                    inspection_aliases::inspection_id.eq(into),
                    inspection_aliases::reason.eq(reason),
                ))
                .execute(self.conn)?;
        }
        Ok(())
    }

    /// Records `alias` as another id of the record `id`, the same file (`sha256`); with `log`, as
    /// an update of that record in the change log (its content unchanged, a name added), so that
    /// the dataset version moves and servers answer the new name.
    fn put_alias(&mut self, alias: &str, id: &str, sha256: &str, log: bool) -> Result<(), StoreError> {
        let reason = format!("the same file (SHA-256 {sha256}) as Ofsted file {id}");
        let exists = inspection_aliases::table.find(alias).count().get_result::<i64>(self.conn)? > 0;
        if !exists {
            diesel::insert_into(inspection_aliases::table)
                .values((
                    inspection_aliases::alias.eq(alias),
                    inspection_aliases::inspection_id.eq(id),
                    inspection_aliases::reason.eq(reason),
                ))
                .execute(self.conn)?;
            if log && let Some(record) = find_inspection(self.conn, id)? {
                self.log(RecordType::Inspection, id, ChangeAction::Update, Some(&record), Some(&record))?;
            }
        }
        Ok(())
    }

    fn write_inspection(&mut self, inspection: &Inspection, old: Option<Inspection>) -> Result<Outcome, StoreError> {
        let row = InspectionRow::from(inspection);
        let outcome = match &old {
            Some(old) if same_inspection(old, inspection) => {
                return Ok(Outcome::Unchanged);
            }
            Some(_) => {
                diesel::update(inspections::table.find(&inspection.id)).set(&row).execute(self.conn)?;
                diesel::delete(judgements::table.filter(judgements::inspection_id.eq(&inspection.id)))
                    .execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(inspections::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        for j in inspection.judgement_rows() {
            diesel::insert_into(judgements::table).values(&j).execute(self.conn)?;
        }
        let action = if outcome == Outcome::Created { ChangeAction::Create } else { ChangeAction::Update };
        self.log(RecordType::Inspection, &inspection.id, action, old.as_ref(), Some(inspection))?;
        Ok(outcome)
    }

    /// Inserts or updates an intervention by id.
    pub fn put_intervention(&mut self, intervention: &Intervention) -> Result<Outcome, StoreError> {
        self.counts.seen += 1;
        self.touched.interventions.insert(intervention.id.clone());
        let old = find_intervention(self.conn, &intervention.id)?;
        let row = InterventionRow::from(intervention);
        let outcome = match &old {
            Some(old) if same_content(old, intervention, |i| &mut i.provenance) => {
                return Ok(Outcome::Unchanged);
            }
            Some(_) => {
                diesel::update(interventions::table.find(&intervention.id)).set(&row).execute(self.conn)?;
                Outcome::Updated
            }
            None => {
                diesel::insert_into(interventions::table).values(&row).execute(self.conn)?;
                Outcome::Created
            }
        };
        let action = if outcome == Outcome::Created { ChangeAction::Create } else { ChangeAction::Update };
        self.log(RecordType::Intervention, &intervention.id, action, old.as_ref(), Some(intervention))?;
        Ok(outcome)
    }

    /// Deletes the inspections and interventions that came from `source` and were not written in
    /// this run: the source no longer states them. Returns how many were deleted.
    pub fn delete_unseen(&mut self, source: &str) -> Result<usize, StoreError> {
        let mut deleted = 0;
        let stale: Vec<String> = inspections::table
            .filter(inspections::source.eq(source))
            .select(inspections::id)
            .load::<String>(self.conn)?
            .into_iter()
            .filter(|id| !self.touched.inspections.contains(id))
            .collect();
        for id in stale {
            if let Some(old) = find_inspection(self.conn, &id)? {
                diesel::delete(inspections::table.find(&id)).execute(self.conn)?;
                self.log(RecordType::Inspection, &id, ChangeAction::Delete, Some(&old), None)?;
                deleted += 1;
            }
        }
        let stale: Vec<String> = interventions::table
            .filter(interventions::source.eq(source))
            .select(interventions::id)
            .load::<String>(self.conn)?
            .into_iter()
            .filter(|id| !self.touched.interventions.contains(id))
            .collect();
        for id in stale {
            if let Some(old) = find_intervention(self.conn, &id)? {
                diesel::delete(interventions::table.find(&id)).execute(self.conn)?;
                self.log(RecordType::Intervention, &id, ChangeAction::Delete, Some(&old), None)?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }
}
