-- What the GOV.UK interventions fetcher adds: the service area, the record an intervention
-- continues (a revised direction, a revocation), the record another source states the same
-- event in (reconciliation keeps both statements), and when the source document last changed.
ALTER TABLE interventions
    ADD COLUMN service TEXT NOT NULL DEFAULT 'childrens_social_care'
        CHECK (service IN ('childrens_social_care', 'send')),
    ADD COLUMN follows TEXT,
    ADD COLUMN same_as TEXT,
    ADD COLUMN document_updated_at TIMESTAMP;
COMMENT ON COLUMN interventions.follows IS 'The intervention this one continues, supersedes or ends';
COMMENT ON COLUMN interventions.same_as IS 'Another source''s record of the same event; published as one record with both sources';
COMMENT ON COLUMN interventions.document_updated_at IS 'public_updated_at of the source document, where it has one';
