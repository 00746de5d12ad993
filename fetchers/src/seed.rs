//! The bundled seed dataset (`data/seed/`): every LA, the inspection history and the curated
//! interventions list, with the checked-in tables that complete and correct them.
//!
//! Each file is read in full before anything is written. A bad row is reported with the file,
//! line and reason, the whole import of that file is rejected, and the database is left as it was.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use schema::AnyConnection;
use schema::domain::*;
use schema::store::{RunSummary, Store, StoreError, Writer};
use sha2::{Digest, Sha256};

/// The version of this importer, recorded as each record's `parser_version`.
pub const PARSER_VERSION: &str = "seed-1";

/// Where upstream files were taken from (see `data/seed/SOURCES.md`).
const UPSTREAM: &str =
    "https://github.com/JT-39/ofsted-ilacs-scrape-tool/blob/54af59bf7856a26530b1eeb45c1c1c146f34cb8a";
/// When the upstream files were taken: the upstream commit's time.
const UPSTREAM_TAKEN_AT: &str = "2026-08-22T05:22:11Z";

/// The seed files, by name.
pub struct SeedFiles {
    files: BTreeMap<&'static str, Vec<u8>>,
}

/// Every file the seed import reads, in `data/seed/`.
pub const FILES: [&str; 9] = [
    "Provider_data_lookup.csv",
    "extra_local_authorities.csv",
    "lookup_corrections.csv",
    "reorganisations.csv",
    "gss_recodes.csv",
    "la_aliases.csv",
    "ofsted_inspections.csv",
    "ofsted_csc_ilacs_history.csv",
    "interventions_seed.csv",
];

macro_rules! bundled {
    ($($name:literal),+) => {
        [$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/seed/", $name)).as_slice())),+]
    };
}

impl SeedFiles {
    /// The files compiled into the binary.
    pub fn bundled() -> SeedFiles {
        let files = bundled!(
            "Provider_data_lookup.csv",
            "extra_local_authorities.csv",
            "lookup_corrections.csv",
            "reorganisations.csv",
            "gss_recodes.csv",
            "la_aliases.csv",
            "ofsted_inspections.csv",
            "ofsted_csc_ilacs_history.csv",
            "interventions_seed.csv"
        );
        SeedFiles { files: files.into_iter().map(|(n, b)| (n, b.to_vec())).collect() }
    }

    /// The same files read from a directory (to import an edited copy).
    pub fn from_dir(dir: &Path) -> std::io::Result<SeedFiles> {
        let mut files = BTreeMap::new();
        for name in FILES {
            let path = dir.join(name);
            let bytes =
                std::fs::read(&path).map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            files.insert(name, bytes);
        }
        Ok(SeedFiles { files })
    }

    /// Replaces one file's contents (tests use this to feed bad rows).
    pub fn with_file(mut self, name: &'static str, bytes: impl Into<Vec<u8>>) -> SeedFiles {
        self.files.insert(name, bytes.into());
        self
    }

    fn bytes(&self, name: &'static str) -> &[u8] {
        self.files.get(name).map(Vec::as_slice).unwrap_or_default()
    }
}

/// What the seed import did, one run per file group.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// LAs and reorganisations.
    pub local_authorities: RunSummary,
    /// The inspection history.
    pub inspections: RunSummary,
    /// The interventions list.
    pub interventions: RunSummary,
}

/// Imports the seed: LAs first (inspections and interventions refer to them), each group in its
/// own fetch run and transaction. Stops at the first group that fails.
pub fn import(conn: &mut AnyConnection, files: &SeedFiles) -> Result<SeedReport, StoreError> {
    let local_authorities = Store::run(conn, "seed:local_authorities", |w| import_local_authorities(w, files))?;
    let inspections = Store::run(conn, "seed:inspections", |w| import_inspections(w, files))?;
    let interventions = Store::run(conn, "seed:interventions", |w| import_interventions(w, files))?;
    Ok(SeedReport { local_authorities, inspections, interventions })
}

/// Collects "file:line: reason" messages; any message rejects the file.
struct Problems {
    what: String,
    errors: Vec<String>,
}

impl Problems {
    fn new(what: &str) -> Self {
        Problems { what: what.to_owned(), errors: Vec::new() }
    }

    fn add(&mut self, file: &str, line: u64, reason: impl std::fmt::Display) {
        self.errors.push(format!("data/seed/{file}:{line}: {reason}"));
    }

