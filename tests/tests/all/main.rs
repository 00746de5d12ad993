//! Every test that needs a database or the real binary, in one test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod architecture;
mod browser;
mod codes;
mod conformance;
mod dfe_stats_fetch;
mod focused_visits;
mod graphql;
mod graphql_cache;
mod hardening;
mod imports;
mod indicators;
mod intervention_status;
mod interventions_fetch;
mod migrations;
mod ofsted_fetch;
mod ofsted_stats_fetch;
mod parse_report;
mod publishing;
mod rest;
mod scheduling;
mod seed;
mod serve;
mod store;
mod website;
