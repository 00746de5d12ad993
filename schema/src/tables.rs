//! Diesel table definitions, matching `migrations/{postgres,sqlite}`. Only types both backends
//! share are used (Text, BigInt, Integer, Date, Timestamp), so one set of queries serves both.

diesel::table! {
    local_authorities (gss_code) {
        gss_code -> Text,
        former_gss_codes -> Text,
        dfe_code -> Nullable<Text>,
        ofsted_urn -> Nullable<Text>,
        name -> Text,
        short_name -> Text,
        slug -> Text,
        region_code -> Nullable<Text>,
        region_name -> Nullable<Text>,
        la_type -> Nullable<Text>,
        statistical_neighbours -> Text,
        population_0_25 -> Nullable<BigInt>,
        valid_from -> Nullable<Date>,
        valid_to -> Nullable<Date>,
        website -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Text,
        source_url -> Text,
        retrieved_at -> Timestamp,
        sha256 -> Text,
        parser_version -> Text,
    }
}

diesel::table! {
    code_changes (former_gss) {
        former_gss -> Text,
        gss_code -> Text,
        effective -> Nullable<Date>,
        source_url -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    successions (predecessor, successor) {
        predecessor -> Text,
        successor -> Text,
        effective -> Date,
        source_url -> Text,
    }
}

diesel::table! {
    inspections (id) {
        id -> Text,
        la -> Text,
        kind -> Text,
        framework -> Nullable<Text>,
        inspection_type -> Nullable<Text>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        second_start_date -> Nullable<Date>,
        second_end_date -> Nullable<Date>,
        published -> Date,
        lead_inspectors -> Text,
        report_url -> Text,
        provider_url -> Nullable<Text>,
        notes -> Nullable<Text>,
        source -> Text,
        source_url -> Text,
        retrieved_at -> Timestamp,
        sha256 -> Text,
        parser_version -> Text,
        inspectors -> Text,
        theme -> Nullable<Text>,
        statements -> Text,
    }
}

diesel::table! {
    inspection_aliases (alias) {
        alias -> Text,
        inspection_id -> Text,
        reason -> Text,
    }
}

diesel::table! {
    judgements (inspection_id, area) {
        inspection_id -> Text,
        area -> Text,
        grade -> Text,
    }
}

diesel::table! {
    interventions (id) {
        id -> Text,
        la -> Text,
        kind -> Text,
        start_date -> Nullable<Text>,
        end_date -> Nullable<Text>,
        commissioner -> Nullable<Text>,
        title -> Nullable<Text>,
        summary -> Nullable<Text>,
        source_urls -> Text,
        source -> Text,
        source_url -> Text,
        retrieved_at -> Timestamp,
        sha256 -> Text,
        parser_version -> Text,
        service -> Text,
        follows -> Nullable<Text>,
        same_as -> Nullable<Text>,
        document_updated_at -> Nullable<Timestamp>,
        source_class -> Text,
        see_also -> Text,
        end_source_url -> Nullable<Text>,
        end_note -> Nullable<Text>,
        in_force_confirmed_on -> Nullable<Text>,
        in_force_source_url -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_explanation -> Nullable<Text>,
    }
}

diesel::table! {
    fetch_runs (id) {
        id -> BigInt,
        source -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        status -> Text,
        seen -> BigInt,
        created -> BigInt,
        changed -> BigInt,
        deleted -> BigInt,
        failed -> BigInt,
        errors -> Text,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        fetch_run_id -> BigInt,
        changed_at -> Timestamp,
        record_type -> Text,
        record_id -> Text,
        action -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}

diesel::table! {
    dataset_version (id) {
        id -> Integer,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicators (id) {
        id -> Text,
        title -> Text,
        unit -> Text,
        definition -> Text,
        period_type -> Text,
        publication -> Text,
        publication_url -> Text,
        source_file -> Text,
        source_column -> Text,
        source_filter -> Nullable<Text>,
        source -> Text,
        source_url -> Text,
        retrieved_at -> Timestamp,
        sha256 -> Text,
        parser_version -> Text,
    }
}

diesel::table! {
    indicator_values (indicator_id, area_code, period) {
        indicator_id -> Text,
        area_code -> Text,
        period -> Text,
        area_level -> Text,
        area_name -> Text,
        source_area_code -> Nullable<Text>,
        value -> Nullable<Text>,
        suppressed -> Nullable<Text>,
        published -> Nullable<Date>,
        source -> Text,
        source_url -> Text,
        retrieved_at -> Timestamp,
        sha256 -> Text,
        parser_version -> Text,
    }
}

diesel::joinable!(inspections -> local_authorities (la));
diesel::joinable!(interventions -> local_authorities (la));
diesel::joinable!(judgements -> inspections (inspection_id));
diesel::joinable!(inspection_aliases -> inspections (inspection_id));
diesel::joinable!(changes -> fetch_runs (fetch_run_id));

diesel::allow_tables_to_appear_in_same_query!(
    local_authorities,
    code_changes,
    successions,
    inspections,
    inspection_aliases,
    judgements,
    interventions,
    fetch_runs,
    changes,
    dataset_version,
    indicators,
    indicator_values,
);
