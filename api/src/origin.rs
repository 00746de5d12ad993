//! Who sent a request and where it was addressed, each by one rule: the client address that rate
//! limits and connection caps charge, and the public base of absolute URLs (feeds, embed codes).
//!
//! Forwarded headers are believed only from a configured proxy, and read from the right: the
//! entries a client writes itself are on the left, so only the hops the trusted proxies appended
//! are skipped. `Forwarded` and `X-Forwarded-For` go by the same rule; when a request carries both
//! and they name different clients (one of them written by the client), it is charged to the
//! proxy it came through, so neither header can be used to choose the address charged.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::{self, HeaderMap};
use ipnet::IpNet;

use crate::error::ApiError;

/// The proxies in front of lacs whose forwarded headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TrustedProxies {
    /// None: the peer is the client, and forwarded headers are ignored.
    #[default]
    None,
    /// This many proxies, the nearest being the peer: the client is that many hops from the
    /// right of the forwarded chain.
    Count(usize),
    /// Proxies at these addresses: the client is the right-most hop outside them. Headers from
    /// a peer outside them are ignored.
    Networks(Vec<IpNet>),
}

impl TrustedProxies {
    /// `off` (or `0`), a count (`1`: one proxy in front), or a comma-separated list of addresses
    /// and CIDR networks (`10.0.0.0/8,192.0.2.7`).
    pub fn parse(setting: &str) -> Result<TrustedProxies, String> {
        let setting = setting.trim();
        if setting.is_empty() || setting.eq_ignore_ascii_case("off") || setting == "0" {
            return Ok(TrustedProxies::None);
        }
        if let Ok(count) = setting.parse::<usize>() {
            return Ok(TrustedProxies::Count(count));
        }
        let networks = setting
            .split(',')
            .map(str::trim)
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("`{part}` is neither an address nor a CIDR network"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedProxies::Networks(networks))
    }

    /// Whether `peer` is a proxy whose forwarded headers are believed.
    pub fn believes(&self, peer: IpAddr) -> bool {
        match self {
            TrustedProxies::None => false,
            TrustedProxies::Count(n) => *n > 0,
            TrustedProxies::Networks(networks) => networks.iter().any(|n| n.contains(&peer)),
        }
    }

    /// The client in `hops` (left to right as appended, the peer last).
    fn client_in(&self, hops: &[Option<IpAddr>]) -> Option<IpAddr> {
        let last = hops.len().checked_sub(1)?;
        let index = match self {
            TrustedProxies::None => last,
            TrustedProxies::Count(n) => last.saturating_sub(*n),
            TrustedProxies::Networks(networks) => (0..=last)
                .rev()
                .find(|&i| !hops[i].is_some_and(|ip| networks.iter().any(|n| n.contains(&ip))))
                .unwrap_or(0),
        };
        // A hop that is not an address (`unknown`, an obfuscated name) is charged to the proxy
        // that wrote it: the next address to its right.
        hops[index..].iter().flatten().next().copied()
    }
}

/// The address a request is charged to: the peer, or behind a believed proxy the client the
/// forwarded chain names.
pub fn client(req: &HttpRequest, proxies: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(client_of(req.headers(), peer, proxies))
}

fn client_of(headers: &HeaderMap, peer: IpAddr, proxies: &TrustedProxies) -> IpAddr {
    if !proxies.believes(peer) {
        return peer;
    }
    let named = |mut hops: Vec<Option<IpAddr>>| {
        hops.push(Some(peer));
        proxies.client_in(&hops).unwrap_or(peer)
    };
    let forwarded = headers.contains_key(header::FORWARDED).then(|| named(forwarded_for(headers)));
    let x_forwarded = headers.contains_key("x-forwarded-for").then(|| named(x_forwarded_for(headers)));
    match (forwarded, x_forwarded) {
        (Some(a), Some(b)) if a != b => peer,
        (Some(a), _) | (None, Some(a)) => a,
        (None, None) => peer,
    }
}

/// The `for=` of every `Forwarded` element, in order (RFC 7239).
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    forwarded_elements(headers).map(|element| parameter(element, "for").and_then(|v| address(&v))).collect()
}

/// The entries of every `X-Forwarded-For` line, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .flat_map(|v| v.to_str().unwrap_or("").split(','))
        .map(|entry| address(entry.trim()))
        .collect()
}

fn forwarded_elements(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers.get_all(header::FORWARDED).flat_map(|v| v.to_str().unwrap_or("").split(','))
}

/// The value of `name` in one `Forwarded` element (`for=192.0.2.1;proto=https`), unquoted.
fn parameter(element: &str, name: &str) -> Option<String> {
    element.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// An address as forwarded headers write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:80`,
/// `2001:db8::1`.
fn address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| text.strip_prefix('[')?.split(']').next()?.parse().ok())
}

/// The scheme and authority absolute URLs start with, and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBase {
    /// `https://lacs.example.org`, without a trailing slash.
    pub url: String,
    /// The request headers it was made from (for `Vary`); empty when it was configured.
    pub from_headers: &'static str,
}

/// What a base made behind a believed proxy depends on.
const FROM_PROXY: &str = "Host, Forwarded, X-Forwarded-Host, X-Forwarded-Proto";

