//! `cargo xtask test`: installs what the tests need (idempotently, inside `target/`) and runs
//! every check: formatting, clippy, `codegen --check`, the spec validator, Redocly's lint, the
//! feature corpus, the FastAPI round trip, and all tests (among them the conformance tests against
//! Prism).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cmd::Cmd;
use crate::{corpus, fastapi, generate, scratch};

/// The packages whose own code the format check covers (the generated crate is printed by the
/// generator, not by rustfmt).
const FORMATTED_PACKAGES: &[&str] = &["openapi-rust-gen", "xtask", "integration-tests"];

/// The generated client's features ([`generate::GENERATED_FEATURES`]) as the workspace names them
/// (`sgp-evals/mock ...`), which clippy and the tests build (`tests/cli.rs` runs the command line's
/// binary).
fn client_features() -> String {
    let features = generate::GENERATED_FEATURES.split(' ');
    features
        .map(|feature| format!("sgp-evals/{feature}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where `npm ci` installs the pinned npm tools.
const NPM_TOOLS: &str = "target/tools/npm";

/// The Python venv of the spec checks (validator, example checks, the official SDK).
const VENV: &str = "target/tools/venv";

pub fn run_all(root: &Path) -> Result<()> {
    let started = Instant::now();
    step("format", || check_format(root))?;
    step("clippy", || {
        clippy(root, &["--workspace", "--features", &client_features()])
    })?;
    step("clippy of the client without features", || {
        clippy(root, &["-p", "sgp-evals"])
    })?;
    step("codegen --check", || generate::check_client(root))?;
    step("spec validator", || validate_spec(root))?;
    step("npm tools", || install_npm_tools(root))?;
    step("redocly lint", || redocly_lint(root))?;
    step("official SDK against the spec", || official_sdk(root))?;
    step("fixture crates compile", || check_fixture_crates(root))?;
    step("feature corpus", || corpus::check(root))?;
    step("FastAPI round trip", || fastapi_round_trip(root))?;
    // With the feature, the client's doctests include the mock's, one per resource.
    step("tests", || {
        Cmd::new("cargo")
            .args(["test", "--workspace", "--features", &client_features()])
            .dir(root)
            .run()
    })?;
    println!("all checks passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// `cargo clippy` over all targets of what `selection` names, warnings denied.
fn clippy(root: &Path, selection: &[&str]) -> Result<()> {
    Cmd::new("cargo")
        .arg("clippy")
        .args(selection.iter().copied())
        .args(["--all-targets", "--quiet", "--", "-D", "warnings"])
        .dir(root)
        .run()
}

fn step(name: &str, action: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("== {name}");
    let started = Instant::now();
    action().with_context(|| format!("{name} failed"))?;
    println!("== {name}: ok ({:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn check_format(root: &Path) -> Result<()> {
    let mut cargo_fmt = Cmd::new("cargo").args(["fmt", "--check"]).dir(root);
    for package in FORMATTED_PACKAGES {
        cargo_fmt = cargo_fmt.args(["-p", package]);
    }
    cargo_fmt.run()?;
    Cmd::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(list_files(&root.join("generator/runtime"), "rs")?)
        .dir(root)
        .run()
}

/// Generates a crate for every spec in `tests/fixtures/good/` into `target/fixture-crates/` and
/// runs clippy over them as one workspace (sharing our target folder), with their `mock` and `cli`
/// features on, so each construct's output, mock and command line included, is proven to compile
/// without warnings, not only snapshotted.
fn check_fixture_crates(root: &Path) -> Result<()> {
    let out = root.join("target/fixture-crates");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let specs = list_files(&root.join("tests/fixtures/good"), "yaml")?;
    let mut members = Vec::new();
    for spec in &specs {
        let name = Path::new(spec)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        generate::generate_any(spec, None, &out.join(&name).display().to_string())?;
        members.push(name);
    }
    scratch::write_workspace(&out, &members)?;
    // The same dependency versions as the real client, and no network needed.
    scratch::copy_lockfile(root, &out)?;
    let (manifest, target) = (out.join("Cargo.toml"), root.join("target"));
    clippy(
        root,
        &[
            "--manifest-path",
            &manifest.display().to_string(),
            "--workspace",
            "--features",
            generate::GENERATED_FEATURES,
            "--target-dir",
            &target.display().to_string(),
        ],
    )
}

fn list_files(dir: &Path, extension: &str) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    Ok(files)
}

/// Runs `openapi-spec-validator` and the example checks from the virtualenv in `target/tools/`.
fn validate_spec(root: &Path) -> Result<()> {
    let python = python_with(root, "tests/spec/requirements.txt", "installed-requirements.txt")?;
    Cmd::new(&python)
        .args(["tests/spec/validate_spec.py", generate::SPEC])
        .dir(root)
        .run()
}

/// The Python of the virtualenv in `target/tools/` with the pinned `requirements` installed: the
/// venv is created on first use, and each requirements file installed again only when it changes
/// (`stamp`, inside the venv, holds the text last installed).
fn python_with(root: &Path, requirements: &str, stamp: &str) -> Result<PathBuf> {
    let venv = root.join(VENV);
    let requirements = root.join(requirements);
    let wanted = fs::read_to_string(&requirements).with_context(|| format!("reading {}", requirements.display()))?;
    let stamp = venv.join(stamp);
    let python = venv.join("bin/python");
    if !python.exists() {
        Cmd::new("python3").args(["-m", "venv"]).arg(&venv).dir(root).run()?;
    }
    if fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        Cmd::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements)
            .dir(root)
            .run()?;
        fs::write(&stamp, &wanted).with_context(|| format!("writing {}", stamp.display()))?;
    }
    Ok(python)
}

/// FastAPI and uvicorn (pinned in `tests/fastapi/requirements.txt`) in the same venv, then the round
/// trip of [`fastapi`].
pub fn fastapi_round_trip(root: &Path) -> Result<()> {
    let python = python_with(root, fastapi::REQUIREMENTS, "installed-fastapi-requirements.txt")?;
    fastapi::round_trip(root, &python)
}

/// The pinned npm tools (Prism for `tests/conformance.rs`, Redocly CLI for the lint), installed by
/// `npm ci` from `tests/conformance/package-lock.json` into `target/tools/npm/`, on first use and
/// again only when the package files change. Install scripts are skipped: the only one is a
/// telemetry ping.
fn install_npm_tools(root: &Path) -> Result<()> {
    let source = root.join("tests/conformance");
    let dir = root.join(NPM_TOOLS);
    let files = ["package.json", "package-lock.json"];
    let mut wanted = String::new();
    for file in files {
        let path = source.join(file);
        wanted += &fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    }
    let stamp = dir.join("installed-packages.txt");
    let bin = dir.join("node_modules/.bin");
    let installed = ["prism", "redocly"].iter().all(|tool| bin.join(tool).exists());
    if installed && fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for file in files {
        let (from, to) = (source.join(file), dir.join(file));
        fs::copy(&from, &to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    }
    Cmd::new("npm")
        .args(["ci", "--prefix"])
        .arg(&dir)
        .args(["--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .dir(root)
        .run()?;
    fs::write(&stamp, &wanted).with_context(|| format!("writing {}", stamp.display()))
}

/// `redocly lint` of the spec with `tests/conformance/redocly.yaml` (the recommended rules, example
/// validation at `error`); any error fails. Telemetry and the update check are off.
/// The official Python SDK (pinned in `tests/spec/requirements.txt`, installed in the spec
/// validator's venv) sends every current operation, with every body example, to Prism serving the
/// spec, and validates every response strictly (`tests/spec/sdk_drive.py`).
fn official_sdk(root: &Path) -> Result<()> {
    Cmd::new(root.join(VENV).join("bin/python"))
        .arg("tests/spec/sdk_drive.py")
        .arg(generate::SPEC)
        .arg(root.join(NPM_TOOLS).join("node_modules/.bin/prism"))
        .dir(root)
        .run()
}

fn redocly_lint(root: &Path) -> Result<()> {
    Cmd::new(root.join(NPM_TOOLS).join("node_modules/.bin/redocly"))
        .args(["lint", "--config", "tests/conformance/redocly.yaml", generate::SPEC])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .dir(root)
        .run()
}
