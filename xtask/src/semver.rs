//! `cargo xtask semver`: a second opinion on the change report. cargo-semver-checks (pinned,
//! installed into `target/tools/`) compares the crate generated from the previous release's spec
//! (`tests/fixtures/api-history/<crate>-<version>.yaml`, the version `generated-client/api.json`
//! records as previous) with the checked-in client. Its verdict (a breaking change or not) must be
//! the report's. Not part of `cargo xtask test`: building the tool takes longer than the whole
//! suite, on every fresh clone.

use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::cmd::Cmd;
use crate::{generate, scratch};

/// The cargo-semver-checks release the verdicts were compared with.
const TOOL_VERSION: &str = "0.51.0";
/// Where it is installed (`cargo install --root`).
const TOOL_DIR: &str = "cargo-semver-checks";
/// Where the previous release's crate is generated.
const BASELINE: &str = "target/semver/baseline";
/// The previous releases' specs.
const HISTORY: &str = "tests/fixtures/api-history";

pub fn check(root: &Path) -> Result<()> {
    let previous = previous_version(root)?;
    let baseline_spec = root.join(HISTORY).join(format!("sgp-evaluations-{previous}.yaml"));
    if !baseline_spec.exists() {
        bail!(
            "no spec of release {previous} at {}: keep the spec of every release there",
            baseline_spec.display()
        );
    }
    let tool = scratch::cargo_tool(root, TOOL_DIR, "cargo-semver-checks", TOOL_VERSION)?;
    let baseline = root.join(BASELINE);
    generate::standalone_crate(&baseline_spec, &baseline)?;

    let changes = generate::compare(&baseline_spec, &root.join(generate::SPEC))?;
    let ours_breaking = changes.breaking > 0;
    // `--release-type minor`: judge the change as if it were a compatible release, so that every
    // breaking-change lint runs (for 0.x, cargo-semver-checks calls a breaking release "major").
    let output = Cmd::new(&tool)
        .args(["semver-checks", "check-release", "--release-type", "minor"])
        .arg("--manifest-path")
        .arg(root.join("generated-client/Cargo.toml"))
        .arg("--baseline-root")
        .arg(&baseline)
        .dir(root)
        .output()?;
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let tool_breaking = log.contains("semver requires new major version");
    if !output.status.success() && !tool_breaking {
        bail!("cargo-semver-checks failed without a verdict:\n{log}");
    }
    let summary = log
        .lines()
        .find(|l| l.trim_start().starts_with("Summary"))
        .unwrap_or("")
        .trim();
    println!(
        "change report: {} breaking, {} compatible (version {} → {}); cargo-semver-checks {TOOL_VERSION}: {summary}",
        changes.breaking, changes.compatible, previous, changes.required_version
    );
    if ours_breaking != tool_breaking {
        bail!("the verdicts differ: the report says breaking = {ours_breaking}, cargo-semver-checks says {tool_breaking}\n{log}");
    }
    println!("the verdicts agree");
    Ok(())
}

/// The version `generated-client/api.json` records as the previous release.
fn previous_version(root: &Path) -> Result<String> {
    let path = root.join("generated-client/api.json");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let api: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    api.pointer("/previous/version")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("{} records no previous release", path.display()))
}
