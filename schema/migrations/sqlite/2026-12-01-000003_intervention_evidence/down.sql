ALTER TABLE interventions DROP COLUMN withdrawn_explanation;
ALTER TABLE interventions DROP COLUMN withdrawn_at;
ALTER TABLE interventions DROP COLUMN in_force_source_url;
ALTER TABLE interventions DROP COLUMN in_force_confirmed_on;
ALTER TABLE interventions DROP COLUMN end_note;
ALTER TABLE interventions DROP COLUMN end_source_url;
ALTER TABLE interventions DROP COLUMN see_also;
ALTER TABLE interventions DROP COLUMN source_class;
