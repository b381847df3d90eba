//! Every call xtask makes into the generator (`openapi_rust_gen`), in one module: the rest of
//! xtask asks for a crate to be generated here and never sees the generator's own types, so a
//! change of the generator's public API is adapted in this file alone.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use openapi_rust_gen::{CodegenError, Generator, Mode, Summary};

/// The spec the client is generated from, relative to the workspace root.
pub const SPEC: &str = "openapi/sgp-evaluations.yaml";

/// The generated client crate, relative to the workspace root.
const OUTPUT: &str = "generated-client";

/// The optional features of every generated crate (`mock`, the typed mock server; `cli`, the
/// command line): what the generator emits must compile with them as well as without them.
pub const GENERATED_FEATURES: &str = "mock cli";

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
    let generator = Generator::new("cargo xtask codegen", display_path(root, &spec_path));
    let summary = generator.run(&spec_path, &root.join(OUTPUT), mode)?;
    print_warnings(&summary);
    let verb = if mode == Mode::Check { "checked" } else { "generated" };
    println!(
        "{verb} {} operations, {} types: {} files written, {} unchanged, {} removed, {} warnings in {} ms",
        summary.operations,
        summary.types,
        summary.written.len(),
        summary.unchanged,
        summary.removed.len(),
        summary.warnings.len(),
        summary.elapsed.as_millis()
    );
    print_api_changes(&summary);
    Ok(())
}

fn print_warnings(summary: &Summary) {
    for warning in &summary.warnings {
        eprintln!("{warning}");
    }
}

/// What changed in the crate's public API since the previous release, and what is left to do.
fn print_api_changes(summary: &Summary) {
    let changes = &summary.api_changes;
    if changes.is_empty() {
        return;
    }
    println!("\n{}", changes.report());
    if let Some(changelog) = &summary.changelog_drafted {
        println!(
            "{changelog}: drafted the {} entry; write each `Migration: TODO` before `cargo xtask codegen --check` passes",
            changes.version()
        );
    }
}

/// `cargo xtask generate SPEC [CRATE_NAME] OUT_DIR`: a client crate for any OpenAPI 3.0 file.
pub fn generate_any(spec: &str, crate_name: Option<&str>, output: &str) -> Result<()> {
    let name_argument = crate_name.map(|n| format!("{n} ")).unwrap_or_default();
    let mut generator = Generator::new(format!("cargo xtask generate {spec} {name_argument}{output}"), spec);
    if let Some(name) = crate_name {
        generator = generator.crate_name(name);
    }
    let summary = generator.run(Path::new(spec), Path::new(output), Mode::Write)?;
    print_warnings(&summary);
    println!(
        "generated {} operations, {} types into {output}: {} files written, {} unchanged in {} ms",
        summary.operations,
        summary.types,
        summary.written.len(),
        summary.unchanged,
        summary.elapsed.as_millis()
    );
    print_api_changes(&summary);
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
    let spec_display = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let generator = Generator::new("cargo xtask corpus", spec_display).crate_name(crate_name);
    let first_error = match generator.run(spec, output, Mode::Write) {
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
    // The bench's scratch folders outlive a spec edit: each build is a crate of its own.
    let generator = Generator::new("cargo xtask bench", display_path(root, spec))
        .crate_name(crate_name)
        .first_release();
    generator.run(spec, output, Mode::Write)?;
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
    let generator = Generator::new("cargo xtask bench", spec_display);
    let started = Instant::now();
    let summary = generator.run(spec, output, Mode::Write)?;
    let wall = started.elapsed();
    let times = summary.times;
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
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// A unified diff of two texts, labelled with `path`.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    openapi_rust_gen::unified_diff(path, old, new)
}

/// What the change report says between two specs.
pub struct Comparison {
    pub breaking: usize,
    pub compatible: usize,
    /// The version the change needs (the new spec's when nothing changed).
    pub required_version: String,
}

/// The change report from `old_spec` to `new_spec`, as `cargo xtask codegen` computes it.
pub fn compare(old_spec: &Path, new_spec: &Path) -> Result<Comparison> {
    let read = |path: &Path| std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()));
    let changes = Generator::new("cargo xtask semver", display_path(Path::new("."), new_spec))
        .compare(&read(old_spec)?, &read(new_spec)?)?;
    Ok(Comparison {
        breaking: changes.breaking(),
        compatible: changes.compatible(),
        required_version: changes
            .required_version()
            .unwrap_or_else(|| changes.version().to_owned()),
    })
}

/// A crate for `spec` in `output`, outside any workspace (its own `[workspace]` table), as its
/// first release: for tools that build it on its own.
pub fn standalone_crate(spec: &Path, output: &Path) -> Result<()> {
    let generator = Generator::new("cargo xtask semver", display_path(Path::new("."), spec)).first_release();
    generator.run(spec, output, Mode::Write)?;
    let manifest = output.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    if !text.contains("\n[workspace]") {
        std::fs::write(&manifest, format!("{text}\n[workspace]\n"))
            .with_context(|| format!("writing {}", manifest.display()))?;
    }
    Ok(())
}

/// What generating a spec in memory gave (`cargo xtask corpus --apis-guru`, one child process each).
pub enum GenerateOnly {
    Generated {
        operations: usize,
        lines: usize,
    },
    /// Not generated: the first error's message, without its place.
    Diagnosed(String),
}

/// Generates `spec` in memory, on one thread, and writes nothing.
pub fn generate_only(spec: &Path) -> Result<GenerateOnly> {
    let text = std::fs::read_to_string(spec).with_context(|| format!("reading {}", spec.display()))?;
    let generator = Generator::new("cargo xtask corpus --apis-guru", display_path(Path::new("."), spec)).threads(1);
    match generator.generate(&text) {
        Ok(generated) => Ok(GenerateOnly::Generated {
            operations: generated.operations,
            lines: generated.files.iter().map(|file| file.contents.lines().count()).sum(),
        }),
        Err(CodegenError::Spec(diagnostics)) => {
            let first = diagnostics.iter().find(|d| d.is_error()).map(|d| d.message.clone());
            Ok(GenerateOnly::Diagnosed(
                first.unwrap_or_else(|| "rejected without an error diagnostic".to_owned()),
            ))
        }
        Err(other) => Ok(GenerateOnly::Diagnosed(
            other.to_string().lines().next().unwrap_or_default().to_owned(),
        )),
    }
}

/// A crate for one of the largest public APIs (`cargo xtask corpus --large`), as its first release.
pub fn large_crate(spec: &Path, crate_name: &str, output: &Path) -> Result<(usize, usize)> {
    let generator = Generator::new("cargo xtask corpus --large", display_path(Path::new("."), spec))
        .crate_name(crate_name)
        .first_release();
    let summary = generator.run(spec, output, Mode::Write)?;
    Ok((summary.operations, summary.types))
}
