//! `lacs`: serve the API, migrate the database, import data.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use api::config::{Settings, default_data_dir};
use api::startup::Application;
use clap::{Parser, Subcommand};

/// lacs: open data on English local authorities' children's services (Ofsted judgements and DfE
/// interventions), as a REST API.
#[derive(Parser)]
#[command(name = "lacs", version, about, long_about = None)]
struct Cli {
    /// Database URL: postgres://… or sqlite://path. Default: sqlite://<data-dir>/lacs.db
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    database_url: Option<String>,

    /// Directory for the embedded SQLite database and the releases the server cuts.
    #[arg(long, env = "LACS_DATA_DIR", global = true, default_value_os_t = default_data_dir())]
    data_dir: PathBuf,

    /// Directory of archived source documents (`<sha256>.pdf`). Default: <data-dir>/archive
    #[arg(long, env = "LACS_ARCHIVE_DIR", global = true)]
    archive_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates the database and loads the bundled data on first start).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LACS_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seconds between checks for a new dataset version in the database.
        #[arg(long, env = "LACS_RELOAD_SECS", default_value_t = 5)]
        reload_secs: u64,
        /// Largest number of database connections.
        #[arg(long, env = "LACS_POOL_SIZE", default_value_t = 8)]
        pool_size: u32,
        /// The address clients reach this server at (for absolute links in Atom feeds), e.g.
        /// https://lacs.example.org. Default: http://<the request's Host header>.
        #[arg(long, env = "LACS_PUBLIC_URL")]
        public_url: Option<String>,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        upstreams: UpstreamArgs,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Write a release of the current dataset: CSV, newline-delimited JSON and SQLite, with manifest.json.
    Export {
        /// The directory to write (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Read Ofsted report PDFs and print what they say, one line per file, in the order given.
    /// A file that cannot be read (too large, decompressing to too much, holding too many objects
    /// or CMap entries, taking too long or too much memory, malformed) is named on stderr with the
    /// reason and the next file is read; the exit status is then 1. Each file is read in a
    /// process of its own. Files are read on every core (`--jobs`); the output is the same for any
    /// number.
    ParseReport {
        /// The PDF files, or directories whose `*.pdf` files are read in name order.
        #[arg(required_unless_present = "index")]
        files: Vec<PathBuf>,
        /// How many files to read at once (default: one per core).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
        /// Read every letter an `index.csv` of focused-visit letters lists (urn, listing_date, file,
        /// sha256, source_repo, source_commit, source_path; files relative to it) and write the
        /// bundled seed rows to `--seed-csv` (see data/seed/SOURCES.md).
        #[arg(long, requires = "seed_csv", conflicts_with_all = ["files", "text"])]
        index: Option<PathBuf>,
        /// Where `--index` writes its rows (data/seed/ofsted_focused_visits.csv).
        #[arg(long, requires = "index")]
        seed_csv: Option<PathBuf>,
        /// One JSON object per line (the default): file, kind, framework, inspection_type,
        /// reinspection, local_authority, inspection_start, inspection_end, on_site_periods,
        /// published, lead_inspectors, inspectors, theme, theme_text, notes, judgements, error.
        #[arg(long, conflicts_with = "text")]
        json: bool,
        /// A short human-readable line per file instead.
        #[arg(long)]
        text: bool,
        /// Refuse files larger than this, before reading them (MiB).
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_file_bytes / MIB)]
        max_file_mib: u64,
        /// Refuse PDFs whose streams decompress to more than this (MiB).
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_decoded_bytes / MIB)]
        max_decoded_mib: u64,
        /// Refuse PDFs whose pages draw more content operators than this.
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_operators)]
        max_operators: u64,
        /// Refuse PDFs whose pages draw more operands (numbers, names, strings …) than this.
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_operands)]
        max_operands: u64,
        /// Refuse PDFs whose file and streams hold more objects (numbers, names, strings,
        /// arrays …) than this.
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_objects)]
        max_objects: u64,
        /// Refuse PDFs whose fonts' character maps (CMaps) hold more entries than this, each map
        /// counted on every page that uses it.
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_cmap_entries)]
        max_cmap_entries: u64,
        /// Give up on a file after this long (milliseconds): its reading process is stopped.
        #[arg(long, default_value_t = fetchers::report::LIMITS.timeout.as_millis() as u64)]
        timeout_ms: u64,
        /// The memory (address space) the process reading one file may take (MiB); a file
        /// that needs more is that file's error.
        #[arg(long, default_value_t = fetchers::report::LIMITS.max_memory_bytes / MIB)]
        max_memory_mib: u64,
    },
    /// Read one PDF from standard input in this process, its memory capped, and write its text
    /// or its error as JSON (how `parse-report`, `fetch ofsted` and the scheduler read each
    /// document: in a process of its own).
    #[command(hide = true)]
    ParseWorker {
        /// The bounds, as JSON.
        #[arg(long)]
        limits: String,
    },
    /// Print the OpenAPI document (the committed copy is openapi/openapi.json).
    Openapi,
    /// Print the GraphQL schema as SDL (the committed copy is openapi/schema.graphql).
    GraphqlSchema,
    /// Tools for the indicator files.
    Indicators {
        #[command(subcommand)]
        what: IndicatorsCommand,
    },
    /// Tools for Ofsted's official statistics (the workbooks in `data/seed/official/`).
    Official {
        #[command(subcommand)]
        what: OfficialCommand,
    },
    /// Fetch data from its source into the database.
    Fetch {
        #[command(subcommand)]
        what: FetchCommand,
    },
    /// Reports on the data.
    Report {
        #[command(subcommand)]
        what: ReportCommand,
    },
    /// Import data into the database.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Subcommand)]
