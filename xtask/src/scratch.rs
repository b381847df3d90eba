//! Scratch cargo workspaces (generated crates are checked together, as the members of one
//! workspace written next to them), the pinned npm packages whose specs they are made from, and
//! the pinned cargo tools the xtask runs.

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

/// The pinned cargo tool `package` (a `cargo-*` binary), installed into `target/tools/<dir>` on
/// first use and again when the pin changes; returns its binary.
pub fn cargo_tool(root: &Path, dir: &str, package: &str, version: &str) -> Result<PathBuf> {
    let tools = root.join("target/tools");
    let tool_root = tools.join(dir);
    let binary = tool_root.join("bin").join(package);
    let installed = Cmd::new(&binary).arg("--version").read().unwrap_or_default();
    if !installed.contains(version) {
        println!("installing {package} {version} into target/tools/{dir} (once; may take minutes)");
        Cmd::new("cargo")
            .args(["install", package, "--locked", "--version", version, "--root"])
            .arg(&tool_root)
            .env("CARGO_TARGET_DIR", tools.join(format!("{dir}-build")))
            .dir(root)
            .run()?;
    }
    Ok(binary)
}
