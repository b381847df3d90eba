//! Section 3: how long the generated crate takes to `cargo check` and to build (debug and release), ours next
//! to progenitor's for the same spec, each in a scratch workspace with its dependencies prebuilt,
//! and how much LLVM IR it makes (`cargo llvm-lines`, a deterministic measure of what codegen gets).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::generation::build_progenitor_bench;
use super::report::{BuildRow, Report};
use super::settings::{progress, Settings};
use super::specs::{SpecFile, Specs, VariantChanges};
use super::stats::{json_lines, rust_lines, Sample};
use crate::cmd::Cmd;
use crate::{generate, scratch};

/// The synthetic size whose crates are built (besides our own spec and GitHub's).
const SYNTHETIC_SIZE: &str = "synthetic-100";

/// Measured runs of GitHub's crates (each of their builds takes minutes), in place of `--runs`.
const LARGE_SPEC_RUNS: usize = 1;

/// One spec whose crates are built, and what each generator's crate is generated from.
struct Case {
    spec: String,
    ours: Source,
    progenitor: Source,
    runs: usize,
}

/// The spec file a crate is generated from.
#[derive(Clone)]
struct Source {
    path: PathBuf,
    operations: usize,
    /// Set when `path` is a rewritten variant (see `specs::Rewrite`).
    changes: Option<VariantChanges>,
}

impl Case {
    /// The small specs: both crates from the progenitor variant, like for like.
    fn small(spec: &SpecFile, runs: usize) -> Case {
        let variant = variant_source(spec);
        Case {
            spec: spec.name.clone(),
            ours: variant.clone(),
            progenitor: variant,
            runs,
        }
    }

    /// A large public spec: ours from the spec as it is, progenitor's from its variant.
    fn large(spec: &SpecFile) -> Case {
        Case {
            spec: spec.name.clone(),
            ours: Source {
                path: spec.path.clone(),
                operations: spec.operations,
                changes: None,
            },
            progenitor: variant_source(spec),
            runs: LARGE_SPEC_RUNS,
        }
    }

    fn source(&self, generator: &str) -> &Source {
        if generator == "ours" {
            &self.ours
        } else {
            &self.progenitor
        }
    }
}

fn variant_source(spec: &SpecFile) -> Source {
    let dropped = spec.variant_changes.as_ref().map_or(0, |c| c.operations_dropped);
    Source {
        path: spec.progenitor_variant.clone(),
        operations: spec.operations - dropped,
        changes: spec.variant_changes.clone(),
    }
}

struct Workspace {
    dir: PathBuf,
    generator: &'static str,
    /// `(spec name, package name)`
    crates: Vec<(String, String)>,
}

pub fn measure(settings: &Settings, specs: &Specs, report: &mut Report) -> Result<()> {
    let mut cases = vec![Case::small(&specs.ours, settings.runs)];
    if let Some(spec) = specs.synthetic.iter().find(|s| s.name == SYNTHETIC_SIZE) {
        cases.push(Case::small(spec, settings.runs));
    }
    cases.extend(specs.github.iter().map(Case::large));
    let base = settings.scratch("build")?;
    let ours = ours_workspace(settings, &base.join("ours"), &cases)?;
    let binary = build_progenitor_bench(settings)?;
    let (theirs, mut failures) = progenitor_workspace(&binary, &base.join("progenitor"), &cases)?;
    let mut workspaces = [ours, theirs];
    for workspace in &mut workspaces {
        failures.extend(drop_crates_that_fail(workspace)?);
    }
    for workspace in &workspaces {
        progress(&format!(
            "build: dependencies of {} (the first run downloads and compiles them)",
            workspace.generator
        ));
        build_dependencies(workspace)?;
    }
    let mut rows: Vec<BuildRow> = Vec::new();
    for workspace in &workspaces {
        for (spec, package) in &workspace.crates {
            rows.push(new_row(workspace, spec, package, None));
        }
    }
    rows.extend(failures);
    name_sources(settings, &cases, &mut rows)?;
    let most_runs = cases.iter().map(|c| c.runs).max().unwrap_or(0);
    for run in 0..most_runs {
        for workspace in &workspaces {
            for (spec, package) in &workspace.crates {
                let runs = cases.iter().find(|c| &c.spec == spec).map_or(0, |c| c.runs);
                if run >= runs {
                    continue;
                }
                progress(&format!(
                    "build: run {} of {runs}, {} {spec}",
                    run + 1,
                    workspace.generator
                ));
                let check = timed_build(workspace, package, &["check"])?;
                let build = timed_build(workspace, package, &["build"])?;
                let release = timed_build(workspace, package, &["build", "--release"])?;
                let row = rows
                    .iter_mut()
                    .find(|r| &r.spec == spec && r.generator == workspace.generator)
                    .context("build row missing")?;
                row.check.push(check);
                row.build.push(build);
                row.release.push(release);
            }
        }
    }
    let tool = llvm_lines_tool(settings)?;
    for workspace in &workspaces {
        for (spec, package) in &workspace.crates {
            progress(&format!("build: LLVM IR lines of {} {spec}", workspace.generator));
            let lines = llvm_ir_lines(workspace, &tool, package)?;
            if let Some(row) = rows
                .iter_mut()
                .find(|r| &r.spec == spec && r.generator == workspace.generator)
            {
                row.llvm_lines = Some(lines);
            }
        }
    }
    // Ours first, then progenitor, per spec.
    for case in &cases {
        for generator in ["ours", "progenitor"] {
            if let Some(index) = rows
                .iter()
                .position(|r| r.spec == case.spec && r.generator == generator)
            {
                report.build.push(rows.remove(index));
            }
        }
    }
    Ok(())
}

