-- The two PostgreSQL roles a lacs deployment uses (docs/deploy.md). Run it as the role that owns
-- the lacs tables (the one `lacs migrate` runs as), connected to the lacs database, after the
-- first `lacs migrate`; run it again after any migration that adds a table (it is idempotent):
--
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f scripts/postgres-roles.sql
--
-- It creates two group roles that cannot log in. Give each login its group:
--
--   CREATE ROLE lacs_web LOGIN PASSWORD '…' IN ROLE lacs_reader;  -- replicas, LACS_SCHEDULE=off
--   CREATE ROLE lacs_fetch LOGIN PASSWORD '…' IN ROLE lacs_writer; -- fetch runs (scheduler, lacs fetch)
--
-- lacs_reader reads every table, which is all `lacs serve` needs when scheduling is off (it
-- then writes nothing at start-up when the database is migrated and holds data). lacs_writer
-- also inserts, updates and deletes rows (fetch runs and what they publish) but cannot change the
-- schema: migrations stay with the owner. Advisory locks and LISTEN need no grant.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lacs_reader') THEN
        CREATE ROLE lacs_reader NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lacs_writer') THEN
        CREATE ROLE lacs_writer NOLOGIN IN ROLE lacs_reader;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO lacs_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO lacs_reader;
GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO lacs_writer;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO lacs_writer;

-- Tables and sequences later migrations create (as this owner) get the same grants.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO lacs_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT INSERT, UPDATE, DELETE ON TABLES TO lacs_writer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO lacs_writer;
