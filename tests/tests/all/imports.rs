//! `lacs import seed --dir` loses nothing by accident: an emptied, truncated or half file that
//! would remove or downgrade more than 5% of what it publishes is refused with the file's path and
//! the counts, and the database is left as it was; `--allow-removals` lets it through. Every file
//! is checked before anything is written, and messages name the file actually read.

use schema::Dataset;
use schema::domain::FetchStatus;
use schema::stored;
use testkit::{Contents, TestDb, both_backends, keep_rows, run_lacs, seed_dir_copy};

/// What must not move when an import is refused.
#[derive(Debug, PartialEq)]
struct State {
    version: i64,
    local_authorities: usize,
    inspections: usize,
    judgements: usize,
    interventions: usize,
    read_from_pdfs: usize,
    changes: i64,
}

fn state(db: &TestDb) -> State {
    let mut conn = db.conn();
    let data = Dataset::load(&mut conn).unwrap();
    State {
        version: data.version,
        local_authorities: data.counts.local_authorities,
        inspections: data.counts.inspections,
        judgements: data.counts.judgements,
        interventions: data.counts.interventions,
        read_from_pdfs: data.inspections.iter().filter(|i| i.provenance.source == "ofsted").count(),
        changes: stored::change_count(&mut conn).unwrap(),
    }
}

fn import(db: &TestDb, dir: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["import", "seed", "--dir", dir.to_str().unwrap()];
    args.extend(extra);
    run_lacs(db, &args)
}

fn last_run(db: &TestDb) -> (String, FetchStatus) {
    let run = &stored::recent_runs(&mut db.conn(), 1).unwrap()[0];
    (run.source.clone(), run.status)
}

both_backends! {
    fn an_interventions_file_with_only_its_header_is_refused(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        assert_eq!((before.interventions, before.judgements), (142, 3012));
        let dir = seed_dir_copy();
        let file = dir.path().join("interventions_seed.csv");
        keep_rows(&file, 0);

        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(!ok, "the import must fail: {out}");
        let expected = format!("{}: importing it would remove 142 of the 142 interventions it publishes (more than 5%)", file.display());
        assert!(err.contains(&expected), "{err}");
        assert!(err.contains("Nothing was changed") && err.contains("--allow-removals"), "{err}");
        assert_eq!(state(&db), before);
        assert_eq!(last_run(&db), ("seed:interventions".to_owned(), FetchStatus::Failed));

        // Deliberately: the flag lets it through, and the version moves.
        let (ok, out, err) = import(&db, dir.path(), &["--allow-removals"]);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["interventions"]["counts"]["deleted"], 142);
        let after = state(&db);
        assert_eq!(after.interventions, 0);
        assert_eq!(after.version, before.version + 1);
        assert_eq!((after.inspections, after.judgements), (before.inspections, before.judgements));
    }
}

both_backends! {
    fn an_inspections_file_cut_short_does_not_replace_the_pdf_readings(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        assert_eq!(before.read_from_pdfs, 455);
        let dir = seed_dir_copy();
        let file = dir.path().join("ofsted_inspections.csv");

        // Header only: every reading would give way to the scraper's row.
        keep_rows(&file, 0);
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        let expected = format!(
            "{}: importing it would downgrade 455 of the 455 inspections read from their report PDFs (more than 5%); judgements 2406 → 2399",
            file.display()
        );
        assert!(err.contains(&expected), "{err}");
        assert_eq!(state(&db), before);
        assert_eq!(last_run(&db), ("seed:inspections".to_owned(), FetchStatus::Failed));

        // Half the file.
        std::fs::copy(testkit_seed("ofsted_inspections.csv"), &file).unwrap();
        keep_rows(&file, 227);
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        assert!(err.contains(&format!("{}: importing it would downgrade 228 of the 455", file.display())), "{err}");
        assert_eq!(state(&db), before);

        // The history file cut short: its own rows would go.
        std::fs::copy(testkit_seed("ofsted_inspections.csv"), &file).unwrap();
        let history = dir.path().join("ofsted_csc_ilacs_history.csv");
        keep_rows(&history, 300);
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        assert!(err.contains(&format!("{}: importing it would remove 17 of the 42 inspections it publishes", history.display())), "{err}");
        assert_eq!(state(&db), before);

        // With the flag the half file goes through.
        keep_rows(&file, 227);
        std::fs::copy(testkit_seed("ofsted_csc_ilacs_history.csv"), &history).unwrap();
        let (ok, _, err) = import(&db, dir.path(), &["--allow-removals"]);
        assert!(ok, "{err}");
        let after = state(&db);
        assert_eq!(after.read_from_pdfs, 227);
        assert_eq!(after.inspections, before.inspections);
        assert_eq!(after.version, before.version + 1);
    }
}

fn testkit_seed(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/seed").join(name)
}

both_backends! {
    fn a_few_removals_go_through_and_more_than_five_per_cent_do_not(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        let dir = seed_dir_copy();
        let file = dir.path().join("interventions_seed.csv");
        // 8 of 142 is 5.6%: refused.
        keep_rows(&file, 134);
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        assert!(err.contains("would remove 8 of the 142 interventions"), "{err}");
        assert_eq!(state(&db), before);
        // 7 of 142 is 4.9%: a curated list may lose a few lines without the flag.
        std::fs::copy(testkit_seed("interventions_seed.csv"), &file).unwrap();
        keep_rows(&file, 135);
        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["interventions"]["counts"]["deleted"], 7);
        assert_eq!(state(&db).interventions, 135);
    }
}

both_backends! {
    fn every_file_is_checked_before_anything_is_written_and_errors_name_it(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        let las_before = Dataset::load(&mut db.conn()).unwrap().local_authorities;
        let dir = seed_dir_copy();
        // A change to an LA (written first) and a bad line in the interventions (read last).
        let lookup = dir.path().join("Provider_data_lookup.csv");
        let text = std::fs::read_to_string(&lookup).unwrap();
        let norfolk = text.lines().find(|l| l.contains("Norfolk")).unwrap().to_owned();
        std::fs::write(&lookup, text.replace(&norfolk, &norfolk.replace(",247828,", ",247829,"))).unwrap();
        let interventions = dir.path().join("interventions_seed.csv");
        let text = std::fs::read_to_string(&interventions).unwrap();
        std::fs::write(&interventions, text.replacen("Birmingham City Council", "Gotham City Council", 1)).unwrap();

        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        let expected = format!(
            "{}:2: local authority `Gotham City Council` matches no LA name; add it to {}",
            interventions.display(),
            dir.path().join("la_aliases.csv").display()
        );
        assert!(err.contains(&expected), "{err}");
        assert!(!err.contains("data/seed/"), "{err}");
        assert_eq!(state(&db), before);
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().local_authorities, las_before);

        // A file too large to be a seed file is refused before it is read, by its path.
        let aliases = dir.path().join("la_aliases.csv");
        std::fs::File::options().write(true).open(&aliases).unwrap().set_len(fetchers::seed::MAX_FILE_BYTES + 1).unwrap();
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        assert!(err.contains(&format!("{}: the file is larger than the 32 MiB a seed file may be", aliases.display())), "{err}");
        assert_eq!(state(&db), before);
    }
}
