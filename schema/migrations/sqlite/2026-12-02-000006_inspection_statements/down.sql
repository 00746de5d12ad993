ALTER TABLE inspections DROP COLUMN statements;
