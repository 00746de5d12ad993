//! `lacs import seed --dir` loses nothing by accident: an emptied, truncated or half file that
//! would remove or downgrade more than 5% of what it publishes is refused with the file's path and
//! the counts, and the database is left as it was; so is a file that would fall more than 5%
//! below the most it published in the last 30 days, however many imports that took;
//! `--allow-removals` lets it through. Every file (the indicator files too) is checked before
//! anything is written, messages name the file and line actually read, and an import is written
//! in one transaction: a failure anywhere publishes nothing.

use schema::Dataset;
use schema::domain::FetchStatus;
use schema::stored;
use testkit::{Backend, Contents, TestDb, both_backends, keep_rows, run_lacs, seed_dir_copy};

/// What must not move when an import is refused.
#[derive(Debug, PartialEq)]
struct State {
    version: i64,
    local_authorities: usize,
    inspections: usize,
    judgements: usize,
    interventions: usize,
    read_from_pdfs: usize,
    indicator_figures: usize,
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
        indicator_figures: data.indicator_values.len(),
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
        assert_eq!((before.interventions, before.judgements), (142, 3006));
        let dir = seed_dir_copy();
        let file = dir.path().join("interventions_seed.csv");
        keep_rows(&file, 0);

        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(!ok, "the import must fail: {out}");
        let expected = format!("{}: importing it would remove 142 of the 142 interventions it publishes (more than 5%)", file.display());
        assert!(err.contains(&expected), "{err}");
        assert!(err.contains("Nothing was changed") && err.contains("--allow-removals"), "{err}");
        assert_eq!(state(&db), before);
        assert_eq!(last_run(&db), ("seed".to_owned(), FetchStatus::Failed));

        // Deliberately: the flag lets it through, and the version moves.
        let (ok, out, err) = import(&db, dir.path(), &["--allow-removals"]);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["interventions"]["deleted"], 142);
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
            "{}: importing it would downgrade 455 of the 455 inspections read from their report PDFs (more than 5%); judgements 2406 → 2393",
            file.display()
        );
        assert!(err.contains(&expected), "{err}");
        assert_eq!(state(&db), before);
        assert_eq!(last_run(&db), ("seed".to_owned(), FetchStatus::Failed));

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
        assert_eq!(report["interventions"]["deleted"], 7);
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

/// Replaces the first `from` in line `line` (1-based) of a text file.
fn edit_line(path: &std::path::Path, line: usize, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    assert!(lines[line - 1].contains(from), "{}:{line}: {}", path.display(), lines[line - 1]);
    lines[line - 1] = lines[line - 1].replacen(from, to, 1);
    std::fs::write(path, lines.join("\n")).unwrap();
}

both_backends! {
    /// The case: seven interventions fewer (allowed on its own) and one malformed line in
    /// an indicator file, read last. Before, the first three groups were published and the import
    /// then failed; now the line is named and nothing is published.
    fn a_bad_line_in_an_indicator_file_publishes_nothing(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        assert!(before.indicator_figures > 20_000, "{before:?}");
        let dir = seed_dir_copy();

        // An unedited copy, indicator files included, changes nothing.
        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["run"]["counts"]["created"].as_i64().unwrap() + report["run"]["counts"]["changed"].as_i64().unwrap(), 0, "{out}");
        assert_eq!(state(&db), before);

        keep_rows(&dir.path().join("interventions_seed.csv"), 135);
        let context = dir.path().join("context/csww_indicators_2017_to_2025.csv");
        let text = std::fs::read_to_string(&context).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let malformed = format!("{},1", lines[9]);
        lines[9] = &malformed;
        std::fs::write(&context, lines.join("\n") + "\n").unwrap();

        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(!ok, "the import must fail: {out}");
        let expected = format!("{}:10: malformed CSV: 33 fields where the header has 32", context.display());
        assert!(err.contains(&expected), "{err}");
        assert_eq!(state(&db), before, "no record, no change event, no new version");
        assert_eq!(last_run(&db), ("seed".to_owned(), FetchStatus::Failed));

        // The line mended: one import, one new version, everything in it.
        std::fs::copy(testkit_seed("context/csww_indicators_2017_to_2025.csv"), &context).unwrap();
        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(ok, "{err}");
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["interventions"]["deleted"], 7, "{out}");
        let after = state(&db);
        assert_eq!((after.interventions, after.version), (135, before.version + 1));
        assert_eq!(after.changes, before.changes + 7);

        // An indicator file cut short is held to the same limit, by its path.
        keep_rows(&context, 100);
        let (ok, _, err) = import(&db, dir.path(), &[]);
        assert!(!ok);
        assert!(err.contains(&format!("{}: importing it would remove ", context.display())) && err.contains("figures it publishes (more than 5%)"), "{err}");
        assert_eq!(state(&db), after);
    }
}