    fn finish(self) -> Result<(), StoreError> {
        if self.errors.is_empty() { Ok(()) } else { Err(StoreError::Rejected { what: self.what, errors: self.errors }) }
    }
}

/// A CSV file's rows as header → value maps, with their line numbers.
struct Table {
    name: &'static str,
    sha256: String,
    rows: Vec<(u64, HashMap<String, String>)>,
}

impl Table {
    fn read(files: &SeedFiles, name: &'static str, required: &[&str], problems: &mut Problems) -> Table {
        let bytes = files.bytes(name);
        let sha256 = hex(&Sha256::digest(bytes));
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new().from_reader(text);
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_owned()).collect(),
            Err(e) => {
                problems.add(name, 1, format!("cannot read the header row: {e}"));
                return Table { name, sha256, rows: Vec::new() };
            }
        };
        for column in required {
            if !headers.iter().any(|h| h == column) {
                problems.add(name, 1, format!("missing column `{column}`"));
            }
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(r) => {
                    let line = r.position().map_or(0, |p| p.line());
                    let map = headers.iter().cloned().zip(r.iter().map(|v| v.trim().to_owned())).collect();
                    rows.push((line, map));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.add(name, line, format!("malformed CSV: {e}"));
                }
            }
        }
        Table { name, sha256, rows }
    }

    fn provenance(&self, source_url: &str, retrieved_at: DateTime<Utc>) -> Provenance {
        Provenance {
            source: format!("seed:{}", self.name),
            source_url: source_url.to_owned(),
            retrieved_at,
            sha256: self.sha256.clone(),
            parser_version: PARSER_VERSION.to_owned(),
        }
    }
}

/// An intervention's public id: `iv-` and 16 hex digits of SHA-256 over the parts that
/// identify it in its source (not over its wording, so that rewording a record updates it).
pub(crate) fn intervention_id(parts: &[&str]) -> String {
    format!("iv-{}", &hex(&Sha256::digest(parts.join("\u{1f}").as_bytes()))[..16])
}

/// Lower-case hexadecimal, as checksums and ids are written.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn get<'a>(row: &'a HashMap<String, String>, column: &str) -> &'a str {
    row.get(column).map(String::as_str).unwrap_or_default()
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn upstream_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(UPSTREAM_TAKEN_AT).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The nine English regions, by ONS code.
const REGIONS: [(&str, &str); 9] = [
    ("E12000001", "North East"),
    ("E12000002", "North West"),
    ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"),
    ("E12000005", "West Midlands"),
    ("E12000006", "East of England"),
    ("E12000007", "London"),
    ("E12000008", "South East"),
    ("E12000009", "South West"),
];

fn region_name(code: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

fn la_type(text: &str) -> Result<Option<LaType>, String> {
    Ok(Some(match text {
        "" => return Ok(None),
        "County" | "county" => LaType::County,
        "Metropolitan District" | "metropolitan_district" => LaType::MetropolitanDistrict,
        "London Borough" | "london_borough" => LaType::LondonBorough,
        "Unitary Authority" | "unitary_authority" => LaType::UnitaryAuthority,
        other => return Err(format!("unknown LA type `{other}`")),
    }))
}

/// `Bristol, City of` → `Bristol`; `Herefordshire, County of` → `Herefordshire`.
fn short_name(ons_name: &str) -> String {
    [", City of", ", County of"].iter().find_map(|suffix| ons_name.strip_suffix(suffix)).unwrap_or(ons_name).to_owned()
}

/// Lower case, words joined by hyphens: `St. Helens` → `st-helens`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug
}

fn is_gss(code: &str) -> bool {
    code.len() == 9 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit())
}

fn split_codes(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn parse_date(text: &str, format: &str) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, format).map(Some).map_err(|_| format!("`{text}` is not a date ({format})"))
}

