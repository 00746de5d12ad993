CREATE TABLE judgements_old (
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    area TEXT NOT NULL CHECK (area IN ('overall_effectiveness', 'impact_of_leaders', 'help_and_protection',
        'children_in_care', 'care_leavers', 'children_in_care_and_care_leavers',
        'leadership_management_governance', 'adoption', 'lscb', 'capacity_to_improve',
        'outcomes_for_looked_after_children', 'quality_of_provision', 'leadership_and_management')),
    grade TEXT NOT NULL CHECK (grade IN ('outstanding', 'good', 'requires_improvement', 'inadequate', 'adequate', 'not_judged')),
    PRIMARY KEY (inspection_id, area)
);
INSERT INTO judgements_old (inspection_id, area, grade)
    SELECT inspection_id, area, grade FROM judgements WHERE area NOT LIKE 'safeguarding\_%' ESCAPE '\';
DROP TABLE judgements;
ALTER TABLE judgements_old RENAME TO judgements;
DROP TABLE inspection_aliases;
DROP INDEX inspections_sha256;
ALTER TABLE inspections DROP COLUMN theme;
ALTER TABLE inspections DROP COLUMN inspectors;
