ALTER TABLE interventions DROP COLUMN document_updated_at;
ALTER TABLE interventions DROP COLUMN same_as;
ALTER TABLE interventions DROP COLUMN follows;
ALTER TABLE interventions DROP COLUMN service;
