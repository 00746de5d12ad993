//! Rate limits per client address (GCRA, by `governor`): every response says where the client
//! stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, IETF draft), and a client
//! past its limit gets `429` with `Retry-After`. A GraphQL request costs by its complexity,
//! charged before it runs, and a client runs only a few costly GraphQL queries at once
//! ([`RunningQueries`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// How generous the limits are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Requests a client may make per minute on average; 0 turns rate limiting off.
    pub per_minute: u32,
    /// Requests a client may make at once before the average applies.
    pub burst: u32,
    /// Whether clients on loopback (127.0.0.0/8, ::1) are exempt.
    pub exempt_loopback: bool,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings { per_minute: 1200, burst: 300, exempt_loopback: false }
    }
}

/// Complexity of a GraphQL query that costs one request more (so the largest query costs 26).
pub const GRAPHQL_COMPLEXITY_PER_REQUEST: usize = 1000;

/// Where a client stands after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Not limited (off, or an exempt address).
    Exempt,
    /// Allowed, with `remaining` requests left in the burst, full again in `reset`.
    Allowed {
        /// The burst size.
        limit: u32,
        /// Requests left now.
        remaining: u32,
        /// Until the burst is whole again.
        reset: Duration,
    },
    /// Refused until `retry_after` has passed.
    Limited {
        /// The burst size.
        limit: u32,
        /// How long to wait.
        retry_after: Duration,
    },
}

type Keyed = RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock, StateInformationMiddleware>;

/// The limiter shared by every worker.
pub struct ClientLimits {
    limiter: Option<Keyed>,
    settings: RateLimitSettings,
    clock: DefaultClock,
}

impl ClientLimits {
    /// Limits with `settings`.
    pub fn new(settings: RateLimitSettings) -> ClientLimits {
        let limiter = NonZeroU32::new(settings.per_minute).map(|per_minute| {
            let burst = NonZeroU32::new(settings.burst).unwrap_or(per_minute);
            RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
                .with_middleware::<StateInformationMiddleware>()
        });
        ClientLimits { limiter, settings, clock: DefaultClock::default() }
    }

    /// Whether `client` is not limited (limits off, or an exempt loopback address).
    pub fn exempts(&self, client: IpAddr) -> bool {
        self.limiter.is_none() || (self.settings.exempt_loopback && client.is_loopback())
    }

    /// Charges `cost` requests to `client`; a cost the allowance does not cover is refused
    /// (`Limited`, until it would be covered) and spends nothing.
    pub fn charge(&self, client: IpAddr, cost: u32) -> Standing {
        let Some(limiter) = &self.limiter else { return Standing::Exempt };
        if self.exempts(client) {
            return Standing::Exempt;
        }
        let limit = self.settings.burst.max(1);
        // Every request has paid one already: a cost beyond what is left of a whole burst then
        // costs all of that, so that it can be served at all.
        let cost = NonZeroU32::new(cost.clamp(1, (limit - 1).max(1))).unwrap_or(NonZeroU32::MIN);
        let interval = Duration::from_secs(60) / self.settings.per_minute.max(1);
        match limiter.check_key_n(&key(client), cost) {
            Ok(Ok(state)) => {
                let remaining = state.remaining_burst_capacity();
                Standing::Allowed { limit, remaining, reset: interval * (limit - remaining.min(limit)) }
            }
            // The time the whole cost is covered, so the request succeeds when sent again then.
            Ok(Err(not_until)) => Standing::Limited { limit, retry_after: not_until.wait_time_from(self.clock.now()) },
            Err(_) => Standing::Limited { limit, retry_after: interval * limit },
        }
    }

    /// Forgets clients whose allowance is whole again (call now and then: bounds the memory).
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// How many costly GraphQL queries each client address (IPv6: each /64) is running, so that
/// one client cannot hold every thread that runs them.
pub struct RunningQueries {
    per_client: usize,
    running: Mutex<HashMap<IpAddr, usize>>,
    finished: tokio::sync::Notify,
}

/// One running query's place; dropping it lets the client's next query in.
pub struct Slot {
    queries: Arc<RunningQueries>,
    client: IpAddr,
}

impl RunningQueries {
    /// At most `per_client` at once for each client.
    pub fn new(per_client: usize) -> Arc<RunningQueries> {
        Arc::new(RunningQueries { per_client, running: Mutex::default(), finished: tokio::sync::Notify::new() })
    }

