-- What an intervention's status rests on: whether its principal source is DfE's (or the
-- council's) own document or a secondary report, the press links kept beside it, where its end
-- is stated (or why no end date is known), and the latest source saying it is still in force.
ALTER TABLE interventions
    ADD COLUMN source_class TEXT NOT NULL DEFAULT 'secondary' CHECK (source_class IN ('primary', 'secondary')),
    ADD COLUMN see_also TEXT NOT NULL DEFAULT '',
    ADD COLUMN end_source_url TEXT,
    ADD COLUMN end_note TEXT,
    ADD COLUMN in_force_confirmed_on TEXT,
    ADD COLUMN in_force_source_url TEXT,
    ADD COLUMN withdrawn_at TIMESTAMP,
    ADD COLUMN withdrawn_explanation TEXT;
COMMENT ON COLUMN interventions.source_class IS 'primary: DfE''s, a commissioner''s or the council''s own document; secondary: press or other report';
COMMENT ON COLUMN interventions.end_note IS 'Where the end is stated, or why no end date is known';
COMMENT ON COLUMN interventions.withdrawn_at IS 'When GOV.UK withdrew the source page (a withdrawn page is not an end)';
COMMENT ON COLUMN interventions.in_force_confirmed_on IS 'Date of the latest source saying the intervention was still in force';
