DELETE FROM judgements WHERE area LIKE 'safeguarding\_%';
ALTER TABLE judgements DROP CONSTRAINT judgements_area_check;
ALTER TABLE judgements ADD CONSTRAINT judgements_area_check CHECK (area IN ('overall_effectiveness', 'impact_of_leaders',
    'help_and_protection', 'children_in_care', 'care_leavers', 'children_in_care_and_care_leavers',
    'leadership_management_governance', 'adoption', 'lscb', 'capacity_to_improve',
    'outcomes_for_looked_after_children', 'quality_of_provision', 'leadership_and_management'));
DROP TABLE inspection_aliases;
DROP INDEX inspections_sha256;
ALTER TABLE inspections DROP COLUMN theme, DROP COLUMN inspectors;