fn import_local_authorities(w: &mut Writer<'_>, files: &SeedFiles) -> Result<(), StoreError> {
    let mut problems = Problems::new("seed local authorities");
    let lookup = Table::read(
        files,
        "Provider_data_lookup.csv",
        &[
            "urn",
            "la_code",
            "la_code_new",
            "stat_neighbours",
            "local_authority_ons_name",
            "region_name",
            "rgn22cd",
            "domain",
            "ons_population_0-25",
            "ons_la_type",
        ],
        &mut problems,
    );
    let extra = Table::read(
        files,
        "extra_local_authorities.csv",
        &[
            "gss_code",
            "dfe_code",
            "ofsted_urn",
            "name",
            "region_code",
            "la_type",
            "valid_to",
            "website",
            "source_url",
            "notes",
        ],
        &mut problems,
    );
    let corrections =
        Table::read(files, "lookup_corrections.csv", &["gss_code", "column", "value", "reason"], &mut problems);
    let reorganisations = Table::read(
        files,
        "reorganisations.csv",
        &["predecessor_gss", "successor_gss", "effective", "source_url"],
        &mut problems,
    );
    let recodes =
        Table::read(files, "gss_recodes.csv", &["former_gss", "current_gss", "effective", "source_url"], &mut problems);
    problems.finish()?;
    let mut problems = Problems::new("seed local authorities");

    // Corrections, keyed by (GSS code, column).
    let mut fixes: HashMap<(String, String), (String, String)> = HashMap::new();
    for (line, row) in &corrections.rows {
        let key = (get(row, "gss_code").to_owned(), get(row, "column").to_owned());
        if fixes.insert(key.clone(), (get(row, "value").to_owned(), get(row, "reason").to_owned())).is_some() {
            problems.add(corrections.name, *line, format!("a second correction of {} for {}", key.1, key.0));
        }
    }
    let mut used_fixes = HashSet::new();

    let mut las: Vec<LocalAuthority> = Vec::new();
    let lookup_url = format!("{UPSTREAM}/import_data/la_lookup/Provider_data_lookup.csv");
    for (line, row) in &lookup.rows {
        let gss = get(row, "la_code_new");
        if !is_gss(gss) {
            problems.add(lookup.name, *line, format!("`{gss}` is not a GSS code (la_code_new)"));
            continue;
        }
        let mut notes = Vec::new();
        let mut value = |column: &str| -> String {
            match fixes.get(&(gss.to_owned(), column.to_owned())) {
                Some((fixed, reason)) => {
                    used_fixes.insert((gss.to_owned(), column.to_owned()));
                    notes.push(format!("{column}: {reason}"));
                    fixed.clone()
                }
                None => get(row, column).to_owned(),
            }
        };
        // The region name column is the reliable one; rgn22cd carries the code (two rows were wrong,
        // see lookup_corrections.csv). A row whose code and name disagree is rejected.
        let region_code = non_empty(&value("rgn22cd"));
        let region = region_code.as_deref().map(|c| (c, region_name(c)));
        let (region_code, region_name) = match region {
            None => (None, None),
            Some((code, Some(name))) => {
                let given = get(row, "region_name");
                if !given.is_empty() && !given.eq_ignore_ascii_case(name) {
                    problems.add(lookup.name, *line, format!("rgn22cd {code} is {name} but region_name says {given}"));
                }
                (Some(code.to_owned()), Some(name.to_owned()))
            }
            Some((code, None)) => {
                problems.add(lookup.name, *line, format!("`{code}` is not an English region code (rgn22cd)"));
                continue;
            }
        };
        let la_type = match la_type(&value("ons_la_type")) {
            Ok(t) => t,
            Err(e) => {
                problems.add(lookup.name, *line, e);
                continue;
            }
        };
        let population = value("ons_population_0-25");
        let population_0_25 = match population.as_str() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(lookup.name, *line, format!("`{p}` is not a population count"));
                    continue;
                }
            },
        };
        let name = get(row, "local_authority_ons_name").to_owned();
        if name.is_empty() {
            problems.add(lookup.name, *line, "empty local_authority_ons_name");
            continue;
        }
        let short = short_name(&name);
        las.push(LocalAuthority {
            gss_code: gss.to_owned(),
            former_gss_codes: Vec::new(),
            dfe_code: non_empty(get(row, "la_code")),
            ofsted_urn: non_empty(get(row, "urn")),
            slug: slugify(&short),
            short_name: short,
            name,
            region_code,
            region_name,
            la_type,
            statistical_neighbours: split_codes(get(row, "stat_neighbours")),
            population_0_25,
            valid_from: None,
            valid_to: None,
            website: non_empty(get(row, "domain")).map(|d| format!("https://{}", d.to_ascii_lowercase())),
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
            provenance: lookup.provenance(&lookup_url, upstream_time()),
        });
    }
    for (key, _) in fixes.iter().filter(|(k, _)| !used_fixes.contains(*k)) {
        problems.add(corrections.name, 0, format!("correction of {} for {} matches no row", key.1, key.0));
    }

    for (line, row) in &extra.rows {
        let gss = get(row, "gss_code");
        let region = get(row, "region_code");
        let (Some(region_name), true) = (region_name(region), is_gss(gss)) else {
            problems.add(extra.name, *line, format!("bad GSS code `{gss}` or region code `{region}`"));
            continue;
        };
        let (la_type, valid_to) = match (la_type(get(row, "la_type")), parse_date(get(row, "valid_to"), "%Y-%m-%d")) {
            (Ok(t), Ok(v)) => (t, v),
            (Err(e), _) | (_, Err(e)) => {
                problems.add(extra.name, *line, e);
                continue;
            }
        };
        let name = get(row, "name").to_owned();
        las.push(LocalAuthority {
            gss_code: gss.to_owned(),
            former_gss_codes: Vec::new(),
            dfe_code: non_empty(get(row, "dfe_code")),
            ofsted_urn: non_empty(get(row, "ofsted_urn")),
            slug: slugify(&name),
            short_name: name.clone(),
            name,
            region_code: Some(region.to_owned()),
            region_name: Some(region_name.to_owned()),
            la_type,
            statistical_neighbours: Vec::new(),
            population_0_25: None,
            valid_from: None,
            valid_to,
            website: non_empty(get(row, "website")),
            notes: non_empty(get(row, "notes")),
            provenance: extra.provenance(get(row, "source_url"), upstream_time()),
        });
    }

    let index: HashMap<String, usize> = las.iter().enumerate().map(|(i, la)| (la.gss_code.clone(), i)).collect();
    if index.len() != las.len() {
        problems.add(
            lookup.name,
            0,
            "a GSS code appears twice across Provider_data_lookup.csv and extra_local_authorities.csv",
        );
    }
    let mut successions = Vec::new();
    for (line, row) in &reorganisations.rows {
        let (pred, succ) = (get(row, "predecessor_gss"), get(row, "successor_gss"));
        let effective = match parse_date(get(row, "effective"), "%Y-%m-%d") {
            Ok(Some(d)) => d,
            Ok(None) => {
                problems.add(reorganisations.name, *line, "empty effective date");
                continue;
            }
            Err(e) => {
                problems.add(reorganisations.name, *line, e);
                continue;
            }
        };
        let (Some(&p), Some(&s)) = (index.get(pred), index.get(succ)) else {
            problems.add(reorganisations.name, *line, format!("unknown GSS code in `{pred}` → `{succ}`"));
            continue;
        };
        // The predecessor's last day is the day before; the successor's first day is the date.
        las[p].valid_to = effective.pred_opt();
        las[s].valid_from = Some(effective);
        successions.push(Succession {
            predecessor: pred.to_owned(),
            successor: succ.to_owned(),
            effective,
            source_url: get(row, "source_url").to_owned(),
        });
    }
    for (line, row) in &recodes.rows {
        let (former, current) = (get(row, "former_gss"), get(row, "current_gss"));
        match index.get(current) {
            Some(&i) if is_gss(former) && !index.contains_key(former) => {
                las[i].former_gss_codes.push(former.to_owned())
            }
            _ => problems.add(
                recodes.name,
                *line,
                format!("`{former}` → `{current}` must map a code we do not hold to one we do"),
            ),
        }
    }
    let mut slugs = HashSet::new();
    for la in &las {
        if !slugs.insert(la.slug.clone()) {
            problems.add(lookup.name, 0, format!("two LAs share the slug `{}`", la.slug));
        }
    }
    problems.finish()?;

    for la in &las {
        w.put_local_authority(la)?;
    }
    for s in &successions {
        w.put_succession(s)?;
    }
    Ok(())
}

