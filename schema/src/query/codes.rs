//! Codes resolved against the snapshot. A caller names a council by any of its codes or its slug
//! and a region by code or name; the filters take only what those resolve to, so raw input never
//! reaches a filter and a resolved code says so in its type.

use std::ops::Deref;

use super::Invalid;
use crate::Dataset;
use crate::domain::LocalAuthority;

/// A council's canonical GSS code, as the snapshot holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GssCode(String);

impl GssCode {
    /// The code of a council in the snapshot.
    pub fn of(la: &LocalAuthority) -> Self {
        GssCode(la.gss_code.clone())
    }
}

impl Deref for GssCode {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// An ONS region code that some council in the snapshot has.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegionCode(String);

impl Deref for RegionCode {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Resolves an LA given by any code or slug to its GSS code.
pub fn resolve_la(dataset: &Dataset, parameter: &str, value: &str) -> Result<GssCode, Invalid> {
    dataset.local_authority(value).map(GssCode::of).ok_or_else(|| {
        Invalid::new(
            parameter,
            format!("{parameter}: `{value}` is not a local authority's GSS code, DfE code, Ofsted URN or slug"),
        )
    })
}

/// Resolves a region given as code or name to its code, or says which regions exist.
pub fn resolve_region(dataset: &Dataset, parameter: &str, value: &str) -> Result<RegionCode, Invalid> {
    let wanted = value.trim();
    let found = dataset.local_authorities.iter().find_map(|la| {
        let code = la.region_code.as_deref()?;
        let name = la.region_name.as_deref()?;
        (code.eq_ignore_ascii_case(wanted) || name.eq_ignore_ascii_case(wanted)).then(|| RegionCode(code.to_owned()))
    });
    found.ok_or_else(|| {
        let mut regions: Vec<String> = dataset
            .local_authorities
            .iter()
            .filter_map(|la| Some(format!("{} ({})", la.region_name.as_deref()?, la.region_code.as_deref()?)))
            .collect();
        regions.sort();
        regions.dedup();
        Invalid::new(parameter, format!("{parameter}: `{value}` is not a region; use one of {}", regions.join(", ")))
    })
}
