//! Rows of `indicators` and `indicator_values`, and their conversion to domain types.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{BadRow, parse, provenance, to_db_time};
use crate::domain::*;
use crate::tables::{indicator_values, indicators};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicators, treat_none_as_null = true)]
pub(crate) struct IndicatorRow {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub definition: String,
    pub period_type: String,
    pub publication: String,
    pub publication_url: String,
    pub source_file: String,
    pub source_column: String,
    pub source_filter: Option<String>,
    pub source: String,
    pub source_url: String,
    pub retrieved_at: NaiveDateTime,
    pub sha256: String,
    pub parser_version: String,
}

impl From<&Indicator> for IndicatorRow {
    fn from(i: &Indicator) -> Self {
        let p = &i.provenance;
        IndicatorRow {
            id: i.id.clone(),
            title: i.title.clone(),
            unit: i.unit.as_str().to_owned(),
            definition: i.definition.clone(),
            period_type: i.period_type.as_str().to_owned(),
            publication: i.publication.clone(),
            publication_url: i.publication_url.clone(),
            source_file: i.source_file.clone(),
            source_column: i.source_column.clone(),
            source_filter: i.source_filter.clone(),
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: to_db_time(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
        }
    }
}

impl TryFrom<IndicatorRow> for Indicator {
    type Error = BadRow;
    fn try_from(r: IndicatorRow) -> Result<Self, BadRow> {
        const T: &str = "indicators";
        Ok(Indicator {
            unit: parse(T, &r.id, &r.unit)?,
            period_type: parse(T, &r.id, &r.period_type)?,
            title: r.title,
            definition: r.definition,
            publication: r.publication,
            publication_url: r.publication_url,
            source_file: r.source_file,
            source_column: r.source_column,
            source_filter: r.source_filter,
            provenance: provenance(r.source, r.source_url, r.retrieved_at, r.sha256, r.parser_version),
            id: r.id,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = indicator_values, treat_none_as_null = true)]
pub(crate) struct IndicatorValueRow {
    pub indicator_id: String,
    pub area_code: String,
    pub period: String,
    pub area_level: String,
    pub area_name: String,
    pub source_area_code: Option<String>,
    pub value: Option<String>,
    pub suppressed: Option<String>,
    pub published: Option<chrono::NaiveDate>,
    pub source: String,
    pub source_url: String,
    pub retrieved_at: NaiveDateTime,
    pub sha256: String,
    pub parser_version: String,
}

impl From<&IndicatorValue> for IndicatorValueRow {
    fn from(v: &IndicatorValue) -> Self {
        let p = &v.provenance;
        IndicatorValueRow {
            indicator_id: v.indicator.clone(),
            area_code: v.area_code.clone(),
            period: v.period.clone(),
            area_level: v.area_level.as_str().to_owned(),
            area_name: v.area_name.clone(),
            source_area_code: v.source_area_code.clone(),
            value: v.value.clone(),
            suppressed: v.suppressed.clone(),
            published: v.published,
            source: p.source.clone(),
            source_url: p.source_url.clone(),
            retrieved_at: to_db_time(p.retrieved_at),
            sha256: p.sha256.clone(),
            parser_version: p.parser_version.clone(),
        }
    }
}

impl TryFrom<IndicatorValueRow> for IndicatorValue {
    type Error = BadRow;
    fn try_from(r: IndicatorValueRow) -> Result<Self, BadRow> {
        let key = format!("{}/{}/{}", r.indicator_id, r.area_code, r.period);
        Ok(IndicatorValue {
            area_level: parse("indicator_values", &key, &r.area_level)?,
            indicator: r.indicator_id,
            area_code: r.area_code,
            period: r.period,
            area_name: r.area_name,
            source_area_code: r.source_area_code,
            value: r.value,
            suppressed: r.suppressed,
            published: r.published,
            provenance: std::sync::Arc::new(provenance(
                r.source,
                r.source_url,
                r.retrieved_at,
                r.sha256,
                r.parser_version,
            )),
        })
    }
}

/// Every indicator, by id.
pub(crate) fn all_indicators(conn: &mut crate::AnyConnection) -> Result<Vec<Indicator>, crate::StoreError> {
    let rows = indicators::table.order(indicators::id).select(IndicatorRow::as_select()).load(conn)?;
    Ok(rows.into_iter().map(Indicator::try_from).collect::<Result<Vec<_>, _>>()?)
}

/// Every figure, in key order.
pub(crate) fn all_indicator_values(conn: &mut crate::AnyConnection) -> Result<Vec<IndicatorValue>, crate::StoreError> {
    let rows = indicator_values::table
        .order((indicator_values::indicator_id, indicator_values::period, indicator_values::area_code))
        .select(IndicatorValueRow::as_select())
        .load(conn)?;
    // Figures read from one file share one provenance: tens of thousands of copies of the same
    // URL and checksum would be most of the snapshot's indicator memory.
    let mut shared: std::collections::HashMap<Provenance, std::sync::Arc<Provenance>> = Default::default();
    rows.into_iter()
        .map(|r| {
            let mut v = IndicatorValue::try_from(r)?;
            let p = shared.entry((*v.provenance).clone()).or_insert_with(|| v.provenance.clone());
            v.provenance = p.clone();
            Ok(v)
        })
        .collect()
}

/// One indicator's stored figures for one period.
pub(crate) fn period_values(
    conn: &mut crate::AnyConnection,
    indicator: &str,
    period: Option<&str>,
) -> Result<Vec<IndicatorValue>, crate::StoreError> {
    let mut query = indicator_values::table
        .filter(indicator_values::indicator_id.eq(indicator))
        .select(IndicatorValueRow::as_select())
        .into_boxed();
    if let Some(period) = period {
        query = query.filter(indicator_values::period.eq(period));
    }
    let rows = query.load(conn)?;
    Ok(rows.into_iter().map(IndicatorValue::try_from).collect::<Result<Vec<_>, _>>()?)
}