both_backends! {
    /// A NUL byte, which PostgreSQL cannot store in text (and SQLite would have stored), is refused
    /// on reading on both databases, by file and line, with a change to an LA (written first)
    /// published neither.
    fn a_nul_byte_is_refused_by_file_and_line(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let before = state(&db);
        let las_before = Dataset::load(&mut db.conn()).unwrap().local_authorities;
        let dir = seed_dir_copy();
        let lookup = dir.path().join("Provider_data_lookup.csv");
        let text = std::fs::read_to_string(&lookup).unwrap();
        let norfolk = text.lines().find(|l| l.contains("Norfolk")).unwrap().to_owned();
        std::fs::write(&lookup, text.replace(&norfolk, &norfolk.replace(",247828,", ",247829,"))).unwrap();
        let interventions = dir.path().join("interventions_seed.csv");
        edit_line(&interventions, 5, "Commissioner role", "Commissioner\u{0} role");
        let context = dir.path().join("context/indicators.csv");
        edit_line(&context, 3, "Social", "Social\u{0}");

        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(!ok, "the import must fail: {out}");
        for (file, line) in [(&interventions, 5), (&context, 3)] {
            let expected = format!("{}:{line}: a NUL byte (0x00), which no text may hold", file.display());
            assert!(err.contains(&expected), "{expected}\n{err}");
        }
        assert_eq!(state(&db), before);
        assert_eq!(Dataset::load(&mut db.conn()).unwrap().local_authorities, las_before);
    }
}

/// Makes the database refuse any change to a stored indicator figure (a trigger): a failure in
/// the last part an import writes.
fn refuse_figure_updates(db: &TestDb) {
    use diesel::connection::SimpleConnection;
    let sql = match db.backend {
        Backend::Postgres => {
            "CREATE FUNCTION refuse_figure() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'a test refuses this figure'; END $$; \
             CREATE TRIGGER refuse_figure BEFORE UPDATE ON indicator_values FOR EACH ROW EXECUTE FUNCTION refuse_figure();"
        }
        Backend::Sqlite => {
            "CREATE TRIGGER refuse_figure BEFORE UPDATE ON indicator_values BEGIN SELECT RAISE(ABORT, 'a test refuses this figure'); END;"
        }
    };
    db.conn().batch_execute(sql).unwrap();
}

