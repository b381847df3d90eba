//! Timeouts and retry budgets: the defaults, the per-request overrides, and the one place that
//! decides which value a request runs with.
//!
//! Precedence, for every setting: a value set on the request wins over a value set on the client,
//! which wins over the built-in default. `ClientOptions::resolve` is the only code that applies
//! it.
//!
//! - **Connect timeout** (default [`DEFAULT_CONNECT_TIMEOUT`]): how long opening a connection
//!   may take. It is a setting of the client only: connections are pooled and shared by
//!   requests, so a connection has no single request whose setting could apply to it.
//! - **Attempt timeout** (default [`DEFAULT_TIMEOUT`]): how long one attempt may take, from
//!   connecting to reading the last body byte. Each retry gets the full time again. When the
//!   client was given a custom `reqwest::Client` and no timeout was set, that client's own
//!   timeout applies.
//! - **Retries** (default [`DEFAULT_MAX_RETRIES`]): see [`RetryPolicy`].

use std::time::Duration;

use crate::runtime::retry::{RetryPolicy, DEFAULT_MAX_RETRIES};

/// The time one attempt may take when neither the request nor the client sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The time opening a connection may take when the client does not set one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings for one request that override the client's; every generated request builder has a
/// setter for each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    max_retries: Option<u32>,
}

impl RequestOptions {
    /// No overrides: the request runs with the client's settings.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// The time each attempt of this request may take, overriding the client's.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The retries allowed for this request, overriding the client's; 0 turns retrying off.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }
}

/// The client's settings, as given to its builder (`None` = not set).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ClientOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    /// A custom `reqwest::Client` brings its own timeouts, used when no timeout is set here.
    pub(crate) custom_http_client: bool,
}

/// What one request runs with, after precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Effective {
    /// The per-attempt timeout to put on the request; `None` leaves the custom client's own.
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
}

impl ClientOptions {
    /// Applies the precedence request > client > default.
    pub(crate) fn resolve(&self, request: &RequestOptions) -> Effective {
        let default_timeout = (!self.custom_http_client).then_some(DEFAULT_TIMEOUT);
        let max_retries = request.max_retries.or(self.max_retries).unwrap_or(DEFAULT_MAX_RETRIES);
        Effective {
            attempt_timeout: request.timeout.or(self.timeout).or(default_timeout),
            retry: RetryPolicy::with_max_retries(max_retries),
        }
    }

    /// The connect timeout of the HTTP client the runtime builds.
    pub(crate) fn connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn request_wins_over_client_wins_over_default() {
        let none = ClientOptions::default();
        let client = ClientOptions {
            timeout: Some(10 * SECOND),
            max_retries: Some(5),
            ..ClientOptions::default()
        };
        let request = RequestOptions::new().timeout(SECOND).max_retries(0);

        let defaults = none.resolve(&RequestOptions::new());
        assert_eq!(defaults.attempt_timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(defaults.retry, RetryPolicy::DEFAULT);

        let from_client = client.resolve(&RequestOptions::new());
        assert_eq!(from_client.attempt_timeout, Some(10 * SECOND));
        assert_eq!(from_client.retry.max_retries, 5);

        for base in [none, client] {
            let effective = base.resolve(&request);
            assert_eq!(effective.attempt_timeout, Some(SECOND));
            assert_eq!(effective.retry.max_retries, 0);
        }
        assert_eq!(none.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
    }

    #[test]
    fn a_custom_http_client_keeps_its_own_timeout_unless_one_is_set() {
        let custom = ClientOptions {
            custom_http_client: true,
            ..ClientOptions::default()
        };
        assert_eq!(custom.resolve(&RequestOptions::new()).attempt_timeout, None);
        let request = RequestOptions::new().timeout(SECOND);
        assert_eq!(custom.resolve(&request).attempt_timeout, Some(SECOND));
        let with_timeout = ClientOptions {
            timeout: Some(2 * SECOND),
            ..custom
        };
        assert_eq!(
            with_timeout.resolve(&RequestOptions::new()).attempt_timeout,
            Some(2 * SECOND)
        );
    }
}
