-- The numbers behind the grades: a catalogue of indicators (spending, workforce, demand) and
-- their values per area (council, region, England) and period, as DfE and MHCLG publish them.
CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    unit TEXT NOT NULL,
    definition TEXT NOT NULL,
    period_type TEXT NOT NULL,
    publication TEXT NOT NULL,
    publication_url TEXT NOT NULL,
    source_file TEXT NOT NULL,
    source_column TEXT NOT NULL,
    source_filter TEXT,
    source TEXT NOT NULL,
    source_url TEXT NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL
);

-- One figure. `value` is the source's own text of the number (no rounding on the way in);
-- `suppressed` is the source's symbol (c, x, z, low, u, [x] …) when it gives none: never 0.
-- `published` is when the figure was first published, where the source says (null: unknown).
CREATE TABLE indicator_values (
    indicator_id TEXT NOT NULL REFERENCES indicators (id) ON DELETE CASCADE,
    area_code TEXT NOT NULL,
    period TEXT NOT NULL,
    area_level TEXT NOT NULL,
    area_name TEXT NOT NULL,
    source_area_code TEXT,
    value TEXT,
    suppressed TEXT,
    published DATE,
    source TEXT NOT NULL,
    source_url TEXT NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL,
    PRIMARY KEY (indicator_id, area_code, period),
    CHECK ((value IS NULL) <> (suppressed IS NULL))
);
CREATE INDEX indicator_values_area ON indicator_values (area_code);

-- The change log also records indicators and indicator periods: SQLite cannot change a CHECK
-- constraint, so the table is rebuilt with the same rows and ids.
CREATE TABLE changes_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fetch_run_id BIGINT NOT NULL REFERENCES fetch_runs (id),
    changed_at TIMESTAMP NOT NULL,
    record_type TEXT NOT NULL CHECK (record_type IN ('local_authority', 'inspection', 'intervention', 'indicator', 'indicator_period')),
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    before TEXT,
    after TEXT
);
INSERT INTO changes_rebuilt (id, fetch_run_id, changed_at, record_type, record_id, action, before, after)
    SELECT id, fetch_run_id, changed_at, record_type, record_id, action, before, after FROM changes;
DROP TABLE changes;
ALTER TABLE changes_rebuilt RENAME TO changes;
CREATE INDEX changes_record ON changes (record_type, record_id);
CREATE INDEX changes_fetch_run ON changes (fetch_run_id);