/// Fills in each row's spec file and its operations (what the report's per-operation columns
/// divide by and the lines below its table say).
fn name_sources(settings: &Settings, cases: &[Case], rows: &mut [BuildRow]) -> Result<()> {
    for row in rows.iter_mut() {
        let case = cases
            .iter()
            .find(|c| c.spec == row.spec)
            .context("build case missing")?;
        let source = case.source(row.generator);
        row.from = generate::display_path(&settings.root, &source.path);
        row.operations = source.operations;
        row.changes = source.changes.clone();
    }
    Ok(())
}

/// Our crates for `cases`, with our `Cargo.lock` (the same dependency versions as the real client).
fn ours_workspace(settings: &Settings, dir: &Path, cases: &[Case]) -> Result<Workspace> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut crates = Vec::new();
    for case in cases {
        let package = format!("bench-ours-{}", case.spec);
        generate::bench_crate(&settings.root, &case.ours.path, &package, &dir.join(&package))
            .with_context(|| case.spec.clone())?;
        crates.push((case.spec.clone(), package));
    }
    write_workspace(dir, &crates)?;
    scratch::copy_lockfile(&settings.root, dir)?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        generator: "ours",
        crates,
    })
}

/// progenitor's crates for `cases`; cargo resolves their dependencies (once, then the lockfile in
/// the scratch folder is kept). A spec progenitor does not generate from becomes a row that says
/// so (returned beside the workspace).
fn progenitor_workspace(binary: &Path, dir: &Path, cases: &[Case]) -> Result<(Workspace, Vec<BuildRow>)> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut workspace = Workspace {
        dir: dir.to_path_buf(),
        generator: "progenitor",
        crates: Vec::new(),
    };
    let mut failed = Vec::new();
    for case in cases {
        let package = format!("bench-progenitor-{}", case.spec);
        progress(&format!("build: progenitor on {}", case.spec));
        let output = Cmd::new(binary)
            .arg(&case.progenitor.path)
            .arg("1")
            .arg(dir.join(&package))
            .arg(&package)
            .output()?;
        if output.status.success() {
            workspace.crates.push((case.spec.clone(), package));
        } else {
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            let failure = generation_failure(&stdout, &stderr);
            failed.push(new_row(&workspace, &case.spec, &package, Some(failure)));
        }
    }
    write_workspace(dir, &workspace.crates)?;
    Ok((workspace, failed))
}

/// The row's text for a run of `progenitor-bench` that failed: the panic message (the line after
/// `panicked at`), else the error it printed (a JSON line), else its last line on stderr.
fn generation_failure(stdout: &str, stderr: &str) -> String {
    let mut lines = stderr.lines();
    let panic = lines
        .by_ref()
        .find(|l| l.contains("panicked at"))
        .and_then(|_| lines.next());
    if let Some(message) = panic {
        return format!("does not generate (panics: {})", message.trim());
    }
    let error = json_lines(stdout)
        .into_iter()
        .find_map(|line| line.get("error").and_then(|e| e.as_str()).map(str::to_owned));
    let last_line = || stderr.lines().rev().find(|l| !l.trim().is_empty()).map(str::trim);
    format!(
        "does not generate ({})",
        error.as_deref().or_else(last_line).unwrap_or("no output")
    )
}

