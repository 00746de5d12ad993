//! The bundled indicator files (`data/seed/context/`), each with where it was taken from.
//! The DfE CSVs are byte-for-byte copies; the RO3 files are the columns lacs reads, cut from
//! MHCLG's spreadsheets by `lacs indicators trim-ro3`, and the section 251 files (`s251/`) the
//! lines lacs reads, cut from DfE's outturn files by `lacs indicators trim-s251` (see
//! `data/seed/SOURCES.md`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use schema::domain::Provenance;

use crate::ids::sha256_hex;

/// Where the bundled DfE files were taken: DfE's own analysts' repository, at the commit copied.
const UPSTREAM: &str = "https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers/blob/2f5d11a4/data-raw";
/// The upstream commit's date (the copies are of that commit).
const UPSTREAM_TAKEN_AT: &str = "2026-04-27T00:00:00Z";
/// Where the section 251 outturn files were taken: BenGoodair/childrens_social_care_data (no
/// licence file; the figures are DfE's, OGL v3.0), at the commit copied.
const S251_UPSTREAM: &str =
    "https://github.com/BenGoodair/childrens_social_care_data/blob/ca4389ab/Raw_Data/LA_level/LA_Spend";
/// When the copies of the section 251 files were made (the upstream commit's date is not
/// recorded with them).
const S251_TAKEN_AT: &str = "2026-12-01T23:15:56Z";

/// One file the indicators are read from.
#[derive(Debug, Clone)]
pub struct IndicatorFile {
    /// Its name in `data/seed/context/` (and the catalogue's `source_file`, or `ro3`).
    pub name: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Where its figures come from (for RO3: the spreadsheet the file was cut from, and its checksum).
    pub provenance: Arc<Provenance>,
}

/// A bundled file: name, upstream repository and file, when it was taken, and for a file cut
/// from another, that file's SHA-256.
struct Bundled {
    name: &'static str,
    bytes: &'static [u8],
    repository: &'static str,
    upstream: &'static str,
    taken_at: &'static str,
    upstream_sha256: Option<&'static str>,
}

macro_rules! bundled {
    ($name:literal, $upstream:literal, $sha:expr) => {
        bundled!($name, UPSTREAM, UPSTREAM_TAKEN_AT, $upstream, $sha)
    };
    ($name:literal, $repository:expr, $taken_at:expr, $upstream:literal, $sha:expr) => {
        Bundled {
            name: $name,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/seed/context/", $name)),
            repository: $repository,
            upstream: $upstream,
            taken_at: $taken_at,
            upstream_sha256: $sha,
        }
    };
}

macro_rules! s251 {
    ($name:literal, $upstream:literal, $sha:literal) => {
        bundled!($name, S251_UPSTREAM, S251_TAKEN_AT, $upstream, Some($sha))
    };
}

const BUNDLED: [Bundled; 13] = [
    bundled!("indicators.csv", "", None),
    bundled!("csww_indicators_2017_to_2025.csv", "csww_indicators_2017_to_2025.csv", None),
    bundled!("cla_number_and_rate_per_10k_children.csv", "cla_number_and_rate_per_10k_children.csv", None),
    bundled!("b1_children_in_need_2013_to_2025.csv", "b1_children_in_need_2013_to_2025.csv", None),
    bundled!(
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        None
    ),
    bundled!(
        "ro3_2023-24.csv",
        "RO3_2023-24_data_by_LA.ods",
        Some("21afc220fd9e38c516ab067fb67e0d7f0d81f65eaa644483fecee5d7acf0dbdd")
    ),
    bundled!(
        "ro3_2024-25.csv",
        "RO3_LA_Data_2024-25_data_by_LA.ods",
        Some("0bd086a547e5f3c21debe7ad3ec63f01459a0f8fed34b40662ee90f9166a35f7")
    ),
    s251!(
        "s251/outturn_2008-09.csv",
        "outturn_0809.csv",
        "d6794a9d7927b25869a24e3a6e090a2bf4a51f98d600672fe9754064d666e3d8"
    ),
    s251!(
        "s251/outturn_2009-10.csv",
        "outturn_0910.csv",
        "efb04c41a0db1a78d23082a7660a5ba1a462fb9630139aa42055d53205932152"
    ),
    s251!(
        "s251/outturn_2010-11.csv",
        "outturn_1011.csv",
        "842a7aa6f439756ea9ed3eede8888c1b368d01513220c440625549aa302e1994"
    ),
    s251!(
        "s251/outturn_2011-12.csv",
        "outturn_1112.csv",
        "005341be6db435e6901e4ca6cb04581ead20c18a0e9637e262169146832f1ef2"
    ),
    s251!(
        "s251/outturn_2012-13.csv",
        "outturn_1213.csv",
        "433cf6a0b274f1d747bb2d8e6eac8c1fae5237e50cca2ea6dca6439f770c91e0"
    ),
    s251!(
        "s251/outturn_2013-14.csv",
        "outturn_1314.csv",
        "f15bc07d9b2819b15889ee435dfdd9ef699537827940c8510071a1f6f9c06739"
    ),
];

