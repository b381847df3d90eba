//! Scratch cargo workspaces (generated crates are checked together, as the members of one
//! workspace written next to them), and the pinned npm packages whose specs they are made from.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cmd::Cmd;

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

/// An npm package at a pinned version.
pub struct NpmPackage {
    pub name: &'static str,
    pub version: &'static str,
}

/// Unpacks `package` with `npm pack` into `target/tools/<under>/` once and returns its `package/`
/// folder (what the tarball holds).
pub fn npm_package(root: &Path, under: &str, package: &NpmPackage) -> Result<PathBuf> {
    let stem = format!(
        "{}-{}",
        package.name.trim_start_matches('@').replace('/', "-"),
        package.version
    );
    let dir = root.join("target/tools").join(under).join(&stem);
    let unpacked = dir.join("package");
    if unpacked.is_dir() {
        return Ok(unpacked);
    }
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Cmd::new("npm")
        .args(["pack", &format!("{}@{}", package.name, package.version), "--silent"])
        .arg("--pack-destination")
        .arg(&dir)
        .dir(root)
        .run()?;
    Cmd::new("tar")
        .arg("-xzf")
        .arg(dir.join(format!("{stem}.tgz")))
        .arg("-C")
        .arg(&dir)
        .run()?;
    Ok(unpacked)
}
