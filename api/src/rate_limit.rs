//! Rate limits per client address (GCRA, by `governor`): every response says where the client
//! stands (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, IETF draft), and a client
//! past its limit gets `429` with `Retry-After`. A GraphQL request costs by its complexity.

use std::net::IpAddr;
use std::num::NonZeroU32;
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

    /// Charges `cost` requests to `client`.
    pub fn charge(&self, client: IpAddr, cost: u32) -> Standing {
        let Some(limiter) = &self.limiter else { return Standing::Exempt };
        if self.settings.exempt_loopback && client.is_loopback() {
            return Standing::Exempt;
        }
        let limit = self.settings.burst.max(1);
        let cost = NonZeroU32::new(cost.clamp(1, limit)).unwrap_or(NonZeroU32::MIN);
        let interval = Duration::from_secs(60) / self.settings.per_minute.max(1);
        match limiter.check_key_n(&key(client), cost) {
            Ok(Ok(state)) => {
                let remaining = state.remaining_burst_capacity();
                Standing::Allowed { limit, remaining, reset: interval * (limit - remaining.min(limit)) }
            }
            Ok(Err(not_until)) => {
                // A cost larger than what is left spends what is left (governor takes all of it
                // or nothing): a costly query must not cost less than a cheap one.
                for _ in 1..cost.get() {
                    if limiter.check_key(&key(client)).is_err() {
                        break;
                    }
                }
                Standing::Limited { limit, retry_after: not_until.wait_time_from(self.clock.now()) }
            }
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

/// IPv6 clients are limited by /64, the block one subscriber usually holds.
fn key(client: IpAddr) -> IpAddr {
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
        limits.charge(v6a, 3);
        assert!(matches!(limits.charge(v6b, 1), Standing::Limited { .. }), "one /64");
    }
}
