//! Errors and warnings about the input spec, as values.
//!
//! Every stage reports problems as [`Diagnostic`]s that name the JSON pointer of the offending
//! node and, when the loader could find it, the line in the spec file.

use std::fmt;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The client is still generated; the spec should be fixed.
    Warning,
    /// Nothing is generated.
    Error,
}

/// One problem in the spec, and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it stops generation.
    pub severity: Severity,
    /// JSON pointer into the spec document, e.g. `#/paths/~1v5~1evaluations/post/requestBody`.
    pub pointer: String,
    /// 1-based line in the spec file, when known.
    pub line: Option<usize>,
    /// What is wrong, and where it helps, what to write instead.
    pub message: String,
    /// For an error that has a safe reading: what the generator does instead when the spec does
    /// not ask for strictness (then the error becomes a warning that says so; see `spec::leniency`).
    pub(crate) safe_reading: Option<&'static str>,
}

impl Diagnostic {
    /// An error at `pointer` (the line is filled in later, from the pointer).
    pub fn error(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            safe_reading: None,
        }
    }

    /// An error in a spec that asks for strictness; in any other, a warning that adds
    /// `safe_reading`, what the generator does instead (e.g. "it is ignored").
    pub(crate) fn unless_lenient(
        pointer: impl Into<String>,
        message: impl Into<String>,
        safe_reading: &'static str,
    ) -> Self {
        Diagnostic {
            safe_reading: Some(safe_reading),
            ..Diagnostic::error(pointer, message)
        }
    }

    /// A warning at `pointer`.
    pub fn warning(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            pointer: pointer.into(),
            line: None,
            message: message.into(),
            safe_reading: None,
        }
    }

    /// Whether it stops generation.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `error: #/paths/~1v5~1evaluations/post (line 12): message`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{severity}: {}", self.pointer)?;
        if let Some(line) = self.line {
            write!(f, " (line {line})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Formats diagnostics one per line, errors first, in a stable order.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.line.cmp(&b.line))
            .then(a.pointer.cmp(&b.pointer))
    });
    sorted.iter().map(|d| format!("{d}\n")).collect()
}
