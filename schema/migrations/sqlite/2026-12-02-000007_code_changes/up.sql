-- A council's GSS code replaced by another for the same area (no change of council): the former
-- code, the day the current one took over (NULL where no source lacs holds gives it), and why.
CREATE TABLE code_changes (
    former_gss TEXT PRIMARY KEY,
    gss_code TEXT NOT NULL REFERENCES local_authorities (gss_code),
    effective DATE,
    source_url TEXT NOT NULL,
    note TEXT
);
CREATE INDEX code_changes_gss_code ON code_changes (gss_code);
