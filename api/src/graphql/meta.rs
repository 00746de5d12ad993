//! About the dataset and this endpoint's limits: `meta`.

use async_graphql::{Context, Object, Result, SimpleObject};

use super::common::*;

/// Row counts.
#[derive(SimpleObject)]
pub struct Counts {
    /// Councils, current and retired.
    pub local_authorities: usize,
    /// Inspections and visits.
    pub inspections: usize,
    /// Judgements.
    pub judgements: usize,
    /// Interventions.
    pub interventions: usize,
}

/// A source of records.
#[derive(SimpleObject)]
pub struct Source {
    /// The source's name.
    pub source: String,
    /// The document read most recently.
    pub source_url: String,
    /// The latest retrieval among its records (RFC 3339).
    pub last_retrieved_at: String,
    /// How many records it gave.
    pub records: usize,
}

/// About the dataset.
#[derive(SimpleObject)]
pub struct Meta {
    /// Increases with every change to public data.
    pub dataset_version: i64,
    /// When public data last changed (RFC 3339).
    pub last_modified: String,
    /// Row counts.
    pub counts: Counts,
    /// Sources.
    pub sources: Vec<Source>,
    /// The data's licence.
    pub licence: &'static str,
    /// Where to read it.
    pub licence_url: &'static str,
    /// The attribution to give.
    pub attribution: &'static str,
    /// The largest query complexity accepted.
    pub max_complexity: usize,
    /// The deepest nesting accepted.
    pub max_depth: usize,
}

/// The root fields about the dataset.
#[derive(Default)]
pub struct MetaQuery;

#[Object]
impl MetaQuery {
    /// About the dataset, and this endpoint's limits.
    async fn meta(&self, ctx: &Context<'_>) -> Result<Meta> {
        let ds = dataset(ctx)?;
        Ok(Meta {
            dataset_version: ds.version,
            last_modified: timestamp(ds.updated_at),
            counts: Counts {
                local_authorities: ds.counts.local_authorities,
                inspections: ds.counts.inspections,
                judgements: ds.counts.judgements,
                interventions: ds.counts.interventions,
            },
            sources: ds
                .sources
                .iter()
                .map(|s| Source {
                    source: s.source.clone(),
                    source_url: s.source_url.clone(),
                    last_retrieved_at: timestamp(s.last_retrieved_at),
                    records: s.records,
                })
                .collect(),
            licence: schema::LICENCE,
            licence_url: schema::LICENCE_URL,
            attribution: schema::ATTRIBUTION,
            max_complexity: super::MAX_COMPLEXITY,
            max_depth: super::MAX_DEPTH,
        })
    }
}
