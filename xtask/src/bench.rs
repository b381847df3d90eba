//! `cargo xtask bench`: measures generation, the comparison with progenitor, the build cost of
//! generated code and the client's overhead, all in one run on this machine, and writes
//! `BENCHMARKS.md` and `BENCHMARKS-scaling.svg`. Never part of `cargo xtask test`.
//!
//! The timings are taken by a release build of this binary: a debug build re-runs itself as
//! `cargo run --release -p xtask -- bench ...`. Scratch files go to `target/bench/`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod build_cost;
mod client;
mod generation;
mod report;
mod stats;
mod synth;

use report::Report;

/// Synthetic spec sizes, in operations.
const SIZES: &[usize] = &[10, 100, 1_000, 5_000];

pub const SECTIONS: &[&str] = &["generation", "progenitor", "build", "client"];

/// Parsed command line of `cargo xtask bench`.
pub struct Settings {
    pub root: PathBuf,
    /// Measured runs per data point (after one warm-up run).
    pub runs: usize,
    pub sections: Vec<String>,
    /// Where generated crates are written while generation is timed (see [`output_root`]).
    pub output_root: PathBuf,
}

impl Settings {
    pub fn wants(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }

    /// `target/bench/<name>`, created.
    pub fn scratch(&self, name: &str) -> Result<PathBuf, String> {
        let dir = self.root.join("target/bench").join(name);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(dir)
    }

    /// `<output root>/<name>`, created: for generated crates while generation is timed.
    pub fn output_scratch(&self, name: &str) -> Result<PathBuf, String> {
        let dir = self.output_root.join(name);
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(dir)
    }

    /// The command that reproduces `section` alone.
    pub fn command(&self, section: &str) -> String {
        format!("cargo xtask bench --only {section}")
    }
}

pub fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        return rerun_in_release(root, args);
    }
    let settings = parse_args(root, args)?;
    let started = Instant::now();
    // Generated crates left by an earlier run are moved aside, not removed, and removed with this
    // run's after the last measurement (see `generation::GENERATED`).
    let generated = settings.output_scratch(generation::GENERATED)?;
    let left_over = settings
        .output_scratch("left-over")?
        .join(format!("{}", std::process::id()));
    fs::rename(&generated, &left_over).map_err(|e| format!("{}: {e}", generated.display()))?;
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
fn measure_and_report(settings: &Settings, started: Instant) -> Result<(PathBuf, PathBuf), String> {
    let specs = synth_specs(settings)?;
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
fn remove_generated_crates(settings: &Settings) -> Result<(), String> {
    for name in ["progenitor", generation::GENERATED, "left-over"] {
        let dir = settings.output_root.join(name);
        match fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(format!("{}: {e}", dir.display())),
            _ => {}
        }
    }
    if settings.output_root != settings.root.join("target/bench") {
        let _ = fs::remove_dir(&settings.output_root);
    }
    Ok(())
}

/// Generated crates are written to memory (`/dev/shm`) where the machine has it, else to
/// `target/bench/`. This VM's disk slows down after heavy writing (a build, an earlier run): with
/// the crates on disk the 10-operation spec's write stage took anywhere from 0.7 ms to 13 ms,
/// depending on what ran before. In memory the stage measures the generator's writing (the same
/// system calls) rather than the disk's backlog; progenitor's crates go to the same place.
fn output_root(root: &Path) -> PathBuf {
    let memory = Path::new("/dev/shm");
    if memory.is_dir() {
        memory.join(format!("openapi-rust-gen-bench-{}", std::process::id()))
    } else {
        root.join("target/bench")
    }
}

fn parse_args(root: &Path, args: &[&str]) -> Result<Settings, String> {
    let mut settings = Settings {
        root: root.to_path_buf(),
        runs: 5,
        sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
        output_root: output_root(root),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--runs" => {
                let value = args.next().ok_or("--runs needs a number")?;
                settings.runs = value.parse().map_err(|_| format!("--runs {value}: not a number"))?;
                if settings.runs < 5 {
                    return Err("--runs must be at least 5".to_owned());
                }
            }
            "--only" => {
                let value = args.next().ok_or("--only needs a section")?;
                settings.sections = value.split(',').map(str::to_owned).collect();
                if let Some(unknown) = settings.sections.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    return Err(format!(
                        "unknown section `{unknown}`; sections: {}",
                        SECTIONS.join(", ")
                    ));
                }
            }
            other => return Err(format!("unknown argument `{other}`\n{}", crate::USAGE)),
        }
    }
    Ok(settings)
}

/// Timings from a debug build mean little: build and run the release binary instead.
fn rerun_in_release(root: &Path, args: &[&str]) -> Result<(), String> {
    let mut command = Command::new("cargo");
    command
        .current_dir(root)
        .args(["run", "--release", "--quiet", "-p", "xtask", "--", "bench"])
        .args(args);
    let status = command.status().map_err(|e| format!("could not start cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the release bench exited with {status}"))
    }
}

/// One spec the benchmarks run on.
#[derive(Clone, Debug)]
pub struct SpecFile {
    /// `sgp-evaluations` or `synthetic-100`.
    pub name: String,
    pub path: PathBuf,
    /// Path relative to the repository root, for the tables.
    pub display: String,
    /// The progenitor-compatible variant, for synthetic specs.
    pub progenitor_variant: Option<PathBuf>,
}

/// Our spec and the synthetic specs, written to `target/bench/specs/`.
pub struct Specs {
    pub ours: SpecFile,
    pub synthetic: Vec<SpecFile>,
}

fn synth_specs(settings: &Settings) -> Result<Specs, String> {
    let dir = settings.scratch("specs")?;
    let mut synthetic = Vec::new();
    for &size in SIZES {
        let write = |flavor: synth::Flavor, suffix: &str| -> Result<PathBuf, String> {
            let path = dir.join(format!("synthetic-{size}{suffix}.yaml"));
            fs::write(&path, synth::spec(size, flavor)).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(path)
        };
        let path = write(synth::Flavor::Ours, "")?;
        let progenitor = write(synth::Flavor::Progenitor, "-progenitor")?;
        synthetic.push(SpecFile {
            name: format!("synthetic-{size}"),
            display: crate::display_path(&settings.root, &path),
            path,
            progenitor_variant: Some(progenitor),
        });
    }
    let path = settings.root.join(crate::SPEC);
    let ours = SpecFile {
        name: "sgp-evaluations".to_owned(),
        display: crate::SPEC.to_owned(),
        path,
        progenitor_variant: None,
    };
    Ok(Specs { ours, synthetic })
}

/// Runs `command` and returns its standard output; fails with its standard error.
pub fn output(mut command: Command, shown: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "`{shown}` exited with {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs `command` with inherited output; fails when it fails.
pub fn status(mut command: Command, shown: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` exited with {status}"))
    }
}

/// One JSON object per line; lines that are not JSON objects (progress) are skipped.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(serde_json::Value::is_object)
        .collect()
}

/// A number field of a JSON line.
pub fn number(line: &serde_json::Value, key: &str) -> f64 {
    line.get(key).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN)
}

/// Lines of all `.rs` files under `dir`.
pub fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .map(|path| {
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |text| text.lines().count())
            } else {
                0
            }
        })
        .sum()
}

/// Prints a progress line (the tables come at the end).
pub fn progress(message: &str) {
    println!("bench: {message}");
}
