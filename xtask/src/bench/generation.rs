//! Sections 1 and 2: generation time by stage (ours, next to a parse-only reference) and the
//! same specs through progenitor.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};

use super::report::{GenerationRow, ProgenitorRow, ProgenitorTimes, Report};
use super::settings::{progress, Settings};
use super::specs::{SpecFile, Specs};
use super::stats::{json_lines, number, rust_lines};
use crate::cmd::Cmd;
use crate::generate;

pub fn measure(settings: &Settings, specs: &Specs, report: &mut Report) -> Result<()> {
    let mut all = vec![specs.ours.clone()];
    all.extend(specs.synthetic.iter().cloned());
    if settings.wants("generation") {
        for spec in &all {
            progress(&format!("generation: {}", spec.name));
            let row = ours(settings, spec, &spec.path)?;
            report.generation.push(row);
        }
    }
    if settings.wants("progenitor") {
        build_progenitor_bench(settings)?;
        for spec in &all {
            progress(&format!("progenitor: {}", spec.name));
            let variant = &spec.progenitor_variant;
            let (ours, theirs) = ours_and_progenitor(settings, spec, variant)?;
            report.progenitor.push(ProgenitorRow {
                spec: spec.name.clone(),
                display: generate::display_path(&settings.root, variant),
                operations: ours.operations,
                ours: ours.wall,
                ours_lines: ours.lines,
                theirs,
            });
        }
    }
    Ok(())
}

/// The scratch folder our generated crates go to, under [`Settings::output_scratch`]. Removing
/// thousands of just-written files slows a disk's writes that follow, so every run gets a folder
/// of its own, and the bench removes them all after the last measurement (`bench::run`).
pub const GENERATED: &str = "generated";

/// Numbers the run folders, so that no run writes where another did.
static NEXT_RUN: AtomicUsize = AtomicUsize::new(0);

/// How many turns ours and progenitor take on one spec.
const ROUNDS: usize = 5;

/// Ours and progenitor on the same spec, taking turns: [`ROUNDS`] rounds of a few runs of each
/// (every round with its own warm-up run, as progenitor starts a new process), so that the drift
/// of the machine over the minutes a spec takes hits both alike. Together the rounds make about
/// as many runs as [`runs_for`] gives a single measurement.
fn ours_and_progenitor(
    settings: &Settings,
    spec: &SpecFile,
    variant: &Path,
) -> Result<(GenerationRow, ProgenitorTimes)> {
    let mut ours_row = ours_runs(settings, spec, variant, |warm_up| {
        runs_for(settings, warm_up).div_ceil(ROUNDS)
    })?;
    let per_round = ours_row.wall.0.len();
    let mut theirs = progenitor(settings, &spec.name, variant, per_round)?;
    for _ in 1..ROUNDS {
        ours_row.append(ours_runs(settings, spec, variant, |_| per_round)?);
        theirs.append(progenitor(settings, &spec.name, variant, per_round)?);
    }
    Ok((ours_row, theirs))
}

/// Our whole pipeline on `path` (one warm-up, then [`runs_for`] measured runs), and the parse-only
/// reference on the same file in the same process.
fn ours(settings: &Settings, spec: &SpecFile, path: &Path) -> Result<GenerationRow> {
    ours_runs(settings, spec, path, |warm_up| runs_for(settings, warm_up))
}

/// [`ours`], with as many measured runs as `count` says for the warm-up run's wall time (seconds).
fn ours_runs(settings: &Settings, spec: &SpecFile, path: &Path, count: impl Fn(f64) -> usize) -> Result<GenerationRow> {
    let scratch = settings.output_scratch(GENERATED)?.join(&spec.name);
    let mut row = GenerationRow {
        spec: spec.name.clone(),
        display: spec.display.clone(),
        ..GenerationRow::default()
    };
    let mut runs = settings.runs;
    let mut run = 0;
    let mut output = PathBuf::new();
    while run <= runs {
        // Every run writes into a new, empty folder, and nothing is removed until the bench is
        // over (see `GENERATED`).
        output = scratch.join(format!("run-{}", NEXT_RUN.fetch_add(1, Ordering::Relaxed)));
        let timed = generate::timed(path, &spec.display, &output).with_context(|| spec.name.clone())?;
        let parse = parse_only(path)?;
        run += 1;
        if run == 1 {
            row.operations = timed.operations;
            row.types = timed.types;
            runs = count(timed.wall.as_secs_f64());
            continue;
        }
        for (sample, time) in row.stages.iter_mut().zip(timed.stages) {
            sample.push(time.as_secs_f64());
        }
        row.wall.push(timed.wall.as_secs_f64());
        row.parse_only.push(parse);
    }
    row.lines = rust_lines(&output);
    Ok(row)
}

/// Small specs generate in milliseconds, where the machine's noise is large: they get more runs,
/// about a second's worth (at least `--runs`, at most 25).
fn runs_for(settings: &Settings, warm_up_seconds: f64) -> usize {
    ((1.0 / warm_up_seconds).ceil() as usize).clamp(settings.runs, 25.max(settings.runs))
}

/// Reading the file and `serde_yaml` → `openapiv3::OpenAPI`, nothing else.
fn parse_only(path: &Path) -> Result<f64> {
    let started = Instant::now();
    let text = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(&text).with_context(|| format!("{}: parse-only reference", path.display()))?;
    let elapsed = started.elapsed().as_secs_f64();
    drop(spec);
    Ok(elapsed)
}

const PROGENITOR_MANIFEST: &str = "xtask/progenitor-bench/Cargo.toml";

/// The progenitor bench binary, built in release into our target folder.
pub fn build_progenitor_bench(settings: &Settings) -> Result<PathBuf> {
    progress("building xtask/progenitor-bench (release; the first build compiles progenitor, which takes minutes)");
    let root = &settings.root;
    Cmd::new("cargo")
        .args(["build", "--quiet", "--release", "--manifest-path", PROGENITOR_MANIFEST])
        .args(["--target-dir", "target"])
        .dir(root)
        .run()?;
    Ok(root.join("target/release/progenitor-bench"))
}

/// Runs progenitor on `spec` in its own process (one warm-up run, then as many runs as ours got,
/// each printing a JSON line), writing its crate to `<output root>/progenitor/<name>`.
fn progenitor(settings: &Settings, name: &str, spec: &Path, runs: usize) -> Result<ProgenitorTimes> {
    let binary = settings.root.join("target/release/progenitor-bench");
    let out = settings.output_scratch("progenitor")?.join(name);
    let text = Cmd::new(&binary)
        .arg(spec)
        .arg((runs + 1).to_string())
        .arg(&out)
        .arg(format!("progenitor-{name}"))
        .read()?;
    let mut times = ProgenitorTimes::default();
    for line in json_lines(&text) {
        if let Some(error) = line.get("error") {
            bail!("progenitor on {}: {error}", spec.display());
        }
        if number(&line, "run") == 0.0 {
            continue;
        }
        let stages = [
            number(&line, "load"),
            number(&line, "generate"),
            number(&line, "format"),
            number(&line, "write"),
        ];
        for (sample, value) in times.stages.iter_mut().zip(stages) {
            sample.push(value);
        }
        times.total.push(stages.iter().sum());
        times.lines = number(&line, "lines") as usize;
    }
    Ok(times)
}
