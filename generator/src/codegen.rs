//! The whole pipeline, top to bottom: load → validate → lower → emit → format → write.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

use crate::diagnostic::{render, Diagnostic};
use crate::emit_client::{emit_cargo_toml, emit_client, emit_generated_mod, emit_lib};
use crate::emit_operations::emit_resource;
use crate::emit_types::emit_types;
use crate::format::{format_rust, with_header};
use crate::load::{load_file, load_str, LoadedSpec};
use crate::lower::lower;
use crate::model::ApiModel;
use crate::validate::validate;
use crate::write::{unified_diff, write_files, GeneratedFile, Mode};

/// The hand-written runtime, copied into every generated crate at `src/runtime/`.
const RUNTIME_FILES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("../runtime/mod.rs")),
    ("clock.rs", include_str!("../runtime/clock.rs")),
    ("config.rs", include_str!("../runtime/config.rs")),
    ("error.rs", include_str!("../runtime/error.rs")),
    ("nullable.rs", include_str!("../runtime/nullable.rs")),
    ("options.rs", include_str!("../runtime/options.rs")),
    ("pagination.rs", include_str!("../runtime/pagination.rs")),
    ("params.rs", include_str!("../runtime/params.rs")),
    ("request.rs", include_str!("../runtime/request.rs")),
    ("response.rs", include_str!("../runtime/response.rs")),
    ("retry.rs", include_str!("../runtime/retry.rs")),
    ("union.rs", include_str!("../runtime/union.rs")),
];

/// Folders of the output crate that belong to the generator entirely: files there that are not
/// generated any more are removed.
const OWNED_DIRS: &[&str] = &["src/generated", "src/runtime"];

/// What to generate from where.
#[derive(Clone, Debug)]
pub struct Options {
    pub spec_path: PathBuf,
    pub output_dir: PathBuf,
    /// Named in every file's header, e.g. `cargo xtask codegen`.
    pub regenerate_command: String,
    /// How the header names the spec, e.g. `openapi/sgp-evaluations.yaml`.
    pub spec_display: String,
    /// Overrides the crate name the spec's `x-codegen` (or title) gives.
    pub crate_name: Option<String>,
    pub mode: Mode,
}

/// The generated crate, before it is written.
#[derive(Debug)]
pub struct Generated {
    pub files: Vec<GeneratedFile>,
    pub warnings: Vec<Diagnostic>,
    pub operations: usize,
    pub types: usize,
}

#[derive(Debug)]
pub struct Summary {
    pub operations: usize,
    pub types: usize,
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub millis: u128,
}

#[derive(Debug)]
pub enum CodegenError {
    /// The spec has errors; nothing was written.
    Spec(Vec<Diagnostic>),
    /// An emitter produced code that does not parse (a generator bug).
    Emit {
        file: String,
        message: String,
    },
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Check mode: these files differ from what would be generated.
    Stale {
        files: Vec<String>,
        diff: String,
    },
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Spec(diagnostics) => write!(f, "the spec has errors:\n{}", render(diagnostics)),
            CodegenError::Emit { file, message } => write!(f, "generator bug while emitting {file}: {message}"),
            CodegenError::Io { path, error } => write!(f, "{}: {error}", path.display()),
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

/// How long each stage of one generation took (`cargo xtask bench` reports them). A stage that
/// did not run, because an earlier one failed or the caller started later, stays zero.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Reading and parsing the file: text → JSON value, line index, `openapiv3` document.
    pub load: Duration,
    /// The spec checks of [`validate`].
    pub validate: Duration,
    /// Lowering to the [`ApiModel`], including locating its diagnostics.
    pub model: Duration,
    /// Model → token streams (and `Cargo.toml`).
    pub emit: Duration,
    /// Token streams → source text (`syn` + `prettyplease`).
    pub format: Duration,
    /// Writing (or comparing) the files.
    pub write: Duration,
}

impl StageTimes {
    pub fn total(&self) -> Duration {
        self.load + self.validate + self.model + self.emit + self.format + self.write
    }
}

/// Runs `action`, adding the time it took to `slot`.
fn timed<T>(slot: &mut Duration, action: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = action();
    *slot += started.elapsed();
    result
}

/// Loads the spec, generates the crate and writes (or checks) it.
pub fn run(options: &Options) -> Result<Summary, CodegenError> {
    run_timed(options, &mut StageTimes::default())
}

/// [`run`], adding the time of each stage to `times`.
pub fn run_timed(options: &Options, times: &mut StageTimes) -> Result<Summary, CodegenError> {
    let started = Instant::now();
    let spec = timed(&mut times.load, || load_file(&options.spec_path)).map_err(CodegenError::Spec)?;
    let header = header(&options.regenerate_command, &options.spec_display);
    let generated = generate_timed(&spec, &header, options.crate_name.as_deref(), times)?;
    let written = timed(&mut times.write, || {
        write_files(&options.output_dir, &generated.files, OWNED_DIRS, options.mode)
    });
    let report = written.map_err(|error| CodegenError::Io {
        path: options.output_dir.clone(),
        error,
    })?;
    if !report.stale.is_empty() {
        let files = report.stale.iter().map(|(path, _)| path.clone()).collect();
        let diff = report.stale.iter().map(|(_, diff)| diff.as_str()).collect();
        return Err(CodegenError::Stale { files, diff });
    }
    Ok(Summary {
        operations: generated.operations,
        types: generated.types,
        written: report.written,
        unchanged: report.unchanged,
        removed: report.removed,
        warnings: generated.warnings,
        millis: started.elapsed().as_millis(),
    })
}

