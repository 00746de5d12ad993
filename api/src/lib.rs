//! The lacs HTTP API (REST under `/v1`) and the `lacs` command. Reads come from the in-memory
//! `schema::Dataset`; this crate writes nothing itself except through `fetchers` jobs.

pub mod cache;
pub mod conditional;
pub mod config;
pub mod db;
pub mod error;
pub mod format;
pub mod graphql;
pub mod graphql_http;
pub mod guard;
pub mod lookup;
pub mod openapi;
pub mod rate_limit;
pub mod rest;
pub mod startup;
pub mod state;
pub mod storage;
pub mod wire;
