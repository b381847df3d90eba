//! Snapshots of the generator's output: every generated file of the real client, the output for
//! each small fixture spec, and the error messages for each bad spec.

use std::fs;
use std::path::{Path, PathBuf};

use openapi_rust_gen::{CodegenError, Generated, Generator};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn generate_file(path: &Path) -> Result<Generated, CodegenError> {
    let text = fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    Generator::new("cargo xtask codegen", &name).generate(&text)
}

/// The `.yaml` fixtures of `tests/fixtures/<kind>`, sorted; never empty, so that a moved or renamed
/// folder fails the tests that loop over it instead of letting them check nothing.
fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures").join(kind);
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    assert!(!paths.is_empty(), "no .yaml fixture in {}", dir.display());
    paths.sort();
    paths
}

/// How many operations a spec declares, counted from the YAML itself.
fn operations_in(spec: &Path) -> usize {
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
    let document: serde_yaml::Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let paths = document["paths"].as_mapping().expect("the spec has paths");
    let count = paths
        .values()
        .filter_map(serde_yaml::Value::as_mapping)
        .flat_map(|item| item.keys().filter_map(serde_yaml::Value::as_str))
        .filter(|key| methods.contains(key))
        .count();
    assert!(count > 0, "no operation found in {}", spec.display());
    count
}

/// The files a fixture produces, minus the runtime (copied verbatim, the same for every spec).
fn readable_output(generated: &Generated) -> String {
    let mut out = String::new();
    for file in generated.files.iter().filter(|f| !f.path.starts_with("src/runtime/")) {
        out.push_str(&format!("===== {} =====\n{}\n", file.path, file.contents));
    }
    for warning in &generated.warnings {
        out.push_str(&format!("{warning}\n"));
    }
    out
}

#[test]
fn real_client_files() {
    let spec = root().join("openapi/sgp-evaluations.yaml");
    let generated = generate_file(&spec).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        generated.operations,
        operations_in(&spec),
        "every operation of the spec is generated"
    );
    for file in generated.files.iter().filter(|f| !f.path.starts_with("src/runtime/")) {
        let name = file.path.replace('/', "__");
        insta::assert_snapshot!(format!("client__{name}"), file.contents);
    }
}

#[test]
fn good_fixtures() {
    for path in fixtures("good") {
        let generated = generate_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(format!("fixture__{name}"), readable_output(&generated));
    }
}

#[test]
fn bad_fixtures() {
    for path in fixtures("bad") {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let error = match generate_file(&path) {
            Ok(_) => panic!("{name}: expected an error"),
            Err(error) => error.to_string(),
        };
        insta::assert_snapshot!(format!("bad__{name}"), error);
    }
}

/// Generating twice gives the same files and the same warnings, in the same order: for our spec and
/// for every good fixture (most of which have warnings, so that half of the comparison is not empty).
#[test]
fn generation_is_deterministic() {
    let mut paths = vec![root().join("openapi/sgp-evaluations.yaml")];
    paths.extend(fixtures("good"));
    let mut warnings_compared = 0;
    for path in paths {
        let first = generate_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let second = generate_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(first.files, second.files, "{}: files", path.display());
        assert_eq!(first.warnings, second.warnings, "{}: warnings", path.display());
        warnings_compared += first.warnings.len();
    }
    assert!(warnings_compared > 0, "no spec had a warning to compare");
}
