//! Decoding 2xx JSON bodies into the generated types, with errors that say where decoding
//! failed (the JSON path) and how the body starts.

use crate::runtime::error::Error;
use crate::runtime::operation::Operation;
use crate::runtime::response::Response;
use crate::runtime::union;

/// Decodes the body of a 2xx response into `T`, with the same error (JSON path, body start) as
/// [`RequestBuilder::send_json`](crate::runtime::RequestBuilder::send_json). For operations whose successes differ by status code: the
/// generated code sends with [`RequestBuilder::send_bytes_with_response`](crate::runtime::RequestBuilder::send_bytes_with_response) and decodes per status.
pub fn decode_json_body<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    response: &Response<Vec<u8>>,
) -> Result<T, Error> {
    decode_json(operation, response.status, &response.value)
}

/// Decodes a 2xx body, recording the JSON path of the first mismatch.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    operation: &'static Operation,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let json: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    // Tracking the path costs time on every value and only a failure needs it: decode plainly
    // first, and again with tracking when that fails.
    // Decoding is deterministic, so the second attempt fails the same way and names the path.
    if let Ok(value) = serde_json::from_slice(json) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = union::refine_path(error.path().to_string(), &error.inner().to_string());
        Error::decode(operation, status, body, path, error.into_inner())
    })?;
    // Trailing characters after the value are an error at the top level.
    deserializer
        .end()
        .map_err(|source| Error::decode(operation, status, body, ".".to_string(), source))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, request_line, response, runtime};

    static GET: Operation = Operation {
        id: "getWidget",
        method: Method::Get,
        path: "/v1/widgets/{widget_id}",
    };
    static LIST: Operation = Operation {
        id: "listWidgets",
        method: Method::Get,
        path: "/v1/widgets",
    };
    static ITEM: Operation = Operation {
        id: "getItem",
        method: Method::Delete,
        path: "/v1/widgets/{widget_id}/items/{item_id}",
    };

    #[test]
    fn decode_json_body_decodes_or_names_the_status_and_path() {
        let ok = Response::new(br#"{"id":"w_1"}"#.to_vec(), 201, Default::default(), 1);
        let value: serde_json::Value = decode_json_body(&GET, &ok).unwrap();
        assert_eq!(value["id"], "w_1");

        let bad = Response::new(br#"{"id":1}"#.to_vec(), 202, Default::default(), 1);
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Widget {
            id: String,
        }
        let error = decode_json_body::<Widget>(&GET, &bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!((error.status(), error.decode_path()), (Some(202), Some("id")));
        assert!(error.request_sent());
    }

    #[tokio::test]
    async fn empty_success_body_decodes_as_null() {
        let server = test_server::serve(vec![response("204 No Content", ""), response("200 OK", "")]).await;
        let rt = runtime(&server.base_url);
        let request = || {
            rt.request(&ITEM)
                .path_param("widget_id", "e")
                .path_param("item_id", "i")
        };
        let unit: () = request().send_json().await.unwrap();
        let value: serde_json::Value = request().send_json().await.unwrap();
        assert_eq!(unit, ());
        assert_eq!(value, serde_json::Value::Null);
        let requests = server.requests().await;
        assert_eq!(request_line(&requests[0]), "DELETE /v1/widgets/e/items/i HTTP/1.1");
    }

    #[tokio::test]
    async fn decode_failure_reports_path_and_body_start() {
        let body = r#"{"items":[{"created_at":"2024-01-01T00:00:00Z"},{"created_at":"yesterday"}]}"#;
        let server = test_server::serve(vec![response("200 OK", body)]).await;
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            created_at: chrono::DateTime<chrono::Utc>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Page {
            items: Vec<Item>,
        }
        let error = runtime(&server.base_url)
            .request(&GET)
            .path_param("widget_id", "w 1")
            .send_json::<Page>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("items[1].created_at"));
        assert_eq!(error.status(), Some(200));
        let shown = error.to_string();
        assert!(
            shown.starts_with(
                "GET /v1/widgets/{widget_id} (getWidget): could not decode response at `items[1].created_at`: "
            ),
            "{shown}"
        );
        assert!(shown.ends_with(&format!("; body starts: {body}")), "{shown}");
        assert!(!shown.contains("w%201"), "{shown}");
    }

    #[tokio::test]
    async fn trailing_garbage_is_a_decode_error() {
        let server = test_server::serve(vec![response("200 OK", "{} x")]).await;
        let error = runtime(&server.base_url)
            .request(&LIST)
            .send_json::<serde_json::Value>()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert_eq!(error.decode_path(), Some("."));
    }
}
