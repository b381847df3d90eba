//! What one `cargo xtask bench` run is asked to do (its command line) and where it puts scratch
//! files.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The sections of the report, each measurable alone with `--only`.
pub const SECTIONS: &[&str] = &["generation", "progenitor", "build", "client"];

/// The bench's lines of `cargo xtask`'s usage.
pub const USAGE: &str = "  cargo xtask bench [--only SECTION[,SECTION]] [--runs N]
                                measure generation, progenitor, build cost and client overhead (release
                                build; BENCHMARKS.md says how long its last run took); write BENCHMARKS.md
                                (sections: generation, progenitor, build, client; --only writes to
                                target/bench/partial/)";

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
    pub fn parse(root: &Path, args: &[&str]) -> Result<Settings> {
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
                    let value = args.next().context("--runs needs a number")?;
                    settings.runs = value.parse().with_context(|| format!("--runs {value}: not a number"))?;
                    if settings.runs < 5 {
                        bail!("--runs must be at least 5");
                    }
                }
                "--only" => {
                    let value = args.next().context("--only needs a section")?;
                    settings.sections = value.split(',').map(str::to_owned).collect();
                    if let Some(unknown) = settings.sections.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                        bail!("unknown section `{unknown}`; sections: {}", SECTIONS.join(", "));
                    }
                }
                other => bail!("unknown argument `{other}`\nusage:\n{USAGE}"),
            }
        }
        Ok(settings)
    }

    pub fn wants(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s == section)
    }

    /// `target/bench/<name>`, created.
    pub fn scratch(&self, name: &str) -> Result<PathBuf> {
        create_dir(self.root.join("target/bench").join(name))
    }

    /// `<output root>/<name>`, created: for generated crates while generation is timed.
    pub fn output_scratch(&self, name: &str) -> Result<PathBuf> {
        create_dir(self.output_root.join(name))
    }

    /// The command that reproduces `section` alone.
    pub fn command(&self, section: &str) -> String {
        format!("cargo xtask bench --only {section}")
    }
}

fn create_dir(dir: PathBuf) -> Result<PathBuf> {
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Generated crates are written to memory (`/dev/shm`) where the machine has it, else to
/// `target/bench/`. This VM's disk slows down after heavy writing (a build, an earlier run), and
/// with the crates on disk the write stage of the small specs varied many times over, depending on
/// what ran before (the notes in `BENCHMARKS.md` give the range the bench measured). In memory the
/// stage measures the generator's writing (the same system calls) rather than the disk's backlog;
/// progenitor's crates go to the same place.
fn output_root(root: &Path) -> PathBuf {
    let memory = Path::new("/dev/shm");
    if memory.is_dir() {
        memory.join(format!("openapi-rust-gen-bench-{}", std::process::id()))
    } else {
        root.join("target/bench")
    }
}

/// Prints a progress line (the tables come at the end).
pub fn progress(message: &str) {
    println!("bench: {message}");
}
