DELETE FROM changes WHERE record_type IN ('indicator', 'indicator_period');
ALTER TABLE changes DROP CONSTRAINT changes_record_type_check;
ALTER TABLE changes ADD CONSTRAINT changes_record_type_check
    CHECK (record_type IN ('local_authority', 'inspection', 'intervention'));
DROP TABLE indicator_values;
DROP TABLE indicators;
