//! Automatic persisted queries (the Apollo convention): a client sends a document once with
//! `extensions.persistedQuery.sha256Hash`, then only the hash, so that a query fits a short GET
//! URL a browser or a CDN can cache. The documents are kept in memory, bounded in number and in
//! bytes; the oldest goes first when a new one does not fit, and a client whose hash is no longer
//! known is told `PERSISTED_QUERY_NOT_FOUND` and sends the document again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// At most this many documents are kept …
pub const MAX_ENTRIES: usize = 2_000;
/// … holding at most this many bytes of document text (with what each entry costs besides).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;
/// What an entry costs beyond its text (map slot, queue slot, `Arc`).
const ENTRY_OVERHEAD: usize = 128;

/// The error codes of the protocol, in `extensions.code` (the names Apollo's clients look for).
pub mod codes {
    /// The hash names no document this server holds: send the document with it.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// The document sent with a hash does not hash to it, or the extension is malformed.
    pub const PERSISTED_QUERY_INVALID: &str = "PERSISTED_QUERY_INVALID";
}

/// A SHA-256 of a document's text.
pub type Hash = [u8; 32];

/// What a request's `extensions.persistedQuery` says, checked.
#[derive(Debug, PartialEq, Eq)]
pub enum Persisted {
    /// No persisted-query extension.
    Absent,
    /// The document with this hash.
    Hash(Hash),
}

/// Why a persisted-query extension was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Malformed extension or an unknown protocol version.
    #[error("{0}")]
    Invalid(String),
    /// The document does not hash to the hash sent with it.
    #[error("the query's SHA-256 is {actual}, not the sha256Hash sent with it")]
    Mismatch {
        /// The document's own hash, in hex.
        actual: String,
    },
}

/// Reads `extensions` (a JSON object) for `persistedQuery: {version: 1, sha256Hash}`.
pub fn read_extension(extensions: Option<&serde_json::Value>) -> Result<Persisted, Refusal> {
    let Some(extensions) = extensions.filter(|e| !e.is_null()) else { return Ok(Persisted::Absent) };
    let Some(extensions) = extensions.as_object() else {
        return Err(Refusal::Invalid("`extensions` must be a JSON object".into()));
    };
    let Some(pq) = extensions.get("persistedQuery").filter(|p| !p.is_null()) else { return Ok(Persisted::Absent) };
    if pq.get("version").and_then(serde_json::Value::as_u64) != Some(1) {
        return Err(Refusal::Invalid("persistedQuery.version must be 1 (the only version there is)".into()));
    }
    let text = pq.get("sha256Hash").and_then(serde_json::Value::as_str).unwrap_or_default();
    parse_hash(text)
        .map(Persisted::Hash)
        .ok_or_else(|| Refusal::Invalid("persistedQuery.sha256Hash must be 64 hexadecimal digits".into()))
}

fn parse_hash(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(pair).ok()?;
        hash[i] = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(hash)
}

/// The document's hash, checked against the one sent with it.
pub fn check(document: &str, hash: &Hash) -> Result<(), Refusal> {
    let actual: Hash = Sha256::digest(document.as_bytes()).into();
    if &actual == hash {
        Ok(())
    } else {
        Err(Refusal::Mismatch { actual: actual.iter().map(|b| format!("{b:02x}")).collect() })
    }
}

#[derive(Default)]
struct Inner {
    documents: HashMap<Hash, Arc<str>>,
    /// Hashes in the order they were kept, oldest first.
    order: VecDeque<Hash>,
    bytes: usize,
}

/// The documents clients have persisted.
#[derive(Default)]
pub struct PersistedQueries {
    inner: Mutex<Inner>,
}

impl PersistedQueries {
    /// The document with `hash`, if held.
    pub fn get(&self, hash: &Hash) -> Option<Arc<str>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).documents.get(hash).cloned()
    }

    /// Keeps `document` under its (checked) `hash`, letting the oldest go until it fits.
    pub fn put(&self, hash: Hash, document: Arc<str>) {
        let size = ENTRY_OVERHEAD + document.len();
        if size > MAX_BYTES {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.documents.contains_key(&hash) {
            return;
        }
        while inner.documents.len() >= MAX_ENTRIES || inner.bytes + size > MAX_BYTES {
            let Some(oldest) = inner.order.pop_front() else { break };
            if let Some(gone) = inner.documents.remove(&oldest) {
                inner.bytes -= ENTRY_OVERHEAD + gone.len();
            }
        }
        inner.bytes += size;
        inner.order.push_back(hash);
        inner.documents.insert(hash, document);
    }

    /// How many documents and bytes are held (for tests).
    pub fn held(&self) -> (usize, usize) {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        (inner.documents.len(), inner.bytes)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn hash_of(doc: &str) -> Hash {
        Sha256::digest(doc.as_bytes()).into()
    }

    #[test]
    fn the_extension_is_read_strictly() {
        let doc = "{ meta { datasetVersion } }";
        let hex: String = hash_of(doc).iter().map(|b| format!("{b:02x}")).collect();
        let ext = json!({"persistedQuery": {"version": 1, "sha256Hash": hex}});
        assert_eq!(read_extension(Some(&ext)), Ok(Persisted::Hash(hash_of(doc))));
        let upper = json!({"persistedQuery": {"version": 1, "sha256Hash": hex.to_uppercase()}});
        assert_eq!(read_extension(Some(&upper)), Ok(Persisted::Hash(hash_of(doc))));
        assert_eq!(read_extension(None), Ok(Persisted::Absent));
        assert_eq!(read_extension(Some(&json!({}))), Ok(Persisted::Absent));
        for bad in [
            json!({"persistedQuery": {"version": 2, "sha256Hash": hex}}),
            json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}),
            json!({"persistedQuery": {"version": 1, "sha256Hash": format!("{}zz", &hex[..62])}}),
            json!({"persistedQuery": {"version": 1}}),
            json!([1]),
        ] {
            assert!(matches!(read_extension(Some(&bad)), Err(Refusal::Invalid(_))), "{bad}");
        }
        assert_eq!(check(doc, &hash_of(doc)), Ok(()));
        assert!(matches!(check("{ other }", &hash_of(doc)), Err(Refusal::Mismatch { .. })));
    }

    #[test]
    fn the_store_stays_within_its_bounds_and_lets_the_oldest_go() {
        let store = PersistedQueries::default();
        let first = "{ first }";
        store.put(hash_of(first), first.into());
        for n in 0..MAX_ENTRIES + 10 {
            let doc = format!("{{ q{n} }}");
            store.put(hash_of(&doc), doc.into());
        }
        let (entries, bytes) = store.held();
        assert_eq!(entries, MAX_ENTRIES);
        assert!(bytes <= MAX_BYTES);
        assert!(store.get(&hash_of(first)).is_none(), "the oldest went first");
        let last = format!("{{ q{} }}", MAX_ENTRIES + 9);
        assert_eq!(store.get(&hash_of(&last)).as_deref(), Some(last.as_str()));

        // Large documents are bounded by bytes before they reach the entry bound.
        let big = "x".repeat(16 * 1024);
        for n in 0..400 {
            let doc = format!("{big}{n}");
            store.put(hash_of(&doc), doc.into());
        }
        let (entries, bytes) = store.held();
        assert!(bytes <= MAX_BYTES && entries < MAX_ENTRIES, "{entries} entries, {bytes} bytes");
    }
}