both_backends! {
    /// Whatever fails inside the write (here the database refusing the last record written) rolls
    /// back everything written before it: the import is one transaction.
    fn a_failure_while_writing_rolls_back_every_file(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let dir = seed_dir_copy();
        keep_rows(&dir.path().join("interventions_seed.csv"), 135);
        let history = dir.path().join("ofsted_csc_ilacs_history.csv");
        let text = std::fs::read_to_string(&history).unwrap();
        let line = text.lines().find(|l| l.contains("file/50204404")).unwrap().to_owned();
        std::fs::write(&history, text.replacen(&line, &line.replacen(",good,good,good,good,", ",good,outstanding,good,good,", 1), 1)).unwrap();
        // England's social workers in 2025.
        edit_line(&dir.path().join("context/csww_indicators_2017_to_2025.csv"), 2, ",36186.3,", ",36186.4,");
        refuse_figure_updates(&db);
        let before = state(&db);

        let (ok, out, err) = import(&db, dir.path(), &[]);
        assert!(!ok, "the import must fail: {out}");
        assert!(err.contains("a test refuses this figure"), "{err}");
        assert_eq!(state(&db), before);
        let norfolk = Dataset::load(&mut db.conn()).unwrap().inspection("50204404").unwrap().judgements.clone();
        assert!(norfolk.iter().all(|j| j.grade == schema::domain::Grade::Good), "{norfolk:?}");
        assert_eq!(last_run(&db), ("seed".to_owned(), FetchStatus::Failed));
    }
}

/// Moves every change-log entry `days` into the past.
fn age_changes(db: &TestDb, days: u32) {
    use diesel::connection::SimpleConnection;
    let sql = match db.backend {
        Backend::Postgres => format!("UPDATE changes SET changed_at = changed_at - interval '{days} days'"),
        Backend::Sqlite => {
            format!("UPDATE changes SET changed_at = strftime('%Y-%m-%d %H:%M:%f', changed_at, '-{days} days')")
        }
    };
    db.conn().batch_execute(&sql).unwrap();
}

both_backends! {
    /// Removals spread over several imports, each under 5%, are refused once the file would fall
    /// more than 5% below the most it published in the last 30 days; `--allow-removals` lets one
    /// through and the next is measured from what it left; removals older than 30 days no longer count.
    fn a_slow_leak_is_refused_like_a_large_removal(backend) {
        let db = TestDb::new(backend, Contents::Seeded);
        let dir = seed_dir_copy();
        let file = dir.path().join("interventions_seed.csv");
        let import_keeping = |rows: usize, extra: &[&str]| {
            std::fs::copy(testkit_seed("interventions_seed.csv"), &file).unwrap();
            keep_rows(&file, rows);
            import(&db, dir.path(), extra)
        };
        // 4, then 3 more: 7 below 142 (4.9%).
        for rows in [138, 135] {
            let (ok, _, err) = import_keeping(rows, &[]);
            assert!(ok, "{rows}: {err}");
        }
        assert_eq!(state(&db).interventions, 135);
        let before = state(&db);

        // One more would leave 8 below 142: refused, though it is 1 of 135.
        let (ok, _, err) = import_keeping(134, &[]);
        assert!(!ok);
        let expected = format!(
            "{}: importing it would remove 1 of the 135 interventions it publishes, leaving 134: 8 fewer (more than 5%) than the 142 it published on ",
            file.display()
        );
        assert!(err.contains(&expected), "{err}");
        let date = &err[err.find(&expected).unwrap() + expected.len()..][..10];
        let date: chrono::NaiveDate = date.parse().unwrap();
        assert!((chrono::Utc::now().date_naive() - date).num_days() <= 1, "the first removal was today: {err}");
        assert!(err.contains(", the most in the last 30 days. Nothing was changed.") && err.contains("--allow-removals"), "{err}");
        assert_eq!(state(&db), before);

        // Deliberately: through, and the count it left (134) is the new mark.
        let (ok, _, err) = import_keeping(134, &["--allow-removals"]);
        assert!(ok, "{err}");
        let (ok, _, err) = import_keeping(133, &[]);
        assert!(ok, "1 below 134: {err}");
        let (ok, _, err) = import_keeping(127, &[]);
        assert!(!ok);
        assert!(err.contains("would remove 6 of the 133 interventions it publishes, leaving 127: 7 fewer (more than 5%) than the 134 it published on "), "{err}");

        // A month later the earlier removals no longer count: 6 of 133 (4.5%) go through.
        age_changes(&db, 31);
        let (ok, _, err) = import_keeping(127, &[]);
        assert!(ok, "{err}");
        assert_eq!(state(&db).interventions, 127);
    }
}
