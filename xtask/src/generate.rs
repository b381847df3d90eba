//! Every call xtask makes into the generator (`openapi_rust_gen`), in one module: the rest of
//! xtask asks for a crate to be generated here and never sees the generator's own types, so a
//! change of the generator's public API is adapted in this file alone.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use openapi_rust_gen::codegen::{run, run_timed, CodegenError, Options, StageTimes};
use openapi_rust_gen::write::Mode;

/// The spec the client is generated from, relative to the workspace root.
pub const SPEC: &str = "openapi/sgp-evaluations.yaml";

/// The generated client crate, relative to the workspace root.
const OUTPUT: &str = "generated-client";

/// The generator's stages, in the order of [`TimedRun::stages`].
pub const STAGES: [&str; 6] = ["load", "validate", "model", "emit", "format", "write"];

/// `cargo xtask codegen`: regenerates the client.
pub fn regenerate_client(root: &Path) -> Result<()> {
    codegen(root, Mode::Write)
}

/// `cargo xtask codegen --check`: fails with a diff when the client is stale; changes nothing.
pub fn check_client(root: &Path) -> Result<()> {
    codegen(root, Mode::Check)
}

fn codegen(root: &Path, mode: Mode) -> Result<()> {
    let spec_path = root.join(SPEC);
    let options = Options {
        spec_display: display_path(root, &spec_path),
        spec_path,
        output_dir: root.join(OUTPUT),
        regenerate_command: "cargo xtask codegen".to_owned(),
        crate_name: None,
        mode,
    };
    let summary = run(&options)?;
    for warning in &summary.warnings {
        eprintln!("{warning}");
    }
    let verb = if mode == Mode::Check { "checked" } else { "generated" };
    println!(
        "{verb} {} operations, {} types: {} files written, {} unchanged, {} removed, {} warnings in {} ms",
        summary.operations,
        summary.types,
        summary.written.len(),
        summary.unchanged,
        summary.removed.len(),
        summary.warnings.len(),
        summary.millis
    );
    Ok(())
}

/// `cargo xtask generate SPEC [CRATE_NAME] OUT_DIR`: a client crate for any OpenAPI 3.0 file.
pub fn generate_any(spec: &str, crate_name: Option<&str>, output: &str) -> Result<()> {
    let spec_path = PathBuf::from(spec);
    let name_argument = crate_name.map(|n| format!("{n} ")).unwrap_or_default();
    let options = Options {
        spec_display: spec.to_owned(),
        spec_path,
        output_dir: PathBuf::from(output),
        regenerate_command: format!("cargo xtask generate {spec} {name_argument}{output}"),
        crate_name: crate_name.map(str::to_owned),
        mode: Mode::Write,
    };
    let summary = run(&options)?;
    for warning in &summary.warnings {
        eprintln!("{warning}");
    }
    println!(
        "generated {} operations, {} types into {output}: {} files written, {} unchanged in {} ms",
        summary.operations,
        summary.types,
        summary.written.len(),
        summary.unchanged,
        summary.millis
    );
    Ok(())
}

/// What became of one spec of the feature corpus.
pub enum CorpusOutcome {
    Generated,
    /// Not generated: the first error line (a diagnostic, or the first line of another error).
    Diagnosed(String),
}

/// One crate of the feature corpus (`cargo xtask corpus`).
pub fn corpus_crate(spec: &Path, crate_name: &str, output: &Path) -> CorpusOutcome {
    let options = Options {
        spec_path: spec.to_path_buf(),
        output_dir: output.to_path_buf(),
        regenerate_command: "cargo xtask corpus".to_owned(),
        spec_display: spec
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        crate_name: Some(crate_name.to_owned()),
        mode: Mode::Write,
    };
    let first_error = match run(&options) {
        Ok(_) => return CorpusOutcome::Generated,
        Err(CodegenError::Spec(diagnostics)) => {
            let first = diagnostics.iter().find(|d| d.is_error()).map(ToString::to_string);
            first.unwrap_or_else(|| "rejected without an error diagnostic".to_owned())
        }
        Err(other) => other.to_string().lines().next().unwrap_or_default().to_owned(),
    };
    CorpusOutcome::Diagnosed(first_error)
}

/// A crate named `crate_name` for the bench's build-cost section.
pub fn bench_crate(root: &Path, spec: &Path, crate_name: &str, output: &Path) -> Result<()> {
    let options = Options {
        spec_path: spec.to_path_buf(),
        output_dir: output.to_path_buf(),
        regenerate_command: "cargo xtask bench".to_owned(),
        spec_display: display_path(root, spec),
        crate_name: Some(crate_name.to_owned()),
        mode: Mode::Write,
    };
    run(&options)?;
    Ok(())
}

/// One timed generation: what was generated and how long each stage and the whole call took.
pub struct TimedRun {
    pub operations: usize,
    pub types: usize,
    /// In the order of [`STAGES`].
    pub stages: [Duration; 6],
    /// The call end to end, as the caller sees it.
    pub wall: Duration,
}

/// The whole pipeline on `spec` into `output` (a new folder), timed by stage, for the bench.
pub fn timed(spec: &Path, spec_display: &str, output: &Path) -> Result<TimedRun> {
    let options = Options {
        spec_path: spec.to_path_buf(),
        output_dir: output.to_path_buf(),
        regenerate_command: "cargo xtask bench".to_owned(),
        spec_display: spec_display.to_owned(),
        crate_name: None,
        mode: Mode::Write,
    };
    let mut times = StageTimes::default();
    let started = Instant::now();
    let summary = run_timed(&options, &mut times)?;
    let wall = started.elapsed();
    Ok(TimedRun {
        operations: summary.operations,
        types: summary.types,
        stages: [
            times.load,
            times.validate,
            times.model,
            times.emit,
            times.format,
            times.write,
        ],
        wall,
    })
}

/// `path` relative to `root`, `/`-separated, as generated files' headers and the bench name it.
pub fn display_path(root: &Path, path: &Path) -> String {
    openapi_rust_gen::codegen::display_path(root, path)
}

/// A unified diff of two texts, labelled with `path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    openapi_rust_gen::write::unified_diff(path, old, new)
}