/// LAs as the seed import keys them: by Ofsted URN and by normalised name.
struct LaIndex {
    by_urn: HashMap<String, String>,
    names: CouncilNames,
}

/// Normalises a council name so that "City of Bradford Metropolitan District Council",
/// "Bradford" and "bradford" meet: lower case, `&` as `and`, no punctuation, no generic words.
pub fn normalise_name(name: &str) -> String {
    const GENERIC: [&str; 12] = [
        "council",
        "city",
        "county",
        "borough",
        "metropolitan",
        "district",
        "london",
        "royal",
        "of",
        "the",
        "mbc",
        "cc",
    ];
    let lower = name.to_lowercase().replace('&', " and ");
    let words = || lower.split(|c: char| !c.is_alphanumeric() && c != '-').filter(|w| !w.is_empty());
    let specific: Vec<&str> = words().filter(|w| !GENERIC.contains(w)).collect();
    // "City of London" is nothing but generic words: keep them all.
    if specific.is_empty() { words().collect::<Vec<_>>().join(" ") } else { specific.join(" ") }
}

/// Council names as sources write them, resolved to GSS codes: every LA's name and short name
/// (normalised by [`normalise_name`]) and the alias table. A name two councils share ("Dorset
/// County Council" and "Dorset Council" both normalise to "dorset") resolves to the one that
/// existed on the date in question, else the current one. The seed import and the GOV.UK
/// fetcher both match names here, so they always agree on a council.
pub struct CouncilNames {
    by_name: HashMap<String, Vec<Council>>,
}

