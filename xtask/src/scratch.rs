//! Scratch cargo workspaces: generated crates are checked together, as the members of one
//! workspace written next to them.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

/// Writes `dir/Cargo.toml`: a workspace whose members are the folders `members` in `dir`.
pub fn write_workspace(dir: &Path, members: &[String]) -> Result<()> {
    let quoted: Vec<String> = members.iter().map(|m| format!("{m:?}")).collect();
    let manifest = format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", quoted.join(", "));
    let path = dir.join("Cargo.toml");
    fs::write(&path, manifest).with_context(|| format!("writing {}", path.display()))
}

/// Copies our `Cargo.lock` into `dir`, so that its crates build with the dependency versions of
/// the real client (and need no network).
pub fn copy_lockfile(root: &Path, dir: &Path) -> Result<()> {
    let (from, to) = (root.join("Cargo.lock"), dir.join("Cargo.lock"));
    fs::copy(&from, &to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}
