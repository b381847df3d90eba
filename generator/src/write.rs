//! Writes generated files, or checks that the checked-in ones are current.
//!
//! One function owns both modes, so that `codegen` and `codegen --check` cannot disagree about
//! what "up to date" means. Check mode collects a unified diff of every stale file.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use similar::TextDiff;

/// Whether a run writes the files or only compares them with what is on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write every file whose contents changed; remove files nothing generates any more.
    Write,
    /// Change nothing; fail with a unified diff when any file is stale, missing or extra.
    Check,
}

/// A file to write, with a path relative to the output folder (`/`-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// e.g. `src/generated/types.rs`.
    pub path: String,
    /// The whole text, header included.
    pub contents: String,
}

/// What [`write_files`] did.
#[derive(Debug, Default)]
pub(crate) struct WriteReport {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
    /// Check mode: a unified diff per stale, missing or extra file.
    pub stale: Vec<(String, String)>,
}

/// Writes (or checks) `files` under `root`. Files under `owned_dirs` that are not generated any
/// more are removed (or reported as stale).
pub fn write_files(root: &Path, files: &[GeneratedFile], owned_dirs: &[&str], mode: Mode) -> io::Result<WriteReport> {
    let mut report = WriteReport::default();
    for file in files {
        ensure_file_contents(&root.join(&file.path), &file.path, &file.contents, mode, &mut report)?;
    }
    for dir in owned_dirs {
        for existing in list_files(&root.join(dir))? {
            let relative = relative_path(root, &existing);
            if files.iter().any(|f| f.path == relative) {
                continue;
            }
            match mode {
                Mode::Write => {
                    fs::remove_file(&existing)?;
                    report.removed.push(relative);
                }
                Mode::Check => {
                    let old = fs::read_to_string(&existing).unwrap_or_default();
                    let diff = unified_diff(&relative, &old, "");
                    report.stale.push((relative, diff));
                }
            }
        }
    }
    Ok(report)
}

fn ensure_file_contents(
    path: &Path,
    relative: &str,
    contents: &str,
    mode: Mode,
    report: &mut WriteReport,
) -> io::Result<()> {
    let old = match fs::read_to_string(path) {
        Ok(text) => Some(normalize_newlines(&text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if old.as_deref() == Some(contents) {
        report.unchanged += 1;
        return Ok(());
    }
    match mode {
        Mode::Write => {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, contents)?;
            report.written.push(relative.to_owned());
        }
        Mode::Check => {
            let diff = unified_diff(relative, old.as_deref().unwrap_or(""), contents);
            report.stale.push((relative.to_owned(), diff));
        }
    }
    Ok(())
}

/// `--- a/path` / `+++ b/path` diff from the checked-in text to the generated text.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path} (checked in)"), &format!("b/{path} (generated)"))
        .to_string()
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn list_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(list_files(&path)?);
        } else {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `root`, `/`-separated on every platform.
pub(crate) fn relative_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("openapi-rust-gen-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn write_then_check_is_clean_and_edits_show_a_diff() {
        let root = temp_dir("roundtrip");
        let files = vec![GeneratedFile {
            path: "src/generated/a.rs".into(),
            contents: "fn a() {}\n".into(),
        }];
        let first = write_files(&root, &files, &["src/generated"], Mode::Write).unwrap();
        assert_eq!(first.written, ["src/generated/a.rs"]);
        let second = write_files(&root, &files, &["src/generated"], Mode::Write).unwrap();
        assert!(second.written.is_empty());
        assert_eq!(second.unchanged, 1);

        fs::write(root.join("src/generated/a.rs"), "fn b() {}\n").unwrap();
        fs::write(root.join("src/generated/extra.rs"), "x\n").unwrap();
        let check = write_files(&root, &files, &["src/generated"], Mode::Check).unwrap();
        assert_eq!(check.stale.len(), 2);
        assert!(
            check.stale[0].1.contains("-fn b() {}\n+fn a() {}"),
            "{}",
            check.stale[0].1
        );
        assert_eq!(check.stale[1].0, "src/generated/extra.rs");
        assert_eq!(
            fs::read_to_string(root.join("src/generated/a.rs")).unwrap(),
            "fn b() {}\n"
        );

        let fix = write_files(&root, &files, &["src/generated"], Mode::Write).unwrap();
        assert_eq!(fix.removed, ["src/generated/extra.rs"]);
        let _ = fs::remove_dir_all(&root);
    }
}
