//! Why generation stopped: [`CodegenError`].

use std::fmt;
use std::path::PathBuf;

use crate::changes::ApiChanges;
use crate::diagnostic::{render, Diagnostic};

/// Why generation stopped.
#[derive(Debug)]
pub enum CodegenError {
    /// The spec has errors; nothing was written.
    Spec(Vec<Diagnostic>),
    /// An emitter produced code that does not parse (a generator bug).
    Emit {
        /// The file being emitted.
        file: String,
        /// What `syn` said about the tokens.
        message: String,
    },
    /// Reading the spec or writing the output failed.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The checked-in `api.json`, which records the crate's previous API, cannot be read.
    ApiFile {
        /// The file.
        path: PathBuf,
        /// What the JSON parser said.
        message: String,
    },
    /// The crate's public API changed more than the spec's `x-codegen: crate-version` allows by
    /// Cargo's SemVer rules; nothing was written. The changes say which version is needed.
    VersionBump(Box<ApiChanges>),
    /// Check mode: the crate's public API changed and `CHANGELOG.md` has no finished entry for
    /// the version (it is missing, does not list every change, or a migration note still says
    /// `TODO`).
    Changelog {
        /// What is missing.
        problem: String,
        /// The changes the entry is to describe.
        changes: Box<ApiChanges>,
    },
    /// Check mode: these files differ from what would be generated.
    Stale {
        /// Paths relative to the output folder.
        files: Vec<String>,
        /// A unified diff per file, from what is on disk to what would be generated.
        diff: String,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Spec(diagnostics) => write!(f, "the spec has errors:\n{}", render(diagnostics)),
            CodegenError::Emit { file, message } => write!(f, "generator bug while emitting {file}: {message}"),
            CodegenError::Io { path, error } => write!(f, "{}: {error}", path.display()),
            CodegenError::ApiFile { path, message } => write!(
                f,
                "{}: not a record of the crate's API ({message}); restore it from version control, or delete it to generate without comparing",
                path.display()
            ),
            CodegenError::VersionBump(changes) => write!(
                f,
                "the API changed ({} breaking, {} compatible): set x-codegen crate-version to {} (it is {})\n\n{}",
                changes.breaking(),
                changes.compatible(),
                changes.required_version().unwrap_or_default(),
                changes.version(),
                changes.report()
            ),
            CodegenError::Changelog { problem, changes } => write!(
                f,
                "the API changed ({} breaking, {} compatible) and {problem}\n\n{}",
                changes.breaking(),
                changes.compatible(),
                changes.report()
            ),
            CodegenError::Stale { files, diff } => write!(
                f,
                "{} generated file(s) are stale: {}\nrun `cargo xtask codegen` and review the changes\n\n{diff}",
                files.len(),
                files.join(", ")
            ),
        }
    }
}

impl std::error::Error for CodegenError {}
