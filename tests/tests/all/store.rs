//! `Store`: idempotent upserts, the change log, the dataset version, and failed runs that leave
//! the data as it was.

use chrono::{NaiveDate, TimeZone, Utc};
use schema::StoreError;
use schema::domain::*;
use schema::store::{Outcome, Store};
use schema::stored;
use testkit::{Contents, TestDb, both_backends};

fn provenance(source: &str) -> Provenance {
    Provenance {
        source: source.to_owned(),
        source_url: "https://example.org/source".to_owned(),
        retrieved_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
        sha256: "0".repeat(64),
        parser_version: "test-1".to_owned(),
    }
}

fn la() -> LocalAuthority {
    LocalAuthority {
        gss_code: "E99999999".into(),
        former_gss_codes: vec![],
        dfe_code: Some("999".into()),
        ofsted_urn: Some("99999".into()),
        name: "Testshire".into(),
        short_name: "Testshire".into(),
        slug: "testshire".into(),
        region_code: Some("E12000001".into()),
        region_name: Some("North East".into()),
        la_type: Some(LaType::County),
        statistical_neighbours: vec!["998".into(), "997".into()],
        population_0_25: Some(1234),
        valid_from: None,
        valid_to: None,
        website: None,
        notes: None,
        provenance: provenance("test"),
    }
}

fn inspection(grade: Grade) -> Inspection {
    Inspection {
        id: "123".into(),
        la: "E99999999".into(),
        kind: InspectionKind::Inspection,
        framework: Some(Framework::Ilacs),
        inspection_type: Some(InspectionType::Short),
        start_date: NaiveDate::from_ymd_opt(2025, 3, 3),
        end_date: NaiveDate::from_ymd_opt(2025, 3, 7),
        second_start_date: None,
        second_end_date: None,
        published: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
        lead_inspectors: vec!["A Inspector".into()],
        inspectors: Vec::new(),
        theme: None,
        report_url: "https://files.ofsted.gov.uk/v1/file/123".into(),
        provider_url: None,
        // Deliberately out of area order: the store must not see a reordering as a change.
        judgements: vec![
            Judgement { area: Area::HelpAndProtection, grade: Grade::Good },
            Judgement { area: Area::OverallEffectiveness, grade },
        ],
        notes: None,
        statements: Vec::new(),
        provenance: provenance("test"),
    }
}

both_backends! {
    fn upserts_are_idempotent_and_logged(backend) {
        let db = TestDb::new(backend, Contents::Empty);
        let mut conn = db.conn();
        let (v0, _) = stored::current_version(&mut conn).unwrap();

        let run = Store::run(&mut conn, "test", |w| {
            assert_eq!(w.put_local_authority(&la())?, Outcome::Created);
            assert_eq!(w.put_inspection(&inspection(Grade::Good))?, Outcome::Created);
            Ok(())
        })
        .unwrap();
        assert_eq!((run.counts.created, run.counts.changed), (2, 0));
        assert_eq!(run.dataset_version, v0 + 1, "one bump per transaction that changed data");
        assert_eq!(stored::change_count(&mut conn).unwrap(), 2);

        // The same facts again, retrieved later from an edited copy by a newer parser: nothing changes.
        let again = Store::run(&mut conn, "test", |w| {
            let mut later = inspection(Grade::Good);
            later.provenance.retrieved_at = Utc::now();
            later.provenance.sha256 = "f".repeat(64);
            later.provenance.parser_version = "test-2".into();
            assert_eq!(w.put_local_authority(&la())?, Outcome::Unchanged);
            assert_eq!(w.put_inspection(&later)?, Outcome::Unchanged);
            Ok(())
        })
        .unwrap();
        assert_eq!(again.counts.created + again.counts.changed, 0);
        assert_eq!(again.dataset_version, v0 + 1);
        assert_eq!(stored::change_count(&mut conn).unwrap(), 2);
        assert!(again.run_id > run.run_id, "fetch run ids come back from INSERT … RETURNING");

        let kept = stored::find_inspection(&mut conn, "123").unwrap().unwrap();
        assert_eq!(kept.provenance.sha256, "0".repeat(64), "the first provenance stays");

        // A corrected grade is an update with before and after.
        let fixed = Store::run(&mut conn, "test", |w| {
            assert_eq!(w.put_inspection(&inspection(Grade::Inadequate))?, Outcome::Updated);
            Ok(())
        })
        .unwrap();
        assert_eq!(fixed.counts.changed, 1);
        assert_eq!(fixed.dataset_version, v0 + 2);
        let stored = stored::find_inspection(&mut conn, "123").unwrap().unwrap();
        assert_eq!(stored.grade(Area::OverallEffectiveness), Some(Grade::Inadequate));
        assert_eq!(stored.judgements.len(), 2);

        let dataset = schema::Dataset::load(&mut conn).unwrap();
        assert_eq!(dataset.version, v0 + 2);
        assert_eq!(dataset.counts.changes, 3);
        let la = dataset.local_authority("testshire").unwrap();
        assert_eq!(dataset.local_authority("99999").unwrap().gss_code, la.gss_code);
        assert_eq!(dataset.local_authority("e99999999").unwrap().gss_code, la.gss_code);
        assert_eq!(dataset.inspections_of(&la.gss_code).count(), 1);
    }
}

both_backends! {
    fn a_failed_run_changes_nothing_and_is_recorded(backend) {
        let db = TestDb::new(backend, Contents::Empty);
        let mut conn = db.conn();
        let (v0, _) = stored::current_version(&mut conn).unwrap();
        let result = Store::run(&mut conn, "test", |w| {
            w.put_local_authority(&la())?;
            Err(StoreError::Rejected { what: "test input".into(), errors: vec!["file.csv:3: bad".into()] })
        });
        assert!(matches!(result, Err(StoreError::Rejected { .. })));
        assert!(stored::find_local_authority(&mut conn, "E99999999").unwrap().is_none(), "rolled back");
        assert_eq!(stored::current_version(&mut conn).unwrap().0, v0);
        assert_eq!(stored::change_count(&mut conn).unwrap(), 0);
        let runs = stored::recent_runs(&mut conn, 1).unwrap();
        assert_eq!(runs[0].status, FetchStatus::Failed);
        assert_eq!(runs[0].errors, vec!["file.csv:3: bad".to_owned()]);
        assert!(runs[0].finished_at.is_some());
    }
}

both_backends! {
    fn records_a_source_no_longer_states_are_deleted_and_logged(backend) {
        let db = TestDb::new(backend, Contents::Empty);
        let mut conn = db.conn();
        Store::run(&mut conn, "test", |w| {
            w.put_local_authority(&la())?;
            w.put_inspection(&inspection(Grade::Good)).map(drop)
        })
        .unwrap();
        let run = Store::run(&mut conn, "test", |w| w.delete_unseen("test").map(drop)).unwrap();
        assert_eq!(run.counts.deleted, 1);
        assert!(stored::find_inspection(&mut conn, "123").unwrap().is_none());
        assert_eq!(stored::change_count(&mut conn).unwrap(), 3);
    }
}
