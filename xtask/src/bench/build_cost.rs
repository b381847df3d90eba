//! Section 3: how long the generated crate takes to `cargo check` and to build (debug and release), ours next
//! to progenitor's for the same spec, each in a scratch workspace with its dependencies prebuilt,
//! and how much LLVM IR it makes (`cargo llvm-lines`, a deterministic measure of what codegen gets).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::generation::{build_progenitor_bench, progenitor_variant_of_our_spec};
use super::report::{BuildRow, Report};
use super::settings::{progress, Settings};
use super::specs::Specs;
use super::stats::{rust_lines, Sample};
use crate::cmd::Cmd;
use crate::{generate, scratch};

/// The synthetic size whose crates are built (besides our own spec).
const SYNTHETIC_SIZE: &str = "synthetic-100";

struct Workspace {
    dir: PathBuf,
    generator: &'static str,
    /// `(spec name, package name)`
    crates: Vec<(String, String)>,
}

pub fn measure(settings: &Settings, specs: &Specs, report: &mut Report) -> Result<()> {
    let mut cases = vec![(specs.ours.name.clone(), progenitor_variant_of_our_spec(settings)?)];
    if let Some(spec) = specs.synthetic.iter().find(|s| s.name == SYNTHETIC_SIZE) {
        cases.extend(spec.progenitor_variant.clone().map(|v| (spec.name.clone(), v)));
    }
    let base = settings.scratch("build")?;
    let ours = ours_workspace(settings, &base.join("ours"), &cases)?;
    let binary = build_progenitor_bench(settings)?;
    let theirs = progenitor_workspace(&binary, &base.join("progenitor"), &cases)?;
    let mut workspaces = [ours, theirs];
    let mut failures = Vec::new();
    for workspace in &mut workspaces {
        failures.extend(drop_crates_that_fail(workspace)?);
    }
    for workspace in &workspaces {
        progress(&format!(
            "build: dependencies of {} (the first run downloads and compiles them)",
            workspace.generator
        ));
        cargo(workspace, &["build", "--workspace"]).read()?;
        cargo(workspace, &["build", "--workspace", "--release"]).read()?;
        cargo(workspace, &["check", "--workspace"]).read()?;
    }
    let mut rows: Vec<BuildRow> = Vec::new();
    for workspace in &workspaces {
        for (spec, package) in &workspace.crates {
            rows.push(new_row(workspace, spec, package, None));
        }
    }
    rows.extend(failures);
    for run in 0..settings.runs {
        for workspace in &workspaces {
            for (spec, package) in &workspace.crates {
                progress(&format!(
                    "build: run {} of {}, {} {spec}",
                    run + 1,
                    settings.runs,
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
    for (spec, _) in &cases {
        for generator in ["ours", "progenitor"] {
            if let Some(index) = rows.iter().position(|r| &r.spec == spec && r.generator == generator) {
                report.build.push(rows.remove(index));
            }
        }
    }
    Ok(())
}

/// Our crates for `cases`, with our `Cargo.lock` (the same dependency versions as the real client).
fn ours_workspace(settings: &Settings, dir: &Path, cases: &[(String, PathBuf)]) -> Result<Workspace> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut crates = Vec::new();
    for (spec, path) in cases {
        let package = format!("bench-ours-{spec}");
        generate::bench_crate(&settings.root, path, &package, &dir.join(&package)).with_context(|| spec.clone())?;
        crates.push((spec.clone(), package));
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
/// the scratch folder is kept).
fn progenitor_workspace(binary: &Path, dir: &Path, cases: &[(String, PathBuf)]) -> Result<Workspace> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut crates = Vec::new();
    for (spec, path) in cases {
        let package = format!("bench-progenitor-{spec}");
        Cmd::new(binary)
            .arg(path)
            .arg("1")
            .arg(dir.join(&package))
            .arg(&package)
            .read()?;
        crates.push((spec.clone(), package));
    }
    write_workspace(dir, &crates)?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        generator: "progenitor",
        crates,
    })
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

/// A row for one crate, before any time is measured: its lines, and why it has no times if it
/// does not compile.
fn new_row(workspace: &Workspace, spec: &str, package: &str, failure: Option<String>) -> BuildRow {
    let (generated_lines, runtime_lines) = lines(&workspace.dir.join(package), workspace.generator);
    BuildRow {
        spec: spec.to_owned(),
        generator: workspace.generator,
        generated_lines,
        runtime_lines,
        check: Sample::default(),
        build: Sample::default(),
        release: Sample::default(),
        llvm_lines: None,
        failure,
    }
}

/// The scratch workspace of `crates` (`(spec name, package name)`, one folder per package).
fn write_workspace(dir: &Path, crates: &[(String, String)]) -> Result<()> {
    let members: Vec<String> = crates.iter().map(|(_, package)| package.clone()).collect();
    scratch::write_workspace(dir, &members)
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
    let root = settings.root.join("target/tools/llvm-lines");
    let binary = root.join("bin/cargo-llvm-lines");
    if !binary.exists() {
        progress(&format!("build: installing cargo-llvm-lines {LLVM_LINES_VERSION}"));
        Cmd::new("cargo")
            .args(["install", "--quiet", "--root"])
            .arg(&root)
            .args(["cargo-llvm-lines", "--version", LLVM_LINES_VERSION, "--locked"])
            .read()?;
    }
    Ok(binary)
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
    use super::total_llvm_lines;

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
