//! When to retry a failed attempt, and how long to wait first.
//!
//! [`decide`] is a pure function of what the attempt ended with, the response headers, how many
//! retries were already taken, the policy, the current time and one random draw. The send loop
//! in `send.rs` only carries out what it returns, so every rule below is tested here without a
//! network.
//!
//! The rules and the defaults (the `DEFAULT_*` constants below) follow the API's official SDK:
//! - At most [`RetryPolicy::max_retries`] retries (default [`DEFAULT_MAX_RETRIES`]), so one
//!   attempt more than that; 0 turns them off.
//! - A response header `x-should-retry: true|false` wins over everything but the budget.
//! - Otherwise connection failures, timeouts and the statuses [`is_retryable_status`] accepts are
//!   retried.
//! - The wait is the server's `retry-after-ms` (milliseconds), else its `retry-after` (seconds or
//!   an HTTP date), when that is more than 0 and at most [`RetryPolicy::max_server_wait`]
//!   (default [`DEFAULT_MAX_SERVER_WAIT`]). Otherwise it is an exponential backoff:
//!   [`RetryPolicy::initial_backoff`] (default [`DEFAULT_INITIAL_BACKOFF`]), doubled for each
//!   retry already taken, capped at [`RetryPolicy::max_backoff`] (default
//!   [`DEFAULT_MAX_BACKOFF`]), and shortened by a random share of up to [`BACKOFF_JITTER`] so
//!   that many clients failing together do not retry in lockstep.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

use crate::runtime::error::ErrorKind;

/// The header that tells the server which retry an attempt is: `0` for the first attempt, `1`
/// for the first retry, and so on.
///
/// The official SDK sends `x-stainless-retry-count`, a name that belongs to its code generator's
/// vendor and that the API treats as telemetry only. This runtime is generic, so it uses the
/// plain, vendor-neutral name.
pub const RETRY_COUNT_HEADER: &str = "x-retry-count";

/// The server's override: `true` forces a retry, `false` forbids one.
const SHOULD_RETRY_HEADER: &str = "x-should-retry";
/// The server's wait in milliseconds (a decimal number); checked first.
const RETRY_AFTER_MS_HEADER: &str = "retry-after-ms";
/// The server's wait in seconds (a decimal number) or as an HTTP date.
const RETRY_AFTER_HEADER: &str = "retry-after";

/// Retries after the first attempt when neither the request nor the client sets a budget.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The backoff before the first retry, unless the server asks for a wait.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(500);
/// The longest backoff, however many retries were taken.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(8);
/// The longest server-requested wait (`retry-after-ms`, `retry-after`) that is honoured.
pub const DEFAULT_MAX_SERVER_WAIT: Duration = Duration::from_secs(60);
/// The largest share of a backoff that jitter takes off: each backoff is multiplied by a random
/// factor between `1 - BACKOFF_JITTER` and 1.
pub const BACKOFF_JITTER: f64 = 0.25;

/// How many times to retry and how long to wait; plain data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 turns retrying off.
    pub max_retries: u32,
    /// The backoff before the first retry; it doubles for each further retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// The longest server-requested wait that is honoured; a longer one falls back to backoff,
    /// so that one header cannot stall a caller for minutes.
    pub max_server_wait: Duration,
}

impl RetryPolicy {
    /// The official SDK's policy, made of this module's `DEFAULT_*` constants.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_retries: DEFAULT_MAX_RETRIES,
        initial_backoff: DEFAULT_INITIAL_BACKOFF,
        max_backoff: DEFAULT_MAX_BACKOFF,
        max_server_wait: DEFAULT_MAX_SERVER_WAIT,
    };

    /// The default policy with a different retry budget.
    pub fn with_max_retries(max_retries: u32) -> Self {
        RetryPolicy {
            max_retries,
            ..RetryPolicy::DEFAULT
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::DEFAULT
    }
}

/// What a failed attempt ended with, as far as retrying is concerned.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The server answered with a status outside 2xx.
    Response {
        /// The HTTP status code.
        status: u16,
        /// The response headers.
        headers: &'a HeaderMap,
    },
    /// No (complete) response: the attempt failed with this kind of error.
    Failed(ErrorKind),
}

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryDecision {
    /// Give up and return the attempt's error.
    Stop,
    /// Wait this long, then send the request again.
    RetryAfter(Duration),
}