/// The indicator catalogue and the files its figures are read from.
#[derive(Debug, Clone)]
pub struct IndicatorFiles {
    /// Every file, the catalogue first.
    pub files: Vec<IndicatorFile>,
    dir: Option<PathBuf>,
}

fn taken_at(at: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(at).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

impl IndicatorFiles {
    /// The copies built into lacs.
    pub fn bundled() -> IndicatorFiles {
        Self::build(BUNDLED.iter().map(|b| (b, b.bytes.to_vec())).collect(), None)
    }

    /// The same files read from a directory (an edited copy, `lacs import seed --dir`); each is
    /// bounded like every seed file.
    pub fn from_dir(dir: &Path) -> std::io::Result<IndicatorFiles> {
        let mut read = Vec::new();
        for b in &BUNDLED {
            read.push((b, crate::csv_file::read_bounded(&dir.join(b.name))?));
        }
        Ok(Self::build(read, Some(dir.to_path_buf())))
    }

    fn build(read: Vec<(&Bundled, Vec<u8>)>, dir: Option<PathBuf>) -> IndicatorFiles {
        let files = read
            .into_iter()
            .map(|(b, bytes)| {
                let own = sha256_hex(&bytes);
                let provenance = Provenance {
                    source: format!("seed:context/{}", b.name),
                    source_url: if b.upstream.is_empty() {
                        // lacs's own catalogue: each entry cites its publication instead.
                        "data/seed/context/indicators.csv".to_owned()
                    } else {
                        format!("{}/{}", b.repository, b.upstream)
                    },
                    retrieved_at: taken_at(b.taken_at),
                    // A file cut from a spreadsheet states the spreadsheet's figures: its checksum
                    // is the one to verify them against (while the cut file is unedited).
                    sha256: match (b.upstream_sha256, &dir) {
                        (Some(sha), None) => sha.to_owned(),
                        _ => own,
                    },
                    parser_version: super::PARSER_VERSION.to_owned(),
                };
                IndicatorFile { name: b.name, bytes, provenance: Arc::new(provenance) }
            })
            .collect();
        IndicatorFiles { files, dir }
    }

    /// Replaces one file's contents (tests feed bad rows so).
    pub fn with_file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> IndicatorFiles {
        if let Some(f) = self.files.iter_mut().find(|f| f.name == name) {
            f.bytes = bytes.into();
        }
        self
    }

    /// The files of figures (every file but the catalogue).
    pub fn of_figures(&self) -> impl Iterator<Item = &IndicatorFile> {
        self.files.iter().filter(|f| f.name.ends_with(".csv") && f.name != "indicators.csv")
    }

    /// A file by name.
    pub fn file(&self, name: &str) -> Option<&IndicatorFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// How messages name a file.
    pub fn path(&self, name: &str) -> String {
        match &self.dir {
            Some(dir) => dir.join(name).display().to_string(),
            None => format!("data/seed/context/{name}"),
        }
    }
}
