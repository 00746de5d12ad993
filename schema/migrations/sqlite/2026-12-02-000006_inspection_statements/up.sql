-- See the PostgreSQL migration of the same name for what this column means.
ALTER TABLE inspections ADD COLUMN statements TEXT NOT NULL DEFAULT '[]';
