DROP TABLE code_changes;
