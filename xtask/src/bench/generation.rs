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
use crate::generate::{self, SPEC};

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
        let mut pairs = vec![(specs.ours.clone(), progenitor_variant_of_our_spec(settings)?)];
        for spec in &specs.synthetic {
            if let Some(variant) = &spec.progenitor_variant {
                pairs.push((spec.clone(), variant.clone()));
            }
        }
        for (spec, variant) in pairs {
            progress(&format!("progenitor: {}", spec.name));
            let (ours, theirs) = ours_and_progenitor(settings, &spec, &variant)?;
            report.progenitor.push(ProgenitorRow {
                spec: spec.name.clone(),
                display: generate::display_path(&settings.root, &variant),
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

/// Our spec as progenitor 0.15 accepts it: without `uploadFile` (progenitor rejects a
/// `multipart/form-data` body) and without `default` responses (progenitor counts `default` as a
/// possible success, so an operation with a typed `200` and a typed `default` has two success
/// types and it panics). Written as YAML to `target/bench/specs/`.
pub fn progenitor_variant_of_our_spec(settings: &Settings) -> Result<PathBuf> {
    let source = settings.root.join(SPEC);
    let text = fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?;
    let mut doc: serde_json::Value =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", source.display()))?;
    if let Some(paths) = doc.get_mut("paths").and_then(serde_json::Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            item.retain(|_, operation| {
                let content = operation.pointer("/requestBody/content");
                let multipart = content.is_some_and(|c| c.get("multipart/form-data").is_some());
                !multipart
            });
            for operation in item.values_mut() {
                if let Some(responses) = operation
                    .get_mut("responses")
                    .and_then(serde_json::Value::as_object_mut)
                {
                    responses.remove("default");
                }
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|o| o.keys().any(|k| is_method(k))));
    }
    spell_symbol_enums(&mut doc);
    let path = settings.scratch("specs")?.join("sgp-evaluations-progenitor.yaml");
    let yaml = serde_yaml::to_string(&doc).context("printing the progenitor variant of our spec")?;
    fs::write(&path, yaml).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// progenitor (typify) panics on a string enum whose values have no letters or digits (`==`,
/// `!=`: "Failed to make unique variant names"); in the variant such values are spelled out
/// (`eq_eq`), which changes no type or shape that generation or compilation costs depend on.
fn spell_symbol_enums(node: &mut serde_json::Value) {
    match node {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(values)) = map.get_mut("enum") {
                for value in values.iter_mut() {
                    if let Some(text) = value.as_str().filter(|t| !t.chars().any(|c| c.is_ascii_alphanumeric())) {
                        *value = serde_json::Value::String(spelled(text));
                    }
                }
            }
            map.values_mut().for_each(spell_symbol_enums);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(spell_symbol_enums),
        _ => {}
    }
}

/// `>=` → `gt_eq`: one word per symbol.
fn spelled(text: &str) -> String {
    let words: Vec<&str> = text
        .chars()
        .map(|c| match c {
            '=' => "eq",
            '!' => "not",
            '<' => "lt",
            '>' => "gt",
            _ => "sym",
        })
        .collect();
    if words.is_empty() {
        "empty".to_owned()
    } else {
        words.join("_")
    }
}

fn is_method(key: &str) -> bool {
    matches!(
        key,
        "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
    )
}
