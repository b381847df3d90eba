//! The generated command line (`sgp-evals`, feature `cli`), run as the built binary against the
//! generated mock server: every operation of our spec, the output formats, `--all` over many
//! pages, a bad body file, a missing key, and exit codes.
//!
//! The binary belongs to another package, so it is built once with cargo (a no-op when it is up to
//! date) and found in the target folder.

// Shared with the end-to-end tests, which use more of it.
#[allow(dead_code)]
#[path = "e2e_support/spec.rs"]
mod spec;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde_json::Value;
use sgp_evals::mock::MockServer;
use sgp_evals::types::{Evaluation, EvaluationList};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
/// The environment variables of the client (its `from_env`); every run starts without them.
const CLIENT_ENV: &[&str] = &["SGP_API_KEY", "SGP_ACCOUNT_ID", "SGP_CLIENT_BASE_URL"];
/// The credentials the mock expects (any value will do).
const CREDENTIALS: &[(&str, &str)] = &[("SGP_API_KEY", "mock-credential"), ("SGP_ACCOUNT_ID", "mock-account")];

/// The built `sgp-evals` binary.
fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "sgp-evals",
                "--features",
                "cli",
                "--bin",
                "sgp-evals",
            ])
            .current_dir(WORKSPACE)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the sgp-evals binary failed");
        let target =
            std::env::var("CARGO_TARGET_DIR").map_or_else(|_| Path::new(WORKSPACE).join("target"), PathBuf::from);
        target
            .join("debug")
            .join(format!("sgp-evals{}", std::env::consts::EXE_SUFFIX))
    })
}

/// What one run printed and returned.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The run as a snapshot shows it.
    fn transcript(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Options of one run besides its arguments.
#[derive(Default)]
struct Setup<'a> {
    env: Vec<(&'a str, &'a str)>,
    stdin: Option<String>,
    dir: Option<PathBuf>,
}

/// Runs the binary with `args` (off the async runtime's threads, so the mock keeps answering).
async fn run(args: Vec<String>, setup: Setup<'_>) -> Run {
    let mut command = Command::new(binary());
    command.args(&args);
    for var in CLIENT_ENV {
        command.env_remove(var);
    }
    command.envs(setup.env.iter().copied());
    if let Some(dir) = setup.dir {
        command.current_dir(dir);
    }
    let stdin = setup.stdin;
    command
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("the binary starts");
        if let Some(text) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        let output = child.wait_with_output().expect("the binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

/// Runs the binary against `server` with the mock's credentials.
async fn run_on(server: &MockServer, args: &[&str]) -> Run {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend(["--base-url".to_owned(), server.uri()]);
    run(
        all,
        Setup {
            env: CREDENTIALS.to_vec(),
            ..Setup::default()
        },
    )
    .await
}

/// A fresh folder for the files of one test.
fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sgp-evals-cli-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Decodes `text` as the type the operation returns (its name in `api.json`), re-encoded as JSON.
fn as_output_type(type_name: &str, text: &str) -> Result<Value, String> {
    macro_rules! typed {
        ($($name:ident),* $(,)?) => {
            match type_name {
                $(stringify!($name) => serde_json::from_str::<sgp_evals::types::$name>(text)
                    .map_err(|e| e.to_string())
                    .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string())),)*
                other => Err(format!("the test does not know the output type {other}")),
            }
        };
    }
    typed!(
        Dataset,
        DatasetArchiveResponse,
        DatasetItem,
        DatasetItemArchiveResponse,
        DatasetItemBatchCreateResponse,
        DatasetItemList,
        DatasetList,
        Evaluation,
        EvaluationDashboard,
        EvaluationDashboardList,
        EvaluationDashboardWidgetWithResult,
        EvaluationGroup,
        EvaluationGroupList,
        EvaluationGroupRetrieveSchemaResponse,
        EvaluationItem,
        EvaluationItemExport,
        EvaluationItemList,
        EvaluationList,
        EvaluationSchemaResponse,
        EvaluationTaxonomy,
        File,
        FileDeleteResponse,
        FileImportFromCloudResponse,
        FileList,
        Question,
        QuestionList,
        QuestionSet,
        QuestionSetDeleteResponse,
        QuestionSetList,
    )
}

