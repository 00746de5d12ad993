//! The LA files, read and checked: `Provider_data_lookup.csv` with its corrections, the LAs it
//! lacks, reorganisations and GSS recodes.

use std::collections::{HashMap, HashSet};

use schema::StoreError;
use schema::domain::{CodeChange, LaType, LocalAuthority, Succession};

use super::files::{Problems, SeedFiles, Table, get, non_empty, parse_date};
use super::files::{UPSTREAM, upstream_time};
use super::names::LaIndex;

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

/// What the LA files state.
pub(super) struct Councils {
    pub las: Vec<LocalAuthority>,
    pub successions: Vec<Succession>,
    pub code_changes: Vec<CodeChange>,
    /// What inspections and interventions are matched with.
    pub index: LaIndex,
    /// Every LA the database holds after the import (the files' and the others it held): what
    /// indicator figures are matched with.
    pub after: Vec<LocalAuthority>,
}

/// The LA files, read and checked: the LAs, their reorganisations and recodes, and the index
/// inspections and interventions are matched with (`held`, the LAs the database holds, updated
/// by the files').
pub(super) fn read(files: &SeedFiles, held: &[LocalAuthority]) -> Result<Councils, StoreError> {
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
            problems.add(&corrections.path, *line, format!("a second correction of {} for {}", key.1, key.0));
        }
    }
    let mut used_fixes = HashSet::new();

    let mut las: Vec<LocalAuthority> = Vec::new();
    let lookup_url = format!("{UPSTREAM}/import_data/la_lookup/Provider_data_lookup.csv");
    for (line, row) in &lookup.rows {
        let gss = get(row, "la_code_new");
        if !is_gss(gss) {
            problems.add(&lookup.path, *line, format!("`{gss}` is not a GSS code (la_code_new)"));
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
                    problems.add(&lookup.path, *line, format!("rgn22cd {code} is {name} but region_name says {given}"));
                }
                (Some(code.to_owned()), Some(name.to_owned()))
            }
            Some((code, None)) => {
                problems.add(&lookup.path, *line, format!("`{code}` is not an English region code (rgn22cd)"));
                continue;
            }
        };
        let la_type = match la_type(&value("ons_la_type")) {
            Ok(t) => t,
            Err(e) => {
                problems.add(&lookup.path, *line, e);
                continue;
            }
        };
        let population = value("ons_population_0-25");
        let population_0_25 = match population.as_str() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(&lookup.path, *line, format!("`{p}` is not a population count"));
                    continue;
                }
            },
        };
        let name = get(row, "local_authority_ons_name").to_owned();
        if name.is_empty() {
            problems.add(&lookup.path, *line, "empty local_authority_ons_name");
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
        problems.add(&corrections.path, 0, format!("correction of {} for {} matches no row", key.1, key.0));
    }

    for (line, row) in &extra.rows {
        let gss = get(row, "gss_code");
        let region = get(row, "region_code");
        let (Some(region_name), true) = (region_name(region), is_gss(gss)) else {
            problems.add(&extra.path, *line, format!("bad GSS code `{gss}` or region code `{region}`"));
            continue;
        };
        let (la_type, valid_to) = match (la_type(get(row, "la_type")), parse_date(get(row, "valid_to"), "%Y-%m-%d")) {
            (Ok(t), Ok(v)) => (t, v),
            (Err(e), _) | (_, Err(e)) => {
                problems.add(&extra.path, *line, e);
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
            &lookup.path,
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
                problems.add(&reorganisations.path, *line, "empty effective date");
                continue;
            }
            Err(e) => {
                problems.add(&reorganisations.path, *line, e);
                continue;
            }
        };
        let (Some(&p), Some(&s)) = (index.get(pred), index.get(succ)) else {
            problems.add(&reorganisations.path, *line, format!("unknown GSS code in `{pred}` → `{succ}`"));
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
    let mut code_changes = Vec::new();
    for (line, row) in &recodes.rows {
        let (former, current) = (get(row, "former_gss"), get(row, "current_gss"));
        let effective = match parse_date(get(row, "effective"), "%Y-%m-%d") {
            Ok(d) => d,
            Err(e) => {
                problems.add(&recodes.path, *line, e);
                continue;
            }
        };
        match index.get(current) {
            Some(&i) if is_gss(former) && !index.contains_key(former) => {
                las[i].former_gss_codes.push(former.to_owned());
                let note = get(row, "note");
                code_changes.push(CodeChange {
                    former_gss: former.to_owned(),
                    gss_code: current.to_owned(),
                    effective,
                    source_url: get(row, "source_url").to_owned(),
                    note: (!note.is_empty()).then(|| note.to_owned()),
                });
            }
            _ => problems.add(
                &recodes.path,
                *line,
                format!("`{former}` → `{current}` must map a code we do not hold to one we do"),
            ),
        }
    }
    let mut slugs = HashSet::new();
    for la in &las {
        if !slugs.insert(la.slug.clone()) {
            problems.add(&lookup.path, 0, format!("two LAs share the slug `{}`", la.slug));
        }
    }
    // The import adds and updates LAs and never removes one: after it the database holds these.
    let mut after: Vec<LocalAuthority> = held.iter().filter(|h| !index.contains_key(&h.gss_code)).cloned().collect();
    after.extend(las.iter().cloned());
    let las_index = LaIndex::new(&after, files, &mut problems);
    problems.finish()?;
    Ok(Councils { las, successions, code_changes, index: las_index, after })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_words() {
        assert_eq!(slugify("St. Helens"), "st-helens");
        assert_eq!(slugify(&short_name("Bristol, City of")), "bristol");
        assert_eq!(short_name("Bournemouth, Christchurch and Poole"), "Bournemouth, Christchurch and Poole");
    }
}
