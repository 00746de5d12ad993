//! Finding councils by what a person types: any name, code or slug, whole or in part. The
//! website's search box uses it; a key that names exactly one council (as the API accepts it)
//! is resolved by `Dataset::local_authority` before any of this.

use crate::Dataset;
use crate::domain::LocalAuthority;

/// The longest search text accepted, in characters: far longer than any council's name.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Text folded for matching: lower case, hyphens and runs of spaces as one space, so that a
/// slug (`north-yorkshire`) and a name (`North  Yorkshire`) match alike.
pub fn fold(text: &str) -> String {
    let spaced: String = text.chars().map(|c| if c == '-' || c == '_' { ' ' } else { c }).collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Everything a council can be found by (names, slug, every code), folded, separated by `|`.
pub fn search_text(la: &LocalAuthority) -> String {
    let mut keys = vec![la.name.as_str(), la.short_name.as_str(), la.slug.as_str(), la.gss_code.as_str()];
    keys.extend(la.former_gss_codes.iter().map(String::as_str));
    keys.extend(la.dfe_code.as_deref());
    keys.extend(la.ofsted_urn.as_deref());
    keys.iter().map(|k| fold(k)).collect::<Vec<_>>().join("|")
}

/// How well a council matches: 0 a whole key, 1 the start of a key or of a word in a name, 2
/// anywhere; `None` when it does not match.
fn rank(la: &LocalAuthority, wanted: &str) -> Option<u8> {
    let text = search_text(la);
    let keys: Vec<&str> = text.split('|').collect();
    if keys.contains(&wanted) {
        Some(0)
    } else if keys.iter().any(|k| k.starts_with(wanted) || k.split(' ').any(|w| w.starts_with(wanted))) {
        Some(1)
    } else if text.contains(wanted) {
        Some(2)
    } else {
        None
    }
}

/// Councils (current and retired) whose names, slug or codes contain `text`, best matches
/// first, then by name. Empty text matches nothing.
pub fn councils<'a>(dataset: &'a Dataset, text: &str) -> Vec<&'a LocalAuthority> {
    let wanted = fold(text);
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(u8, &LocalAuthority)> =
        dataset.local_authorities.iter().filter_map(|la| rank(la, &wanted).map(|r| (r, la))).collect();
    // The snapshot is sorted by name, and the sort is stable.
    found.sort_by_key(|(r, _)| *r);
    found.into_iter().map(|(_, la)| la).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_names_fold_alike() {
        assert_eq!(fold("  North-Yorkshire "), "north yorkshire");
        assert_eq!(fold("North   Yorkshire"), "north yorkshire");
        assert_eq!(fold(""), "");
    }
}
