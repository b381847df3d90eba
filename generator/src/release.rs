//! The release stage, after emitting and around writing: what the crate's public API was
//! (`api.json` as checked in), what changed, whether the spec's version allows it, and the
//! changelog entry that tells users.
//!
//! The checked-in `api.json` is the memory, so this works in a fresh checkout without history.
//! While the spec keeps the version that `api.json` records, the release is still being prepared
//! and its changes are counted from that file's `previous`; once the version moves on, from the
//! file itself. The first version recorded has no `previous` and counts as released: changing
//! its API asks for a new version.

use std::fs;
use std::io;
use std::path::Path;

use crate::changelog::{self, CHANGELOG_FILE};
use crate::changes::ApiChanges;
use crate::error::CodegenError;
use crate::surface::{ApiFile, Release, Surface, API_FILE};
use crate::write::{GeneratedFile, Mode};

/// This generation's `api.json`, and the changes it records.
pub(crate) struct Prepared {
    pub api_file: GeneratedFile,
    pub changes: ApiChanges,
}

/// Compares `surface` with the release before it (read from `output_dir`) and fails when the
/// crate's `version` is lower than the changes require.
pub(crate) fn prepare(
    output_dir: &Path,
    crate_name: &str,
    version: &str,
    surface: Surface,
) -> Result<Prepared, CodegenError> {
    let baseline = read_api_file(&output_dir.join(API_FILE))?.map(|old| old.baseline_for(version));
    let changes = ApiChanges::between(
        crate_name,
        baseline.as_ref().map(|b| (b.version.as_str(), &b.surface)),
        version,
        &surface,
    );
    if !changes.version_is_enough() {
        return Err(CodegenError::VersionBump(Box::new(changes)));
    }
    // The first version recorded is its own baseline; it stays without a `previous` (any change
    // has asked for a new version above).
    let previous = baseline.filter(|b| b.version != version);
    Ok(Prepared {
        api_file: api_file(version, surface, previous),
        changes,
    })
}

/// A crate taken as new, whatever its output folder holds: no previous version, no changes.
pub(crate) fn first(crate_name: &str, version: &str, surface: Surface) -> Prepared {
    Prepared {
        changes: ApiChanges::between(crate_name, None, version, &surface),
        api_file: api_file(version, surface, None),
    }
}

/// `api.json` for `version`, recording the release its changes are counted from.
pub(crate) fn api_file(version: &str, surface: Surface, previous: Option<Release>) -> GeneratedFile {
    let file = ApiFile {
        version: version.to_owned(),
        surface,
        previous,
    };
    GeneratedFile {
        path: API_FILE.to_owned(),
        contents: file.to_text(),
    }
}

/// Write mode drafts the changelog entry when the API changed and the entry is missing (returns
/// whether it wrote); check mode fails while the entry is missing or unfinished.
pub(crate) fn changelog(output_dir: &Path, changes: &ApiChanges, mode: Mode) -> Result<bool, CodegenError> {
    if changes.is_empty() {
        return Ok(false);
    }
    let path = output_dir.join(CHANGELOG_FILE);
    let io_error = |error| CodegenError::Io {
        path: path.clone(),
        error,
    };
    let text = read_if_present(&path).map_err(io_error)?;
    match mode {
        Mode::Write => {
            let Some(updated) = changelog::with_entry(text.as_deref(), changes, &changelog::today()) else {
                return Ok(false);
            };
            fs::write(&path, updated).map_err(io_error)?;
            Ok(true)
        }
        Mode::Check => match changelog::problem(text.as_deref(), changes) {
            Some(problem) => Err(CodegenError::Changelog {
                problem,
                changes: Box::new(changes.clone()),
            }),
            None => Ok(false),
        },
    }
}

