//! The static description of one API operation, which the generator writes once per operation:
//!
//! ```ignore
//! static GET_WIDGET: Operation = Operation {
//!     id: "getWidget",
//!     method: Method::Get,
//!     path: "/v1/widgets/{widget_id}",
//! };
//! ```
//!
//! Requests and errors refer to it, so that an error names the operation by its id and path
//! template, never by a filled URL.

use std::fmt;

/// The static description of one API operation, written by the generator as a `static`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The OpenAPI `operationId`, e.g. `createWidget`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template with `{name}` placeholders, e.g. `/v1/widgets/{widget_id}`.
    pub path: &'static str,
}

/// An HTTP method; a plain enum so that an [`Operation`] can be a `static`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// The method name in upper case, as sent on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
            Method::Head => reqwest::Method::HEAD,
            Method::Options => reqwest::Method::OPTIONS,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Method; 7] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
        Method::Head,
        Method::Options,
    ];

    #[test]
    fn the_name_shown_is_the_name_sent() {
        for method in ALL {
            assert_eq!(method.to_reqwest().as_str(), method.as_str(), "{method:?}");
            assert_eq!(method.to_string(), method.as_str(), "{method:?}");
        }
    }
}
