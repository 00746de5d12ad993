//! Reads of the database outside the snapshot: one record at a time for a write that compares
//! old and new, whole tables for the fetchers' reconciliation, the version and the run log.
//! Serving reads go through [`crate::Dataset`], never through here.

use diesel::prelude::*;

use crate::StoreError;
use crate::db::AnyConnection;
use crate::domain::*;
use crate::rows::*;
use crate::tables::{
    changes, dataset_version, fetch_runs, inspection_aliases, inspections, interventions, judgements, local_authorities,
};

/// The dataset version and the time of the last change.
pub fn current_version(conn: &mut AnyConnection) -> QueryResult<(i64, chrono::DateTime<chrono::Utc>)> {
    let (v, t) = dataset_version::table
        .select((dataset_version::version, dataset_version::updated_at))
        .first::<(i64, chrono::NaiveDateTime)>(conn)?;
    Ok((v, t.and_utc()))
}

/// One local authority by GSS code.
pub fn find_local_authority(conn: &mut AnyConnection, gss_code: &str) -> Result<Option<LocalAuthority>, StoreError> {
    let row = local_authorities::table.find(gss_code).select(LocalAuthorityRow::as_select()).first(conn).optional()?;
    Ok(row.map(LocalAuthority::try_from).transpose()?)
}

/// Every local authority, current and retired.
pub fn all_local_authorities(conn: &mut AnyConnection) -> Result<Vec<LocalAuthority>, StoreError> {
    let rows = local_authorities::table.select(LocalAuthorityRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(LocalAuthority::try_from).collect::<Result<_, _>>()?)
}

/// One inspection, with its judgements, by Ofsted file id.
pub fn find_inspection(conn: &mut AnyConnection, id: &str) -> Result<Option<Inspection>, StoreError> {
    let Some(row) = inspections::table.find(id).select(InspectionRow::as_select()).first(conn).optional()? else {
        return Ok(None);
    };
    let js = judgements::table.filter(judgements::inspection_id.eq(id)).select(JudgementRow::as_select()).load(conn)?;
    Ok(Some(inspection_from_rows(row, &js)?))
}

/// Every inspection, with its judgements, in id order (usable inside a run's transaction).
pub fn all_inspections(conn: &mut AnyConnection) -> Result<Vec<Inspection>, StoreError> {
    let mut by_inspection: std::collections::HashMap<String, Vec<JudgementRow>> = std::collections::HashMap::new();
    for j in judgements::table.select(JudgementRow::as_select()).load(conn)? {
        by_inspection.entry(j.inspection_id.clone()).or_default().push(j);
    }
    let rows = inspections::table.select(InspectionRow::as_select()).order(inspections::id).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let js = by_inspection.remove(&r.id).unwrap_or_default();
            inspection_from_rows(r, &js)
        })
        .collect::<Result<_, _>>()?)
}

/// One intervention by id.
pub fn find_intervention(conn: &mut AnyConnection, id: &str) -> Result<Option<Intervention>, StoreError> {
    let row = interventions::table.find(id).select(InterventionRow::as_select()).first(conn).optional()?;
    Ok(row.map(Intervention::try_from).transpose()?)
}

/// Every intervention as stored (before the dataset folds records of the same event together).
pub fn all_interventions(conn: &mut AnyConnection) -> Result<Vec<Intervention>, StoreError> {
    let rows = interventions::table.order(interventions::id).select(InterventionRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(Intervention::try_from).collect::<Result<_, _>>()?)
}

/// The most recent fetch runs, newest first.
pub fn recent_runs(conn: &mut AnyConnection, limit: i64) -> Result<Vec<crate::rows::FetchRun>, StoreError> {
    let rows =
        fetch_runs::table.order(fetch_runs::id.desc()).limit(limit).select(FetchRunRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(FetchRun::try_from).collect::<Result<_, _>>()?)
}

