//! The change report between two versions of a spec: what changed in the generated crate's
//! public API, breaking or compatible, and the version the change needs.

use std::fs;
use std::path::{Path, PathBuf};

use openapi_rust_gen::{ApiChanges, Generator};

fn history() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/api-history")
}

/// The report from one spec of `tests/fixtures/api-history/` to another: one call.
fn report(old_spec: &str, new_spec: &str) -> ApiChanges {
    let read = |name: &str| fs::read_to_string(history().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Generator::new("cargo xtask codegen", new_spec)
        .compare(&read(old_spec), &read(new_spec))
        .unwrap_or_else(|e| panic!("{old_spec} → {new_spec}: {e}"))
}

#[test]
fn pets_v1_to_v2() {
    let changes = report("pets-v1.yaml", "pets-v2.yaml");
    assert_eq!(changes.required_version().as_deref(), Some("0.2.0"));
    assert!(changes.version_is_enough());
    insta::assert_snapshot!(changes.report());
}

#[test]
fn a_spec_compared_with_itself_has_no_changes() {
    let changes = report("pets-v2.yaml", "pets-v2.yaml");
    assert!(changes.is_empty());
    assert_eq!(changes.required_version(), None);
}

/// The release this history is about: from the seed-era spec (`sgp-evals` 0.1.0, the API as SDK
/// 0.1.0a10/a11 saw it) to today's spec. The snapshot is the report `cargo xtask codegen` printed
/// for it, and `generated-client/CHANGELOG.md`'s 0.2.0 entry lists the same changes.
#[test]
fn seed_era_to_today() {
    let today = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/sgp-evaluations.yaml");
    let read = |path: &Path| fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let changes = Generator::new("cargo xtask codegen", "openapi/sgp-evaluations.yaml")
        .compare(&read(&history().join("sgp-evaluations-0.1.0.yaml")), &read(&today))
        .unwrap_or_else(|e| panic!("seed era → today: {e}"));
    assert_eq!(changes.required_version().as_deref(), Some("0.2.0"));
    assert!(
        changes.version_is_enough(),
        "today's spec must say crate-version 0.2.0 or later"
    );
    insta::assert_snapshot!(changes.report());
}
