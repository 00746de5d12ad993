-- See the PostgreSQL migration of the same name for what these columns and tables mean.
ALTER TABLE inspections ADD COLUMN inspectors TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN theme TEXT CHECK (theme IN ('front_door', 'children_in_need_and_protection',
    'children_in_care', 'permanence', 'care_leavers', 'extra_familial_harm', 'disabled_children', 'decision_making',
    'covid_19', 'other'));
CREATE INDEX inspections_sha256 ON inspections (sha256);

CREATE TABLE inspection_aliases (
    alias TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    reason TEXT NOT NULL
);

-- SQLite cannot change a CHECK constraint: the table is rebuilt with the safeguarding areas.
CREATE TABLE judgements_new (
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    area TEXT NOT NULL CHECK (area IN ('overall_effectiveness', 'impact_of_leaders', 'help_and_protection',
        'children_in_care', 'care_leavers', 'children_in_care_and_care_leavers',
        'leadership_management_governance', 'adoption', 'lscb', 'capacity_to_improve',
        'outcomes_for_looked_after_children', 'quality_of_provision', 'leadership_and_management',
        'safeguarding_overall_effectiveness', 'safeguarding_capacity_to_improve', 'safeguarding_children_are_safe',
        'safeguarding_children_feel_safe', 'safeguarding_quality_of_provision', 'safeguarding_leadership_and_management')),
    grade TEXT NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate', 'adequate', 'not_judged')),
    PRIMARY KEY (inspection_id, area)
);
INSERT INTO judgements_new (inspection_id, area, grade) SELECT inspection_id, area, grade FROM judgements;
DROP TABLE judgements;
ALTER TABLE judgements_new RENAME TO judgements;
