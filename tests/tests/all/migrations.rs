//! Every migration goes up, down and up again on both backends.

use testkit::{Backend, TestDb, both_backends};

const TABLES: [&str; 8] = [
    "local_authorities",
    "successions",
    "inspections",
    "judgements",
    "interventions",
    "fetch_runs",
    "changes",
    "dataset_version",
];

fn table_exists(db: &TestDb, table: &str) -> bool {
    use diesel::prelude::*;
    let mut conn = db.conn();
    // A portable probe: selecting from a missing table fails on both backends.
    diesel::sql_query(format!("SELECT COUNT(*) FROM {table}")).execute(&mut conn).is_ok()
}

both_backends! {
    fn up_down_up(backend) {
        let db = TestDb::blank(backend);
        let mut conn = db.conn();
        let names = schema::db::migration_names(if backend == Backend::Postgres { "postgresql" } else { "sqlite" });
        assert!(!names.is_empty());
        assert_eq!(schema::db::run_migrations(&mut conn).unwrap(), names.len());
        assert!(TABLES.iter().all(|t| table_exists(&db, t)));
        assert_eq!(schema::db::run_migrations(&mut conn).unwrap(), 0, "nothing pending after a full run");

        assert_eq!(schema::db::revert_all_migrations(&mut conn).unwrap(), names.len());
        for t in TABLES {
            assert!(!table_exists(&db, t), "{t} survives the down migrations");
        }
        assert_eq!(schema::db::run_migrations(&mut conn).unwrap(), names.len());
        assert!(TABLES.iter().all(|t| table_exists(&db, t)));
    }
}

both_backends! {
    fn check_constraints_refuse_unknown_vocabulary(backend) {
        use diesel::prelude::*;
        let db = TestDb::new(backend, testkit::Contents::Seeded);
        let mut conn = db.conn();
        let refused = diesel::sql_query("UPDATE judgements SET grade = 'excellent'").execute(&mut conn);
        assert!(refused.is_err(), "a grade outside the vocabulary was stored");
        let refused = diesel::sql_query("UPDATE inspections SET kind = 'audit'").execute(&mut conn);
        assert!(refused.is_err(), "an inspection kind outside the vocabulary was stored");
    }
}
