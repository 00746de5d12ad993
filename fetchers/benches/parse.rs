//! Parsing one real report of each era, from bytes to `ParsedReport` (text extraction included).
//! Run with `cargo bench -p fetchers --bench parse`; figures are in docs/benchmarks.md.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn benches(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ofsted-reports");
    for (era, file) in [
        ("sif_2015", "80418-2015-10-20.pdf"),
        ("ilacs_2018", "80536-2018-05-22.pdf"),
        ("ilacs_2024", "2733690-2024-11-26.pdf"),
        ("ilacs_2026_reform", "2637539-2026-07-07.pdf"),
        ("focused_visit_2024", "80479-2024-03-06.pdf"),
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        c.bench_function(&format!("parse_{era}"), |b| b.iter(|| black_box(fetchers::report::parse(&bytes).unwrap())));
    }

    // Every fixture (62 reports and letters) through the parallel parse step, on one worker and
    // on one per core: the step `parse-report`, the crawler and the seed rebuild share.
    let mut all: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    all.sort();
    let limits = fetchers::report::LIMITS;
    for (name, workers) in [("parse_fixtures_1_worker", 1), ("parse_fixtures_per_core", fetchers::parallel::workers())]
    {
        c.bench_function(name, |b| {
            b.iter(|| {
                let docs: Vec<&[u8]> = all.iter().map(Vec::as_slice).collect();
                let parsed =
                    fetchers::parallel::map_in_order(docs, workers, |d| fetchers::report::parse_with(d, &limits));
                black_box(parsed)
            })
        });
    }
}

criterion_group!(name = parse; config = Criterion::default().sample_size(10); targets = benches);
criterion_main!(parse);
