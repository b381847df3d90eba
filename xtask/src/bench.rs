//! `cargo xtask bench`: measures generation, the comparison with progenitor, the build cost of
//! generated code and the client's overhead, all in one run on this machine, and writes
//! `BENCHMARKS.md` and `BENCHMARKS-scaling.svg`. Never part of `cargo xtask test`.
//!
//! The timings are taken by a release build of this binary: a debug build re-runs itself as
//! `cargo run --release -p xtask -- bench ...`. Scratch files go to `target/bench/`.
//!
//! Modules: `settings` (the command line, scratch folders) and `specs` (what is measured) come
//! first; each section (`generation`, `build_cost`, `client`) measures into the rows of `report`,
//! which writes the files (the chart drawn by `chart`); `stats` and `synth` serve them all.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

mod build_cost;
mod chart;
mod client;
mod generation;
mod report;
mod settings;
mod specs;
mod stats;
mod synth;

use report::Report;
use settings::{Settings, SECTIONS};

pub use settings::USAGE;

use crate::cmd::Cmd;

pub fn run(root: &Path, args: &[&str]) -> Result<()> {
    if cfg!(debug_assertions) {
        return rerun_in_release(root, args);
    }
    let settings = Settings::parse(root, args)?;
    let started = Instant::now();
    // Generated crates left by an earlier run are moved aside, not removed, and removed with this
    // run's after the last measurement (see `generation::GENERATED`).
    let generated = settings.output_scratch(generation::GENERATED)?;
    let left_over = settings
        .output_scratch("left-over")?
        .join(format!("{}", std::process::id()));
    fs::rename(&generated, &left_over)
        .with_context(|| format!("moving {} to {}", generated.display(), left_over.display()))?;
    let measured = measure_and_report(&settings, started);
    let removed = remove_generated_crates(&settings);
    let (markdown, svg) = measured?;
    removed?;
    println!(
        "wrote {} and {} in {:.0} s",
        markdown.display(),
        svg.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs the sections asked for and writes the report; returns where it went.
fn measure_and_report(settings: &Settings, started: Instant) -> Result<(PathBuf, PathBuf)> {
    let specs = specs::write(settings)?;
    let mut report = Report::new(settings);
    if settings.wants("generation") || settings.wants("progenitor") {
        generation::measure(settings, &specs, &mut report)?;
    }
    if settings.wants("build") {
        build_cost::measure(settings, &specs, &mut report)?;
    }
    if settings.wants("client") {
        client::measure(settings, &mut report)?;
    }
    report.finish(started.elapsed());
    let complete = SECTIONS.iter().all(|s| settings.wants(s));
    let (markdown, svg) = if complete {
        (
            settings.root.join("BENCHMARKS.md"),
            settings.root.join("BENCHMARKS-scaling.svg"),
        )
    } else {
        let dir = settings.scratch("partial")?;
        (dir.join("BENCHMARKS.md"), dir.join("BENCHMARKS-scaling.svg"))
    };
    report.write(&markdown, &svg)?;
    Ok((markdown, svg))
}

/// Removes the crates generation wrote (also when a section failed: in memory they would stay).
fn remove_generated_crates(settings: &Settings) -> Result<()> {
    for name in ["progenitor", generation::GENERATED, "left-over"] {
        let dir = settings.output_root.join(name);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing {}", dir.display()))
            }
            _ => {}
        }
    }
    if settings.output_root != settings.root.join("target/bench") {
        let _ = fs::remove_dir(&settings.output_root);
    }
    Ok(())
}

/// Timings from a debug build mean little: build and run the release binary instead.
fn rerun_in_release(root: &Path, args: &[&str]) -> Result<()> {
    Cmd::new("cargo")
        .args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench"])
        .args(args)
        .dir(root)
        .run()
}
