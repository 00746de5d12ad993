ALTER TABLE interventions DROP CONSTRAINT interventions_kind_check;
ALTER TABLE interventions ADD CONSTRAINT interventions_kind_check CHECK (kind IN ('improvement_notice',
    'statutory_direction', 'commissioner_appointed', 'alternative_delivery', 'partnership_with_another_council',
    'intervention_ended', 'returned_in_house', 'other'));
ALTER TABLE interventions DROP CONSTRAINT interventions_source_class_check;
ALTER TABLE interventions ADD CONSTRAINT interventions_source_class_check CHECK (source_class IN ('primary', 'secondary'));