/// The base of absolute URLs: `LACS_PUBLIC_URL` when set; else, from a believed proxy, the
/// forwarded host and scheme; else `http://` and the request's `Host`. Each is validated as
/// `host[:port]`; the request-target's own authority (an absolute-form request) is never used.
pub fn public_base(req: &HttpRequest) -> Result<PublicBase, ApiError> {
    let state = req.app_data::<actix_web::web::Data<crate::state::AppState>>();
    if let Some(url) = state.and_then(|s| s.public_url.clone()) {
        return Ok(PublicBase { url, from_headers: "" });
    }
    let proxies = state.map(|s| &s.proxies);
    let believed = proxies.zip(req.peer_addr()).is_some_and(|(p, peer)| p.believes(peer.ip()));
    if believed {
        let headers = req.headers();
        let forwarded = |name: &str| forwarded_elements(headers).filter_map(|e| parameter(e, name)).last();
        let plain = |name: &str| {
            let value = headers.get(name)?.to_str().ok()?;
            value.rsplit(',').next().map(|v| v.trim().to_owned())
        };
        if let Some(host) = forwarded("host").or_else(|| plain("x-forwarded-host")) {
            let scheme = match forwarded("proto").or_else(|| plain("x-forwarded-proto")).as_deref() {
                Some(p) if p.eq_ignore_ascii_case("https") => "https",
                _ => "http",
            };
            return Ok(PublicBase { url: format!("{scheme}://{}", authority(&host)?), from_headers: FROM_PROXY });
        }
    }
    let host = match req.headers().get(header::HOST) {
        Some(value) => value.to_str().map_err(|_| bad_host("the Host header is not text"))?.to_owned(),
        // HTTP/1.0 without a Host: the address this server was reached at.
        None => req.app_config().local_addr().to_string(),
    };
    let from_headers = if believed { FROM_PROXY } else { "Host" };
    Ok(PublicBase { url: format!("http://{}", authority(&host)?), from_headers })
}

/// `host[:port]`, checked: a DNS name, an IPv4 address or a bracketed IPv6 address, and digits.
fn authority(text: &str) -> Result<&str, ApiError> {
    let invalid = || bad_host(format!("`{}` is not host[:port]", text.chars().take(100).collect::<String>()));
    if text.is_empty() || text.len() > 261 {
        return Err(invalid());
    }
    let (host, port) = match text.strip_prefix('[') {
        Some(rest) => {
            let (v6, after) = rest.split_once(']').ok_or_else(invalid)?;
            v6.parse::<std::net::Ipv6Addr>().map_err(|_| invalid())?;
            match after {
                "" => (None, None),
                _ => (None, Some(after.strip_prefix(':').ok_or_else(invalid)?)),
            }
        }
        None => match text.rsplit_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(text), None),
        },
    };
    let name_ok = host.is_none_or(|h| {
        !h.is_empty()
            && h.len() <= 253
            && h.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if name_ok && port_ok { Ok(text) } else { Err(invalid()) }
}

fn bad_host(detail: impl Into<String>) -> ApiError {
    ApiError::refused(actix_web::http::StatusCode::BAD_REQUEST, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_static(name), HeaderValue::from_str(value).expect("a header value"));
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn the_client_is_read_from_the_right() {
        let peer = ip("10.0.0.1");
        let one = TrustedProxies::Count(1);
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9")]);
        assert_eq!(client_of(&h, peer, &one), ip("203.0.113.9"));
        let h = headers(&[("forwarded", "for=6.6.6.6, for=\"203.0.113.9:4711\"")]);
        assert_eq!(client_of(&h, peer, &one), ip("203.0.113.9"));
        // Two proxies: the second appended the first's view of the client.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.2")]);
        assert_eq!(client_of(&h, peer, &TrustedProxies::Count(2)), ip("203.0.113.9"));
        // Networks: every trusted hop is skipped, whatever its count.
        let nets = TrustedProxies::parse("10.0.0.0/8").expect("a list");
        assert_eq!(client_of(&h, peer, &nets), ip("203.0.113.9"));
        // A peer outside the networks is the client, whatever it says.
        assert_eq!(client_of(&h, ip("198.51.100.1"), &nets), ip("198.51.100.1"));
        // Not trusted at all: the peer.
        assert_eq!(client_of(&h, peer, &TrustedProxies::None), peer);
        // An unknown hop is charged to the proxy that wrote it.
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_of(&h, peer, &one), peer);
        // Two headers naming different clients: charged to the proxy.
        let h = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=6.6.6.6")]);
        assert_eq!(client_of(&h, peer, &one), peer);
        let h = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.9")]);
        assert_eq!(client_of(&h, peer, &one), ip("203.0.113.9"));
        // Fewer hops than proxies: the left-most.
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_of(&h, peer, &TrustedProxies::Count(5)), ip("203.0.113.9"));
    }

    #[test]
    fn settings_and_authorities() {
        assert_eq!(TrustedProxies::parse("off"), Ok(TrustedProxies::None));
        assert_eq!(TrustedProxies::parse("2"), Ok(TrustedProxies::Count(2)));
        assert!(TrustedProxies::parse("10.0.0.0/8, 192.0.2.7").is_ok());
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        for good in ["example.org", "lacs.example.org:8080", "127.0.0.1:1", "[::1]:8080", "[2001:db8::1]"] {
            assert!(authority(good).is_ok(), "{good}");
        }
        for bad in ["javascript://evil.example", "evil\"><script>", "a b", "host:", "host:99999x", "-a.org", "", "[::1"]
        {
            assert!(authority(bad).is_err(), "{bad}");
        }
    }
}
