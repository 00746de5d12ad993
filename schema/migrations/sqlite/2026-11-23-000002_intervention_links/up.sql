-- See the PostgreSQL migration of the same name for what these columns mean.
ALTER TABLE interventions ADD COLUMN service TEXT NOT NULL DEFAULT 'childrens_social_care'
    CHECK (service IN ('childrens_social_care', 'send'));
ALTER TABLE interventions ADD COLUMN follows TEXT;
ALTER TABLE interventions ADD COLUMN same_as TEXT;
ALTER TABLE interventions ADD COLUMN document_updated_at TIMESTAMP;
