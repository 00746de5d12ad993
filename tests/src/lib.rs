//! Test harness: a fresh database per test on each backend, and the real `lacs` binary on a
//! random port.
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (an admin URL such as
//! `postgres://postgres@127.0.0.1:5432/postgres`; `scripts/test` starts a throwaway server and
//! sets it). Each test database is created from a template that is migrated (and, for seeded
//! tests, loaded with the bundled seed) once per content hash, under an advisory lock so that
//! parallel test processes build it once. SQLite databases are files in a temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod browser;
pub mod html;
pub mod imitation;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;
use schema::{AnyConnection, DatabaseUrl};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A throwaway database on the test PostgreSQL server.
    Postgres,
    /// A SQLite file in a temp directory.
    Sqlite,
}

/// Whether the test database starts empty (migrated only) or with the bundled seed imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// Migrated, no rows.
    Empty,
    /// Migrated and seeded with `fetchers::seed::SeedFiles::bundled()`.
    Seeded,
}

/// Runs the body once per backend, as two tests named `postgres` and `sqlite`.
#[macro_export]
macro_rules! both_backends {
    ($(#[$meta:meta])* fn $name:ident($backend:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($backend: $crate::Backend) $body
            #[test]
            fn postgres() { run($crate::Backend::Postgres) }
            #[test]
            fn sqlite() { run($crate::Backend::Sqlite) }
        }
    };
}

/// Same as [`both_backends!`] for async tests (a Tokio runtime per test).
#[macro_export]
macro_rules! both_backends_async {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($backend: $crate::Backend) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() { run($crate::Backend::Postgres).await }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() { run($crate::Backend::Sqlite).await }
        }
    };
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    /// Where it is.
    pub url: DatabaseUrl,
    /// The same as a `DATABASE_URL` string.
    pub url_string: String,
    /// Its backend.
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres { admin_url: String, name: String },
    Sqlite { _dir: tempfile::TempDir },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut admin);
        }
    }
}

/// The admin URL of the test PostgreSQL server.
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_DATABASE_URL is not set. Run the tests with scripts/test (it starts a throwaway \
             PostgreSQL), or set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
        )
    })
}

/// The URL of another database on the same server as `admin_url`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin_url, None),
    };
    // postgres://user@host:port/db: replace what follows the authority's slash.
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A hash of what a template holds: the migrations and, when seeded, the seed files.
fn template_fingerprint(backend_dir: &str, contents: Contents) -> String {
    let mut files = Vec::new();
    let mut dirs = vec![repo_root().join("schema/migrations").join(backend_dir)];
    if contents == Contents::Seeded {
        // The seed files and the code that imports them decide what a seeded template holds.
        dirs.extend(["data/seed", "schema/src", "fetchers/src"].map(|d| repo_root().join(d)));
    }
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { files.push(path) }
        }
    }
    files.sort();
    let mut bytes = Vec::new();
    for f in files {
        bytes.extend(f.to_string_lossy().as_bytes());
        bytes.extend(std::fs::read(&f).unwrap());
    }
    fingerprint(&bytes)
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{}_{n}_{nanos}", std::process::id())
}

fn fill(conn: &mut AnyConnection, contents: Contents) {
    schema::db::run_migrations(conn).expect("migrations run");
    if contents == Contents::Seeded {
        fetchers::seed::import(conn, &fetchers::seed::SeedFiles::bundled()).expect("seed imports");
    }
}

impl TestDb {
    /// A fresh database on `backend` with `contents`.
    pub fn new(backend: Backend, contents: Contents) -> TestDb {
        match backend {
            Backend::Postgres => Self::postgres(contents),
            Backend::Sqlite => Self::sqlite(contents),
        }
    }