fn read_api_file(path: &Path) -> Result<Option<ApiFile>, CodegenError> {
    let text = read_if_present(path).map_err(|error| CodegenError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    let Some(text) = text else { return Ok(None) };
    ApiFile::parse(&text).map(Some).map_err(|error| CodegenError::ApiFile {
        path: path.to_path_buf(),
        message: error.to_string(),
    })
}

fn read_if_present(path: &Path) -> io::Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.replace("\r\n", "\n"))),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{Generator, Summary};

    /// One operation returning `Pet`; `fields` are more properties of `Pet`, `required` its
    /// required ones.
    fn pets(version: &str, fields: &str, required: &str) -> String {
        format!(
            r#"
openapi: 3.0.3
info: {{title: Pets, version: '1'}}
x-codegen: {{crate-name: pets, crate-version: {version}}}
paths:
  /pets/{{id}}:
    get:
      operationId: getPet
      tags: [pets]
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Pet'}}}}}}}}
components:
  schemas:
    Pet:
      type: object
      required: [name{required}]
      properties:
        name: {{type: string}}
{fields}"#
        )
    }

    const AGE: &str = "        age: {type: integer}\n";
    const COLOUR: &str = "        colour: {type: string}\n";

    /// A folder of its own for one test: the spec goes in, the crate under `out/`.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir().join(format!("openapi-rust-gen-release-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn run(&self, spec: &str, mode: Mode) -> Result<Summary, CodegenError> {
            let spec_path = self.0.join("pets.yaml");
            fs::write(&spec_path, spec).unwrap();
            Generator::new("test", "pets.yaml")
                .threads(1)
                .run(&spec_path, &self.out(), mode)
        }

        fn out(&self) -> PathBuf {
            self.0.join("out")
        }

        fn read(&self, file: &str) -> Option<String> {
            fs::read_to_string(self.out().join(file)).ok()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn version_bump(result: Result<Summary, CodegenError>) -> Box<ApiChanges> {
        match result {
            Err(CodegenError::VersionBump(changes)) => changes,
            other => panic!("expected a version-bump error, got {other:?}"),
        }
    }

    fn changelog_problem(result: Result<Summary, CodegenError>) -> String {
        match result {
            Err(CodegenError::Changelog { problem, .. }) => problem,
            other => panic!("expected a changelog error, got {other:?}"),
        }
    }

    #[test]
    fn regenerating_one_version_does_not_bump_twice() {
        let scratch = Scratch::new("twice");
        let first = scratch.run(&pets("0.1.0", AGE, ""), Mode::Write).unwrap();
        assert!(first.api_changes.is_empty() && scratch.read(CHANGELOG_FILE).is_none());
        let released = scratch.read(API_FILE).unwrap();
        let again = scratch.run(&pets("0.1.0", AGE, ""), Mode::Write).unwrap();
        assert!(again.written.is_empty(), "{:?}", again.written);

        // `age` becomes required: `Pet::new` takes it.
        let breaking = pets("0.1.0", AGE, ", age");
        let changes = version_bump(scratch.run(&breaking, Mode::Write));
        assert_eq!(
            (changes.breaking(), changes.required_version().as_deref()),
            (1, Some("0.2.0"))
        );
        assert_eq!(scratch.read(API_FILE).unwrap(), released, "nothing is written");

        let bumped = pets("0.2.0", AGE, ", age");
        let second = scratch.run(&bumped, Mode::Write).unwrap();
        assert!(
            second.written.contains(&CHANGELOG_FILE.to_owned()),
            "{:?}",
            second.written
        );
        let changelog = scratch.read(CHANGELOG_FILE).unwrap();
        assert!(changelog.contains("## [0.2.0] - "), "{changelog}");
        assert!(
            changelog.contains("- `Pet`: field `age` is now required: `i64` (was `Option<i64>`)\n  Migration: TODO\n"),
            "{changelog}"
        );

        // Again at 0.2.0: still counted from 0.1.0, so 0.2.0 is enough and nothing changes.
        let third = scratch.run(&bumped, Mode::Write).unwrap();
        assert!(third.written.is_empty(), "{:?}", third.written);
        assert_eq!(third.api_changes.previous_version(), Some("0.1.0"));
        assert_eq!(third.api_changes.breaking(), 1);
        assert_eq!(scratch.read(CHANGELOG_FILE).unwrap(), changelog);

        // More changes while preparing 0.2.0 are counted from 0.1.0 too.
        let more = scratch
            .run(&pets("0.2.0", &format!("{AGE}{COLOUR}"), ", age"), Mode::Write)
            .unwrap();
        assert_eq!((more.api_changes.breaking(), more.api_changes.compatible()), (1, 1));
        let api = ApiFile::parse(&scratch.read(API_FILE).unwrap()).unwrap();
        assert_eq!(api.previous.map(|p| p.version).as_deref(), Some("0.1.0"));
        // The entry lists the new change too, in a section of its own.
        assert_eq!(more.changelog_drafted.as_deref(), Some(CHANGELOG_FILE));
        let completed = scratch.read(CHANGELOG_FILE).unwrap();
        assert!(
            completed.ends_with("  Migration: TODO\n\n### Added\n\n- `Pet`: new field `colour: Option<String>`\n"),
            "{completed}"
        );
    }

    #[test]
    fn check_fails_until_version_and_changelog_are_done() {
        let scratch = Scratch::new("check");
        scratch.run(&pets("0.1.0", "", ""), Mode::Write).unwrap();
        let compatible = |version: &str| pets(version, COLOUR, "");

        let changes = version_bump(scratch.run(&compatible("0.1.0"), Mode::Check));
        assert_eq!(
            (changes.compatible(), changes.required_version().as_deref()),
            (1, Some("0.1.1"))
        );
        let message = CodegenError::VersionBump(changes).to_string();
        assert!(
            message.starts_with(
                "the API changed (0 breaking, 1 compatible): set x-codegen crate-version to 0.1.1 (it is 0.1.0)"
            ),
            "{message}"
        );

        match scratch.run(&compatible("0.1.1"), Mode::Check) {
            Err(CodegenError::Stale { files, .. }) => assert!(files.contains(&API_FILE.to_owned()), "{files:?}"),
            other => panic!("expected stale files, got {other:?}"),
        }
        scratch.run(&compatible("0.1.1"), Mode::Write).unwrap();
        let drafted = scratch.read(CHANGELOG_FILE).unwrap();
        assert!(
            drafted.contains("### Added\n\n- `Pet`: new field `colour: Option<String>`\n"),
            "{drafted}"
        );
        assert!(
            scratch.run(&compatible("0.1.1"), Mode::Check).is_ok(),
            "no breaking change, no TODO"
        );

        fs::remove_file(scratch.out().join(CHANGELOG_FILE)).unwrap();
        let problem = changelog_problem(scratch.run(&compatible("0.1.1"), Mode::Check));
        assert!(problem.contains("has no entry for 0.1.1"), "{problem}");

        // A breaking change on top, for 0.2.0: its migration note is to be written.
        let breaking = pets("0.2.0", COLOUR, ", colour");
        scratch.run(&breaking, Mode::Write).unwrap();
        let problem = changelog_problem(scratch.run(&breaking, Mode::Check));
        assert!(problem.contains("1 line(s) saying TODO"), "{problem}");
        let changelog = scratch.read(CHANGELOG_FILE).unwrap();
        let finished = changelog.replace("Migration: TODO", "Migration: pass the colour to `Pet::new`.");
        fs::write(scratch.out().join(CHANGELOG_FILE), &finished).unwrap();
        assert!(scratch.run(&breaking, Mode::Check).is_ok());

        // Another change while 0.2.0 is prepared: the finished entry does not list it yet.
        let more = pets("0.2.0", &format!("{COLOUR}{AGE}"), ", colour");
        scratch.run(&more, Mode::Write).unwrap();
        fs::write(scratch.out().join(CHANGELOG_FILE), &finished).unwrap();
        let problem = changelog_problem(scratch.run(&more, Mode::Check));
        assert!(problem.contains("does not list 1 of the changes"), "{problem}");
        scratch.run(&more, Mode::Write).unwrap();
        assert!(scratch.run(&more, Mode::Check).is_ok());
    }

    /// Scratch output regenerated from unrelated specs is not a release history.
    #[test]
    fn a_first_release_ignores_the_previous_api() {
        let scratch = Scratch::new("first");
        scratch.run(&pets("0.1.0", "", ""), Mode::Write).unwrap();
        let spec_path = scratch.0.join("pets.yaml");
        fs::write(&spec_path, pets("0.1.0", COLOUR, ", colour")).unwrap();
        let summary = Generator::new("test", "pets.yaml")
            .first_release()
            .run(&spec_path, &scratch.out(), Mode::Write)
            .unwrap();
        assert!(summary.api_changes.is_empty() && summary.changelog_drafted.is_none());
        let api = ApiFile::parse(&scratch.read(API_FILE).unwrap()).unwrap();
        assert!(api.previous.is_none());
    }

    #[test]
    fn an_unreadable_api_file_is_an_error() {
        let scratch = Scratch::new("unreadable");
        scratch.run(&pets("0.1.0", "", ""), Mode::Write).unwrap();
        fs::write(scratch.out().join(API_FILE), "{").unwrap();
        match scratch.run(&pets("0.1.0", "", ""), Mode::Write) {
            Err(CodegenError::ApiFile { path, .. }) => assert!(path.ends_with(API_FILE)),
            other => panic!("expected an api.json error, got {other:?}"),
        }
    }
}
