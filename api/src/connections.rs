//! Open connections: a cap per client address, and a total kept below the file-descriptor
//! limit, so that one address holding connections open (sending a body a byte at a time, say)
//! cannot take the descriptors every other client needs.
//!
//! A connection is counted from the moment it is accepted until it closes. One past its
//! address's share is answered 429 at its first request and closed; one that never sends a
//! request is closed when the head timeout passes. Connections from a trusted proxy are not
//! capped per address (every client comes through it): the proxy limits them.

use std::any::Any;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use actix_web::dev::Extensions;

use crate::origin::TrustedProxies;

/// Connections one client address may hold open at once, by default.
pub const DEFAULT_PER_CLIENT: usize = 128;
/// File descriptors kept back from connections: the database pool, files being served, logs.
pub const RESERVED_DESCRIPTORS: u64 = 256;
/// The most connections any one worker accepts (actix's own default).
const MAX_PER_WORKER: u64 = 25_000;

/// The connections open now, per client address.
pub struct Connections {
    per_client: usize,
    proxies: TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One accepted connection, kept with it (its connection data) and counted out when dropped.
pub struct Slot {
    connections: Arc<Connections>,
    address: IpAddr,
    /// How many this address held, with this one, when this one is past its share.
    pub over: Option<usize>,
}

impl Slot {
    /// The share this connection's address was refused past.
    pub fn share(&self) -> usize {
        self.connections.per_client
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.connections.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.address);
            }
        }
    }
}

impl Connections {
    /// Caps of `per_client` connections per address (0: no cap per address).
    pub fn new(per_client: usize, proxies: TrustedProxies) -> Arc<Connections> {
        Arc::new(Connections { per_client, proxies, open: Mutex::default() })
    }

    /// For `HttpServer::on_connect`: counts the connection in and keeps its [`Slot`].
    pub fn accepted(self: &Arc<Self>, connection: &dyn Any, data: &mut Extensions) {
        let Some(peer) = connection.downcast_ref::<actix_web::rt::net::TcpStream>().and_then(|s| s.peer_addr().ok())
        else {
            return;
        };
        if self.per_client == 0 || self.proxies.believes(peer.ip()) {
            return;
        }
        let address = crate::rate_limit::key(peer.ip());
        let held = {
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            let n = open.entry(address).or_default();
            *n += 1;
            *n
        };
        let over = (held > self.per_client).then_some(held);
        data.insert(Slot { connections: self.clone(), address, over });
    }
}

/// Raises the soft limit on open files to the hard limit, and says what it is now.
pub fn raise_descriptor_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "could not raise the open-file limit");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft)
        }
    }
}

/// Connections each of `workers` may accept, so that all of them stay below `descriptors`.
pub fn per_worker(descriptors: u64, workers: usize) -> usize {
    let usable = descriptors.saturating_sub(RESERVED_DESCRIPTORS).max(workers as u64);
    (usable / workers.max(1) as u64).clamp(1, MAX_PER_WORKER) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_total_stays_below_the_descriptors() {
        assert_eq!(per_worker(1024, 2), 384);
        assert_eq!(per_worker(1_048_576, 2), 25_000);
        assert_eq!(per_worker(100, 4), 1);
    }
}
