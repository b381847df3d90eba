//! Which workspace xtask works on: the one the current directory is in, and only when it is the
//! one this binary was built from.
//!
//! Why both: with a target directory shared by two clones (a global `CARGO_TARGET_DIR` or
//! `build.target-dir`), cargo can run the xtask binary built in clone A while you stand in clone
//! B. Trusting the path the binary was built in (`CARGO_MANIFEST_DIR`) would then read A's spec
//! and write A's files; trusting the current directory alone would run A's code on B's files.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The root of the workspace to work on: found from the current directory upward, and the one
/// this binary was built for.
pub fn root() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let found = find_from(&cwd)?;
    let built_for = canonical(&built_for());
    choose(&built_for, &cwd, found.as_deref().map(canonical).as_deref())
}

/// The workspace root this binary was compiled in.
fn built_for() -> PathBuf {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask_dir.parent().unwrap_or(xtask_dir).to_path_buf()
}

/// The path with symbolic links resolved, so that two spellings of one folder compare equal; as
/// given when it does not exist (a clone since removed).
fn canonical(path: &Path) -> PathBuf {
    fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The nearest folder at or above `start` whose `Cargo.toml` is a workspace with an `xtask`
/// member (folders with other manifests, such as `xtask/progenitor-bench/`, are passed over).
fn find_from(start: &Path) -> Result<Option<PathBuf>> {
    for dir in start.ancestors() {
        let manifest = dir.join("Cargo.toml");
        match fs::read_to_string(&manifest) {
            Ok(text) if is_xtask_workspace(&text) => return Ok(Some(dir.to_path_buf())),
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("reading {}", manifest.display())),
        }
    }
    Ok(None)
}

/// Whether a manifest has a `[workspace]` table whose `members` list names `"xtask"`.
fn is_xtask_workspace(manifest: &str) -> bool {
    // The `[workspace]` table: the lines after its header, up to the next table's header.
    let table: Vec<&str> = manifest
        .lines()
        .skip_while(|line| line.trim() != "[workspace]")
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .collect();
    let table = format!("\n{}", table.join("\n"));
    // `members = [...]`, on one line or several.
    let Some((_, members)) = table.split_once("\nmembers") else {
        return false;
    };
    let list = members.split_once('[').map_or("", |(_, rest)| rest);
    let list = list.split_once(']').map_or(list, |(inside, _)| inside);
    list.split(',').any(|member| member.trim() == "\"xtask\"")
}

/// The decision: work on `found` when it is the workspace the binary was built for, else refuse
/// and say why and what to do. Paths are compared as given (the caller makes them canonical).
fn choose(built_for: &Path, cwd: &Path, found: Option<&Path>) -> Result<PathBuf> {
    let Some(found) = found else {
        bail!(
            "{} is not inside a workspace with an xtask member; run `cargo xtask` from inside the \
             workspace (this xtask binary was built for {})",
            cwd.display(),
            built_for.display()
        );
    };
    if found == built_for {
        return Ok(found.to_path_buf());
    }
    bail!(
        "this xtask binary was built for the workspace {}, but the current directory is in the \
         workspace {}. Cargo ran a binary built in another clone, which happens when clones share a \
         target directory (CARGO_TARGET_DIR or build.target-dir). Nothing was done. Give this clone \
         a target directory of its own (unset CARGO_TARGET_DIR, or set build.target-dir in its \
         .cargo/config.toml), or make cargo rebuild xtask here (`touch xtask/src/main.rs`), then run \
         the command again.",
        built_for.display(),
        found.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_it_was_built_for_is_chosen() {
        let root = Path::new("/work/a");
        let chosen = choose(root, &root.join("generator/src"), Some(root));
        assert_eq!(chosen.unwrap(), PathBuf::from("/work/a"));
    }

    #[test]
    fn another_clone_is_refused_naming_both_and_the_remedy() {
        let message = choose(
            Path::new("/work/a"),
            Path::new("/work/b/xtask"),
            Some(Path::new("/work/b")),
        )
        .unwrap_err()
        .to_string();
        assert!(
            message.starts_with("this xtask binary was built for the workspace /work/a, but the current directory is in the workspace /work/b."),
            "{message}"
        );
        assert!(message.contains("CARGO_TARGET_DIR"), "{message}");
        assert!(message.contains("`touch xtask/src/main.rs`"), "{message}");
    }

    #[test]
    fn outside_any_workspace_is_refused() {
        let message = choose(Path::new("/work/a"), Path::new("/tmp"), None)
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("/tmp is not inside a workspace with an xtask member;"),
            "{message}"
        );
        assert!(
            message.ends_with("(this xtask binary was built for /work/a)"),
            "{message}"
        );
    }

    #[test]
    fn manifests_with_and_without_an_xtask_member() {
        let one_line =
            "[package]\nname = \"x\"\n\n[workspace]\nresolver = \"2\"\nmembers = [\"generator\", \"xtask\"]\n";
        let several_lines = "[workspace]\nmembers = [\n    \"generator\",\n    \"xtask\",\n]\n\n[profile.dev]\n";
        assert!(is_xtask_workspace(one_line));
        assert!(is_xtask_workspace(several_lines));
        // A workspace without the member, a member named only elsewhere, no workspace at all.
        assert!(!is_xtask_workspace("[workspace]\nmembers = [\"generator\"]\n"));
        assert!(!is_xtask_workspace(
            "[workspace]\n\n[dependencies]\nmembers = [\"xtask\"]\n"
        ));
        assert!(!is_xtask_workspace("[workspace]\nmembers = [\"xtask/client-bench\"]\n"));
        assert!(!is_xtask_workspace("[package]\nname = \"xtask\"\n"));
    }

    #[test]
    fn found_from_a_subfolder_past_a_nested_workspace() {
        let root = built_for();
        assert_eq!(find_from(&root.join("generator/src")).unwrap(), Some(root.clone()));
        // `xtask/progenitor-bench` is a workspace of its own, without an xtask member.
        assert_eq!(find_from(&root.join("xtask/progenitor-bench/src")).unwrap(), Some(root));
    }
}