/// What each operation returns, by `resource.method`, from the crate's `api.json`.
fn output_types() -> BTreeMap<String, String> {
    let path = Path::new(WORKSPACE).join("generated-client/api.json");
    let api: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    api["surface"]["operations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(key, op)| (key.clone(), op["output"].as_str().unwrap().to_owned()))
        .collect()
}

/// The operation id a command's long help ends with: `… (operation createDataset)`.
fn operation_id(command: &clap::Command) -> String {
    let help = command
        .get_long_about()
        .expect("every operation has a long help")
        .to_string();
    let id = help.rsplit("(operation ").next().unwrap().trim_end_matches(')');
    id.to_owned()
}

/// The example the mock answers an operation with (its first 2xx response's first example).
fn answered_example(operation_id: &str) -> Value {
    let op = spec::operation(operation_id);
    let status = op.node["responses"]
        .as_object()
        .unwrap()
        .keys()
        .find(|status| status.starts_with('2'))
        .unwrap()
        .clone();
    spec::response_examples(operation_id, &status).1[0].1.clone()
}

/// The arguments that call an operation: a value for each path parameter and required flag, the
/// spec's example body (from a file, stdin or the argument, by turns) and a file to upload.
fn arguments_for(resource: &str, command: &clap::Command, turn: usize, dir: &Path) -> (Vec<String>, Option<String>) {
    let id = operation_id(command);
    let mut args = vec![resource.to_owned(), command.get_name().to_owned()];
    let mut stdin = None;
    for arg in command.get_arguments() {
        let name = arg.get_id().as_str();
        if arg.is_positional() {
            args.push(format!("{name}_cli_1"));
        } else if name == "body" {
            let body = spec::request_examples(&id).1[0].1.to_string();
            match turn % 3 {
                0 => {
                    let path = dir.join(format!("{id}.json"));
                    std::fs::write(&path, &body).unwrap();
                    args.extend(["--body".to_owned(), format!("@{}", path.display())]);
                }
                1 => {
                    args.extend(["--body".to_owned(), "-".to_owned()]);
                    stdin = Some(body);
                }
                _ => args.extend(["--body".to_owned(), body]),
            }
        } else if arg
            .get_value_names()
            .is_some_and(|names| names.iter().any(|n| n == "PATH"))
        {
            let path = dir.join("upload.txt");
            std::fs::write(&path, "hello").unwrap();
            args.extend([format!("--{}", arg.get_long().unwrap()), path.display().to_string()]);
        } else if arg.is_required_set() && arg.get_long().is_some() {
            let value = arg
                .get_possible_values()
                .first()
                .map_or_else(|| "1".to_owned(), |v| v.get_name().to_owned());
            args.extend([format!("--{}", arg.get_long().unwrap()), value]);
        }
    }
    (args, stdin)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_runs_and_prints_its_type() {
    let server = MockServer::with_examples().await;
    // The one operation the spec gives no example for: a file's bytes.
    assert_eq!(MockServer::operations_without_examples(), ["retrieveFileContent"]);
    let content = b"file bytes\n".to_vec();
    server
        .files()
        .retrieve_content("file_id_cli_1")
        .times(1)
        .respond(content.clone())
        .await;
    let outputs = output_types();
    let dir = scratch_dir();
    let root = sgp_evals::cli::command();
    let mut ran = 0;
    for resource in root.get_subcommands().filter(|c| c.get_name() != "completions") {
        for operation in resource.get_subcommands() {
            let (mut args, stdin) = arguments_for(resource.get_name(), operation, ran, &dir);
            args.extend(["--base-url".to_owned(), server.uri()]);
            let shown = args.join(" ");
            let outcome = run(
                args,
                Setup {
                    env: CREDENTIALS.to_vec(),
                    stdin,
                    ..Setup::default()
                },
            )
            .await;
            assert_eq!(outcome.code, 0, "{shown}: {}", outcome.transcript());
            assert_eq!(outcome.stderr, "", "{shown}");
            let key = format!(
                "{}.{}",
                resource.get_name().replace('-', "_"),
                operation.get_name().replace('-', "_")
            );
            let output = outputs.get(&key).unwrap_or_else(|| panic!("{key} is not in api.json"));
            let id = operation_id(operation);
            match output.as_str() {
                "()" => assert_eq!(outcome.stdout, "", "{shown}"),
                "Vec<u8>" => assert_eq!(outcome.stdout.as_bytes(), content, "{shown}"),
                type_name => {
                    let printed = as_output_type(type_name, &outcome.stdout)
                        .unwrap_or_else(|e| panic!("{shown}: stdout is not a {type_name}: {e}"));
                    // What the typed client makes of the example the mock answered with.
                    let expected = as_output_type(type_name, &answered_example(&id).to_string()).unwrap();
                    assert_eq!(printed, expected, "{shown}");
                }
            }
            ran += 1;
        }
    }
    assert_eq!(ran, outputs.len(), "every operation of api.json has a command");
    assert_eq!(server.take_violations(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retrieved_dataset_is_pretty_json() {
    let server = MockServer::with_examples().await;
    let outcome = run_on(&server, &["datasets", "retrieve", "dataset_1"]).await;
    insta::assert_snapshot!("retrieve_dataset", outcome.transcript());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_prints_as_a_table_and_as_json_lines() {
    let server = MockServer::with_examples().await;
    let table = run_on(&server, &["evaluations", "list", "--output", "table"]).await;
    insta::assert_snapshot!("list_evaluations_table", table.transcript());
    let lines = run_on(&server, &["evaluations", "list", "-o", "jsonl"]).await;
    assert_eq!(lines.code, 0, "{}", lines.transcript());
    let example: EvaluationList = serde_json::from_value(answered_example("listEvaluations")).unwrap();
    let printed: Vec<Evaluation> = lines
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is an evaluation"))
        .collect();
    assert_eq!(printed, example.items);
}

/// `size` evaluations like the spec's example, ids `eval_0000`…
fn evaluations(size: usize) -> Vec<Evaluation> {
    let example: EvaluationList = serde_json::from_value(answered_example("listEvaluations")).unwrap();
    (0..size)
        .map(|i| {
            let mut evaluation = example.items[0].clone();
            evaluation.id = format!("eval_{i:04}");
            evaluation
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_follows_every_page_and_prints_each_item_once() {
    const PAGES: usize = 12;
    const PAGE_SIZE: usize = 5;
    /// The list is walked twice, once per output format.
    const WALKS: u64 = 2;
    let server = MockServer::start().await;
    let all = evaluations(PAGES * PAGE_SIZE);
    let pages: Vec<&[Evaluation]> = all.chunks(PAGE_SIZE).collect();
    // Later pages first: of two matching mocks, the first mounted answers, and the first page's
    // expectation (no cursor) matches every request.
    for index in (1..PAGES).rev() {
        let page = EvaluationList::new(pages[index].to_vec(), all.len() as i64, index + 1 < PAGES);
        let cursor = &pages[index - 1].last().unwrap().id;
        server
            .evaluations()
            .list()
            .limit(PAGE_SIZE as i64)
            .starting_after(cursor.as_str())
            .times(WALKS)
            .respond(page)
            .await;
    }
    let first = EvaluationList::new(pages[0].to_vec(), all.len() as i64, true);
    server
        .evaluations()
        .list()
        .limit(PAGE_SIZE as i64)
        .times(WALKS)
        .respond(first)
        .await;

    let limit = PAGE_SIZE.to_string();
    let outcome = run_on(
        &server,
        &["evaluations", "list", "--all", "--limit", &limit, "-o", "jsonl"],
    )
    .await;
    assert_eq!(outcome.code, 0, "{}", outcome.transcript());
    // stderr is not a terminal here: no progress bar.
    assert_eq!(outcome.stderr, "");
    let printed: Vec<Evaluation> = outcome
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(printed, all);

    // The default format is one JSON array of every item.
    let server_requests_before = server.wiremock().received_requests().await.unwrap_or_default().len();
    let outcome = run_on(&server, &["evaluations", "list", "--all", "--limit", &limit]).await;
    assert_eq!(outcome.code, 0, "{}", outcome.transcript());
    let printed: Vec<Evaluation> = serde_json::from_str(&outcome.stdout).expect("one JSON array");
    assert_eq!(printed, all);
    let requests = server.wiremock().received_requests().await.unwrap_or_default().len();
    assert_eq!(requests - server_requests_before, PAGES, "one request per page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_body_file_is_reported_with_its_path_and_nothing_is_sent() {
    let server = MockServer::start().await;
    let dir = scratch_dir();
    std::fs::write(dir.join("dataset.json"), r#"{"name": "d", "data": [{"a": 1}, 7]}"#).unwrap();
    let outcome = run(
        vec![
            "datasets".into(),
            "create".into(),
            "--body".into(),
            "@dataset.json".into(),
            "--base-url".into(),
            server.uri(),
        ],
        Setup {
            env: CREDENTIALS.to_vec(),
            dir: Some(dir),
            ..Setup::default()
        },
    )
    .await;
    insta::assert_snapshot!("bad_body_file", outcome.transcript());
    assert_eq!(outcome.code, 2);
    let requests = server.wiremock().received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "nothing is sent: {requests:?}");
}

/// A top-level scalar field of the body has a flag of its own: set over `--body`'s value, or
/// (with the required rest missing) a usage error that names the field, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_field_flags_set_fields_over_the_body() {
    let server = MockServer::with_examples().await;
    let dir = scratch_dir();
    std::fs::write(
        dir.join("dataset.json"),
        r#"{"name": "from the file", "data": [{"q": "2+2"}]}"#,
    )
    .unwrap();
    let outcome = run(
        vec![
            "datasets".into(),
            "create".into(),
            "--body".into(),
            "@dataset.json".into(),
            "--name".into(),
            "golden".into(),
            "--description".into(),
            "from a flag".into(),
            "--base-url".into(),
            server.uri(),
        ],
        Setup {
            env: CREDENTIALS.to_vec(),
            dir: Some(dir),
            ..Setup::default()
        },
    )
    .await;
    assert_eq!(outcome.code, 0, "{}", outcome.transcript());
    let requests = server.wiremock().received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let sent: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let expected = serde_json::json!({"name": "golden", "description": "from a flag", "data": [{"q": "2+2"}]});
    assert_eq!(sent, expected);

    let alone = run_on(&server, &["datasets", "create", "--name", "golden"]).await;
    assert_eq!(alone.code, 2, "{}", alone.transcript());
    assert!(
        alone
            .stderr
            .contains("bad body in the field flags at `data`: missing field `data`"),
        "{}",
        alone.transcript()
    );
    let requests = server.wiremock().received_requests().await.unwrap_or_default();
    assert_eq!(requests.len(), 1, "nothing more is sent: {requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_is_a_configuration_error_and_nothing_is_sent() {
    let server = MockServer::with_examples().await;
    let outcome = run(
        vec!["evaluations".into(), "list".into(), "--base-url".into(), server.uri()],
        Setup::default(),
    )
    .await;
    insta::assert_snapshot!("missing_key", outcome.transcript());
    assert_eq!(outcome.code, 3);
    let requests = server.wiremock().received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "nothing is sent: {requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_status_is_one_line_with_its_exit_code_and_never_the_key() {
    let server = MockServer::start().await;
    let secret = "sk-cli-secret-1234";
    let outcome = run(
        vec![
            "evaluations".into(),
            "retrieve".into(),
            "evaluation_1".into(),
            "--base-url".into(),
            server.uri(),
        ],
        Setup {
            env: vec![("SGP_API_KEY", secret), ("SGP_ACCOUNT_ID", "mock-account")],
            ..Setup::default()
        },
    )
    .await;
    // Nothing is mounted: the mock answers 404.
    insta::assert_snapshot!("not_found", outcome.transcript());
    assert_eq!(outcome.code, 4);
    assert_eq!(outcome.stderr.lines().count(), 1);
    assert!(!outcome.stderr.contains(secret) && !outcome.stdout.contains(secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_outside_an_enum_is_a_usage_error_that_lists_the_values() {
    let server = MockServer::start().await;
    let outcome = run_on(&server, &["evaluations", "list", "--sort-order", "sideways"]).await;
    assert_eq!(outcome.code, 2, "{}", outcome.transcript());
    assert!(
        outcome.stderr.contains("[possible values: asc, desc]"),
        "{}",
        outcome.stderr
    );
    let outcome = run_on(&server, &["evaluations", "list", "--limit", "ten"]).await;
    assert_eq!(outcome.code, 2, "{}", outcome.transcript());
    assert_eq!(
        outcome.stderr,
        "error: invalid value 'ten' for --limit: expected an integer\n"
    );
    let requests = server.wiremock().received_requests().await.unwrap_or_default();
    assert!(requests.is_empty(), "nothing is sent: {requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let outcome = run(vec!["completions".into(), shell.into()], Setup::default()).await;
        assert_eq!(outcome.code, 0, "{shell}: {}", outcome.transcript());
        assert!(outcome.stdout.contains("evaluation-items"), "{shell}");
    }
}

/// The README's "Command line" examples, as written there, each run against the mock (the
/// dataset file is the spec's example of a create request).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_examples_run() {
    let readme = std::fs::read_to_string(Path::new(WORKSPACE).join("README.md")).unwrap();
    let section = readme
        .split("## Command line")
        .nth(1)
        .expect("the README has the section");
    let section = section.split("\n## ").next().unwrap();
    let examples: Vec<&str> = section.lines().filter(|line| line.starts_with("sgp-evals ")).collect();
    assert_eq!(examples.len(), 3, "list, export, create: {examples:?}");
    let server = MockServer::with_examples().await;
    let dir = scratch_dir();
    let dataset = spec::request_examples("createDataset").1[0].1.to_string();
    std::fs::write(dir.join("dataset.json"), dataset).unwrap();
    for example in examples {
        // The command, without its comment and its redirection.
        let command = example.split(" #").next().unwrap().split(" > ").next().unwrap();
        let mut args: Vec<String> = command.split_whitespace().skip(1).map(str::to_owned).collect();
        args.extend(["--base-url".to_owned(), server.uri()]);
        let outcome = run(
            args,
            Setup {
                env: CREDENTIALS.to_vec(),
                dir: Some(dir.clone()),
                ..Setup::default()
            },
        )
        .await;
        assert_eq!(outcome.code, 0, "{example}: {}", outcome.transcript());
        assert!(!outcome.stdout.is_empty(), "{example}");
    }
    assert_eq!(server.take_violations(), Vec::<String>::new());
}
