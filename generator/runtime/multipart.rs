//! `multipart/form-data` bodies: text fields and file uploads, kept as plain data so that every
//! attempt of a request can build its own `reqwest` form (sending one consumes it).

use std::fmt;

use crate::runtime::error::Error;
use crate::runtime::operation::Operation;

/// A `multipart/form-data` body, kept as plain data so that it can be rebuilt for each attempt.
#[derive(Clone, Debug, Default)]
pub struct MultipartForm {
    parts: Vec<MultipartPart>,
}

#[derive(Clone, Debug)]
enum MultipartPart {
    Text { name: String, value: String },
    File { name: String, file: FileUpload },
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        MultipartForm::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.parts.push(MultipartPart::Text {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a file field.
    pub fn file(mut self, name: impl Into<String>, file: FileUpload) -> Self {
        self.parts.push(MultipartPart::File {
            name: name.into(),
            file,
        });
        self
    }

    /// Checks every part's content type, so that a bad one is an invalid request before anything
    /// is sent rather than a failure of the first attempt.
    pub(crate) fn check(&self, operation: &'static Operation) -> Result<(), Error> {
        for part in &self.parts {
            if let MultipartPart::File { name, file } = part {
                file.check_content_type(operation, name)?;
            }
        }
        Ok(())
    }

    /// Builds the `reqwest` form; called once per attempt because a `reqwest` form is consumed
    /// by sending it.
    pub(crate) fn to_reqwest(&self, operation: &'static Operation) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for part in &self.parts {
            form = match part {
                MultipartPart::Text { name, value } => form.text(name.clone(), value.clone()),
                MultipartPart::File { name, file } => form.part(name.clone(), file.to_reqwest(operation, name)?),
            };
        }
        Ok(form)
    }
}

/// A file to upload in a [`MultipartForm`].
#[derive(Clone)]
pub struct FileUpload {
    /// The file name sent in the part's `Content-Disposition`.
    pub file_name: String,
    /// The part's `Content-Type`; `application/octet-stream` when `None`.
    pub content_type: Option<String>,
    /// The file contents.
    pub bytes: Vec<u8>,
}

impl FileUpload {
    /// A file with the given name and contents and no explicit content type.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        FileUpload {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Sets the content type, e.g. `text/csv`.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    fn to_reqwest(&self, operation: &'static Operation, field: &str) -> Result<reqwest::multipart::Part, Error> {
        self.with_content_type(reqwest::multipart::Part::bytes(self.bytes.clone()), operation, field)
            .map(|part| part.file_name(self.file_name.clone()))
    }

    fn check_content_type(&self, operation: &'static Operation, field: &str) -> Result<(), Error> {
        self.with_content_type(reqwest::multipart::Part::bytes(Vec::new()), operation, field)
            .map(drop)
    }

    fn with_content_type(
        &self,
        part: reqwest::multipart::Part,
        operation: &'static Operation,
        field: &str,
    ) -> Result<reqwest::multipart::Part, Error> {
        let content_type = self.content_type.as_deref().unwrap_or("application/octet-stream");
        part.mime_str(content_type).map_err(|source| {
            let message = format!("content type `{content_type}` of multipart field `{field}` is not valid");
            Error::invalid_request_with_source(operation, message, source)
        })
    }
}

impl fmt::Debug for FileUpload {
    /// Shows the length, not the contents, which may be large or private.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::error::ErrorKind;
    use crate::runtime::operation::Method;
    use crate::runtime::test_server::{self, response, runtime};

    static UPLOAD: Operation = Operation {
        id: "uploadFile",
        method: Method::Post,
        path: "/v5/files",
    };

    #[test]
    fn file_upload_debug_shows_length_only() {
        let file = FileUpload::new("a.csv", b"secret,data".to_vec()).content_type("text/csv");
        let shown = format!("{:?}", MultipartForm::new().file("file", file));
        assert!(shown.contains("<11 bytes>"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
    }

    #[tokio::test]
    async fn multipart_sends_text_and_file_parts() {
        let server = test_server::serve(vec![response("200 OK", r#"{"ok":true}"#)]).await;
        let form = MultipartForm::new()
            .text("purpose", "import")
            .file(
                "file",
                FileUpload::new("rows.csv", b"a,b\n1,2\n".to_vec()).content_type("text/csv"),
            )
            .file("raw", FileUpload::new("blob.bin", vec![0_u8, 1, 2]));
        let _ = runtime(&server.base_url)
            .request(&UPLOAD)
            .multipart(form)
            .send_json::<serde_json::Value>()
            .await
            .unwrap();
        let request = &server.requests().await[0];
        assert!(
            request.contains("\r\ncontent-type: multipart/form-data; boundary="),
            "{request}"
        );
        assert!(
            request.contains("Content-Disposition: form-data; name=\"purpose\"\r\n\r\nimport\r\n"),
            "{request}"
        );
        assert!(
            request.contains(
                "Content-Disposition: form-data; name=\"file\"; filename=\"rows.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\na,b\n1,2\n\r\n"
            ),
            "{request}"
        );
        assert!(
            request.contains("filename=\"blob.bin\"\r\nContent-Type: application/octet-stream"),
            "{request}"
        );
    }

    #[tokio::test]
    async fn invalid_multipart_content_type_is_an_invalid_request() {
        let form = MultipartForm::new().file("file", FileUpload::new("a", vec![1]).content_type("not a mime"));
        let error = runtime("http://127.0.0.1:1")
            .request(&UPLOAD)
            .multipart(form)
            .send_bytes()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidRequest);
        assert!(!error.request_sent());
    }
}
