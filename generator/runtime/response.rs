//! A successful response's value together with its status and headers, for callers who need
//! more than the decoded value (a request id for a support ticket, a rate-limit header).

use reqwest::header::HeaderMap;

/// Response headers that commonly carry a request id, checked in this order.
///
/// The API documents no request-id header, so the usual names are tried; the first one present
/// is reported on successes ([`Response::request_id`]) and on errors (`Error::request_id`).
pub const REQUEST_ID_HEADERS: &[&str] = &["x-request-id", "request-id", "x-amzn-requestid", "x-correlation-id"];

/// A decoded 2xx response with its status and headers; from `send_with_response()`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// The HTTP status code.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// How many attempts it took (1 when the first attempt succeeded).
    pub attempts: u32,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, status: u16, headers: HeaderMap, attempts: u32) -> Self {
        Response {
            value,
            status,
            headers,
            attempts,
        }
    }

    /// The request id the server sent in one of [`REQUEST_ID_HEADERS`], if any.
    pub fn request_id(&self) -> Option<&str> {
        request_id(&self.headers)
    }

    /// The decoded body, without the status and headers.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Transforms the value, keeping the status and headers.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            attempts: self.attempts,
        }
    }
}

/// The value of the first request-id header present (and valid text), if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(*name)?.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn request_id_takes_the_first_known_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_id(&headers), None);
        headers.insert("request-id", HeaderValue::from_static("second"));
        assert_eq!(request_id(&headers), Some("second"));
        headers.insert("x-request-id", HeaderValue::from_static("first"));
        let response = Response::new(1, 200, headers, 1);
        assert_eq!(response.request_id(), Some("first"));
        let mapped = response.map(|n| n + 1);
        assert_eq!((mapped.value, mapped.status), (2, 200));
        assert_eq!(mapped.request_id(), Some("first"));
    }
}
