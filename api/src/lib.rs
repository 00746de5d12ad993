//! The lacs HTTP API (REST under `/v1`, GraphQL at `/graphql`) and the `lacs` command. Requests
//! read the in-memory `schema::Dataset`; the server writes only outside requests: migrations and
//! the bundled seed ([`snapshot`]), releases and the archive on disk ([`storage`]), and
//! `fetchers` jobs. `docs/architecture.md` draws the modules and how a request flows.

pub mod body;
pub mod cache;
pub mod conditional;
pub mod config;
pub mod connections;
pub mod error;
pub mod format;
pub mod freshness;
pub mod graphql;
pub mod graphql_http;
pub mod guard;
pub mod jobs;
pub mod lookup;
pub mod metrics;
pub mod notifications;
pub mod openapi;
pub mod origin;
pub mod persisted_queries;
pub mod rate_limit;
pub mod rest;
pub mod schedule;
pub mod scheduler;
pub mod snapshot;
pub mod startup;
pub mod state;
pub mod storage;
pub mod web;
pub mod wire;
pub mod words;