    /// A fresh database with nothing in it, not even the migrations.
    pub fn blank(backend: Backend) -> TestDb {
        match backend {
            Backend::Postgres => {
                let admin_url = admin_url();
                let name = format!("lacs_t_{}", unique_suffix());
                let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
                diesel::sql_query(format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).unwrap();
                Self::postgres_handle(admin_url, name)
            }
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("lacs.db");
                TestDb {
                    url_string: format!("sqlite://{}", path.display()),
                    url: DatabaseUrl::Sqlite(path),
                    backend,
                    cleanup: Cleanup::Sqlite { _dir: dir },
                }
            }
        }
    }

    fn postgres_handle(admin_url: String, name: String) -> TestDb {
        let url_string = with_database(&admin_url, &name);
        TestDb {
            url: DatabaseUrl::parse(&url_string).unwrap(),
            url_string,
            backend: Backend::Postgres,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    fn postgres(contents: Contents) -> TestDb {
        let admin_url = admin_url();
        let template = format!("lacs_tpl_{}", template_fingerprint("postgres", contents));
        let mut admin = PgConnection::establish(&admin_url).expect("connect to TEST_DATABASE_URL");
        // One process builds each template; the others wait here and then find it.
        diesel::sql_query("SELECT pg_advisory_lock(727100)").execute(&mut admin).unwrap();
        let exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(&template)
            .get_result::<Exists>(&mut admin)
            .unwrap()
            .exists;
        if !exists {
            let building = format!("{template}_building");
            diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
                .execute(&mut admin)
                .unwrap();
            diesel::sql_query(format!("CREATE DATABASE \"{building}\"")).execute(&mut admin).unwrap();
            {
                let mut conn = DatabaseUrl::parse(&with_database(&admin_url, &building)).unwrap().connect().unwrap();
                fill(&mut conn, contents);
            }
            // Renaming is atomic: a half-built template is never used.
            diesel::sql_query(format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\""))
                .execute(&mut admin)
                .unwrap();
        }
        let name = format!("lacs_t_{}", unique_suffix());
        let created =
            diesel::sql_query(format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).execute(&mut admin);
        diesel::sql_query("SELECT pg_advisory_unlock(727100)").execute(&mut admin).unwrap();
        created.unwrap();
        Self::postgres_handle(admin_url, name)
    }

    fn sqlite(contents: Contents) -> TestDb {
        // The seeded SQLite template is built once per process and copied per test.
        static TEMPLATES: std::sync::Mutex<Vec<(Contents, PathBuf, tempfile::TempDir)>> =
            std::sync::Mutex::new(Vec::new());
        let mut templates = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
        let template = match templates.iter().find(|(c, _, _)| *c == contents) {
            Some((_, path, _)) => path.clone(),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("template.db");
                {
                    let mut conn = DatabaseUrl::Sqlite(path.clone()).connect().unwrap();
                    fill(&mut conn, contents);
                    use diesel::connection::SimpleConnection;
                    // Fold the WAL back into the main file so that copying the file copies everything.
                    conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
                }
                templates.push((contents, path.clone(), dir));
                path
            }
        };
        drop(templates);
        let db = Self::blank(Backend::Sqlite);
        let DatabaseUrl::Sqlite(path) = &db.url else { unreachable!() };
        std::fs::copy(&template, path).unwrap();
        db
    }

    /// A new connection.
    pub fn conn(&self) -> AnyConnection {
        self.url.connect().expect("connect to the test database")
    }
}

/// FNV-1a, 64 bit: a stable content hash for template names (not for security).
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The `lacs` binary built alongside these tests.
pub fn lacs_binary() -> PathBuf {
    if let Ok(path) = std::env::var("LACS_BIN") {
        return PathBuf::from(path);
    }
    // target/<profile>/deps/<test binary> → target/<profile>/lacs
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = profile_dir.join(format!("lacs{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} is missing: build it with `cargo build -p api` (scripts/test does)", bin.display());
    // `cargo test -p integration-tests` does not rebuild another package's binary: refuse a stale one.
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).unwrap();
    let newest_source = newest_file(&["api/src", "schema/src", "schema/migrations", "fetchers/src", "data/seed"]);
    assert!(
        built >= newest_source,
        "{} is older than the sources: rebuild it with `cargo build -p api` (scripts/test does)",
        bin.display()
    );
    bin
}

fn newest_file(dirs: &[&str]) -> std::time::SystemTime {
    let mut newest = std::time::SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| repo_root().join(d)).collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(modified) = entry.metadata().and_then(|m| m.modified()) {
                newest = newest.max(modified);
            }
        }
    }
    newest
}

