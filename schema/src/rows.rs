//! Database rows and their conversion to and from domain types. Rows hold text; domain types
//! hold enums. A row that does not parse is reported as a [`BadRow`], never silently skipped.
//!
//! Over 500 lines on purpose: each table's row type sits beside both of its conversions, so a
//! column is added in one place.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::domain::*;
use crate::tables::*;

mod indicators;
pub(crate) use indicators::*;

/// A stored value that is outside its vocabulary (the database was written by something else).
#[derive(Debug, thiserror::Error)]
#[error("{table} row `{id}`: {reason}")]
pub struct BadRow {
    /// The table.
    pub table: &'static str,
    /// The row's key.
    pub id: String,
    /// What is wrong.
    pub reason: String,
}

fn parse<T: std::str::FromStr>(table: &'static str, id: &str, value: &str) -> Result<T, BadRow>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| BadRow { table, id: id.to_owned(), reason: e.to_string() })
}

fn parse_opt<T: std::str::FromStr>(table: &'static str, id: &str, value: Option<&str>) -> Result<Option<T>, BadRow>
where
    T::Err: std::fmt::Display,
{
    value.map(|v| parse(table, id, v)).transpose()
}

/// Lists are stored one item per line: no name, code or URL we store contains a newline.
pub(crate) fn join_list(items: &[String]) -> String {
    items.join("\n")
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}

fn from_db_time(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The provenance columns every public table carries.
fn provenance(
    source: String,
    source_url: String,
    retrieved_at: NaiveDateTime,
    sha256: String,
    parser_version: String,
) -> Provenance {
    Provenance { source, source_url, retrieved_at: from_db_time(retrieved_at), sha256, parser_version }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = local_authorities, treat_none_as_null = true)]
pub(crate) struct LocalAuthorityRow {
    pub gss_code: String,
    pub former_gss_codes: String,
    pub dfe_code: Option<String>,
    pub ofsted_urn: Option<String>,
    pub name: String,
    pub short_name: String,
    pub slug: String,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub la_type: Option<String>,
    pub statistical_neighbours: String,
    pub population_0_25: Option<i64>,
    pub valid_from: Option<chrono::NaiveDate>,
    pub valid_to: Option<chrono::NaiveDate>,
    pub website: Option<String>,
    pub notes: Option<String>,
    pub source: String,
    pub source_url: String,
    pub retrieved_at: NaiveDateTime,
    pub sha256: String,
    pub parser_version: String,
}

impl From<&LocalAuthority> for LocalAuthorityRow {
    fn from(la: &LocalAuthority) -> Self {
        let p = &la.provenance;
        LocalAuthorityRow {
            gss_code: la.gss_code.clone(),
            former_gss_codes: join_list(&la.former_gss_codes),
            dfe_code: la.dfe_code.clone(),
            ofsted_urn: la.ofsted_urn.clone(),
            name: la.name.clone(),
            short_name: la.short_name.clone(),
            slug: la.slug.clone(),
            region_code: la.region_code.clone(),
            region_name: la.region_name.clone(),
            la_type: la.la_type.map(|t| t.as_str().to_owned()),
            statistical_neighbours: join_list(&la.statistical_neighbours),
            population_0_25: la.population_0_25,
            valid_from: la.valid_from,
            valid_to: la.valid_to,
            website: la.website.clone(),
            notes: la.notes.clone(),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: to_db_time(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
        }
    }
}

impl TryFrom<LocalAuthorityRow> for LocalAuthority {
    type Error = BadRow;
    fn try_from(r: LocalAuthorityRow) -> Result<Self, BadRow> {
        let la_type = parse_opt("local_authorities", &r.gss_code, r.la_type.as_deref())?;
        Ok(LocalAuthority {
            former_gss_codes: split_list(&r.former_gss_codes),
            dfe_code: r.dfe_code,
            ofsted_urn: r.ofsted_urn,
            name: r.name,
            short_name: r.short_name,
            slug: r.slug,
            region_code: r.region_code,
            region_name: r.region_name,
            la_type,
            statistical_neighbours: split_list(&r.statistical_neighbours),
            population_0_25: r.population_0_25,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            website: r.website,
            notes: r.notes,
            provenance: provenance(r.source, r.source_url, r.retrieved_at, r.sha256, r.parser_version),
            gss_code: r.gss_code,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = code_changes, treat_none_as_null = true)]
pub(crate) struct CodeChangeRow {
    pub former_gss: String,
    pub gss_code: String,
    pub effective: Option<chrono::NaiveDate>,
    pub source_url: String,
    pub note: Option<String>,
}

impl From<&CodeChange> for CodeChangeRow {
    fn from(c: &CodeChange) -> Self {
        CodeChangeRow {
            former_gss: c.former_gss.clone(),
            gss_code: c.gss_code.clone(),
            effective: c.effective,
            source_url: c.source_url.clone(),
            note: c.note.clone(),
        }
    }
}

impl From<CodeChangeRow> for CodeChange {
    fn from(r: CodeChangeRow) -> Self {
        CodeChange {
            former_gss: r.former_gss,
            gss_code: r.gss_code,
            effective: r.effective,
            source_url: r.source_url,
            note: r.note,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = successions, treat_none_as_null = true)]
pub(crate) struct SuccessionRow {
    pub predecessor: String,
    pub successor: String,
    pub effective: chrono::NaiveDate,
    pub source_url: String,
}

impl From<&Succession> for SuccessionRow {
    fn from(s: &Succession) -> Self {
        SuccessionRow {
            predecessor: s.predecessor.clone(),
            successor: s.successor.clone(),
            effective: s.effective,
            source_url: s.source_url.clone(),
        }
    }
}

impl From<SuccessionRow> for Succession {
    fn from(r: SuccessionRow) -> Self {
        Succession {
            predecessor: r.predecessor,
            successor: r.successor,
            effective: r.effective,
            source_url: r.source_url,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = inspections, treat_none_as_null = true)]
pub(crate) struct InspectionRow {
    pub id: String,
    pub la: String,
    pub kind: String,
    pub framework: Option<String>,
    pub inspection_type: Option<String>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
    pub second_start_date: Option<chrono::NaiveDate>,
    pub second_end_date: Option<chrono::NaiveDate>,
    pub published: chrono::NaiveDate,
    pub lead_inspectors: String,
    pub report_url: String,
    pub provider_url: Option<String>,
    pub notes: Option<String>,
    pub source: String,
    pub source_url: String,
    pub retrieved_at: NaiveDateTime,
    pub sha256: String,
    pub parser_version: String,
    pub inspectors: String,
    pub theme: Option<String>,
    /// [`Inspection::statements`] as JSON.
    pub statements: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = judgements)]
pub(crate) struct JudgementRow {
    pub inspection_id: String,
    pub area: String,
    pub grade: String,
}

impl From<&Inspection> for InspectionRow {
    fn from(i: &Inspection) -> Self {
        let p = &i.provenance;
        InspectionRow {
            id: i.id.clone(),
            la: i.la.clone(),
            kind: i.kind.as_str().to_owned(),
            framework: i.framework.map(|f| f.as_str().to_owned()),
            inspection_type: i.inspection_type.map(|t| t.as_str().to_owned()),
            start_date: i.start_date,
            end_date: i.end_date,
            second_start_date: i.second_start_date,
            second_end_date: i.second_end_date,
            published: i.published,
            lead_inspectors: join_list(&i.lead_inspectors),
            report_url: i.report_url.clone(),
            provider_url: i.provider_url.clone(),
            notes: i.notes.clone(),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: to_db_time(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
            inspectors: join_list(&i.inspectors),
            theme: i.theme.map(|t| t.as_str().to_owned()),
            statements: serde_json::to_string(&i.statements).unwrap_or_else(|_| "[]".into()),
        }
    }
}

impl Inspection {
    pub(crate) fn judgement_rows(&self) -> Vec<JudgementRow> {
        self.judgements
            .iter()
            .map(|j| JudgementRow {
                inspection_id: self.id.clone(),
                area: j.area.as_str().to_owned(),
                grade: j.grade.as_str().to_owned(),
            })
            .collect()
    }
}

/// Builds an inspection from its row and its judgement rows (in any order).
pub(crate) fn inspection_from_rows(r: InspectionRow, js: &[JudgementRow]) -> Result<Inspection, BadRow> {
    const T: &str = "inspections";
    let mut judgements = js
        .iter()
        .map(|j| {
            Ok(Judgement {
                area: parse("judgements", &j.inspection_id, &j.area)?,
                grade: parse("judgements", &j.inspection_id, &j.grade)?,
            })
        })
        .collect::<Result<Vec<_>, BadRow>>()?;
    judgements.sort_by_key(|j| j.area);
    Ok(Inspection {
        kind: parse(T, &r.id, &r.kind)?,
        framework: parse_opt(T, &r.id, r.framework.as_deref())?,
        inspection_type: parse_opt(T, &r.id, r.inspection_type.as_deref())?,
        la: r.la,
        start_date: r.start_date,
        end_date: r.end_date,
        second_start_date: r.second_start_date,
        second_end_date: r.second_end_date,
        published: r.published,
        lead_inspectors: split_list(&r.lead_inspectors),
        inspectors: split_list(&r.inspectors),
        theme: parse_opt(T, &r.id, r.theme.as_deref())?,
        report_url: r.report_url,
        provider_url: r.provider_url,
        judgements,
        notes: r.notes,
        provenance: provenance(r.source, r.source_url, r.retrieved_at, r.sha256, r.parser_version),
        statements: serde_json::from_str(&r.statements).map_err(|e| BadRow {
            table: T,
            id: r.id.clone(),
            reason: format!("statements: {e}"),
        })?,
        id: r.id,
    })
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = interventions, treat_none_as_null = true)]
pub(crate) struct InterventionRow {
    pub id: String,
    pub la: String,
    pub kind: String,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub commissioner: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub source_urls: String,
    pub source: String,
    pub source_url: String,
    pub retrieved_at: NaiveDateTime,
    pub sha256: String,
    pub parser_version: String,
    pub service: String,
    pub follows: Option<String>,
    pub same_as: Option<String>,
    pub document_updated_at: Option<NaiveDateTime>,
    pub source_class: String,
    pub see_also: String,
    pub end_source_url: Option<String>,
    pub end_note: Option<String>,
    pub in_force_confirmed_on: Option<String>,
    pub in_force_source_url: Option<String>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_explanation: Option<String>,
}

impl From<&Intervention> for InterventionRow {
    fn from(i: &Intervention) -> Self {
        let p = &i.provenance;
        InterventionRow {
            id: i.id.clone(),
            la: i.la.clone(),
            kind: i.kind.as_str().to_owned(),
            start_date: i.start_date.map(|d| d.to_string()),
            end_date: i.end_date.map(|d| d.to_string()),
            commissioner: i.commissioner.clone(),
            title: i.title.clone(),
            summary: i.summary.clone(),
            source_urls: join_list(&i.source_urls),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: to_db_time(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
            service: i.service.as_str().to_owned(),
            follows: i.follows.clone(),
            same_as: i.same_as.clone(),
            document_updated_at: i.document_updated_at.map(to_db_time),
            source_class: i.source_class.as_str().to_owned(),
            see_also: join_list(&i.see_also),
            end_source_url: i.end_source_url.clone(),
            end_note: i.end_note.clone(),
            in_force_confirmed_on: i.in_force_confirmed.as_ref().map(|c| c.on.to_string()),
            in_force_source_url: i.in_force_confirmed.as_ref().map(|c| c.source_url.clone()),
            withdrawn_at: i.document_withdrawn.as_ref().and_then(|w| w.at).map(to_db_time),
            withdrawn_explanation: i.document_withdrawn.as_ref().and_then(|w| w.explanation.clone()),
        }
    }
}

impl TryFrom<InterventionRow> for Intervention {
    type Error = BadRow;
    fn try_from(r: InterventionRow) -> Result<Self, BadRow> {
        const T: &str = "interventions";
        Ok(Intervention {
            kind: parse(T, &r.id, &r.kind)?,
            service: parse(T, &r.id, &r.service)?,
            start_date: parse_opt(T, &r.id, r.start_date.as_deref())?,
            end_date: parse_opt(T, &r.id, r.end_date.as_deref())?,
            la: r.la,
            commissioner: r.commissioner,
            title: r.title,
            summary: r.summary,
            source_urls: split_list(&r.source_urls),
            follows: r.follows,
            same_as: r.same_as,
            document_updated_at: r.document_updated_at.map(|t| t.and_utc()),
            source_class: parse(T, &r.id, &r.source_class)?,
            see_also: split_list(&r.see_also),
            end_source_url: r.end_source_url,
            end_note: r.end_note,
            in_force_confirmed: match (r.in_force_confirmed_on, r.in_force_source_url) {
                (Some(on), Some(source_url)) => Some(InForceConfirmation { on: parse(T, &r.id, &on)?, source_url }),
                _ => None,
            },
            document_withdrawn: (r.withdrawn_at.is_some() || r.withdrawn_explanation.is_some())
                .then(|| Withdrawal { at: r.withdrawn_at.map(|t| t.and_utc()), explanation: r.withdrawn_explanation }),
            corroborations: Vec::new(),
            provenance: provenance(r.source, r.source_url, r.retrieved_at, r.sha256, r.parser_version),
            id: r.id,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fetch_runs)]
pub(crate) struct FetchRunRow {
    pub id: i64,
    pub source: String,
    pub started_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
    pub status: String,
    pub seen: i64,
    pub created: i64,
    pub changed: i64,
    pub deleted: i64,
    pub failed: i64,
    pub errors: String,
}

/// One run of a fetcher or import, as recorded in `fetch_runs`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FetchRun {
    /// Sequential id.
    pub id: i64,
    /// The source fetched.
    pub source: String,
    /// When the run began.
    pub started_at: DateTime<Utc>,
    /// When it ended (`None` while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub status: FetchStatus,
    /// Records read from the source.
    pub seen: i64,
    /// Records created.
    pub created: i64,
    /// Records changed.
    pub changed: i64,
    /// Records deleted.
    pub deleted: i64,
    /// Records that could not be read.
    pub failed: i64,
    /// The errors, one per line.
    pub errors: Vec<String>,
}

impl TryFrom<FetchRunRow> for FetchRun {
    type Error = BadRow;
    fn try_from(r: FetchRunRow) -> Result<Self, BadRow> {
        Ok(FetchRun {
            status: parse("fetch_runs", &r.id.to_string(), &r.status)?,
            id: r.id,
            source: r.source,
            started_at: from_db_time(r.started_at),
            finished_at: r.finished_at.map(from_db_time),
            seen: r.seen,
            created: r.created,
            changed: r.changed,
            deleted: r.deleted,
            failed: r.failed,
            errors: split_list(&r.errors),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = changes)]
pub(crate) struct ChangeRow {
    pub id: i64,
    pub fetch_run_id: i64,
    pub changed_at: NaiveDateTime,
    pub record_type: String,
    pub record_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One entry of the append-only change log.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// Sequential id: the change feed's order.
    pub id: i64,
    /// The run that made the change.
    pub fetch_run_id: i64,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Which kind of record.
    pub record_type: RecordType,
    /// The record's public id.
    pub record_id: String,
    /// Created, updated or deleted.
    pub action: ChangeAction,
    /// The record before (none for a creation).
    pub before: Option<serde_json::Value>,
    /// The record after (none for a deletion).
    pub after: Option<serde_json::Value>,
}

impl TryFrom<ChangeRow> for Change {
    type Error = BadRow;
    fn try_from(r: ChangeRow) -> Result<Self, BadRow> {
        let id = r.id.to_string();
        let json = |text: Option<String>| -> Result<Option<serde_json::Value>, BadRow> {
            text.map(|t| serde_json::from_str(&t)).transpose().map_err(|e| BadRow {
                table: "changes",
                id: id.clone(),
                reason: e.to_string(),
            })
        };
        Ok(Change {
            record_type: parse("changes", &id, &r.record_type)?,
            action: parse("changes", &id, &r.action)?,
            before: json(r.before)?,
            after: json(r.after)?,
            id: r.id,
            fetch_run_id: r.fetch_run_id,
            changed_at: from_db_time(r.changed_at),
            record_id: r.record_id,
        })
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = changes)]
pub(crate) struct NewChange {
    pub fetch_run_id: i64,
    pub changed_at: NaiveDateTime,
    pub record_type: String,
    pub record_id: String,
    pub action: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

pub(crate) fn now_db() -> NaiveDateTime {
    // Microseconds: what PostgreSQL keeps, so values read back compare equal on both backends.
    let now = Utc::now();
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros).unwrap_or(now).naive_utc()
}