    /// A place for one more of `client`'s queries, waiting up to `wait` for one of its running
    /// queries to finish; `None` when none did.
    pub async fn slot(self: &Arc<Self>, client: IpAddr, wait: Duration) -> Option<Slot> {
        let client = key(client);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before the check, so a query that finishes in between still wakes us.
            let finished = self.finished.notified();
            tokio::pin!(finished);
            finished.as_mut().enable();
            {
                let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                let count = running.entry(client).or_default();
                if *count < self.per_client {
                    *count += 1;
                    return Some(Slot { queries: self.clone(), client });
                }
            }
            tokio::time::timeout_at(deadline, finished).await.ok()?;
        }
    }

    /// How many clients have queries running (the map's size: it holds no idle client).
    pub fn clients(&self) -> usize {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut running = self.queries.running.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = running.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                running.remove(&self.client);
            }
        }
        drop(running);
        self.queries.finished.notify_waiters();
    }
}

/// IPv6 clients are limited by /64, the block one subscriber usually holds.
pub fn key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Seconds for a header, rounded up.
pub fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusal() {
        let limits = ClientLimits::new(RateLimitSettings { per_minute: 60, burst: 3, exempt_loopback: false });
        let ip: IpAddr = [192, 0, 2, 1].into();
        assert!(matches!(limits.charge(ip, 1), Standing::Allowed { remaining: 2, .. }));
        assert!(matches!(limits.charge(ip, 2), Standing::Allowed { remaining: 0, .. }));
        let Standing::Limited { retry_after, .. } = limits.charge(ip, 1) else { panic!("not limited") };
        assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_secs(1));
        assert!(matches!(limits.charge([192, 0, 2, 2].into(), 1), Standing::Allowed { .. }), "per client");
        let v6a: IpAddr = "2001:db8::1".parse().unwrap_or(ip);
        let v6b: IpAddr = "2001:db8::2".parse().unwrap_or(ip);
        limits.charge(v6a, 2);
        limits.charge(v6a, 1);
        assert!(matches!(limits.charge(v6b, 1), Standing::Limited { .. }), "one /64");
    }

    #[test]
    fn a_cost_not_covered_is_refused_and_spends_nothing() {
        let limits = ClientLimits::new(RateLimitSettings { per_minute: 1, burst: 10, exempt_loopback: false });
        let ip: IpAddr = [192, 0, 2, 1].into();
        assert!(matches!(limits.charge(ip, 6), Standing::Allowed { remaining: 4, .. }));
        let Standing::Limited { retry_after, .. } = limits.charge(ip, 6) else { panic!("not limited") };
        assert!(retry_after > Duration::from_secs(60), "until six are back: {retry_after:?}");
        assert!(matches!(limits.charge(ip, 4), Standing::Allowed { remaining: 0, .. }), "the refusal spent nothing");
        let other: IpAddr = [192, 0, 2, 2].into();
        assert!(matches!(limits.charge(other, 50), Standing::Allowed { remaining: 1, .. }), "at most a burst less one");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_client_runs_at_most_its_share_of_costly_queries() {
        let queries = RunningQueries::new(2);
        let (a, b): (IpAddr, IpAddr) = ([192, 0, 2, 1].into(), [192, 0, 2, 2].into());
        let wait = Duration::from_secs(1);
        let first = queries.slot(a, wait).await.unwrap();
        let _second = queries.slot(a, wait).await.unwrap();
        assert!(queries.slot(a, wait).await.is_none(), "a third waits, then is refused");
        assert!(queries.slot(b, wait).await.is_some(), "another client is not held up");
        let waiting = tokio::spawn({
            let queries = queries.clone();
            async move { queries.slot(a, Duration::from_secs(5)).await.is_some() }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(first);
        assert!(waiting.await.unwrap(), "a slot freed lets the waiting query in");
        assert_eq!(queries.clients(), 1, "only clients with running queries are held");
    }
}