/// `@generated by `cargo xtask codegen` from openapi/x.yaml. Do not edit by hand.`
pub fn header(command: &str, spec_display: &str) -> String {
    format!("@generated by `{command}` from {spec_display}. Do not edit by hand.")
}

/// Spec text → files, in memory. Used by `run` and by snapshot tests.
pub fn generate_from_str(source_name: &str, text: &str, header: &str) -> Result<Generated, CodegenError> {
    let spec = load_str(source_name, text).map_err(CodegenError::Spec)?;
    generate(&spec, header)
}

/// Validates and lowers the spec, then emits every file. Any error diagnostic stops generation;
/// warnings travel with the result.
pub fn generate(spec: &LoadedSpec, header: &str) -> Result<Generated, CodegenError> {
    generate_named(spec, header, None)
}

/// [`generate`], with the crate name set by the caller instead of the spec.
pub fn generate_named(spec: &LoadedSpec, header: &str, crate_name: Option<&str>) -> Result<Generated, CodegenError> {
    generate_timed(spec, header, crate_name, &mut StageTimes::default())
}

/// [`generate_named`], adding the time of each stage to `times`.
pub fn generate_timed(
    spec: &LoadedSpec,
    header: &str,
    crate_name: Option<&str>,
    times: &mut StageTimes,
) -> Result<Generated, CodegenError> {
    let mut diagnostics = timed(&mut times.validate, || validate(spec));
    let (model, diagnostics) = timed(&mut times.model, || {
        let (mut model, lower_diagnostics) = lower(&spec.openapi, Some(&spec.raw));
        if let Some(name) = crate_name {
            model.settings.crate_name = name.to_owned();
        }
        diagnostics.extend(lower_diagnostics);
        let mut diagnostics = dedupe_by_pointer(diagnostics);
        spec.locate(&mut diagnostics);
        (model, diagnostics)
    });
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(CodegenError::Spec(diagnostics));
    }
    let files = emit_files(&model, header, times)?;
    Ok(Generated {
        files,
        warnings: diagnostics,
        operations: model.resources.iter().map(|r| r.operations.len()).sum(),
        types: model.types.len(),
    })
}

/// Validation and lowering both notice some problems (a dangling `$ref`, a missing
/// `operationId`); one message per place and severity is enough, and validation's comes first.
fn dedupe_by_pointer(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::BTreeSet::new();
    diagnostics
        .into_iter()
        .filter(|d| seen.insert((d.pointer.clone(), d.severity)))
        .collect()
}

fn emit_files(model: &ApiModel, header: &str, times: &mut StageTimes) -> Result<Vec<GeneratedFile>, CodegenError> {
    let (cargo_toml, rust_files) = timed(&mut times.emit, || {
        let mut rust_files: Vec<(String, TokenStream)> = vec![
            ("src/lib.rs".to_owned(), emit_lib(model)),
            ("src/generated/mod.rs".to_owned(), emit_generated_mod(model)),
            ("src/generated/client.rs".to_owned(), emit_client(model)),
            ("src/generated/types.rs".to_owned(), emit_types(model)),
        ];
        for resource in &model.resources {
            rust_files.push((
                format!("src/generated/{}.rs", resource.module),
                emit_resource(model, resource),
            ));
        }
        (emit_cargo_toml(model, header), rust_files)
    });
    let mut files = vec![GeneratedFile {
        path: "Cargo.toml".to_owned(),
        contents: cargo_toml,
    }];
    let formatted = timed(&mut times.format, || format_files(rust_files, header))?;
    files.extend(formatted);
    timed(&mut times.emit, || {
        files.extend(RUNTIME_FILES.iter().map(|(name, contents)| GeneratedFile {
            path: format!("src/runtime/{name}"),
            contents: with_header(contents, header),
        }))
    });
    Ok(files)
}

/// Formats every Rust file; the first file that does not parse is a generator bug.
fn format_files(rust_files: Vec<(String, TokenStream)>, header: &str) -> Result<Vec<GeneratedFile>, CodegenError> {
    rust_files
        .into_iter()
        .map(|(path, tokens)| match format_rust(tokens, header) {
            Ok(contents) => Ok(GeneratedFile { path, contents }),
            Err(message) => Err(CodegenError::Emit { file: path, message }),
        })
        .collect()
}

/// Diff between two generations, for tests that show what a spec edit changes.
pub fn diff_files(before: &[GeneratedFile], after: &[GeneratedFile]) -> String {
    let mut out = String::new();
    for new in after {
        let old = before
            .iter()
            .find(|f| f.path == new.path)
            .map_or("", |f| f.contents.as_str());
        if old != new.contents {
            out.push_str(&unified_diff(&new.path, old, &new.contents));
        }
    }
    out
}

/// The spec path relative to `root`, `/`-separated, for headers.
pub fn display_path(root: &Path, path: &Path) -> String {
    crate::write::relative_path(root, path)
}
