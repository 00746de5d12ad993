//! Opaque, tamper-evident cursors: the sort key of the last row served, bound to the query.
//!
//! A cursor is `base64url(JSON).tag`, where the tag is a truncated SHA-256 over a fixed key and
//! the payload. It is not a secret (the data is public); it only lets the server tell a cursor it
//! issued from one that was edited or belongs to another query, and answer 400 for those.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

const TAG_KEY: &[u8] = b"lacs cursor v1";

/// A decoded cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort key of the last row served.
    pub key: Vec<String>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    q: String,
    k: Vec<String>,
}

fn tag(payload: &str) -> String {
    let digest = Sha256::new().chain_update(TAG_KEY).chain_update(payload.as_bytes()).finalize();
    URL_SAFE_NO_PAD.encode(&digest[..9])
}

/// A short fingerprint of a query's filter and sort.
pub(crate) fn fingerprint(query: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(query.as_bytes())[..9])
}

impl Cursor {
    /// Encodes the position after `key` in the results of `query`.
    pub fn encode(key: &[String], query: &str) -> String {
        let payload = serde_json::to_string(&Payload { q: fingerprint(query), k: key.to_vec() }).unwrap_or_default();
        let body = URL_SAFE_NO_PAD.encode(payload.as_bytes());
        format!("{body}.{}", tag(&payload))
    }

    /// Decodes a cursor issued for `query`; the error says why it is refused.
    pub fn decode(text: &str, query: &str) -> Result<Cursor, String> {
        let refused = || format!("`{text}` is not a cursor this server issued for this query; start again without it");
        let (body, given_tag) = text.split_once('.').ok_or_else(refused)?;
        let payload = URL_SAFE_NO_PAD.decode(body).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(refused)?;
        if tag(&payload) != given_tag {
            return Err(refused());
        }
        let payload: Payload = serde_json::from_str(&payload).map_err(|_| refused())?;
        if payload.q != fingerprint(query) {
            return Err("the cursor belongs to a query with other filters or another sort order; \
                 repeat the query it came from, or start again without it"
                .to_owned());
        }
        Ok(Cursor { key: payload.k })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_edits_and_other_queries() {
        let key = vec!["2023-01-13".to_owned(), "50204404".to_owned()];
        let text = Cursor::encode(&key, "q1");
        assert_eq!(Cursor::decode(&text, "q1").unwrap().key, key);
        assert!(Cursor::decode(&text, "q2").unwrap_err().contains("other filters"));
        let mut edited = text.clone().into_bytes();
        edited[3] = if edited[3] == b'A' { b'B' } else { b'A' };
        assert!(Cursor::decode(&String::from_utf8(edited).unwrap(), "q1").is_err());
        assert!(Cursor::decode("garbage", "q1").is_err());
    }
}
