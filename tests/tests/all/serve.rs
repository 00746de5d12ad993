//! The real `lacs serve` binary against a fresh database.

use testkit::{Contents, TestDb, TestServer, both_backends_async, run_lacs};

both_backends_async! {
    async fn first_start_on_an_empty_database_serves_the_bundled_data(backend) {
        let db = TestDb::blank(backend);
        let server = TestServer::start(&db);
        assert_eq!(server.get_json("/healthz", 200).await["status"], "ok");
        let ready = server.get_json("/readyz", 200).await;
        assert_eq!(ready["status"], "ready");
        assert_eq!(ready["database"], if backend == testkit::Backend::Postgres { "postgresql" } else { "sqlite" });

        let meta = server.get_json("/v1/meta", 200).await;
        assert_eq!(meta["counts"]["local_authorities"], 158);
        assert_eq!(meta["counts"]["inspections"], 1069);
        assert_eq!(meta["counts"]["judgements"], 3006);
        assert_eq!(meta["counts"]["interventions"], 142);
        assert_eq!(meta["dataset_version"], 1, "one version for the whole seed import");
        assert_eq!(meta["licence"]["name"], "Open Government Licence v3.0");
        assert!(meta["attribution"].as_str().unwrap().contains("Ofsted"));
        let sources: Vec<&str> = meta["sources"].as_array().unwrap().iter().map(|s| s["source"].as_str().unwrap()).collect();
        assert!(sources.contains(&"seed:ofsted_csc_ilacs_history.csv"), "{sources:?}");
        let history = meta["sources"].as_array().unwrap().iter().find(|s| s["source"] == "seed:ofsted_csc_ilacs_history.csv").unwrap();
        assert_eq!(history["last_retrieved_at"], "2026-08-22T05:22:11Z");
        assert_eq!(history["records"], 42, "the publications whose PDF our pipeline did not hold");

        let missing = server.get("/v1/nothing-here").await;
        assert_eq!(missing.status(), 404);
        assert_eq!(missing.headers()["content-type"], "application/problem+json");
    }
}

both_backends_async! {
    async fn a_running_server_picks_up_a_new_dataset_version(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let server = TestServer::start(&db);
        let before = server.get_json("/v1/meta", 200).await["dataset_version"].as_i64().unwrap();
        // An import in another process changes the data: drop one intervention line.
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed");
        let dir = tempfile::tempdir().unwrap();
        for name in fetchers::seed::FILES {
            std::fs::copy(path.join(name), dir.path().join(name)).unwrap();
        }
        let interventions = std::fs::read_to_string(path.join("interventions_seed.csv")).unwrap();
        let mut lines: Vec<&str> = interventions.lines().collect();
        lines.remove(1);
        std::fs::write(dir.path().join("interventions_seed.csv"), lines.join("\n")).unwrap();
        let (ok, out, err) = run_lacs(&db, &["import", "seed", "--dir", dir.path().to_str().unwrap()]);
        assert!(ok, "{out}\n{err}");

        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let meta = server.get_json("/v1/meta", 200).await;
            if meta["dataset_version"].as_i64().unwrap() == before + 1 {
                assert_eq!(meta["counts"]["interventions"], 141);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "snapshot not reloaded: {meta}");
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

#[test]
fn a_bad_database_url_is_explained() {
    let out = std::process::Command::new(testkit::lacs_binary())
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://localhost/lacs")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("DATABASE_URL must start with postgres://"), "{stderr}");
}

#[test]
fn parse_report_keeps_its_json_line_contract() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fetchers/tests/fixtures/ofsted-reports");
    let good = fixtures.join("80461-2025-05-13.pdf");
    let bad = fixtures.join("labels.json");
    let out = std::process::Command::new(testkit::lacs_binary())
        .arg("parse-report")
        .arg(&good)
        .arg(&bad)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one file failed, so the exit status is 1");
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "the other file is still printed");
    let devon = &lines[0];
    for key in [
        "file",
        "kind",
        "framework",
        "inspection_type",
        "reinspection",
        "local_authority",
        "inspection_start",
        "inspection_end",
        "on_site_periods",
        "published",
        "lead_inspectors",
        "judgements",
        "error",
    ] {
        assert!(devon.get(key).is_some(), "missing {key}");
    }
    assert_eq!(devon["inspection_start"], "2024-09-30");
    assert_eq!(devon["inspection_end"], "2025-01-16");
    assert_eq!(devon["on_site_periods"].as_array().unwrap().len(), 2);
    assert_eq!(devon["judgements"]["overall_effectiveness"], "inadequate");
    assert!(devon["published"].is_null() && devon["error"].is_null());
    assert!(lines[1]["error"].as_str().unwrap().contains("not a PDF"));
}