enum FetchCommand {
    /// Crawl reports.ofsted.gov.uk: every publication of every local authority's children's
    /// services, downloaded once, archived, parsed and upserted. Re-running downloads only what is new.
    Ofsted {
        /// Base URL of the reports site.
        #[arg(long, default_value = fetchers::ofsted::REPORTS_SITE)]
        base_url: String,
        /// Base URL of the file host.
        #[arg(long, default_value = fetchers::ofsted::FILES_SITE)]
        files_base_url: String,
        /// Only this local authority (any code or slug).
        #[arg(long)]
        la: Option<String>,
        /// Only publications listed on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Show what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Read DfE's children's social care statistics (workforce, children looked after, children
    /// in need, referrals) from the Explore Education Statistics API and MHCLG's RO3 revenue
    /// outturn from GOV.UK, and upsert the indicator figures. Never deletes.
    DfeStats {
        /// Base URL of the Explore Education Statistics public API.
        #[arg(long, default_value = fetchers::indicators::dfe_stats::EES_API)]
        ees_url: String,
        /// Base URL of the GOV.UK host (Content API).
        #[arg(long, default_value = fetchers::indicators::dfe_stats::GOVUK)]
        govuk_url: String,
        /// GOV.UK path of the collection of revenue outturn releases.
        #[arg(long, default_value = fetchers::indicators::dfe_stats::RO3_COLLECTION)]
        ro3_collection: String,
        /// Show what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Read DfE's improvement notices, directions and commissioner appointments from GOV.UK (the
    /// "Improvement notices and directions" collection and the Search API), reconcile them with the
    /// records already held and upsert them. Never deletes: a failed fetch changes nothing.
    Interventions {
        /// Base URL of the GOV.UK host (Content and Search APIs).
        #[arg(long, default_value = fetchers::interventions::GOVUK)]
        base_url: String,
        /// Show what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        http: HttpArgs,
    },
    /// Read Ofsted's official statistics on councils' inspections from GOV.UK: each page's ODS
    /// attachments (Content API `details.attachments`), every row a statement of that file (URL,
    /// SHA-256, sheet, row), joined to the records by the seed's rule. Never deletes: a failed
    /// fetch changes nothing.
    OfstedStats {
        /// Base URL of the GOV.UK host (Content API and attachments).
        #[arg(long, default_value = fetchers::official::fetch::GOVUK)]
        govuk_url: String,
        /// Base path of the "Local authority inspection outcomes as at 31 March" series, `{year}`
        /// standing for the year of the 31 March.
        #[arg(long, default_value = fetchers::official::fetch::SERIES_PATH)]
        series_path: String,
        /// The year the series is looked for first (default: this year); then each year before,
        /// `--series-years` in all, until an edition is found.
        #[arg(long)]
        series_latest_year: Option<i32>,
        /// How many years of the series are looked for.
        #[arg(long, default_value_t = fetchers::official::fetch::SERIES_YEARS, value_parser = clap::value_parser!(u32).range(1..=20))]
        series_years: u32,
        /// Base path of a page read besides the series, oldest first (repeatable; default: the
        /// 2023 "Children's social care data in England").
        #[arg(long = "page")]
        pages: Vec<String>,
        /// Show what would change and change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        http: HttpArgs,
    },
}

#[derive(Subcommand)]
enum OfficialCommand {
    /// Read the bundled editions of Ofsted's statistics (the three `.ods` workbooks of a
    /// directory, `data/seed/official/`) and print every inspection row as CSV, with each file's
    /// URL, SHA-256, sheet and row: how `data/seed/official_statements.csv` is made.
    Trim {
        /// The directory holding the workbooks.
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum IndicatorsCommand {
    /// Print the columns lacs reads from an RO3 spreadsheet (MHCLG's revenue outturn on social
    /// care, `RO3_…_data_by_LA.ods`) as CSV: how `data/seed/context/ro3_<year>.csv` is made.
    TrimRo3 {
        /// The `.ods` file.
        file: PathBuf,
    },
    /// Print the lines lacs reads from one year's section 251 outturn file (DfE, 2008-09 to
    /// 2013-14, `outturn_0809.csv` … `outturn_1314.csv`, the year known by the file's name) as
    /// CSV: how `data/seed/context/s251/outturn_<year>.csv` is made. A line whose number or
    /// description differs from the year's mapping is an error.
    TrimS251 {
        /// The outturn CSV.
        file: PathBuf,
    },
}

/// Where the scheduled fetches of `lacs serve` read from (each source's `lacs fetch` has the
/// same as flags). Their schedules: `LACS_SCHEDULE` (`off` turns every one off) and
/// `LACS_SCHEDULE_OFSTED`, `LACS_SCHEDULE_INTERVENTIONS`, `LACS_SCHEDULE_OFSTED_STATS`,
/// `LACS_SCHEDULE_DFE_STATS`.
#[derive(clap::Args)]
struct UpstreamArgs {
    /// Base URL of the Ofsted reports site, for scheduled runs.
    #[arg(long, env = "LACS_OFSTED_URL", default_value = fetchers::ofsted::REPORTS_SITE)]
    ofsted_url: String,
    /// Base URL of Ofsted's file host, for scheduled runs.
    #[arg(long, env = "LACS_OFSTED_FILES_URL", default_value = fetchers::ofsted::FILES_SITE)]
    ofsted_files_url: String,
    /// Base URL of GOV.UK (Content and Search APIs), for scheduled runs.
    #[arg(long, env = "LACS_GOVUK_URL", default_value = fetchers::interventions::GOVUK)]
    govuk_url: String,
    /// Base URL of the Explore Education Statistics API, for scheduled runs.
    #[arg(long, env = "LACS_EES_URL", default_value = fetchers::indicators::dfe_stats::EES_API)]
    ees_url: String,
    /// GOV.UK path of the collection of revenue outturn releases, for scheduled runs.
    #[arg(long, env = "LACS_RO3_COLLECTION", default_value = fetchers::indicators::dfe_stats::RO3_COLLECTION)]
    ro3_collection: String,
}

/// How a fetcher behaves towards the site it reads.
#[derive(clap::Args)]
struct HttpArgs {
    /// At most this many requests per second.
    #[arg(long, env = "LACS_FETCH_RATE", default_value_t = 2.0)]
    rate: f64,
    /// Seconds before a request times out.
    #[arg(long, env = "LACS_FETCH_TIMEOUT_SECS", default_value_t = 60)]
    timeout_secs: u64,
    /// Milliseconds of the first retry backoff (doubled at each retry).
    #[arg(long, env = "LACS_FETCH_RETRY_BASE_MS", default_value_t = 500)]
    retry_base_ms: u64,
    /// Contact given in the User-Agent (a URL or email address of whoever runs lacs).
    #[arg(long, env = "LACS_CONTACT", default_value = "not configured; set LACS_CONTACT")]
    contact: String,
}

impl HttpArgs {
    fn politeness(&self) -> fetchers::http::Politeness {
        let mut p = fetchers::http::Politeness::new(&self.contact);
        p.requests_per_second = self.rate;
        p.timeout = Duration::from_secs(self.timeout_secs.max(1));
        p.retry_base = Duration::from_millis(self.retry_base_ms);
        p
    }
}

/// The limits a public server puts on its clients.
#[derive(clap::Args)]
struct LimitArgs {
    /// Milliseconds one GraphQL request may run.
    #[arg(long, env = "LACS_GRAPHQL_TIMEOUT_MS", default_value_t = 5000)]
    graphql_timeout_ms: u64,
    /// Requests per minute per client address (0: no rate limit).
    #[arg(long, env = "LACS_RATE_LIMIT", default_value_t = 1200)]
    rate_limit: u32,
    /// Requests a client may make in a burst.
    #[arg(long, env = "LACS_RATE_LIMIT_BURST", default_value_t = 300)]
    rate_limit_burst: u32,
    /// Exempt loopback clients (127.0.0.0/8, ::1) from the rate limit.
    #[arg(long, env = "LACS_RATE_LIMIT_EXEMPT_LOOPBACK", default_value_t = false)]
    rate_limit_exempt_loopback: bool,
    /// The same as `--trusted-proxies 1`: one proxy in front, which appends the client to
    /// Forwarded / X-Forwarded-For.
    #[arg(long, env = "LACS_TRUST_FORWARDED", default_value_t = false)]
    trust_forwarded: bool,
    /// The proxies in front of lacs whose Forwarded / X-Forwarded-* headers are believed: `off`,
    /// how many there are (`1`), or their addresses and CIDR networks (`10.0.0.0/8,192.0.2.7`).
    /// The client is read from the right of the forwarded chain, past the trusted hops.
    #[arg(long, env = "LACS_TRUSTED_PROXIES", value_parser = api::origin::TrustedProxies::parse)]
    trusted_proxies: Option<api::origin::TrustedProxies>,
    /// Connections one client address may hold open at once (0: no cap per address); one past
    /// it is answered 429 and closed.
    #[arg(long, env = "LACS_MAX_CONNECTIONS_PER_CLIENT", default_value_t = api::connections::DEFAULT_PER_CLIENT)]
    max_connections_per_client: usize,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Gaps in the intervention data, as Markdown: inadequate judgements no known intervention
    /// followed, interventions no inadequate judgement preceded, and interventions whose sources
    /// disagree (docs/intervention-gaps.md).
    Interventions,
    /// Every disagreement between the sources of inspections (report PDFs, Ofsted's official
    /// statistics, the scraper's CSV), and how many of the statistics' rows match a record, as
    /// Markdown (docs/source-disagreements.md).
    Sources,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import the seed dataset: every LA, the Ofsted inspection history, the curated DfE
    /// interventions and the indicators. Idempotent: importing the same files again changes
    /// nothing. All or nothing: every file is read and checked before anything is written (a bad
    /// line anywhere, or a file that would leave it more than 5% below the most it published in
    /// the last 30 days, changes nothing), then everything is written in one transaction and
    /// published as one dataset version.
    Seed {
        /// Read the seed files (and the indicator files of its `context/` folder) from this
        /// directory instead of the copies built into lacs.
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Import even when a file would fall more than 5% below the most it published in the
        /// last 30 days (a deliberately shortened file); the next import is measured from it.
        #[arg(long)]
        allow_removals: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// The files `parse-report` was given, with each directory replaced by its `*.pdf` files in
/// name order.
fn report_files(given: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in given {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut pdfs: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("pdf")))
            .collect();
        pdfs.sort();
        files.extend(pdfs);
    }
    Ok(files)
}

/// Where this command reads PDFs: each in a process of its own, this program's hidden
/// `parse-worker`, so that no document can take this process's memory or outlast its time.
fn pdf_reader() -> anyhow::Result<fetchers::report::Isolation> {
    let program = std::env::current_exe().map_err(|e| anyhow::anyhow!("cannot find this program to read PDFs: {e}"))?;
    Ok(fetchers::report::Isolation::Process(fetchers::report::Worker { program, args: vec!["parse-worker".into()] }))
}

/// `lacs parse-report`: exit status 1 when any file could not be read (the others are printed).
/// Each file is read within `limits`, `jobs` at once, each in its own process (`reader`); one
/// that cannot be read is named on stderr (and, with `json`, gets its line with an `error` on
/// stdout), and the next is read. Lines come in the files' order whatever order they finish in.
fn parse_reports(
    files: Vec<PathBuf>,
    json: bool,
    limits: &fetchers::report::Limits,
    reader: &fetchers::report::Isolation,
    jobs: usize,
) -> bool {
    use fetchers::report;
    let mut all_ok = true;
    let read = |path: PathBuf| {
        let name = path.display().to_string();
        let parsed = report::read_file(&path, limits).and_then(|b| report::parse_in(&b, limits, reader));
        (name, parsed)
    };
    fetchers::parallel::for_each_in_order(files, jobs, read, |(name, parsed)| {
        let parsed = parsed.map_err(|e| {
            eprintln!("error: {name}: {e}");
            e.to_string()
        });
        match (parsed, json) {
            (Ok(report), true) => println!("{}", report.to_json(&name)),
            (Ok(r), false) => {
                let grades: Vec<String> = r.judgements.iter().map(|(a, g)| format!("{a}={g}")).collect();
                println!(
                    "{name}: {} {} {} {}..{} published {} lead {} | {}",
                    r.kind,
                    r.framework.map_or("?", |f| f.as_str()),
                    r.local_authority.as_deref().unwrap_or("?"),
                    r.inspection_start().map_or("?".into(), |d| d.to_string()),
                    r.inspection_end().map_or("?".into(), |d| d.to_string()),
                    r.published.map_or("-".into(), |d| d.to_string()),
                    r.lead_inspectors.join(" & "),
                    grades.join(" ")
                );
            }
            (Err(e), true) => {
                all_ok = false;
                println!("{}", serde_json::json!({"file": name, "error": e}));
            }
            (Err(_), false) => all_ok = false,
        }
    });
    all_ok
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let database = Settings::database(cli.database_url.as_deref(), &cli.data_dir)?;
    let storage = api::storage::Storage {
        releases: cli.data_dir.join("releases"),
        archive: cli.archive_dir.clone().unwrap_or_else(|| cli.data_dir.join("archive")),
    };
    match cli.command {
        Command::Serve { bind, reload_secs, pool_size, public_url, limits, upstreams, http } => {
            let reload_interval = Duration::from_secs(reload_secs.max(1));
            let jobs = api::jobs::configured(|name| std::env::var(name).ok())?;
            let trim = |url: String| url.trim_end_matches('/').to_owned();
            let upstreams = api::jobs::Upstreams {
                ofsted_url: trim(upstreams.ofsted_url),
                ofsted_files_url: trim(upstreams.ofsted_files_url),
                govuk_url: trim(upstreams.govuk_url),
                ees_url: trim(upstreams.ees_url),
                ro3_collection: upstreams.ro3_collection,
                http: http.politeness(),
                archive_dir: storage.archive.clone(),
                pdf_reader: pdf_reader()?,
            };
            let settings = Settings {
                database,
                bind,
                reload_interval,
                pool_size,
                storage,
                public_url,
                graphql_budget: Duration::from_millis(limits.graphql_timeout_ms.max(1)),
                rate_limits: api::rate_limit::RateLimitSettings {
                    per_minute: limits.rate_limit,
                    burst: limits.rate_limit_burst,
                    exempt_loopback: limits.rate_limit_exempt_loopback,
                },
                proxies: limits.trusted_proxies.unwrap_or(match limits.trust_forwarded {
                    true => api::origin::TrustedProxies::Count(1),
                    false => api::origin::TrustedProxies::None,
                }),
                max_connections_per_client: limits.max_connections_per_client,
                jobs,
                upstreams: std::sync::Arc::new(upstreams),
            };
            let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            runtime.block_on(async {
                let app = Application::build(settings).await?;
                // One line on stdout says where to connect (tests and scripts read it; port 0 picks one).
                println!("lacs listening on http://{}", app.address());
                app.run_until_stopped().await?;
                tracing::info!("lacs stopped");
                anyhow::Ok(())
            })
        }
        Command::Fetch { what: FetchCommand::Ofsted { base_url, files_base_url, la, since, dry_run, http } } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            let mut config = fetchers::ofsted::Config::new(http.politeness());
            config.base_url = base_url.trim_end_matches('/').to_owned();
            config.files_base_url = files_base_url.trim_end_matches('/').to_owned();
            config.since = since;
            config.archive_dir = (!dry_run).then(|| storage.archive.clone());
            config.isolation = pdf_reader()?;
            drop(conn);
            let ran = api::jobs::run_exclusively(&database, fetchers::ofsted::SOURCE, None, dry_run, |conn| {
                let source = fetchers::ofsted::Ofsted::prepare(conn, config, la.as_deref())?;
                fetchers::run(&source, conn, dry_run)
            })?;
            print_json(&locked(fetchers::ofsted::SOURCE, ran)?)
        }
        Command::Fetch { what: FetchCommand::Interventions { base_url, dry_run, http } } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            let config = fetchers::interventions::Config {
                base_url: base_url.trim_end_matches('/').to_owned(),
                http: http.politeness(),
            };
            drop(conn);
            let source = fetchers::interventions::Interventions { config };
            let ran = api::jobs::run_exclusively(&database, fetchers::interventions::SOURCE, None, dry_run, |conn| {
                fetchers::run(&source, conn, dry_run)
            })?;
            print_json(&locked(fetchers::interventions::SOURCE, ran)?)
        }
        Command::Fetch { what: FetchCommand::DfeStats { ees_url, govuk_url, ro3_collection, dry_run, http } } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            let mut config = fetchers::indicators::dfe_stats::Config::new(http.politeness());
            config.ees_url = ees_url.trim_end_matches('/').to_owned();
            config.govuk_url = govuk_url.trim_end_matches('/').to_owned();
            config.ro3_collection = ro3_collection;
            drop(conn);
            let source = fetchers::indicators::dfe_stats::DfeStats { config };
            let name = fetchers::indicators::dfe_stats::SOURCE;
            let ran = api::jobs::run_exclusively(&database, name, None, dry_run, |conn| {
                fetchers::run(&source, conn, dry_run)
            })?;
            print_json(&locked(name, ran)?)
        }
        Command::Fetch {
            what:
                FetchCommand::OfstedStats { govuk_url, series_path, series_latest_year, series_years, pages, dry_run, http },
        } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            let mut config = fetchers::official::fetch::Config::new(http.politeness());
            config.govuk_url = govuk_url.trim_end_matches('/').to_owned();
            config.series_path = series_path;
            config.series_years = series_years;
            if let Some(year) = series_latest_year {
                config.latest_year = year;
            }
            if !pages.is_empty() {
                config.pages = pages;
            }
            drop(conn);
            let source = fetchers::official::fetch::OfstedStats { config };
            let name = fetchers::official::SOURCE;
            let ran = api::jobs::run_exclusively(&database, name, None, dry_run, |conn| {
                fetchers::run(&source, conn, dry_run)
            })?;
            print_json(&locked(name, ran)?)
        }
        Command::Indicators { what: IndicatorsCommand::TrimRo3 { file } } => {
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let mut problems = Vec::new();
            let catalogue =
                fetchers::indicators::read_catalogue(&fetchers::indicators::IndicatorFiles::bundled(), &mut problems);
            let codes: Vec<&str> =
                catalogue.iter().filter(|i| i.source_file == "ro3").map(|i| i.source_column.as_str()).collect();
            let (_, csv) = fetchers::indicators::ro3::to_csv(&bytes, &codes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            print!("{csv}");
            Ok(())
        }
        Command::Indicators { what: IndicatorsCommand::TrimS251 { file } } => {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let year = fetchers::indicators::s251::year_of_file(name).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: not one of the section 251 files lacs maps (outturn_0809.csv … outturn_1314.csv)",
                    file.display()
                )
            })?;
            let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let csv = fetchers::indicators::s251::to_csv(&bytes, year)?;
            print!("{csv}");
            Ok(())
        }
        Command::Official { what: OfficialCommand::Trim { dir } } => {
            let mut workbooks = Vec::new();
            for edition in fetchers::official::EDITIONS {
                let path = dir.join(edition.file);
                let bytes = std::fs::read(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                workbooks.push((edition, bytes));
            }
            let borrowed: Vec<_> = workbooks.iter().map(|(e, b)| (*e, b.as_slice())).collect();
            let rows = fetchers::official::bundle::from_workbooks(&borrowed)?;
            print!("{}", fetchers::official::bundle::write(&rows)?);
            Ok(())
        }
        Command::Report { what: ReportCommand::Sources } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            print!("{}", schema::query::sources_markdown::markdown(&schema::Dataset::load(&mut conn)?));
            Ok(())
        }
        Command::Report { what: ReportCommand::Interventions } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            print!("{}", schema::query::gaps_markdown::markdown(&schema::Dataset::load(&mut conn)?));
            Ok(())
        }
        // JSON lines are the default: `--json` only says so (it conflicts with `--text`).
        Command::ParseReport {
            files,
            jobs,
            index,
            seed_csv,
            json: _,
            text,
            max_file_mib,
            max_decoded_mib,
            max_operators,
            max_operands,
            max_objects,
            max_cmap_entries,
            timeout_ms,
            max_memory_mib,
        } => {
            let limits = fetchers::report::Limits {
                max_file_bytes: max_file_mib.saturating_mul(MIB),
                max_decoded_bytes: max_decoded_mib.saturating_mul(MIB),
                max_operators,
                max_operands,
                max_objects,
                max_cmap_entries,
                timeout: Duration::from_millis(timeout_ms),
                max_memory_bytes: max_memory_mib.saturating_mul(MIB),
            };
            let jobs = jobs.map_or_else(fetchers::parallel::workers, usize::from);
            let reader = pdf_reader()?;
            if let (Some(index), Some(out)) = (index, seed_csv) {
                let written = fetchers::seed::write_focused_visits_csv_with(&index, &out, &limits, &reader, jobs)?;
                for e in &written.errors {
                    eprintln!("error: {e}");
                }
                println!("{}", serde_json::json!({"rows": written.rows, "errors": written.errors.len(), "file": out}));
                return if written.errors.is_empty() { Ok(()) } else { std::process::exit(1) };
            }
            if parse_reports(report_files(&files)?, !text, &limits, &reader, jobs) {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
        Command::ParseWorker { limits } => {
            let limits = serde_json::from_str(&limits).map_err(|e| anyhow::anyhow!("--limits: {e}"))?;
            std::process::exit(fetchers::report::serve_worker(&limits))
        }
        Command::Export { out } => {
            let mut conn = database.connect()?;
            api::snapshot::migrate_and_seed(&mut conn)?;
            let mut dataset = schema::Dataset::load(&mut conn)?;
            dataset.archived = storage.archived();
            let manifest = schema::export::write_release(&dataset, &out)?;
            println!("{}", serde_json::to_string_pretty(&manifest)?);
            Ok(())
        }
        Command::Openapi => {
            print!("{}", api::openapi::document_json());
            Ok(())
        }
        Command::GraphqlSchema => {
            print!("{}", api::graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let mut conn = database.connect()?;
            let applied = api::snapshot::migrate(&mut conn)?;
            println!("{applied} migration(s) applied to the {} database", database.backend());
            Ok(())
        }
        Command::Import { what: ImportCommand::Seed { dir, allow_removals } } => {
            let files = match &dir {
                Some(dir) => fetchers::seed::SeedFiles::from_dir(dir)?,
                None => fetchers::seed::SeedFiles::bundled(),
            };
            let mut conn = database.connect()?;
            api::snapshot::migrate(&mut conn)?;
            let removals =
                if allow_removals { fetchers::seed::Removals::Allow } else { fetchers::seed::Removals::Refuse };
            let report = fetchers::run(&fetchers::seed::Seed { files, removals }, &mut conn, false)?.report;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
    }
}

/// What a `lacs fetch` run under its source's lock gave, or why it did not run.
fn locked<T>(source: &str, ran: api::jobs::Exclusive<T>) -> anyhow::Result<T> {
    match ran {
        api::jobs::Exclusive::Ran(output, _) => Ok(output),
        api::jobs::Exclusive::Busy | api::jobs::Exclusive::AlreadyRan => Err(anyhow::anyhow!(
            "another run of {source} holds its lock (a `lacs serve` scheduler or another `lacs fetch`); \
             nothing was fetched: try again when it has finished"
        )),
    }
}

/// Prints `value` as pretty JSON, its keys in alphabetical order (as `lacs fetch` has always
/// printed them).
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&serde_json::to_value(value)?)?);
    Ok(())
}

/// Structured logs to stderr; `RUST_LOG` filters, `LACS_LOG_FORMAT=json` for JSON lines.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("LACS_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
