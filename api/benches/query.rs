//! The hot paths behind each endpoint, on the full bundled dataset: deriving status, filtering,
//! paging and rendering JSON, and the GraphQL query for every council's latest judgements.
//! Run with `cargo bench -p api`; figures are in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;

use api::rest::views::{InspectionView, LocalAuthorityDetail, LocalAuthoritySummary};
use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use schema::query::local_authorities::{self, LaFilter};
use schema::query::records::{self, InspectionFilter};
use schema::query::{PageRequest, stats};
use schema::{DatabaseUrl, Dataset};

fn dataset() -> (Dataset, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::Sqlite(dir.path().join("bench.db"));
    let mut conn = url.connect().unwrap();
    schema::db::run_migrations(&mut conn).unwrap();
    fetchers::seed::import(&mut conn, &fetchers::seed::SeedFiles::bundled()).unwrap();
    (Dataset::load(&mut conn).unwrap(), dir)
}

fn benches(c: &mut Criterion) {
    let (ds, dir) = dataset();
    let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let page = PageRequest { limit: Some(50), after: None };

    c.bench_function("dataset_load_sqlite", |b| {
        let mut conn = DatabaseUrl::Sqlite(dir.path().join("bench.db")).connect().unwrap();
        b.iter(|| black_box(Dataset::load(&mut conn).unwrap()))
    });

    c.bench_function("local_authority_detail_json", |b| {
        let la = ds.local_authority("norfolk").unwrap();
        b.iter(|| {
            let status = local_authorities::status(&ds, la, day);
            black_box(serde_json::to_vec(&LocalAuthorityDetail::new(&ds, &status)).unwrap())
        })
    });

    c.bench_function("local_authorities_page_json", |b| {
        b.iter(|| {
            let p = local_authorities::list(&ds, &LaFilter::new(day), &page).unwrap();
            let rows: Vec<_> = p.rows().map(LocalAuthoritySummary::new).collect();
            black_box(serde_json::to_vec(&rows).unwrap())
        })
    });

    c.bench_function("inspections_filtered_page_json", |b| {
        let filter = InspectionFilter {
            grades: vec![(schema::domain::Area::OverallEffectiveness, schema::domain::Grade::Inadequate)],
            ..Default::default()
        };
        b.iter(|| {
            let p = records::inspections(&ds, &filter, &page).unwrap();
            let rows: Vec<_> = p.rows().map(|i| InspectionView::new(&ds, i)).collect();
            black_box(serde_json::to_vec(&rows).unwrap())
        })
    });

    c.bench_function("rating_stats_by_region", |b| {
        b.iter(|| {
            black_box(stats::ratings(
                &ds,
                day,
                schema::domain::Area::OverallEffectiveness,
                stats::GroupBy::Region,
                Default::default(),
            ))
        })
    });

    let engine = api::graphql::Engine::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let ds = Arc::new(ds);
    c.bench_function("graphql_all_las_latest_judgements", |b| {
        b.iter(|| {
            let query = "{ localAuthorities(first: 500) { edges { node { gssCode name latestInspection { published judgements { area grade } } } } } }";
            let request = async_graphql::Request::new(query);
            let outcome = runtime.block_on(engine.execute(ds.clone(), request, std::time::Duration::from_secs(5)));
            assert!(outcome.response.errors.is_empty());
            black_box(outcome.to_json())
        })
    });
}

/// Every council (current and retired) with every inspection and its overall grade: the
/// "everything" query of docs/benchmarks.md, and the same data from the REST lists.
pub const EVERYTHING: &str = "{ localAuthorities(first: 500, filter: {status: ALL}) { edges { node { gssCode name \
    inspections(first: 20) { edges { node { id published grade(area: OVERALL_EFFECTIVENESS) } } } } } } }";

fn everything(c: &mut Criterion) {
    let (ds, _dir) = dataset();
    let day = schema::query::today();
    let engine = api::graphql::Engine::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let ds = Arc::new(ds);
    c.bench_function("graphql_everything_uncached", |b| {
        b.iter(|| {
            let request = async_graphql::Request::new(EVERYTHING);
            let outcome = runtime.block_on(engine.execute(ds.clone(), request, std::time::Duration::from_secs(5)));
            assert!(outcome.response.errors.is_empty(), "{:?}", outcome.response.errors);
            black_box(outcome.to_json())
        })
    });
    // The REST lists of the same data: every council's summary (status derived) and every
    // inspection, in pages of 500, rendered as JSON.
    c.bench_function("rest_everything_uncached", |b| {
        b.iter(|| {
            let mut all = LaFilter::new(day);
            all.lifecycle = local_authorities::Lifecycle::All;
            let everything = PageRequest { limit: Some(500), after: None };
            let las = local_authorities::list(&ds, &all, &everything).unwrap();
            let rows: Vec<_> = las.rows().map(LocalAuthoritySummary::new).collect();
            let mut bytes = serde_json::to_vec(&rows).unwrap();
            let mut after = None;
            loop {
                let page = PageRequest { limit: Some(500), after: after.take() };
                let p = records::inspections(&ds, &InspectionFilter::default(), &page).unwrap();
                let rows: Vec<_> = p.rows().map(|i| InspectionView::new(&ds, i)).collect();
                bytes.extend(serde_json::to_vec(&rows).unwrap());
                match p.next {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            black_box(bytes)
        })
    });
}

/// What a unit of GraphQL complexity costs in time, for each kind of work the cost model
/// counts: queries that each do mostly one thing, run uncached. Each prints its complexity;
/// docs/benchmarks.md divides the time by it (the model's weights, `limits::STATUS` among them,
/// come from these figures).
fn cost_per_complexity(c: &mut Criterion) {
    let (ds, _dir) = dataset();
    let engine = api::graphql::Engine::new();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let indicator = ds.indicators.first().map(|i| i.id.clone()).unwrap();
    let ds = Arc::new(ds);
    let probes = [
        ("councils_read", "{ localAuthorities(first: 1) { totalCount } }".to_owned()),
        ("figures_read", format!(r#"{{ indicator(id: "{indicator}") {{ values(first: 1) {{ totalCount }} }} }}"#)),
        ("inspections_read", "{ inspections(first: 1) { totalCount } }".to_owned()),
        ("rating_stats", "{ ratingStats { total } }".to_owned()),
        (
            "fields_resolved",
            "{ inspections(first: 500) { edges { node { id kind published judgements { area grade } } } } }".to_owned(),
        ),
        (
            "status_derived",
            "{ localAuthorities(first: 500) { edges { node { statisticalNeighbours { latestInspection { id } } } } } }"
                .to_owned(),
        ),
        (
            "neighbours",
            "{ localAuthorities(first: 500) { edges { node { statisticalNeighbours { name } } } } }".to_owned(),
        ),
        ("introspection", "{ __schema { types { name fields { name args { name } type { name } } } } }".to_owned()),
    ];
    for (name, query) in probes {
        let run = || {
            let outcome = runtime.block_on(engine.execute(
                ds.clone(),
                async_graphql::Request::new(query.as_str()),
                std::time::Duration::from_secs(5),
            ));
            assert!(outcome.response.errors.is_empty(), "{name}: {:?}", outcome.response.errors);
            outcome
        };
        println!("graphql_cost_{name}: complexity {}", run().cost.map_or(0, |c| c.complexity));
        c.bench_function(&format!("graphql_cost_{name}"), |b| b.iter(|| black_box(run().to_json())));
    }
}

criterion_group!(name = query; config = Criterion::default().sample_size(30); targets = benches, everything, cost_per_complexity);
criterion_main!(query);
