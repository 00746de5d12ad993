-- lacs: the system of record. Enumerations are text with CHECK constraints so that the
-- database refuses a value the Rust enums would refuse.

CREATE TABLE local_authorities (
    gss_code TEXT PRIMARY KEY,
    former_gss_codes TEXT NOT NULL DEFAULT '',
    dfe_code TEXT,
    ofsted_urn TEXT,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    region_code TEXT,
    region_name TEXT,
    la_type TEXT CHECK (la_type IN ('county', 'metropolitan_district', 'london_borough', 'unitary_authority')),
    statistical_neighbours TEXT NOT NULL DEFAULT '',
    population_0_25 BIGINT,
    valid_from DATE,
    valid_to DATE,
    website TEXT,
    notes TEXT,
    source TEXT NOT NULL,
    source_url TEXT NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL
);

CREATE TABLE successions (
    predecessor TEXT NOT NULL REFERENCES local_authorities (gss_code),
    successor TEXT NOT NULL REFERENCES local_authorities (gss_code),
    effective DATE NOT NULL,
    source_url TEXT NOT NULL,
    PRIMARY KEY (predecessor, successor)
);
CREATE INDEX successions_successor ON successions (successor);

CREATE TABLE inspections (
    id TEXT PRIMARY KEY,
    la TEXT NOT NULL REFERENCES local_authorities (gss_code),
    kind TEXT NOT NULL CHECK (kind IN ('inspection', 'focused_visit', 'monitoring_visit', 'lscb_review', 'jtai', 'other')),
    framework TEXT CHECK (framework IN ('pre_sif', 'sif', 'ilacs')),
    inspection_type TEXT CHECK (inspection_type IN ('standard', 'short')),
    start_date DATE,
    end_date DATE,
    second_start_date DATE,
    second_end_date DATE,
    published DATE NOT NULL,
    lead_inspectors TEXT NOT NULL DEFAULT '',
    report_url TEXT NOT NULL,
    provider_url TEXT,
    notes TEXT,
    source TEXT NOT NULL,
    source_url TEXT NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL
);
CREATE INDEX inspections_la ON inspections (la, published);

CREATE TABLE judgements (
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    area TEXT NOT NULL CHECK (area IN ('overall_effectiveness', 'impact_of_leaders', 'help_and_protection',
        'children_in_care', 'care_leavers', 'children_in_care_and_care_leavers',
        'leadership_management_governance', 'adoption', 'lscb', 'capacity_to_improve',
        'outcomes_for_looked_after_children', 'quality_of_provision', 'leadership_and_management')),
    grade TEXT NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate', 'adequate', 'not_judged')),
    PRIMARY KEY (inspection_id, area)
);

CREATE TABLE interventions (
    id TEXT PRIMARY KEY,
    la TEXT NOT NULL REFERENCES local_authorities (gss_code),
    kind TEXT NOT NULL CHECK (kind IN ('improvement_notice', 'statutory_direction', 'commissioner_appointed',
        'alternative_delivery', 'partnership_with_another_council', 'intervention_ended', 'returned_in_house', 'other')),
    start_date TEXT CHECK (length(start_date) IN (4, 7, 10)),
    end_date TEXT CHECK (length(end_date) IN (4, 7, 10)),
    commissioner TEXT,
    title TEXT,
    summary TEXT,
    source_urls TEXT NOT NULL,
    source TEXT NOT NULL,
    source_url TEXT NOT NULL,
    retrieved_at TIMESTAMP NOT NULL,
    sha256 TEXT NOT NULL,
    parser_version TEXT NOT NULL
);
CREATE INDEX interventions_la ON interventions (la);

CREATE TABLE fetch_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'partial', 'failed')),
    seen BIGINT NOT NULL DEFAULT 0,
    created BIGINT NOT NULL DEFAULT 0,
    changed BIGINT NOT NULL DEFAULT 0,
    deleted BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT ''
);

CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fetch_run_id BIGINT NOT NULL REFERENCES fetch_runs (id),
    changed_at TIMESTAMP NOT NULL,
    record_type TEXT NOT NULL CHECK (record_type IN ('local_authority', 'inspection', 'intervention')),
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    before TEXT,
    after TEXT
);
CREATE INDEX changes_record ON changes (record_type, record_id);
CREATE INDEX changes_fetch_run ON changes (fetch_run_id);

CREATE TABLE dataset_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO dataset_version (id, version, updated_at) VALUES (1, 0, '1970-01-01 00:00:00');
