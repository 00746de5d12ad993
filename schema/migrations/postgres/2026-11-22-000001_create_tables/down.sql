DROP TABLE dataset_version;
DROP TABLE changes;
DROP TABLE fetch_runs;
DROP TABLE interventions;
DROP TABLE judgements;
DROP TABLE inspections;
DROP TABLE successions;
DROP TABLE local_authorities;