/// A council's GSS code and the dates it existed from and to.
type Council = (String, Option<NaiveDate>, Option<NaiveDate>);

impl CouncilNames {
    /// Indexes `las` and the alias table bundled with lacs.
    pub fn new(las: &[LocalAuthority]) -> Result<CouncilNames, StoreError> {
        let mut problems = Problems::new("council aliases");
        let names = CouncilNames::build(las, &SeedFiles::bundled(), &mut problems);
        problems.finish()?;
        Ok(names)
    }

    /// Indexes `las` and the alias table of `files`; an alias naming an unknown GSS code is a
    /// problem of that file.
    fn build(las: &[LocalAuthority], files: &SeedFiles, problems: &mut Problems) -> CouncilNames {
        let council = |la: &LocalAuthority| (la.gss_code.clone(), la.valid_from, la.valid_to);
        let mut by_name: HashMap<String, Vec<Council>> = HashMap::new();
        for la in las {
            for name in [&la.name, &la.short_name] {
                let entry = by_name.entry(normalise_name(name)).or_default();
                if !entry.iter().any(|(g, _, _)| *g == la.gss_code) {
                    entry.push(council(la));
                }
            }
        }
        let aliases = Table::read(files, "la_aliases.csv", &["name", "gss_code"], problems);
        for (line, row) in &aliases.rows {
            let gss = get(row, "gss_code");
            match las.iter().find(|la| la.gss_code == gss) {
                Some(la) => {
                    by_name.insert(normalise_name(get(row, "name")), vec![council(la)]);
                }
                None => problems.add(aliases.name, *line, format!("unknown GSS code `{gss}`")),
            }
        }
        // Current councils first, then by code: the choice never depends on database order.
        for candidates in by_name.values_mut() {
            candidates.sort_by(|a, b| (a.2.is_some(), &a.0).cmp(&(b.2.is_some(), &b.0)));
        }
        CouncilNames { by_name }
    }

    /// The council `name` means on `on` (or the current one when the date is unknown).
    pub fn find(&self, name: &str, on: Option<NaiveDate>) -> Option<&str> {
        let candidates = self.by_name.get(&normalise_name(name))?;
        let existed = |(_, from, to): &&Council| match on {
            Some(day) => from.is_none_or(|f| f <= day) && to.is_none_or(|t| day <= t),
            None => to.is_none(),
        };
        candidates.iter().find(existed).or(candidates.first()).map(|(g, _, _)| g.as_str())
    }
}

impl LaIndex {
    fn load(w: &mut Writer<'_>, files: &SeedFiles, problems: &mut Problems) -> Result<LaIndex, StoreError> {
        let las = schema::store::all_local_authorities(w.conn())?;
        let by_urn = las.iter().filter_map(|la| Some((la.ofsted_urn.clone()?, la.gss_code.clone()))).collect();
        Ok(LaIndex { by_urn, names: CouncilNames::build(&las, files, problems) })
    }
}

fn history_grade(text: &str) -> Result<Option<Grade>, String> {
    Ok(Some(match text {
        "outstanding" => Grade::Outstanding,
        "good" => Grade::Good,
        "requires improvement" => Grade::RequiresImprovement,
        "inadequate" => Grade::Inadequate,
        // Markers, not grades: the area was not read, or does not exist for this inspection.
        "" | "data_unreadable" | "inspection_pre_dates_judgement" | "not_reported_post_reform" => {
            return Ok(None);
        }
        other => return Err(format!("`{other}` is not a grade")),
    }))
}