/// Checks each crate alone; one that does not compile leaves the workspace (so that the others
/// build) and becomes a row that says so, with the number of errors cargo reported.
fn drop_crates_that_fail(workspace: &mut Workspace) -> Result<Vec<BuildRow>> {
    let mut failed = Vec::new();
    for (spec, package) in &workspace.crates {
        progress(&format!("build: does {} {spec} compile?", workspace.generator));
        let output = cargo(workspace, &["check", "-p", package]).output()?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let errors = stderr
                .lines()
                .filter(|l| l.starts_with("error[") || l.starts_with("error:"))
                .count();
            let failure = format!("does not compile ({errors} errors)");
            failed.push(new_row(workspace, spec, package, Some(failure)));
        }
    }
    workspace
        .crates
        .retain(|(spec, _)| !failed.iter().any(|row| &row.spec == spec));
    write_workspace(&workspace.dir, &workspace.crates)?;
    Ok(failed)
}

/// Builds every crate's dependencies, for `check`, debug and release, without the crate itself:
/// each through its twin (see [`write_workspace`]), alone, so that cargo picks the dependencies'
/// features exactly as for the crate alone.
fn build_dependencies(workspace: &Workspace) -> Result<()> {
    for (_, package) in &workspace.crates {
        let twin = twin_name(package);
        cargo(workspace, &["build", "-p", &twin]).read()?;
        cargo(workspace, &["build", "--release", "-p", &twin]).read()?;
        cargo(workspace, &["check", "-p", &twin]).read()?;
    }
    Ok(())
}

/// A row for one crate, before any time is measured: its lines, and why it has no times if it
/// does not compile (or was not generated). Where it comes from is filled in by the caller.
fn new_row(workspace: &Workspace, spec: &str, package: &str, failure: Option<String>) -> BuildRow {
    let (generated_lines, runtime_lines) = lines(&workspace.dir.join(package), workspace.generator);
    BuildRow {
        spec: spec.to_owned(),
        generator: workspace.generator,
        from: String::new(),
        operations: 0,
        changes: None,
        generated_lines,
        runtime_lines,
        check: Sample::default(),
        build: Sample::default(),
        release: Sample::default(),
        llvm_lines: None,
        failure,
    }
}

/// The scratch workspace of `crates` (`(spec name, package name)`, one folder per package), and
/// beside each crate its twin: a package with the same manifest and an empty library, which
/// builds the crate's dependencies and nothing else (a large crate would take minutes to build
/// for that).
fn write_workspace(dir: &Path, crates: &[(String, String)]) -> Result<()> {
    let mut members = Vec::new();
    for (_, package) in crates {
        let twin = twin_name(package);
        let manifest_path = dir.join(package).join("Cargo.toml");
        let manifest =
            fs::read_to_string(&manifest_path).with_context(|| format!("reading {}", manifest_path.display()))?;
        let src = dir.join(&twin).join("src");
        fs::create_dir_all(&src).with_context(|| format!("creating {}", src.display()))?;
        let twin_manifest = dependencies_only_manifest(&manifest, package, &twin);
        fs::write(dir.join(&twin).join("Cargo.toml"), twin_manifest)
            .with_context(|| format!("writing the manifest of {twin}"))?;
        fs::write(src.join("lib.rs"), "").with_context(|| format!("writing {twin}/src/lib.rs"))?;
        members.extend([package.clone(), twin]);
    }
    scratch::write_workspace(dir, &members)
}

fn twin_name(package: &str) -> String {
    format!("{package}-dependencies")
}

/// `manifest` with the package renamed `twin` and without its `[[bin]]` targets (whose sources
/// the twin does not have); the dependencies and features stay as they are.
fn dependencies_only_manifest(manifest: &str, package: &str, twin: &str) -> String {
    let mut out = String::new();
    let mut in_bin = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_bin = line.trim() == "[[bin]]";
        }
        if !in_bin {
            out.push_str(&line.replace(&format!("\"{package}\""), &format!("\"{twin}\"")));
            out.push('\n');
        }
    }
    out
}

/// `cargo ARGS --quiet` in the workspace, with its own target folder and no incremental builds.
fn cargo(workspace: &Workspace, args: &[&str]) -> Cmd {
    Cmd::new("cargo")
        .args(args)
        .arg("--quiet")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", workspace.dir.join("target"))
        .dir(&workspace.dir)
}

/// `cargo clean -p PACKAGE` (of the same profile), then the time of `cargo COMMAND -p PACKAGE`
/// (`COMMAND`: `check`, `build` or `build --release`).
fn timed_build(workspace: &Workspace, package: &str, command: &[&str]) -> Result<f64> {
    let release: &[&str] = if command.contains(&"--release") {
        &["--release"]
    } else {
        &[]
    };
    cargo(workspace, &[&["clean", "-p", package], release].concat()).read()?;
    let command = cargo(workspace, &[command, &["-p", package]].concat());
    let started = Instant::now();
    command.read()?;
    Ok(started.elapsed().as_secs_f64())
}