/// Decides whether to retry after a failed attempt and how long to wait.
///
/// `retries_taken` is the number of retries already made (0 after the first attempt), `now` is
/// the clock's time (for an HTTP-date `retry-after`) and `random` is a draw from [0, 1) that
/// sets the jitter.
pub fn decide(
    policy: &RetryPolicy,
    outcome: Outcome<'_>,
    retries_taken: u32,
    now: SystemTime,
    random: f64,
) -> RetryDecision {
    if retries_taken >= policy.max_retries || !should_retry(outcome) {
        return RetryDecision::Stop;
    }
    let server_wait = match outcome {
        Outcome::Response { headers, .. } => server_requested_wait(headers, now),
        Outcome::Failed(_) => None,
    };
    let honoured = server_wait.filter(|wait| !wait.is_zero() && *wait <= policy.max_server_wait);
    RetryDecision::RetryAfter(honoured.unwrap_or_else(|| backoff(policy, retries_taken, random)))
}

/// Whether an outcome is worth retrying at all, budget aside: the server's `x-should-retry`
/// first, then the status or the kind of failure.
pub fn should_retry(outcome: Outcome<'_>) -> bool {
    match outcome {
        Outcome::Response { status, headers } => {
            should_retry_header(headers).unwrap_or_else(|| is_retryable_status(status))
        }
        Outcome::Failed(kind) => is_retryable_failure(kind),
    }
}

/// 408 Request Timeout, 409 Conflict (often a lock held by a concurrent request), 429 Too Many
/// Requests and every 5xx.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// Connection failures and timeouts, whether or not the request had been sent: the SDK retries
/// any failure to get a response.
fn is_retryable_failure(kind: ErrorKind) -> bool {
    matches!(kind, ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport)
}

/// `Some(true)` or `Some(false)` when the server sent `x-should-retry: true|false`.
fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(SHOULD_RETRY_HEADER)?.to_str().ok()?.trim();
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The wait the server asked for: `retry-after-ms`, else `retry-after` as seconds or as an HTTP
/// date (measured from `now`). Unparsable, negative and past values count as not given.
fn server_requested_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim);
    if let Some(wait) = header(RETRY_AFTER_MS_HEADER).and_then(|ms| seconds(ms.parse::<f64>().ok()? / 1000.0)) {
        return Some(wait);
    }
    let retry_after = header(RETRY_AFTER_HEADER)?;
    if let Ok(secs) = retry_after.parse::<f64>() {
        return seconds(secs);
    }
    let date = chrono::DateTime::parse_from_rfc2822(retry_after).ok()?;
    SystemTime::from(date).duration_since(now).ok()
}

/// `secs` as a duration, when it is a finite, non-negative number small enough to represent.
fn seconds(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs).ok()
}

/// `min(initial × 2^retries_taken, max) × (1 − BACKOFF_JITTER × random)`.
fn backoff(policy: &RetryPolicy, retries_taken: u32, random: f64) -> Duration {
    // 2^31 times any initial backoff is past every sensible maximum; capping keeps `powi` finite.
    let exponent = retries_taken.min(31) as i32;
    let uncapped = policy.initial_backoff.as_secs_f64() * 2_f64.powi(exponent);
    let capped = uncapped.min(policy.max_backoff.as_secs_f64());
    let jitter = 1.0 - BACKOFF_JITTER * random.clamp(0.0, 1.0);
    seconds(capped * jitter).unwrap_or(policy.max_backoff)
}

