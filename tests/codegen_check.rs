//! The checked-in client matches the spec, and a spec edit is caught with a diff.

use std::fs;
use std::path::{Path, PathBuf};

use openapi_rust_gen::{CodegenError, Generator, Mode};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn check(spec_path: PathBuf) -> Result<(), CodegenError> {
    Generator::new("cargo xtask codegen", "openapi/sgp-evaluations.yaml")
        .run(&spec_path, &root().join("generated-client"), Mode::Check)
        .map(|_| ())
}

#[test]
fn checked_in_client_is_current() {
    if let Err(error) = check(root().join("openapi/sgp-evaluations.yaml")) {
        panic!("{error}");
    }
}

/// The spec with `Dataset.current_version_num` retyped (integer → number), and `version` as the
/// crate's version.
fn spec_with_a_retyped_field(version: &str) -> String {
    let spec = fs::read_to_string(root().join("openapi/sgp-evaluations.yaml")).unwrap();
    let field = "\n        current_version_num:\n          type: integer\n";
    let edited = spec.replacen(field, "\n        current_version_num:\n          type: number\n", 1);
    assert_ne!(spec, edited, "the spec no longer has the field this test edits");
    let version_line = "\n  crate-version: 0.1.0\n";
    assert!(
        edited.contains(version_line),
        "the spec's crate version is no longer 0.1.0"
    );
    edited.replacen(version_line, &format!("\n  crate-version: {version}\n"), 1)
}

/// Checks the checked-in client against spec text (from a scratch folder).
fn check_text(name: &str, spec: &str) -> Result<(), CodegenError> {
    let dir = std::env::temp_dir().join(format!("codegen-check-{name}-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let spec_path = dir.join("sgp-evaluations.yaml");
    fs::write(&spec_path, spec).unwrap();
    let result = check(spec_path);
    let _ = fs::remove_dir_all(&dir);
    result
}

/// A retyped field breaks users' code: check mode asks for the version Cargo's rules require
/// before anything else.
#[test]
fn a_breaking_edit_without_a_version_bump_fails_check() {
    match check_text("no-bump", &spec_with_a_retyped_field("0.1.0")) {
        Err(CodegenError::VersionBump(changes)) => {
            assert_eq!(
                (changes.breaking(), changes.compatible()),
                (1, 0),
                "{}",
                changes.report()
            );
            assert_eq!(changes.required_version().as_deref(), Some("0.2.0"));
            assert!(
                changes
                    .report()
                    .contains("- `Dataset`\n  - field `current_version_num` retyped: `f64` (was `i64`)\n"),
                "{}",
                changes.report()
            );
        }
        other => panic!("expected a version-bump error, got {other:?}"),
    }
}

#[test]
fn editing_a_field_makes_check_fail_with_a_diff() {
    match check_text("bumped", &spec_with_a_retyped_field("0.2.0")) {
        Err(CodegenError::Stale { files, diff }) => {
            assert_eq!(files, ["Cargo.toml", "src/generated/types.rs", "api.json"]);
            assert!(diff.contains("-    pub current_version_num: i64,"), "{diff}");
            assert!(diff.contains("+    pub current_version_num: f64,"), "{diff}");
            assert!(diff.contains("+version = \"0.2.0\""), "{diff}");
        }
        other => panic!("expected a stale-file error, got {other:?}"),
    }
}
