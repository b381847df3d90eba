//! `cargo xtask test`: installs what the tests need (idempotently, inside `target/`) and runs
//! every check: formatting, clippy, `codegen --check`, the spec validator, Redocly's lint, and all
//! tests (among them the conformance tests against Prism).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The packages whose own code the format check covers (the generated crate is printed by the
/// generator, not by rustfmt).
const FORMATTED_PACKAGES: &[&str] = &["openapi-rust-gen", "xtask", "integration-tests"];

/// Where `npm ci` installs the pinned npm tools.
const NPM_TOOLS: &str = "target/tools/npm";

pub fn run_all(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    step("format", || check_format(root))?;
    step("clippy", || {
        run(
            root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--quiet",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    step("codegen --check", || crate::codegen(openapi_rust_gen::Mode::Check))?;
    step("spec validator", || validate_spec(root))?;
    step("npm tools", || install_npm_tools(root))?;
    step("redocly lint", || redocly_lint(root))?;
    step("fixture crates compile", || check_fixture_crates(root))?;
    step("feature corpus", || crate::corpus::check(root))?;
    step("tests", || run(root, "cargo", &["test", "--workspace"]))?;
    println!("all checks passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

fn step(name: &str, action: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    println!("== {name}");
    let started = Instant::now();
    action().map_err(|e| format!("{name} failed: {e}"))?;
    println!("== {name}: ok ({:.1} s)", started.elapsed().as_secs_f64());
    Ok(())
}

fn check_format(root: &Path) -> Result<(), String> {
    let mut args = vec!["fmt", "--check"];
    for package in FORMATTED_PACKAGES {
        args.extend(["-p", package]);
    }
    run(root, "cargo", &args)?;
    let runtime_files = list_files(&root.join("generator/runtime"), "rs")?;
    let mut rustfmt_args = vec!["--check".to_owned(), "--edition".to_owned(), "2021".to_owned()];
    rustfmt_args.extend(runtime_files);
    let rustfmt_args: Vec<&str> = rustfmt_args.iter().map(String::as_str).collect();
    run(root, "rustfmt", &rustfmt_args)
}

/// Generates a crate for every spec in `tests/fixtures/good/` into `target/fixture-crates/` and
/// runs clippy over them as one workspace (sharing our target folder), so each construct's output
/// is proven to compile without warnings, not only snapshotted.
fn check_fixture_crates(root: &Path) -> Result<(), String> {
    let out = root.join("target/fixture-crates");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let specs = list_files(&root.join("tests/fixtures/good"), "yaml")?;
    let mut members = Vec::new();
    for spec in &specs {
        let name = Path::new(spec)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        crate::generate_any(spec, None, &out.join(&name).display().to_string())?;
        members.push(format!("{name:?}"));
    }
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", "));
    fs::write(out.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    // The same dependency versions as the real client, and no network needed.
    fs::copy(root.join("Cargo.lock"), out.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let target = root.join("target").display().to_string();
    let manifest_path = out.join("Cargo.toml").display().to_string();
    let args = [
        "clippy",
        "--quiet",
        "--manifest-path",
        &manifest_path,
        "--workspace",
        "--all-targets",
        "--target-dir",
        &target,
        "--",
        "-D",
        "warnings",
    ];
    run(root, "cargo", &args)
}

fn list_files(dir: &Path, extension: &str) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == extension))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    Ok(files)
}

/// Runs `openapi-spec-validator` and the example checks from a virtualenv in `target/tools/`,
/// created and filled on first use and again only when the pinned requirements change.
fn validate_spec(root: &Path) -> Result<(), String> {
    let venv = root.join("target/tools/venv");
    let requirements = root.join("tests/spec/requirements.txt");
    let wanted = fs::read_to_string(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    let stamp = venv.join("installed-requirements.txt");
    let python = venv.join("bin/python");
    if fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) || !python.exists() {
        run(root, "python3", &["-m", "venv", &venv.display().to_string()])?;
        let pip = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"];
        let mut args: Vec<String> = pip.iter().map(|s| (*s).to_owned()).collect();
        args.push(requirements.display().to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(root, &python.display().to_string(), &args)?;
        fs::write(&stamp, &wanted).map_err(|e| format!("{}: {e}", stamp.display()))?;
    }
    run(
        root,
        &python.display().to_string(),
        &["tests/spec/validate_spec.py", "openapi/sgp-evaluations.yaml"],
    )
}

/// The pinned npm tools (Prism for `tests/conformance.rs`, Redocly CLI for the lint), installed by
/// `npm ci` from `tests/conformance/package-lock.json` into `target/tools/npm/`, on first use and
/// again only when the package files change. Install scripts are skipped: the only one is a
/// telemetry ping.
fn install_npm_tools(root: &Path) -> Result<(), String> {
    let source = root.join("tests/conformance");
    let dir = root.join(NPM_TOOLS);
    let files = ["package.json", "package-lock.json"];
    let mut wanted = String::new();
    for file in files {
        let path = source.join(file);
        wanted += &fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let stamp = dir.join("installed-packages.txt");
    let bin = dir.join("node_modules/.bin");
    let installed = ["prism", "redocly"].iter().all(|tool| bin.join(tool).exists());
    if installed && fs::read_to_string(&stamp).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for file in files {
        fs::copy(source.join(file), dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    let prefix = dir.display().to_string();
    let npm = [
        "ci",
        "--prefix",
        &prefix,
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
    ];
    run(root, "npm", &npm)?;
    fs::write(&stamp, &wanted).map_err(|e| format!("{}: {e}", stamp.display()))
}

/// `redocly lint` of the spec with `tests/conformance/redocly.yaml` (the recommended rules, example
/// validation at `error`); any error fails. Telemetry and the update check are off.
fn redocly_lint(root: &Path) -> Result<(), String> {
    let redocly = root.join(NPM_TOOLS).join("node_modules/.bin/redocly");
    let mut command = Command::new(&redocly);
    command
        .args([
            "lint",
            "--config",
            "tests/conformance/redocly.yaml",
            "openapi/sgp-evaluations.yaml",
        ])
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
    run_command(root, command, "redocly lint")
}

pub fn run(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let mut command = Command::new(program);
    command.args(args);
    run_command(root, command, &format!("{program} {}", args.join(" ")))
}

/// Runs `command` in `root`; `shown` names it in the error.
fn run_command(root: &Path, mut command: Command, shown: &str) -> Result<(), String> {
    let status = command
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` exited with {status}"))
    }
}