fn import_inspections(w: &mut Writer<'_>, files: &SeedFiles) -> Result<(), StoreError> {
    let mut problems = Problems::new("seed inspections");
    const GRADE_COLUMNS: [&str; 5] = [
        "overall_effectiveness_grade",
        "impact_of_leaders_grade",
        "help_and_protection_grade",
        "in_care_grade",
        "care_leavers_grade",
    ];
    let mut required = vec![
        "urn",
        "inspection_link",
        "publication_date",
        "inspection_framework",
        "inspector_name",
        "inspection_start_date",
        "inspection_end_date",
    ];
    required.extend(GRADE_COLUMNS);
    let history = Table::read(files, "ofsted_csc_ilacs_history.csv", &required, &mut problems);
    let las = LaIndex::load(w, files, &mut problems)?;
    problems.finish()?;
    let mut problems = Problems::new("seed inspections");
    let source_url = format!("{UPSTREAM}/ofsted_csc_ilacs_history.csv");

    // Our own parser's reading of each report we hold, first; the scraper's row for the rest.
    let mut inspections = read_ofsted_inspections(files, &las, &mut problems);
    let ours: HashSet<String> = inspections.iter().map(|i| i.id.clone()).collect();
    let mut seen = HashSet::new();
    for (line, row) in &history.rows {
        let mut fail = |reason: String| problems.add(history.name, *line, reason);
        let urn = get(row, "urn");
        let Some(la) = las.by_urn.get(urn) else {
            fail(format!("URN `{urn}` matches no local authority"));
            continue;
        };
        let link = get(row, "inspection_link");
        let Some(id) = link
            .strip_prefix("https://files.ofsted.gov.uk/v1/file/")
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        else {
            fail(format!("`{link}` is not an Ofsted file link"));
            continue;
        };
        if !seen.insert(id.to_owned()) && !ours.contains(id) {
            fail(format!("file id {id} appears twice"));
            continue;
        }
        let dates = (
            parse_date(get(row, "publication_date"), "%d/%m/%y"),
            parse_date(get(row, "inspection_start_date"), "%d/%m/%Y"),
            parse_date(get(row, "inspection_end_date"), "%d/%m/%Y"),
        );
        let (published, start_date, end_date) = match dates {
            (Ok(Some(p)), Ok(s), Ok(e)) => (p, s, e),
            (Ok(None), _, _) => {
                fail("empty publication_date".into());
                continue;
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                fail(e);
                continue;
            }
        };
        let mut grades = [None; 5];
        let mut bad = false;
        for (slot, column) in grades.iter_mut().zip(GRADE_COLUMNS) {
            match (get(row, column), history_grade(get(row, column))) {
                // Two rows hold this misreading of the scraper's: the grade is unknown.
                ("to requires improvement", _) => {}
                (_, Ok(g)) => *slot = g,
                (_, Err(e)) => {
                    fail(format!("{column}: {e}"));
                    bad = true;
                }
            }
        }
        if bad {
            continue;
        }
        // Before 2023 one judgement covered children in care and care leavers together; the
        // file then puts it in the in-care column and marks care leavers as not yet judged.
        let combined = get(row, "care_leavers_grade") == "inspection_pre_dates_judgement";
        let in_care_area = if combined { Area::ChildrenInCareAndCareLeavers } else { Area::ChildrenInCare };
        let areas = [
            Area::OverallEffectiveness,
            Area::ImpactOfLeaders,
            Area::HelpAndProtection,
            in_care_area,
            Area::CareLeavers,
        ];
        let judgements: Vec<Judgement> =
            areas.iter().zip(grades).filter_map(|(&area, g)| g.map(|grade| Judgement { area, grade })).collect();

        let framework_text = get(row, "inspection_framework");
        let inspection_type = match framework_text {
            "standard" => Some(InspectionType::Standard),
            "short" => Some(InspectionType::Short),
            _ => None,
        };
        // The file names ILACS inspection types; otherwise only the date settles the framework:
        // nothing but ILACS has been published since 2019. Earlier rows stay unknown until our own
        // parser reads the report.
        let ilacs_since = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap_or_default();
        let framework = (!framework_text.is_empty() || published >= ilacs_since).then_some(Framework::Ilacs);
        let mut notes = Vec::new();
        if framework_text == "inspection duration longer than standard framework" {
            notes.push("the source describes the inspection as longer than a standard inspection".to_owned());
        }
        let unread: Vec<&str> = GRADE_COLUMNS
            .iter()
            .filter(|c| matches!(get(row, c), "" | "data_unreadable" | "to requires improvement"))
            .filter(|c| !(**c == "overall_effectiveness_grade" && get(row, c) == "not_reported_post_reform"))
            .copied()
            .collect();
        if !unread.is_empty() {
            notes.push(format!("the source could not read {} from the report", unread.join(", ")));
        }
        if framework.is_none() {
            notes.push("framework not stated by the source".to_owned());
        }
        // Every row is checked; a row whose report our parser read gives way to that reading.
        if ours.contains(id) {
            continue;
        }
        inspections.push(Inspection {
            id: id.to_owned(),
            la: la.clone(),
            kind: InspectionKind::Inspection,
            framework,
            inspection_type,
            start_date,
            end_date,
            second_start_date: None,
            second_end_date: None,
            published,
            lead_inspectors: non_empty(get(row, "inspector_name")).into_iter().collect(),
            report_url: link.to_owned(),
            provider_url: Some(format!("https://reports.ofsted.gov.uk/provider/44/{urn}")),
            judgements,
            notes: (!notes.is_empty()).then(|| notes.join("; ")),
            provenance: history.provenance(&source_url, upstream_time()),
        });
    }
    problems.finish()?;
    for inspection in &inspections {
        w.put_inspection(inspection)?;
    }
    w.delete_unseen(&format!("seed:{}", history.name))?;
    Ok(())
}

