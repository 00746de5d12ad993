ALTER TABLE interventions DROP COLUMN document_updated_at, DROP COLUMN same_as, DROP COLUMN follows, DROP COLUMN service;
