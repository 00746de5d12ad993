//! Checksums and public ids, written the one way every fetcher writes them.

use sha2::{Digest, Sha256};

/// SHA-256 of `bytes` in lower-case hexadecimal, as checksums are stored and archived files named.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// An intervention's public id: `iv-` and 16 hex digits of SHA-256 over the parts that
/// identify it in its source (not over its wording, so that rewording a record updates it).
pub(crate) fn intervention_id(parts: &[&str]) -> String {
    format!("iv-{}", &sha256_hex(parts.join("\u{1f}").as_bytes())[..16])
}