/// The real `lacs serve`, on a random port, stopped when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// A client for it.
    pub client: reqwest::Client,
    child: Child,
    /// Where the server cuts releases; removed with the server.
    _data_dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts `lacs serve` against `db` and waits until it says where it listens.
    pub fn start(db: &TestDb) -> TestServer {
        Self::start_with(db, &[])
    }

    /// Same as [`TestServer::start`] with extra environment variables.
    pub fn start_with(db: &TestDb, env: &[(&str, &str)]) -> TestServer {
        Self::start_at(&db.url_string, env)
    }

    /// Same as [`TestServer::start_with`] against the database at `database_url` (another
    /// role's URL of a test database).
    pub fn start_at(database_url: &str, env: &[(&str, &str)]) -> TestServer {
        Self::start_capped_at(database_url, env, None)
    }

    /// Same as [`TestServer::start_with`] with the server's address space capped at
    /// `memory_mib` MiB (`ulimit -v`, which what it starts inherits).
    pub fn start_capped(db: &TestDb, env: &[(&str, &str)], memory_mib: u64) -> TestServer {
        Self::start_capped_at(&db.url_string, env, Some(memory_mib))
    }

    fn start_capped_at(database_url: &str, env: &[(&str, &str)], memory_mib: Option<u64>) -> TestServer {
        let data_dir = tempfile::tempdir().expect("data dir");
        let mut command = match memory_mib {
            Some(mib) => {
                let mut sh = Command::new("sh");
                sh.arg("-c").arg(format!("ulimit -v {} && exec \"$@\"", mib * 1024)).arg("sh").arg(lacs_binary());
                sh
            }
            None => Command::new(lacs_binary()),
        };
        let mut child = command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("LACS_RELOAD_SECS", "1")
            .env("LACS_DATA_DIR", data_dir.path())
            .env("DATABASE_URL", database_url)
            .env("RUST_LOG", "warn")
            // Generous enough for any test; the rate-limit tests set their own.
            .env("LACS_RATE_LIMIT", "1000000")
            .env("LACS_RATE_LIMIT_BURST", "100000")
            // Never a scheduled fetch of the real sites; the scheduling tests turn it on.
            .env("LACS_SCHEDULE", "off")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start lacs");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("lacs listening on ") {
                    let _ = tx.send(url.to_owned());
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        let base_url = loop {
            if let Ok(url) = rx.recv_timeout(Duration::from_millis(100)) {
                break url;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("lacs serve exited before listening: {status}");
            }
            assert!(Instant::now() < deadline, "lacs serve did not start within 120 s");
        };
        TestServer { base_url, client: reqwest::Client::new(), child, _data_dir: data_dir }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `GET base_url + path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base_url)).send().await.expect("request")
    }

    /// `GET` and parse JSON, asserting the status.
    pub async fn get_json(&self, path: &str, status: u16) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status().as_u16(), status, "GET {path}");
        response.json().await.expect("JSON body")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `lacs` with arguments against `db`; returns (success, stdout, stderr).
pub fn run_lacs(db: &TestDb, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(lacs_binary()).args(args).env("DATABASE_URL", &db.url_string).output().expect("run lacs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the bundled seed files (`data/seed/`, with the indicator files of `context/`) in a
/// temp directory, to edit and import with `lacs import seed --dir`.
pub fn seed_dir_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let context =
        fetchers::indicators::IndicatorFiles::bundled().files.into_iter().map(|f| format!("context/{}", f.name));
    for name in fetchers::seed::FILES.map(str::to_owned).into_iter().chain(context) {
        let to = dir.path().join(&name);
        std::fs::create_dir_all(to.parent().unwrap()).expect("make a directory");
        std::fs::copy(repo_root().join("data/seed").join(&name), to).expect("copy a seed file");
    }
    dir
}

/// Keeps the header row and the first `rows` rows of a CSV file.
pub fn keep_rows(path: &Path, rows: usize) {
    let text = std::fs::read_to_string(path).expect("read the file");
    let kept: Vec<&str> = text.lines().take(rows + 1).collect();
    std::fs::write(path, kept.join("\n") + "\n").expect("write the file");
}

/// Runs `lacs` with arguments and no database, its address space capped at `memory_mib` (as
/// `ulimit -v` does): returns (exit code, stdout, stderr).
pub fn run_lacs_capped(memory_mib: u64, args: &[&std::ffi::OsStr]) -> (Option<i32>, String, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$@\"", memory_mib * 1024))
        .arg("sh")
        .arg(lacs_binary())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run lacs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A real Ofsted report from `fetchers/tests/fixtures/ofsted-reports/`.
pub fn report_fixture(name: &str) -> PathBuf {
    repo_root().join("fetchers/tests/fixtures/ofsted-reports").join(name)
}

/// Hostile PDFs, built in the test: small files that once exhausted memory, time or the stack.
pub mod pdfs {
    use std::io::Write;

    /// A PDF of `objects` (numbered from 1; the first is the catalog) with a correct
    /// cross-reference table.
    pub fn document(objects: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (n, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", n + 1).as_bytes());
            out.extend_from_slice(object);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
        );
        out
    }

    /// A stream object.
    pub fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut out = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
        out.extend_from_slice(data);
        out.extend_from_slice(b"\nendstream");
        out
    }

    /// zlib at the default level.
    pub fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// One page drawing `content` (Flate-compressed) with Helvetica as `/F1`; `resources` are
    /// more entries of its resource dictionary, `more` more objects (numbered from 6).
    pub fn page(content: &[u8], resources: &str, more: &[Vec<u8>]) -> Vec<u8> {
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> {resources} >> >>").into_bytes(),
            stream("/Filter /FlateDecode", &zlib(content)),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ];
        objects.extend_from_slice(more);
        document(&objects)
    }

    /// A page whose content stream inflates to `mib` MiB of zeros: one MiB compressed once
    /// (about 1 kB, byte-aligned by a sync flush) and repeated, so a GiB costs 1 MB and no time.
    pub fn bomb(mib: usize) -> Vec<u8> {
        let mut c = flate2::Compress::new(flate2::Compression::best(), false);
        let mut chunk = Vec::with_capacity(4096);
        c.compress_vec(&vec![0u8; 1 << 20], &mut chunk, flate2::FlushCompress::Sync).unwrap();
        let mut data = vec![0x78, 0xda];
        for _ in 0..mib {
            data.extend_from_slice(&chunk);
        }
        // The final empty block and the Adler-32 of the zeros.
        data.extend_from_slice(&[0x03, 0x00]);
        let n = (mib as u64) << 20;
        data.extend_from_slice(&((((n % 65521) << 16) | 1) as u32).to_be_bytes());
        document(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
            stream("/Filter /FlateDecode", &data),
        ])
    }

    /// Text drawn with a font the page does not have: pdf-extract panics on it.
    pub fn without_fonts() -> Vec<u8> {
        document(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
            stream("", b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"),
        ])
    }

    /// A form XObject that draws itself: the extractor recursed until the stack overflowed and
    /// the process aborted.
    pub fn self_drawing_form() -> Vec<u8> {
        page(
            b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET /X1 Do",
            "/XObject << /X1 6 0 R >>",
            &[stream(
                "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X1 6 0 R >> >>",
                b"/X1 Do",
            )],
        )
    }

    /// A page that is its own parent and inherits its media box: the extractor looked it up
    /// for ever.
    pub fn looping_page_tree() -> Vec<u8> {
        document(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 3 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
            stream("", b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ])
    }

    /// A page of `count` repetitions of `ops` (a few MB that the extractor held as GBs).
    pub fn repeated(ops: &str, count: usize) -> Vec<u8> {
        page(ops.repeat(count).as_bytes(), "", &[])
    }

    /// A page whose font's `/ToUnicode` CMap maps one range of `digits` hexadecimal digits from
    /// all zeros to all `F`s (to four-byte destinations, which overflow nothing in a debug
    /// build): eight digits (four billion codes) once took 4.2 GB in 30 s and, twice, aborted the
    /// process; six took 2.1 GB. Under 1 kB.
    pub fn cmap_range(digits: usize) -> Vec<u8> {
        let cmap = format!(
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
             1 begincodespacerange <{low}> <{high}> endcodespacerange\n\
             1 beginbfrange <{low}> <{high}> <00000000> endbfrange\n\
             endcmap CMapName currentdict /CMap defineresource pop end end",
            low = "0".repeat(digits),
            high = "F".repeat(digits)
        );
        document(&[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
            stream("", b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET"),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>".to_vec(),
            stream("", cmap.as_bytes()),
        ])
    }

    /// A page and, beside it, one array of `count` integers: 15.5 million (31 MB) once took
    /// 1.9 GB as the PDF library's objects.
    pub fn huge_array(count: usize) -> Vec<u8> {
        let mut array = Vec::with_capacity(2 * count + 2);
        array.push(b'[');
        for _ in 0..count {
            array.extend_from_slice(b"0 ");
        }
        array.push(b']');
        page(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET", "", &[array])
    }

    /// A page and an object stream whose index lists `entries` objects that all start at the
    /// same offset, one array of `count` integers: the PDF library reads that array once per
    /// entry. Each count stays within the bounds measured before loading (the stream holds
    /// `entries` pairs and one array), while loading builds `entries × count` objects: only the
    /// memory bound stops it.
    pub fn echoing_object_stream(entries: usize, count: usize) -> Vec<u8> {
        let index: String = (0..entries).map(|n| format!("{} 0 ", 100 + n)).collect();
        let mut data = index.into_bytes();
        let first = data.len();
        data.push(b'[');
        for _ in 0..count {
            data.extend_from_slice(b"0 ");
        }
        data.push(b']');
        let dict = format!("/Type /ObjStm /N {entries} /First {first} /Filter /FlateDecode");
        page(b"BT /F1 12 Tf 72 712 Td (Hello) Tj ET", "", &[stream(&dict, &zlib(&data))])
    }
}
