//! `cargo xtask test`: installs what the tests need (idempotently, inside `target/`) and runs
//! every check: formatting, clippy, `codegen --check`, the spec validator, and all tests.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The packages whose own code the format check covers (the generated crate is printed by the
/// generator, not by rustfmt).
const FORMATTED_PACKAGES: &[&str] = &["openapi-rust-gen", "xtask", "integration-tests"];

pub fn run_all(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    step("format", || check_format(root))?;
    step("clippy", || run(root, "cargo", &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"]))?;
    step("codegen --check", || crate::codegen(openapi_rust_gen::write::Mode::Check))?;
    step("spec validator", || validate_spec(root))?;
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
    let runtime_files = list_rs(&root.join("generator/runtime"))?;
    let mut rustfmt_args = vec!["--check".to_owned(), "--edition".to_owned(), "2021".to_owned()];
    rustfmt_args.extend(runtime_files);
    let rustfmt_args: Vec<&str> = rustfmt_args.iter().map(String::as_str).collect();
    run(root, "rustfmt", &rustfmt_args)
}

fn list_rs(dir: &Path) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
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
    run(root, &python.display().to_string(), &["tests/spec/validate_spec.py", "openapi/sgp-evaluations.yaml"])
}

fn run(root: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("could not start `{program}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` exited with {status}", args.join(" ")))
    }
}
