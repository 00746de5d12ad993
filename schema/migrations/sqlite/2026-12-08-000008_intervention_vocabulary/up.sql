-- See the PostgreSQL migration of the same name. SQLite cannot change a CHECK constraint: the
-- table is rebuilt with the same columns.
CREATE TABLE interventions_new (
    id TEXT PRIMARY KEY,
    la TEXT NOT NULL REFERENCES local_authorities (gss_code),
    kind TEXT NOT NULL CHECK (kind IN ('improvement_notice', 'statutory_direction', 'commissioner_appointed',
        'alternative_delivery', 'partnership_with_another_council', 'intervention_ended', 'returned_in_house', 'other', 'voluntary_arrangement')),
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
    parser_version TEXT NOT NULL,
    service TEXT NOT NULL DEFAULT 'childrens_social_care' CHECK (service IN ('childrens_social_care', 'send')),
    follows TEXT,
    same_as TEXT,
    document_updated_at TIMESTAMP,
    source_class TEXT NOT NULL DEFAULT 'secondary' CHECK (source_class IN ('primary', 'secondary', 'unsourced')),
    see_also TEXT NOT NULL DEFAULT '',
    end_source_url TEXT,
    end_note TEXT,
    in_force_confirmed_on TEXT,
    in_force_source_url TEXT,
    withdrawn_at TIMESTAMP,
    withdrawn_explanation TEXT
);
INSERT INTO interventions_new SELECT id, la, kind, start_date, end_date, commissioner, title, summary, source_urls,
    source, source_url, retrieved_at, sha256, parser_version, service, follows, same_as, document_updated_at,
    source_class, see_also, end_source_url, end_note, in_force_confirmed_on, in_force_source_url, withdrawn_at,
    withdrawn_explanation FROM interventions;
DROP TABLE interventions;
ALTER TABLE interventions_new RENAME TO interventions;
CREATE INDEX interventions_la ON interventions (la);
