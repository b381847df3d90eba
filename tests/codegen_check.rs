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

/// The spec with `Dataset.current_version_num` retyped (integer → number), and the crate's
/// version set to what `version` makes of the spec's (`[major, minor, patch]`).
fn spec_with_a_retyped_field(version: impl Fn([u64; 3]) -> String) -> String {
    let spec = fs::read_to_string(root().join("openapi/sgp-evaluations.yaml")).unwrap();
    let field = "\n        current_version_num:\n          type: integer\n";
    let edited = spec.replacen(field, "\n        current_version_num:\n          type: number\n", 1);
    assert_ne!(spec, edited, "the spec no longer has the field this test edits");
    let key = "\n  crate-version: ";
    let at = edited.find(key).expect("the spec sets x-codegen crate-version") + key.len();
    let end = at + edited[at..].find('\n').unwrap();
    let numbers: Vec<u64> = edited[at..end].split('.').map(|n| n.parse().unwrap()).collect();
    let new_version = version([numbers[0], numbers[1], numbers[2]]);
    format!("{}{new_version}{}", &edited[..at], &edited[end..])
}

/// Cargo's next compatible version after `[major, minor, patch]` (for 0.x, the next patch).
fn next_compatible([major, minor, patch]: [u64; 3]) -> String {
    match major {
        0 => format!("0.{minor}.{}", patch + 1),
        _ => format!("{major}.{}.0", minor + 1),
    }
}

/// Cargo's next incompatible version after `[major, minor, patch]` (for 0.x, the next minor).
fn next_incompatible([major, minor, _]: [u64; 3]) -> String {
    match major {
        0 => format!("0.{}.0", minor + 1),
        _ => format!("{}.0.0", major + 1),
    }
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
/// before anything else. (A new version, so that the checked-in one is what it is compared with
/// even while that one is still being prepared.)
#[test]
fn a_breaking_edit_with_only_a_compatible_bump_fails_check() {
    match check_text("no-bump", &spec_with_a_retyped_field(next_compatible)) {
        Err(CodegenError::VersionBump(changes)) => {
            assert_eq!(
                (changes.breaking(), changes.compatible()),
                (1, 0),
                "{}",
                changes.report()
            );
            let previous = changes
                .previous_version()
                .expect("compared with the checked-in version");
            let numbers: Vec<u64> = previous.split('.').map(|n| n.parse().unwrap()).collect();
            let required = next_incompatible([numbers[0], numbers[1], numbers[2]]);
            assert_eq!(changes.required_version(), Some(required));
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
    match check_text("bumped", &spec_with_a_retyped_field(next_incompatible)) {
        Err(CodegenError::Stale { files, diff }) => {
            assert_eq!(files, ["Cargo.toml", "src/generated/types.rs", "api.json"]);
            assert!(diff.contains("-    pub current_version_num: i64,"), "{diff}");
            assert!(diff.contains("+    pub current_version_num: f64,"), "{diff}");
        }
        other => panic!("expected a stale-file error, got {other:?}"),
    }
}
