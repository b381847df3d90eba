//! What sending a request returns: [`ResponseFuture`], a named future of the operation's value.
//!
//! The sending itself (retries, timeouts, reading the body) is one boxed future that does not
//! depend on the response type, compiled once. What does depend on it, turning the 2xx body into
//! the value, happens in `poll`, chosen statically by the future's type: so it is compiled only
//! where a future is awaited (for a user, the operations they call), and the compiler does not
//! have to prove each operation's own `async` state machine `Send`. BENCHMARKS.md §3 measures
//! what this saves.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::runtime::error::Error;
use crate::runtime::operation::Operation;
use crate::runtime::response::Response;
use crate::runtime::send::RawResponse;

/// How the 2xx body becomes the value: decoded from JSON. The default of [`ResponseFuture`].
#[derive(Debug)]
pub enum AsJson {}

/// How the 2xx body becomes the value: its bytes, as they came.
#[derive(Debug)]
pub enum AsBytes {}

/// How the 2xx body becomes the value: it is ignored (the operation declares none).
#[derive(Debug)]
pub enum NoBody {}

/// How the 2xx body becomes the value: by the operation's outcome type, from the status code
/// (for operations whose successes differ by status; see [`FromStatus`]).
#[derive(Debug)]
pub enum ByStatus {}

/// An operation's outcome when its 2xx responses differ by status code: implemented by the
/// generated `…Outcome` enums.
pub trait FromStatus: Sized {
    /// The outcome of a 2xx `response` of `operation`; an error when its body does not decode.
    /// A body the outcome keeps as bytes is taken out of `response` (which is left with the
    /// status and headers).
    fn from_status(operation: &'static Operation, response: &mut Response<Vec<u8>>) -> Result<Self, Error>;
}

/// The sending, as one future: not generic, so its state machine is compiled once.
pub(crate) type Sending = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send>>;

/// A request being sent; resolves to `Result<T, Error>` (`T` is the operation's value, or
/// [`Response<T>`](Response) from `send_with_response`). `How` says how the body becomes `T`:
/// [`AsJson`] (the default), [`AsBytes`], [`NoBody`] or [`ByStatus`]. `Send`, `Unpin` and
/// `'static`, so it can be stored, spawned or selected on.
#[must_use = "a request is sent only when its future is awaited or polled"]
pub struct ResponseFuture<T, How = AsJson> {
    sending: Sending,
    operation: &'static Operation,
    value: PhantomData<fn() -> (T, How)>,
}

impl<T, How> ResponseFuture<T, How> {
    pub(crate) fn new(sending: Sending, operation: &'static Operation) -> Self {
        ResponseFuture {
            sending,
            operation,
            value: PhantomData,
        }
    }

    /// Polls the sending; once the response is there, makes the value with `finish`.
    fn poll_then(
        &mut self,
        context: &mut Context<'_>,
        finish: impl FnOnce(RawResponse, &'static Operation) -> Result<T, Error>,
    ) -> Poll<Result<T, Error>> {
        match self.sending.as_mut().poll(context) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(response)) => Poll::Ready(finish(response, self.operation)),
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
        }
    }
}

impl<T, How> fmt::Debug for ResponseFuture<T, How> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("operation", &self.operation.id)
            .finish_non_exhaustive()
    }
}

impl<T: serde::de::DeserializeOwned> Future for ResponseFuture<T, AsJson> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .poll_then(context, |response, operation| response.decode_json(operation))
    }
}

impl<T: serde::de::DeserializeOwned> Future for ResponseFuture<Response<T>, AsJson> {
    type Output = Result<Response<T>, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_then(context, |response, operation| {
            let value: T = response.decode_json(operation)?;
            Ok(response.with_value(value))
        })
    }
}

impl Future for ResponseFuture<Vec<u8>, AsBytes> {
    type Output = Result<Vec<u8>, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .poll_then(context, |response, _| Ok(response.body.into_vec()))
    }
}