/// A draw from [0, 1) for the jitter.
///
/// The standard library's `RandomState` is seeded randomly per thread and its hasher mixes well,
/// so hashing a counter gives varied draws without a random-number dependency; jitter needs
/// spread, not cryptographic quality.
pub(crate) fn random_draw() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    // The top 53 bits fill an f64 mantissa exactly.
    (hasher.finish() >> 11) as f64 / (1_u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;
    const POLICY: RetryPolicy = RetryPolicy::DEFAULT;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn status_decision(status: u16, pairs: &[(&'static str, &str)], retries_taken: u32) -> RetryDecision {
        let headers = headers(pairs);
        decide(
            &POLICY,
            Outcome::Response {
                status,
                headers: &headers,
            },
            retries_taken,
            NOW,
            0.0,
        )
    }

    fn wait(secs: f64) -> RetryDecision {
        RetryDecision::RetryAfter(Duration::from_secs_f64(secs))
    }

    #[test]
    fn retryable_statuses_follow_the_sdk() {
        for status in [408, 409, 429, 500, 502, 503, 504, 599] {
            assert_eq!(status_decision(status, &[], 0), wait(0.5), "{status}");
        }
        for status in [300, 307, 400, 401, 403, 404, 410, 422] {
            assert_eq!(status_decision(status, &[], 0), RetryDecision::Stop, "{status}");
        }
    }

    #[test]
    fn failures_without_a_response() {
        let failed = |kind| decide(&POLICY, Outcome::Failed(kind), 0, NOW, 0.0);
        for kind in [ErrorKind::Connect, ErrorKind::Timeout, ErrorKind::Transport] {
            assert_eq!(failed(kind), wait(0.5), "{kind}");
        }
        for kind in [
            ErrorKind::Config,
            ErrorKind::InvalidRequest,
            ErrorKind::Decode,
            ErrorKind::Status,
        ] {
            assert_eq!(failed(kind), RetryDecision::Stop, "{kind}");
        }
    }

    #[test]
    fn the_budget_is_checked_first() {
        assert_eq!(status_decision(503, &[], 1), wait(1.0));
        assert_eq!(status_decision(503, &[], 2), RetryDecision::Stop);
        assert_eq!(
            status_decision(503, &[("x-should-retry", "true")], 2),
            RetryDecision::Stop
        );
        let off = RetryPolicy::with_max_retries(0);
        let headers = HeaderMap::new();
        let outcome = Outcome::Response {
            status: 503,
            headers: &headers,
        };
        assert_eq!(decide(&off, outcome, 0, NOW, 0.0), RetryDecision::Stop);
    }

    #[test]
    fn x_should_retry_wins_over_the_status() {
        assert_eq!(
            status_decision(500, &[("x-should-retry", "false")], 0),
            RetryDecision::Stop
        );
        assert_eq!(status_decision(400, &[("x-should-retry", "true")], 0), wait(0.5));
        assert_eq!(status_decision(400, &[("x-should-retry", " TRUE ")], 0), wait(0.5));
        // Anything else is ignored.
        assert_eq!(status_decision(500, &[("x-should-retry", "no")], 0), wait(0.5));
        assert_eq!(status_decision(400, &[("x-should-retry", "1")], 0), RetryDecision::Stop);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy::with_max_retries(10);
        let at = |retries_taken, random| backoff(&policy, retries_taken, random);
        let expected = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0];
        for (retries_taken, secs) in expected.into_iter().enumerate() {
            assert_eq!(at(retries_taken as u32, 0.0), Duration::from_secs_f64(secs));
        }
        assert_eq!(
            at(0, 0.999_999),
            Duration::from_secs_f64(0.5 * (1.0 - 0.25 * 0.999_999))
        );
        assert_eq!(at(3, 0.5), Duration::from_secs_f64(4.0 * 0.875));
        assert_eq!(at(u32::MAX, 0.0), Duration::from_secs(8));
        // A draw outside [0, 1) cannot push the wait outside [75 %, 100 %].
        assert_eq!(at(0, 7.0), Duration::from_secs_f64(0.375));
        assert_eq!(at(0, -1.0), Duration::from_secs_f64(0.5));
    }

    #[test]
    fn retry_after_ms_comes_first() {
        let both = [("retry-after-ms", "1500"), ("retry-after", "7")];
        assert_eq!(status_decision(429, &both, 0), wait(1.5));
        assert_eq!(status_decision(429, &[("retry-after-ms", "2.5")], 0), wait(0.0025));
        // An unparsable `retry-after-ms` falls through to `retry-after`.
        let broken = [("retry-after-ms", "soon"), ("retry-after", "7")];
        assert_eq!(status_decision(429, &broken, 0), wait(7.0));
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(status_decision(503, &[("retry-after", "3")], 0), wait(3.0));
        assert_eq!(status_decision(503, &[("retry-after", "0.25")], 1), wait(0.25));
        let date = [("retry-after", "Thu, 01 Jan 1970 00:00:42 GMT")];
        assert_eq!(status_decision(503, &date, 0), wait(42.0));
        let offset = [("retry-after", "Thu, 01 Jan 1970 01:00:10 +0100")];
        assert_eq!(status_decision(503, &offset, 0), wait(10.0));
    }

    #[test]
    fn server_waits_outside_0_to_60_s_fall_back_to_backoff() {
        for value in ["0", "-1", "61", "3600", "NaN", "inf", "later", ""] {
            assert_eq!(status_decision(429, &[("retry-after", value)], 1), wait(1.0), "{value}");
        }
        assert_eq!(status_decision(429, &[("retry-after-ms", "60001")], 0), wait(0.5));
        assert_eq!(status_decision(429, &[("retry-after", "60")], 0), wait(60.0));
        let past = [("retry-after", "Wed, 31 Dec 1969 23:59:00 GMT")];
        assert_eq!(status_decision(429, &past, 0), wait(0.5));
        let far = [("retry-after", "Thu, 01 Jan 1970 00:01:01 GMT")];
        assert_eq!(status_decision(429, &far, 0), wait(0.5));
    }

    #[test]
    fn server_waits_do_not_make_a_status_retryable() {
        assert_eq!(status_decision(400, &[("retry-after", "1")], 0), RetryDecision::Stop);
    }

    #[test]
    fn random_draws_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| random_draw()).collect();
        assert!(draws.iter().all(|draw| (0.0..1.0).contains(draw)), "{draws:?}");
        let first = draws[0];
        assert!(draws.iter().any(|draw| *draw != first), "{draws:?}");
    }
}
