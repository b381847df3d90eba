//! Time and sleeping, behind a trait so that retry tests run instantly.
//!
//! The retry loop asks a [`Clock`] for two things only: the current wall-clock time (to turn a
//! `retry-after` HTTP date into a wait) and a future that completes after a wait. The default,
//! [`TokioClock`], uses the system clock and `tokio::time::sleep`. [`RecordingClock`] returns at
//! once and remembers every wait it was asked for, so a test can check the backoff schedule
//! without waiting for it.
//!
//! Timeouts are not measured with the clock: they are enforced by the HTTP client on real time,
//! because a test that wants a timeout wants a real slow server.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// A future that completes when a wait is over.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The source of wall-clock time and of waits between retries.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;

    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// The system clock and `tokio::time::sleep`; the default.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: `sleep` returns at once, records the wait and moves `now` forward by it.
///
/// Clones share one record, so keep a clone to read [`sleeps`](Self::sleeps) after handing the
/// clock to a client.
#[derive(Clone, Debug)]
pub struct RecordingClock {
    state: Arc<Mutex<RecordedTime>>,
}

#[derive(Debug)]
struct RecordedTime {
    now: SystemTime,
    sleeps: Vec<Duration>,
}

impl RecordingClock {
    /// A recording clock whose time starts at the current system time.
    pub fn new() -> Self {
        RecordingClock::starting_at(SystemTime::now())
    }

    /// A recording clock whose time starts at `now`, for tests that compute HTTP dates.
    pub fn starting_at(now: SystemTime) -> Self {
        RecordingClock {
            state: Arc::new(Mutex::new(RecordedTime {
                now,
                sleeps: Vec::new(),
            })),
        }
    }

    /// Every wait requested so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state().sleeps.clone()
    }

    /// A poisoned lock only means another test thread panicked; the record is still usable.
    fn state(&self) -> std::sync::MutexGuard<'_, RecordedTime> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for RecordingClock {
    fn default() -> Self {
        RecordingClock::new()
    }
}

impl Clock for RecordingClock {
    fn now(&self) -> SystemTime {
        self.state().now
    }

    fn sleep(&self, duration: Duration) -> SleepFuture {
        let mut state = self.state();
        state.sleeps.push(duration);
        state.now += duration;
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn recording_clock_records_and_advances_without_waiting() {
        let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = RecordingClock::starting_at(start);
        let shared = clock.clone();
        let started = std::time::Instant::now();
        clock.sleep(Duration::from_secs(30)).await;
        clock.sleep(Duration::from_millis(500)).await;
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(shared.sleeps(), [Duration::from_secs(30), Duration::from_millis(500)]);
        assert_eq!(shared.now(), start + Duration::from_millis(30_500));
    }

    #[tokio::test]
    async fn tokio_clock_really_sleeps() {
        let started = std::time::Instant::now();
        TokioClock.sleep(Duration::from_millis(20)).await;
        assert!(started.elapsed() >= Duration::from_millis(20));
    }
}
