//! Councils' names as sources write them, resolved to GSS codes. The seed import and the GOV.UK
//! fetcher both match names here, so they always agree on a council.

use std::collections::HashMap;

use chrono::NaiveDate;
use schema::StoreError;
use schema::domain::LocalAuthority;

use super::files::{Problems, SeedFiles, Table, get};

/// LAs as the seed import keys them: by Ofsted URN and by normalised name.
pub(super) struct LaIndex {
    pub(super) by_urn: HashMap<String, String>,
    /// By every GSS code a council has used, and by name (as the statistics name them).
    pub(super) councils: crate::official::join::Councils,
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
    pub(super) fn build(las: &[LocalAuthority], files: &SeedFiles, problems: &mut Problems) -> CouncilNames {
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
                None => problems.add(&aliases.path, *line, format!("unknown GSS code `{gss}`")),
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
    pub(super) fn new(las: &[LocalAuthority], files: &SeedFiles, problems: &mut Problems) -> LaIndex {
        let by_urn = las.iter().filter_map(|la| Some((la.ofsted_urn.clone()?, la.gss_code.clone()))).collect();
        let names = CouncilNames::build(las, files, problems);
        LaIndex { by_urn, councils: crate::official::join::Councils::from_parts(las, names) }
    }
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
}
