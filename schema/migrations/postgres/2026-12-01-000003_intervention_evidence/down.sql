ALTER TABLE interventions DROP COLUMN withdrawn_explanation, DROP COLUMN withdrawn_at, DROP COLUMN in_force_source_url, DROP COLUMN in_force_confirmed_on, DROP COLUMN end_note,
    DROP COLUMN end_source_url, DROP COLUMN see_also, DROP COLUMN source_class;
