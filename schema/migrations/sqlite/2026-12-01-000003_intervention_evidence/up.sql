-- What an intervention's status rests on (see the PostgreSQL migration for the columns' meaning).
ALTER TABLE interventions ADD COLUMN source_class TEXT NOT NULL DEFAULT 'secondary' CHECK (source_class IN ('primary', 'secondary'));
ALTER TABLE interventions ADD COLUMN see_also TEXT NOT NULL DEFAULT '';
ALTER TABLE interventions ADD COLUMN end_source_url TEXT;
ALTER TABLE interventions ADD COLUMN end_note TEXT;
ALTER TABLE interventions ADD COLUMN in_force_confirmed_on TEXT;
ALTER TABLE interventions ADD COLUMN in_force_source_url TEXT;
ALTER TABLE interventions ADD COLUMN withdrawn_at TIMESTAMP;
ALTER TABLE interventions ADD COLUMN withdrawn_explanation TEXT;