/// `ofsted_inspections.csv`: what `lacs fetch ofsted` read from each report PDF (see
/// `scripts/rebuild-seed`), with the report's SHA-256, parser version and retrieval time.
fn read_ofsted_inspections(files: &SeedFiles, las: &LaIndex, problems: &mut Problems) -> Vec<Inspection> {
    let table = Table::read(
        files,
        "ofsted_inspections.csv",
        &[
            "id",
            "urn",
            "kind",
            "framework",
            "inspection_type",
            "start_date",
            "end_date",
            "second_start_date",
            "second_end_date",
            "published",
            "lead_inspectors",
            "judgements",
            "report_url",
            "provider_url",
            "notes",
            "retrieved_at",
            "sha256",
            "parser_version",
        ],
        problems,
    );
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(table.name, *line, reason);
        let Some(la) = las.by_urn.get(get(row, "urn")) else {
            fail(format!("URN `{}` matches no local authority", get(row, "urn")));
            continue;
        };
        let date = |c: &str| parse_date(get(row, c), "%Y-%m-%d").map_err(|e| format!("{c}: {e}"));
        let vocab = |c: &str| -> Result<Option<String>, String> { Ok(non_empty(get(row, c))) };
        let parsed = (|| -> Result<Inspection, String> {
            let judgements = get(row, "judgements")
                .split(';')
                .filter(|j| !j.is_empty())
                .map(|j| {
                    let (area, grade) =
                        j.split_once('=').ok_or_else(|| format!("judgements: `{j}` is not area=grade"))?;
                    Ok(Judgement {
                        area: area.parse().map_err(|e: UnknownValue| e.to_string())?,
                        grade: grade.parse().map_err(|e: UnknownValue| e.to_string())?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            let retrieved_at = DateTime::parse_from_rfc3339(get(row, "retrieved_at"))
                .map_err(|_| format!("retrieved_at: `{}` is not an RFC 3339 time", get(row, "retrieved_at")))?
                .with_timezone(&Utc);
            Ok(Inspection {
                id: get(row, "id").to_owned(),
                la: la.clone(),
                kind: get(row, "kind").parse().map_err(|e: UnknownValue| e.to_string())?,
                framework: vocab("framework")?
                    .map(|f| f.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                inspection_type: vocab("inspection_type")?
                    .map(|t| t.parse())
                    .transpose()
                    .map_err(|e: UnknownValue| e.to_string())?,
                start_date: date("start_date")?,
                end_date: date("end_date")?,
                second_start_date: date("second_start_date")?,
                second_end_date: date("second_end_date")?,
                published: date("published")?.ok_or("published: empty")?,
                lead_inspectors: get(row, "lead_inspectors")
                    .split("; ")
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect(),
                report_url: get(row, "report_url").to_owned(),
                provider_url: non_empty(get(row, "provider_url")),
                judgements,
                notes: non_empty(get(row, "notes")),
                provenance: Provenance {
                    source: crate::ofsted::SOURCE.to_owned(),
                    source_url: get(row, "report_url").to_owned(),
                    retrieved_at,
                    sha256: get(row, "sha256").to_owned(),
                    parser_version: get(row, "parser_version").to_owned(),
                },
            })
        })();
        match parsed {
            Ok(i) => out.push(i),
            Err(e) => fail(e),
        }
    }
    out
}

fn intervention_kind(text: &str) -> Result<InterventionKind, String> {
    Ok(match text {
        "improvement_notice" => InterventionKind::ImprovementNotice,
        "statutory_direction" => InterventionKind::StatutoryDirection,
        "commissioner_appointed" => InterventionKind::CommissionerAppointed,
        "trust_or_alternative_delivery" => InterventionKind::AlternativeDelivery,
        "partnership_with_another_council" => InterventionKind::PartnershipWithAnotherCouncil,
        "intervention_lifted" => InterventionKind::InterventionEnded,
        "trust_returned_in_house" => InterventionKind::ReturnedInHouse,
        "other_intervention" => InterventionKind::Other,
        other => return Err(format!("`{other}` is not an intervention type")),
    })
}

fn import_interventions(w: &mut Writer<'_>, files: &SeedFiles) -> Result<(), StoreError> {
    let mut problems = Problems::new("seed interventions");
    let table = Table::read(
        files,
        "interventions_seed.csv",
        &["local_authority", "intervention_type", "date", "end_date", "commissioner", "details", "source_url"],
        &mut problems,
    );
    let las = LaIndex::load(w, files, &mut problems)?;
    problems.finish()?;
    let mut problems = Problems::new("seed interventions");
    let retrieved_at = Utc::now();
    let mut ids = HashSet::new();
    let mut interventions = Vec::new();
    for (line, row) in &table.rows {
        let mut fail = |reason: String| problems.add(table.name, *line, reason);
        let name = get(row, "local_authority");
        let date = |column: &str| -> Result<Option<PartialDate>, String> {
            let text = get(row, column);
            if text.is_empty() { Ok(None) } else { text.parse().map(Some).map_err(|e| format!("{column}: {e}")) }
        };
        let dates = date("date").and_then(|s| Ok((s, date("end_date")?)));
        // A name two councils shared means the one that existed when the intervention started.
        let start = dates.as_ref().ok().and_then(|(s, _)| s.map(|s| s.first_day));
        let Some(la) = las.names.find(name, start).map(str::to_owned) else {
            fail(format!("local authority `{name}` matches no LA name; add it to data/seed/la_aliases.csv"));
            continue;
        };
        let kind = match intervention_kind(get(row, "intervention_type")) {
            Ok(k) => k,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let (start_date, end_date) = match dates {
            Ok(dates) => dates,
            Err(e) => {
                fail(e);
                continue;
            }
        };
        let source = get(row, "source_url");
        if !(source.starts_with("https://") || source.starts_with("http://")) {
            fail(format!("source_url `{source}` is not a web address"));
            continue;
        }
        let id =
            intervention_id(&[name, get(row, "intervention_type"), get(row, "date"), get(row, "commissioner"), source]);
        if !ids.insert(id.clone()) {
            fail("the same local authority, type, date, commissioner and source as an earlier line".into());
            continue;
        }
        interventions.push(Intervention {
            id,
            la,
            kind,
            service: if crate::govuk::is_send(get(row, "details")) {
                Service::Send
            } else {
                Service::ChildrensSocialCare
            },
            start_date,
            end_date,
            commissioner: non_empty(get(row, "commissioner")),
            title: None,
            summary: non_empty(get(row, "details")),
            source_urls: vec![source.to_owned()],
            follows: None,
            same_as: None,
            document_updated_at: None,
            corroborations: Vec::new(),
            provenance: table.provenance("data/seed/interventions_seed.csv", retrieved_at),
        });
    }
    problems.finish()?;
    for intervention in &interventions {
        w.put_intervention(intervention)?;
    }
    w.delete_unseen(&format!("seed:{}", table.name))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_to_meet_the_lookup() {
        assert_eq!(normalise_name("City of Bradford Metropolitan District Council"), "bradford");
        assert_eq!(normalise_name("Kingston upon Hull City Council"), normalise_name("Kingston Upon Hull, City of"));
        assert_eq!(normalise_name("Royal Borough of Windsor and Maidenhead"), "windsor and maidenhead");
        assert_eq!(normalise_name("Stoke-on-Trent City Council"), "stoke-on-trent");
        assert_eq!(normalise_name("Bournemouth, Christchurch & Poole"), "bournemouth christchurch and poole");
    }

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slugify("St. Helens"), "st-helens");
        assert_eq!(slugify(&short_name("Bristol, City of")), "bristol");
        assert_eq!(short_name("Bournemouth, Christchurch and Poole"), "Bournemouth, Christchurch and Poole");
    }
}