impl Future for ResponseFuture<Response<Vec<u8>>, AsBytes> {
    type Output = Result<Response<Vec<u8>>, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .poll_then(context, |response, _| Ok(response.into_bytes()))
    }
}

impl Future for ResponseFuture<(), NoBody> {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_then(context, |_, _| Ok(()))
    }
}

impl Future for ResponseFuture<Response<()>, NoBody> {
    type Output = Result<Response<()>, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut()
            .poll_then(context, |response, _| Ok(response.with_value(())))
    }
}

impl<T: FromStatus> Future for ResponseFuture<T, ByStatus> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_then(context, |response, operation| {
            T::from_status(operation, &mut response.into_bytes())
        })
    }
}

impl<T: FromStatus> Future for ResponseFuture<Response<T>, ByStatus> {
    type Output = Result<Response<T>, Error>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().poll_then(context, |response, operation| {
            let mut response = response.into_bytes();
            let value = T::from_status(operation, &mut response)?;
            Ok(response.map(|_| value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, response, runtime};

    static START: Operation = Operation {
        id: "startJob",
        method: Method::Post,
        path: "/jobs",
    };

    /// What a generated outcome enum looks like.
    #[derive(Debug, PartialEq)]
    enum StartOutcome {
        Created(serde_json::Value),
        Accepted,
        Other { status: u16, body: Vec<u8> },
    }

    impl FromStatus for StartOutcome {
        fn from_status(operation: &'static Operation, response: &mut Response<Vec<u8>>) -> Result<Self, Error> {
            Ok(match response.status {
                201 => StartOutcome::Created(crate::runtime::decode_json_body(operation, response)?),
                202 => StartOutcome::Accepted,
                status => StartOutcome::Other {
                    status,
                    body: std::mem::take(&mut response.value),
                },
            })
        }
    }

    #[tokio::test]
    async fn the_outcome_is_made_from_the_status_and_the_body() {
        let server = test_server::serve(vec![
            response("201 Created", r#"{"id":"j_1"}"#),
            response("202 Accepted", ""),
            response("203 Non-Authoritative Information", "raw"),
            response("201 Created", r#"{"id":"j_2"}"#),
        ])
        .await;
        let rt = runtime(&server.base_url);
        let created = rt.request(&START).send_by_status::<StartOutcome>().await.unwrap();
        assert_eq!(created, StartOutcome::Created(serde_json::json!({"id": "j_1"})));
        let accepted = rt.request(&START).send_by_status::<StartOutcome>().await.unwrap();
        assert_eq!(accepted, StartOutcome::Accepted);
        let other = rt.request(&START).send_by_status::<StartOutcome>().await.unwrap();
        let body = b"raw".to_vec();
        assert_eq!(other, StartOutcome::Other { status: 203, body });
        let with_response: Response<StartOutcome> = rt.request(&START).send_by_status_with_response().await.unwrap();
        assert_eq!(with_response.status, 201);
        assert_eq!(
            with_response.value,
            StartOutcome::Created(serde_json::json!({"id": "j_2"}))
        );
    }

    #[tokio::test]
    async fn a_body_that_does_not_decode_is_an_error_naming_the_operation() {
        let server = test_server::serve(vec![response("201 Created", r#"{"id":"#)]).await;
        let rt = runtime(&server.base_url);
        let error = rt.request(&START).send_by_status::<StartOutcome>().await.unwrap_err();
        assert!(error.to_string().contains("startJob"), "{error}");
    }

    #[test]
    fn the_future_is_send_unpin_and_static_and_its_debug_names_the_operation() {
        fn assert_traits<F: Future + Send + Unpin + 'static>(_: &F) {}
        let future = runtime("http://127.0.0.1:1")
            .request(&START)
            .send_json::<serde_json::Value>();
        assert_traits(&future);
        assert_eq!(format!("{future:?}"), "ResponseFuture { operation: \"startJob\", .. }");
    }
}
