-- Visit letters name every inspector and what the visit looked at; a record lacs bundled under
-- its own id (a focused-visit letter whose Ofsted file id is not known offline) keeps resolving
-- under that id once the crawler reads the same file (same SHA-256) under its file id.
ALTER TABLE inspections
    ADD COLUMN inspectors TEXT NOT NULL DEFAULT '',
    ADD COLUMN theme TEXT CHECK (theme IN ('front_door', 'children_in_need_and_protection', 'children_in_care',
        'permanence', 'care_leavers', 'extra_familial_harm', 'disabled_children', 'decision_making', 'covid_19', 'other'));
COMMENT ON COLUMN inspections.inspectors IS 'Every inspector a visit letter names, lead first, newline-separated';
COMMENT ON COLUMN inspections.theme IS 'What a focused visit looked at';
CREATE INDEX inspections_sha256 ON inspections (sha256);

CREATE TABLE inspection_aliases (
    alias TEXT PRIMARY KEY,
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    reason TEXT NOT NULL
);
COMMENT ON TABLE inspection_aliases IS 'Ids a record was published under before it became one with a record of the same file';

-- Pre-SIF safeguarding inspections judge their own areas.
ALTER TABLE judgements DROP CONSTRAINT judgements_area_check;
ALTER TABLE judgements ADD CONSTRAINT judgements_area_check CHECK (area IN ('overall_effectiveness', 'impact_of_leaders',
    'help_and_protection', 'children_in_care', 'care_leavers', 'children_in_care_and_care_leavers',
    'leadership_management_governance', 'adoption', 'lscb', 'capacity_to_improve',
    'outcomes_for_looked_after_children', 'quality_of_provision', 'leadership_and_management',
    'safeguarding_overall_effectiveness', 'safeguarding_capacity_to_improve', 'safeguarding_children_are_safe',
    'safeguarding_children_feel_safe', 'safeguarding_quality_of_provision', 'safeguarding_leadership_and_management'));