/// A source's latest run of any outcome (running included) and its latest that published
/// (`ok` or `partial`), for freshness.
pub fn latest_runs(conn: &mut AnyConnection, source: &str) -> Result<(Option<FetchRun>, Option<FetchRun>), StoreError> {
    let of_source = || fetch_runs::table.filter(fetch_runs::source.eq(source)).order(fetch_runs::id.desc());
    let attempt = of_source().select(FetchRunRow::as_select()).first(conn).optional()?;
    let success = of_source()
        .filter(fetch_runs::status.eq_any([FetchStatus::Ok.as_str(), FetchStatus::Partial.as_str()]))
        .select(FetchRunRow::as_select())
        .first(conn)
        .optional()?;
    Ok((attempt.map(FetchRun::try_from).transpose()?, success.map(FetchRun::try_from).transpose()?))
}

/// One run by id.
pub fn find_run(conn: &mut AnyConnection, id: i64) -> Result<Option<FetchRun>, StoreError> {
    let row = fetch_runs::table.find(id).select(FetchRunRow::as_select()).first(conn).optional()?;
    Ok(row.map(FetchRun::try_from).transpose()?)
}

/// The changes made by runs of any of `run_sources` at or after `since`, oldest first.
pub fn changes_of_runs_since(
    conn: &mut AnyConnection,
    run_sources: &[&str],
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Change>, StoreError> {
    let rows = changes::table
        .inner_join(fetch_runs::table)
        .filter(fetch_runs::source.eq_any(run_sources))
        .filter(changes::changed_at.ge(since.naive_utc()))
        .order(changes::id)
        .select(ChangeRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(Change::try_from).collect::<Result<_, _>>()?)
}

/// How many rows `changes` holds.
pub fn change_count(conn: &mut AnyConnection) -> QueryResult<i64> {
    changes::table.count().get_result(conn)
}

/// The record an id names when it is an alias (the id a record was published under before it
/// became one with the record of the same file under its Ofsted file id).
pub fn inspection_alias(conn: &mut AnyConnection, alias: &str) -> Result<Option<String>, StoreError> {
    Ok(inspection_aliases::table
        .find(alias)
        .select(inspection_aliases::inspection_id)
        .first::<String>(conn)
        .optional()?)
}

/// Every inspection alias: (alias, the id it names).
pub fn inspection_aliases(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, StoreError> {
    Ok(inspection_aliases::table
        .select((inspection_aliases::alias, inspection_aliases::inspection_id))
        .order(inspection_aliases::alias)
        .load(conn)?)
}

/// One indicator of the catalogue by id.
pub fn find_indicator(conn: &mut AnyConnection, id: &str) -> Result<Option<Indicator>, StoreError> {
    use crate::tables::indicators;
    let row = indicators::table.find(id).select(IndicatorRow::as_select()).first(conn).optional()?;
    Ok(row.map(Indicator::try_from).transpose()?)
}

/// Every indicator of the catalogue.
pub fn all_indicators(conn: &mut AnyConnection) -> Result<Vec<Indicator>, StoreError> {
    crate::rows::all_indicators(conn)
}

/// How many figures each source (`source`) publishes: what an import measures its removals against.
pub fn indicator_value_keys(
    conn: &mut AnyConnection,
    source: &str,
) -> Result<Vec<(String, String, String)>, StoreError> {
    use crate::tables::indicator_values as v;
    Ok(v::table.filter(v::source.eq(source)).select((v::indicator_id, v::area_code, v::period)).load(conn)?)
}

/// The sources of the figures held for one indicator and period.
pub fn period_sources(conn: &mut AnyConnection, indicator: &str, period: &str) -> Result<Vec<String>, StoreError> {
    use crate::tables::indicator_values as v;
    Ok(v::table
        .filter(v::indicator_id.eq(indicator))
        .filter(v::period.eq(period))
        .select(v::source)
        .distinct()
        .load(conn)?)
}

/// One indicator's stored figures for one period.
pub fn indicator_period(
    conn: &mut AnyConnection,
    indicator: &str,
    period: &str,
) -> Result<Vec<IndicatorValue>, StoreError> {
    crate::rows::period_values(conn, indicator, Some(period))
}

/// One indicator's stored figures, every period.
pub fn indicator_values(conn: &mut AnyConnection, indicator: &str) -> Result<Vec<IndicatorValue>, StoreError> {
    crate::rows::period_values(conn, indicator, None)
}
