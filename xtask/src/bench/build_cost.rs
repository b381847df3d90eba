//! Section 3: how long the generated crate takes to `cargo check` and to build (debug), ours next
//! to progenitor's for the same spec, each in a scratch workspace with its dependencies prebuilt.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use openapi_rust_gen::{Generator, Mode};

use super::report::{BuildRow, Report};
use super::stats::Sample;
use super::{progress, Settings, Specs};

/// The synthetic size whose crates are built (besides our own spec).
const SYNTHETIC_SIZE: &str = "synthetic-100";

struct Workspace {
    dir: PathBuf,
    generator: &'static str,
    /// `(spec name, package name)`
    crates: Vec<(String, String)>,
}

pub fn measure(settings: &Settings, specs: &Specs, report: &mut Report) -> Result<(), String> {
    let mut cases = vec![(
        specs.ours.name.clone(),
        super::generation::progenitor_variant_of_our_spec(settings)?,
    )];
    if let Some(spec) = specs.synthetic.iter().find(|s| s.name == SYNTHETIC_SIZE) {
        cases.extend(spec.progenitor_variant.clone().map(|v| (spec.name.clone(), v)));
    }
    let base = settings.scratch("build")?;
    let ours = ours_workspace(settings, &base.join("ours"), &cases)?;
    let binary = super::generation::build_progenitor_bench(settings)?;
    let theirs = progenitor_workspace(&binary, &base.join("progenitor"), &cases)?;
    let workspaces = [ours, theirs];
    for workspace in &workspaces {
        progress(&format!(
            "build: dependencies of {} (the first run downloads and compiles them)",
            workspace.generator
        ));
        cargo(workspace, &["build", "--workspace"])?;
        cargo(workspace, &["check", "--workspace"])?;
    }
    let mut rows: Vec<BuildRow> = Vec::new();
    for workspace in &workspaces {
        for (spec, package) in &workspace.crates {
            let (generated_lines, runtime_lines) = lines(&workspace.dir.join(package), workspace.generator);
            rows.push(BuildRow {
                spec: spec.clone(),
                generator: workspace.generator,
                generated_lines,
                runtime_lines,
                check: Sample::default(),
                build: Sample::default(),
            });
        }
    }
    for run in 0..settings.runs {
        for workspace in &workspaces {
            for (spec, package) in &workspace.crates {
                progress(&format!(
                    "build: run {} of {}, {} {spec}",
                    run + 1,
                    settings.runs,
                    workspace.generator
                ));
                let check = timed_build(workspace, package, "check")?;
                let build = timed_build(workspace, package, "build")?;
                let row = rows
                    .iter_mut()
                    .find(|r| &r.spec == spec && r.generator == workspace.generator)
                    .ok_or("build row missing")?;
                row.check.push(check);
                row.build.push(build);
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
fn ours_workspace(settings: &Settings, dir: &Path, cases: &[(String, PathBuf)]) -> Result<Workspace, String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut crates = Vec::new();
    for (spec, path) in cases {
        let package = format!("bench-ours-{spec}");
        let generator =
            Generator::new("cargo xtask bench", crate::display_path(&settings.root, path)).crate_name(&package);
        generator
            .run(path, &dir.join(&package), Mode::Write)
            .map_err(|e| format!("{spec}: {e}"))?;
        crates.push((spec.clone(), package));
    }
    write_workspace(dir, &crates)?;
    fs::copy(settings.root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        generator: "ours",
        crates,
    })
}

/// progenitor's crates for `cases`; cargo resolves their dependencies (once, then the lockfile in
/// the scratch folder is kept).
fn progenitor_workspace(binary: &Path, dir: &Path, cases: &[(String, PathBuf)]) -> Result<Workspace, String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut crates = Vec::new();
    for (spec, path) in cases {
        let package = format!("bench-progenitor-{spec}");
        let mut command = Command::new(binary);
        command.arg(path).arg("1").arg(dir.join(&package)).arg(&package);
        super::output(command, &format!("progenitor-bench {}", path.display()))?;
        crates.push((spec.clone(), package));
    }
    write_workspace(dir, &crates)?;
    Ok(Workspace {
        dir: dir.to_path_buf(),
        generator: "progenitor",
        crates,
    })
}

fn write_workspace(dir: &Path, crates: &[(String, String)]) -> Result<(), String> {
    let members: Vec<String> = crates.iter().map(|(_, package)| format!("{package:?}")).collect();
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())
}

fn cargo_command(workspace: &Workspace, args: &[&str]) -> Command {
    let mut command = Command::new("cargo");
    command
        .current_dir(&workspace.dir)
        .args(args)
        .arg("--quiet")
        .env("CARGO_INCREMENTAL", "0")
        .env("CARGO_TARGET_DIR", workspace.dir.join("target"));
    command
}

fn cargo(workspace: &Workspace, args: &[&str]) -> Result<(), String> {
    let shown = format!("cargo {} in {}", args.join(" "), workspace.dir.display());
    super::output(cargo_command(workspace, args), &shown).map(drop)
}

/// `cargo clean -p PACKAGE`, then the time of `cargo SUBCOMMAND -p PACKAGE`.
fn timed_build(workspace: &Workspace, package: &str, subcommand: &str) -> Result<f64, String> {
    cargo(workspace, &["clean", "-p", package])?;
    let command = cargo_command(workspace, &[subcommand, "-p", package]);
    let started = Instant::now();
    super::output(command, &format!("cargo {subcommand} -p {package}"))?;
    Ok(started.elapsed().as_secs_f64())
}

/// `(generated, runtime)` lines of Rust in a crate.
fn lines(crate_dir: &Path, generator: &str) -> (usize, usize) {
    let src = crate_dir.join("src");
    let all = super::rust_lines(&src);
    if generator == "ours" {
        let runtime = super::rust_lines(&src.join("runtime"));
        (all - runtime, runtime)
    } else {
        (all, 0)
    }
}