/// `(generated, runtime)` lines of Rust in a crate.
fn lines(crate_dir: &Path, generator: &str) -> (usize, usize) {
    let src = crate_dir.join("src");
    let all = rust_lines(&src);
    if generator == "ours" {
        let runtime = rust_lines(&src.join("runtime"));
        (all - runtime, runtime)
    } else {
        (all, 0)
    }
}

/// The version of `cargo-llvm-lines` the bench installs (into `target/tools/llvm-lines/`, once).
const LLVM_LINES_VERSION: &str = "0.4.45";

/// `cargo-llvm-lines`, installed on first use with `cargo install --locked` at the pinned version.
fn llvm_lines_tool(settings: &Settings) -> Result<PathBuf> {
    scratch::cargo_tool(&settings.root, "llvm-lines", "cargo-llvm-lines", LLVM_LINES_VERSION)
}

/// The LLVM IR lines of a crate's library, before optimization (the total `cargo llvm-lines`
/// prints): what the compiler's code generation has to get through.
fn llvm_ir_lines(workspace: &Workspace, tool: &Path, package: &str) -> Result<usize> {
    let output = Cmd::new(tool)
        .args(["llvm-lines", "--quiet", "--lib", "-p", package])
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", workspace.dir.join("target"))
        .dir(&workspace.dir)
        .read()?;
    total_llvm_lines(&output).with_context(|| format!("no total in cargo llvm-lines' output for {package}:\n{output}"))
}

/// The number on the `(TOTAL)` line of `cargo llvm-lines`' table.
fn total_llvm_lines(output: &str) -> Option<usize> {
    let total = output.lines().find(|line| line.trim_end().ends_with("(TOTAL)"))?;
    total.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::{dependencies_only_manifest, generation_failure, total_llvm_lines};

    #[test]
    fn a_panic_of_progenitor_becomes_the_row_text() {
        let stderr = "\nthread 'main' (5600) panicked at /root/.cargo/registry/src/progenitor-impl-0.15.1/src/method.rs:2057:23:\n\
                      not yet implemented: more media types than expected for markdown/render-raw: 2\n\
                      stack backtrace:\n";
        assert_eq!(
            generation_failure("", stderr),
            "does not generate (panics: not yet implemented: more media types than expected for markdown/render-raw: 2)"
        );
        let stdout = "{\"error\":\"progenitor: type error value does not conform to the given schema\"}\n";
        assert_eq!(
            generation_failure(stdout, ""),
            "does not generate (progenitor: type error value does not conform to the given schema)"
        );
        assert_eq!(generation_failure("", ""), "does not generate (no output)");
    }

    #[test]
    fn the_twin_manifest_keeps_dependencies_and_features_but_no_binary() {
        let manifest = "[package]\nname = \"bench-ours-x\"\nedition = \"2021\"\n\n[dependencies]\n\
                        serde = { version = \"1\", features = [\"derive\"] }\nclap = { version = \"4\", optional = true }\n\n\
                        [features]\ncli = [\"dep:clap\"]\n\n[[bin]]\nname = \"bench-ours-x\"\n\
                        path = \"src/generated/main.rs\"\nrequired-features = [\"cli\"]\n\n[dev-dependencies]\ntokio = \"1\"\n";
        let twin = dependencies_only_manifest(manifest, "bench-ours-x", "bench-ours-x-dependencies");
        assert_eq!(
            twin,
            "[package]\nname = \"bench-ours-x-dependencies\"\nedition = \"2021\"\n\n[dependencies]\n\
             serde = { version = \"1\", features = [\"derive\"] }\nclap = { version = \"4\", optional = true }\n\n\
             [features]\ncli = [\"dep:clap\"]\n\n[dev-dependencies]\ntokio = \"1\"\n"
        );
    }

    #[test]
    fn the_total_is_read_from_the_llvm_lines_table() {
        let output = "  Lines                 Copies               Function name\n  \
                      -----                 ------               -------------\n  \
                      461887                14013                (TOTAL)\n   \
                      53742 (11.6%, 11.6%)   124 (0.9%,  0.9%)  serde_json::de::from_trait\n";
        assert_eq!(total_llvm_lines(output), Some(461_887));
        assert_eq!(total_llvm_lines("error: could not compile"), None);
    }
}
