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

#[test]
fn editing_a_field_makes_check_fail_with_a_diff() {
    let spec = fs::read_to_string(root().join("openapi/sgp-evaluations.yaml")).unwrap();
    // Dataset.current_version_num: integer → number.
    let field = "\n        current_version_num:\n          type: integer\n";
    let edited = spec.replacen(field, "\n        current_version_num:\n          type: number\n", 1);
    assert_ne!(spec, edited, "the spec no longer has the field this test edits");
    let dir = std::env::temp_dir().join(format!("codegen-check-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let edited_path = dir.join("sgp-evaluations.yaml");
    fs::write(&edited_path, edited).unwrap();
    let result = check(edited_path);
    let _ = fs::remove_dir_all(&dir);
    match result {
        Err(CodegenError::Stale { files, diff }) => {
            assert_eq!(files, ["src/generated/types.rs"]);
            assert!(diff.contains("-    pub current_version_num: i64,"), "{diff}");
            assert!(diff.contains("+    pub current_version_num: f64,"), "{diff}");
        }
        other => panic!("expected a stale-file error, got {other:?}"),
    }
}
