//! The indicator tables of a release: the catalogue and every figure, suppressions as the
//! source's symbol (never 0), each figure with its provenance.

use super::{Cell, PROVENANCE_COLUMNS, Table, date, provenance};
use crate::Dataset;

pub(super) fn tables(ds: &Dataset) -> Vec<Table> {
    let catalogue_rows = ds
        .indicators
        .iter()
        .map(|i| {
            let mut row: Vec<Cell> = vec![
                i.id.as_str().into(),
                i.title.as_str().into(),
                i.unit.as_str().into(),
                i.period_type.as_str().into(),
                i.definition.as_str().into(),
                i.publication.as_str().into(),
                i.publication_url.as_str().into(),
                i.source_file.as_str().into(),
                i.source_column.as_str().into(),
                i.source_filter.as_deref().into(),
            ];
            row.extend(provenance(ds, &i.provenance));
            row
        })
        .collect();
    let mut catalogue_columns = vec![
        "id",
        "title",
        "unit",
        "period_type",
        "definition",
        "publication",
        "publication_url",
        "source_file",
        "source_column",
        "source_filter",
    ];
    catalogue_columns.extend(PROVENANCE_COLUMNS);
    let value_rows = ds
        .indicator_values
        .iter()
        .map(|v| {
            let mut row: Vec<Cell> = vec![
                v.indicator.as_str().into(),
                v.area_code.as_str().into(),
                v.period.as_str().into(),
                v.area_level.as_str().into(),
                v.area_name.as_str().into(),
                v.source_area_code.as_deref().into(),
                v.value.as_deref().into(),
                v.suppressed.as_deref().into(),
                v.suppressed.as_deref().and_then(crate::domain::suppression_reason).into(),
                date(v.published),
            ];
            row.extend(provenance(ds, &v.provenance));
            row
        })
        .collect();
    let mut value_columns = vec![
        "indicator_id",
        "area_code",
        "period",
        "area_level",
        "area_name",
        "source_area_code",
        "value",
        "suppressed",
        "suppressed_reason",
        "published",
    ];
    value_columns.extend(PROVENANCE_COLUMNS);
    vec![
        Table {
            name: "indicators",
            columns: catalogue_columns,
            definition: "id TEXT PRIMARY KEY, title TEXT NOT NULL, unit TEXT NOT NULL, period_type TEXT NOT NULL, \
                definition TEXT NOT NULL, publication TEXT NOT NULL, publication_url TEXT NOT NULL, source_file TEXT NOT NULL, \
                source_column TEXT NOT NULL, source_filter TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, \
                retrieved_at TEXT NOT NULL, sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT",
            indexes: &[],
            rows: catalogue_rows,
        },
        Table {
            name: "indicator_values",
            columns: value_columns,
            // `value` is text: the number exactly as the source writes it (cast it to compute).
            definition: "indicator_id TEXT NOT NULL REFERENCES indicators (id), area_code TEXT NOT NULL, period TEXT NOT NULL, \
                area_level TEXT NOT NULL, area_name TEXT NOT NULL, source_area_code TEXT, value TEXT, suppressed TEXT, \
                suppressed_reason TEXT, published TEXT, source TEXT NOT NULL, source_url TEXT NOT NULL, \
                retrieved_at TEXT NOT NULL, sha256 TEXT NOT NULL, parser_version TEXT NOT NULL, archive_url TEXT, \
                PRIMARY KEY (indicator_id, area_code, period)",
            indexes: &["CREATE INDEX indicator_values_area ON indicator_values (area_code, indicator_id)"],
            rows: value_rows,
        },
    ]
}
