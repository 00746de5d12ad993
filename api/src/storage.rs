//! Where the server keeps files: releases it cuts of each dataset version, and the archive of
//! source documents by SHA-256.

use std::path::PathBuf;

use schema::Dataset;
use schema::export::Manifest;

/// Releases kept on disk.
const KEEP_RELEASES: usize = 5;

/// Where releases and archived documents live.
#[derive(Debug, Clone)]
pub struct Storage {
    /// `<data dir>/releases/<version>/`.
    pub releases: PathBuf,
    /// Content-addressed source documents: `<archive dir>/<sha256>.pdf`.
    pub archive: PathBuf,
}

impl Storage {
    pub(crate) fn release_dir(&self, version: i64) -> PathBuf {
        self.releases.join(version.to_string())
    }

    /// Writes the release of `dataset` unless it exists, then removes all but the newest few.
    pub fn cut_release(&self, dataset: &Dataset) -> anyhow::Result<()> {
        let dir = self.release_dir(dataset.version);
        if dir.join("manifest.json").exists() {
            return Ok(());
        }
        // Written aside and renamed, so a reader never sees half a release.
        let tmp = self.releases.join(format!(".{}-{}", dataset.version, std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        schema::export::write_release(dataset, &tmp)?;
        if let Err(e) = std::fs::rename(&tmp, &dir) {
            let _ = std::fs::remove_dir_all(&tmp);
            if !dir.join("manifest.json").exists() {
                return Err(e.into());
            }
        }
        let mut versions = self.versions();
        while versions.len() > KEEP_RELEASES {
            let _ = std::fs::remove_dir_all(self.release_dir(versions.remove(0)));
        }
        tracing::info!(dataset.version = dataset.version, dir = %dir.display(), "release cut");
        Ok(())
    }

    /// Versions released on disk, oldest first.
    pub(crate) fn versions(&self) -> Vec<i64> {
        let mut v: Vec<i64> = std::fs::read_dir(&self.releases)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .filter(|v: &i64| self.release_dir(*v).join("manifest.json").exists())
            .collect();
        v.sort_unstable();
        v
    }

    pub(crate) fn manifest(&self, version: i64) -> Option<Manifest> {
        let text = std::fs::read_to_string(self.release_dir(version).join("manifest.json")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// SHA-256s of the documents in the archive.
    pub fn archived(&self) -> std::collections::HashSet<String> {
        std::fs::read_dir(&self.archive)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(".pdf").filter(|s| is_sha256(s)).map(str::to_owned))
            .collect()
    }
}

pub(crate) fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
