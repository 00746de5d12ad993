-- A council's voluntary arrangement (not a DfE intervention) is a kind of its own, and a record
-- whose only source was about another council is `unsourced`.
ALTER TABLE interventions DROP CONSTRAINT interventions_kind_check;
ALTER TABLE interventions ADD CONSTRAINT interventions_kind_check CHECK (kind IN ('improvement_notice',
    'statutory_direction', 'commissioner_appointed', 'alternative_delivery', 'partnership_with_another_council',
    'intervention_ended', 'returned_in_house', 'other', 'voluntary_arrangement'));
ALTER TABLE interventions DROP CONSTRAINT interventions_source_class_check;
ALTER TABLE interventions ADD CONSTRAINT interventions_source_class_check
    CHECK (source_class IN ('primary', 'secondary', 'unsourced'));
COMMENT ON COLUMN interventions.source_class IS 'primary: DfE''s, a commissioner''s or the council''s own document; secondary: press or other report; unsourced: no document about the council states it';
