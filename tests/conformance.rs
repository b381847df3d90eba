//! Conformance of the generated `sgp-evals` client to the spec, checked by a third party: Prism
//! (`@stoplight/prism-cli`, installed pinned into `target/tools/npm/` by `cargo xtask test`) serves
//! `openapi/sgp-evaluations.yaml` on 127.0.0.1 and validates every request against it.
//!
//! - The client drives all 30 operations: every request example of the spec decoded into the
//!   typed body, each Create Evaluation shape (standalone, from-dataset, with-dataset) with each
//!   task type (chat_completion, inference, application_variant) built with the constructors and
//!   setters (once with literal values in every optional field, once with item locators), every
//!   optional query parameter, comma-joined `views`, and the multipart upload.
//! - Prism must accept every request (no `sl-violations` header, no 4xx/5xx) and every response
//!   must decode into the typed result: Prism's example responses, and responses Prism generates
//!   from the schemas with three fixed seeds. Error responses (400, 404, 422, asked for with
//!   Prism's `Prefer: code=N`) must decode into `ErrorResponse`.
//! - The harness must be able to fail: a Create Dataset without `name` and a `views` value outside
//!   the enum, sent through the runtime's escape hatch, must come back as violations.
//!
//! One Prism per mode or seed (the four run in parallel as separate tests); the calls of a session
//! run one after another. Prism is killed when its session is dropped, also on a panic. To see
//! every exchange: `CONFORMANCE_DUMP=1 cargo test -p integration-tests --test conformance -- --nocapture`.

#[path = "conformance_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use sgp_evals::runtime::{Method, Operation};
use sgp_evals::types::{
    AgenticApplicationInitialState, AgenticApplicationOverridesParam, AgenticApplicationTraceEntryParam,
    ApplicationVariantHistoryEntryParam, ApplicationVariantV1EvaluationTaskConfigurationParam,
    ApplicationVariantV1EvaluationTaskParam, ChatCompletionEvaluationTaskConfigurationParam,
    ChatCompletionEvaluationTaskParam, DatasetCreateRequest, DatasetItemBatchCreateRequest, DatasetItemUpdateRequest,
    DatasetUpdateRequest, ErrorResponse, EvaluationCreateRequest, EvaluationDatasetItemReference,
    EvaluationDatasetParam, EvaluationFromDatasetCreateRequest, EvaluationStandaloneCreateRequest, EvaluationTaskParam,
    EvaluationView, EvaluationWithDatasetCreateRequest, FileUpdateRequest,
    GenericInferenceEvaluationTaskConfigurationParam, GenericInferenceEvaluationTaskParam,
    LaunchInferenceConfigurationParam, QuestionCreateRequest, QuestionSetCreateRequest, QuestionSetUpdateRequest,
    QuestionSetView,
};
use sgp_evals::{Error, FileUpload};
use support::prism::Mode;
use support::{spec, violation, Session};

/// The seeds of the dynamic-response runs.
const SEEDS: [u32; 3] = [1, 42, 20241107];

const EVALUATION_ID: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";
const EVALUATION_ITEM_ID: &str = "evitem_01jcf8t4a2b5c8d1e4f7g0h3j6";
const DATASET_ID: &str = "dataset_01jc9w2e5r8t1y4v7k0m3p6a9s";
const DATASET_ITEM_ID: &str = "dsitem_01jc9w2f3g6h9j2k5m8n1p4q7r";
const QUESTION_SET_ID: &str = "qset_01jc7a3c4d5e6f7g8h9j0k1m2n";
const QUESTION_ID: &str = "question_01jc7a2b3c4d5e6f7g8h9j0k1m";
const FILE_ID: &str = "file_01jcb3h7k2m5n8p1q4r7s0t3v6";
const AFTER: &str = "eval_01jcd2m8x4v7b1n5q9t3w6y2z8";
const BEFORE: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";

#[tokio::test]
async fn prism_accepts_every_request_and_its_examples_decode() {
    let mut session = Session::start(Mode::Examples);
    the_harness_reports_rejected_requests(&mut session).await;
    every_operation(&mut session).await;
    check_coverage(&mut session);
    session.finish();
}

#[tokio::test]
async fn generated_responses_decode_seed_1() {
    dynamic_run(SEEDS[0]).await;
}

#[tokio::test]
async fn generated_responses_decode_seed_2() {
    dynamic_run(SEEDS[1]).await;
}

/// Also checks that Prism is stopped when a test panics while its session is alive.
#[tokio::test]
async fn generated_responses_decode_seed_3_and_prism_stops_on_panic() {
    let mut session = Session::start(Mode::Dynamic { seed: SEEDS[2] });
    every_operation(&mut session).await;
    let pid = session.prism().pid();
    assert!(process_exists(pid), "Prism runs as pid {pid}");
    let outcome = std::thread::spawn(move || {
        session.finish();
        panic!("a deliberate panic while Prism runs");
    })
    .join();
    let payload = outcome.expect_err("the thread panicked");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    // A real failure from `finish` is this test's failure.
    assert_eq!(message, "a deliberate panic while Prism runs", "{message}");
    assert!(
        !process_exists(pid),
        "Prism (pid {pid}) is still running after the panic"
    );
}

async fn dynamic_run(seed: u32) {
    let mut session = Session::start(Mode::Dynamic { seed });
    every_operation(&mut session).await;
    session.finish();
}

/// Whether a process with this id exists (`/proc` where there is one, else `kill -0`, which
/// sends no signal).
fn process_exists(pid: u32) -> bool {
    if std::path::Path::new("/proc/self").exists() {
        return std::path::Path::new(&format!("/proc/{pid}")).exists();
    }
    let probe = std::process::Command::new("kill")
        .args(["-0", &pid.to_string()])
        .output();
    probe.is_ok_and(|output| output.status.success())
}

// ------------------------------------------------------------------------------------------------
// The harness can fail
// ------------------------------------------------------------------------------------------------

static CREATE_DATASET: Operation = Operation {
    id: "createDataset",
    method: Method::Post,
    path: "/v5/datasets",
};

static GET_EVALUATION: Operation = Operation {
    id: "getEvaluation",
    method: Method::Get,
    path: "/v5/evaluations/{evaluation_id}",
};

/// Deliberately wrong requests, sent through the runtime's escape hatch, must come back from
/// Prism as violations that [`violation`] reports.
async fn the_harness_reports_rejected_requests(session: &mut Session) {
    let mut without_name = spec::request_examples("createDataset").remove(0).1;
    assert!(without_name.as_object_mut().unwrap().remove("name").is_some());
    let request = session
        .client
        .runtime()
        .request(&CREATE_DATASET)
        .json(&without_name)
        .send_json::<Value>();
    let (result, exchanges) = session.raw(request).await;
    expect_violation("Create Dataset without `name`", result, &exchanges, "property 'name'");

    // Comma-joined arrays are read as arrays: the second value is checked against the enum.
    let request = session
        .client
        .runtime()
        .request(&GET_EVALUATION)
        .path_param("evaluation_id", EVALUATION_ID)
        .query_csv("views", &["tasks", "everything"])
        .send_json::<Value>();
    let (result, exchanges) = session.raw(request).await;
    expect_violation(
        "Get Evaluation with views=tasks,everything",
        result,
        &exchanges,
        "views.1",
    );
}

fn expect_violation(what: &str, result: Result<Value, Error>, exchanges: &[support::relay::Exchange], needle: &str) {
    assert_eq!(exchanges.len(), 1, "{what}: one exchange");
    let found = violation(&exchanges[0]).unwrap_or_else(|| panic!("{what}: the harness reported no violation"));
    assert_eq!(found.status, 422, "{what}: {found}");
    assert!(
        found.messages.iter().any(|m| m.contains(needle)),
        "{what}: no violation mentions `{needle}`: {found}"
    );
    let error = result.expect_err(&format!("{what}: the client returned Ok"));
    assert_eq!(error.status(), Some(422), "{what}: {error}");
}

// ------------------------------------------------------------------------------------------------
// Every operation
// ------------------------------------------------------------------------------------------------

async fn every_operation(session: &mut Session) {
    evaluations(session).await;
    evaluation_items(session).await;
    datasets(session).await;
    dataset_items(session).await;
    question_sets(session).await;
    questions(session).await;
    files(session).await;
    error_responses(session).await;
}

/// The spec's request examples of an operation, decoded into the typed body.
fn examples<B: DeserializeOwned>(session: &mut Session, operation_id: &str) -> Vec<(String, B)> {
    let mut bodies = Vec::new();
    for (name, example) in spec::request_examples(operation_id) {
        match serde_json::from_value(example) {
            Ok(body) => bodies.push((format!("{operation_id} (example `{name}`)"), body)),
            Err(e) => session.fail(format!(
                "{operation_id}: example `{name}` does not decode into the body: {e}"
            )),
        }
    }
    bodies
}

async fn evaluations(session: &mut Session) {
    let client = session.client.clone();
    for (label, body) in examples::<EvaluationCreateRequest>(session, "createEvaluation") {
        session.call(&label, client.evaluations().create(body).send()).await;
    }
    for locators in [false, true] {
        for (shape, body) in create_evaluation_bodies(locators) {
            let label = format!("createEvaluation ({shape}, every task type, locators: {locators})");
            session.call(&label, client.evaluations().create(body).send()).await;
        }
    }
    session
        .call("listEvaluations", client.evaluations().list().send())
        .await;
    let request = client
        .evaluations()
        .list()
        .limit(2)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .include_archived(true)
        .views(vec![EvaluationView::Tasks, EvaluationView::Tasks])
        .send();
    session.call("listEvaluations (every parameter)", request).await;
    let request = client.evaluations().get(EVALUATION_ID).send();
    session.call("getEvaluation", request).await;
    let request = client
        .evaluations()
        .get(EVALUATION_ID)
        .include_archived(false)
        .views(vec![EvaluationView::Tasks])
        .send();
    session.call("getEvaluation (every parameter)", request).await;
    session
        .call("archiveEvaluation", client.evaluations().archive(EVALUATION_ID).send())
        .await;
}

async fn evaluation_items(session: &mut Session) {
    let client = session.client.clone();
    session
        .call("listEvaluationItems", client.evaluation_items().list().send())
        .await;
    let request = client
        .evaluation_items()
        .list()
        .limit(1)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .evaluation_id(EVALUATION_ID)
        .include_archived(true)
        .send();
    session.call("listEvaluationItems (every parameter)", request).await;
    let request = client
        .evaluation_items()
        .get(EVALUATION_ITEM_ID)
        .include_archived(true)
        .send();
    session.call("getEvaluationItem (every parameter)", request).await;
}

async fn datasets(session: &mut Session) {
    let client = session.client.clone();
    for (label, body) in examples::<DatasetCreateRequest>(session, "createDataset") {
        session.call(&label, client.datasets().create(body).send()).await;
    }
    let minimal = DatasetCreateRequest::new("minimal", vec![object(json!({"input": "hi"}))]);
    session
        .call(
            "createDataset (required fields only)",
            client.datasets().create(minimal).send(),
        )
        .await;
    session.call("listDatasets", client.datasets().list().send()).await;
    let request = client
        .datasets()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .include_archived(false)
        .send();
    session.call("listDatasets (every parameter)", request).await;
    let request = client.datasets().get(DATASET_ID).include_archived(true).send();
    session.call("getDataset (every parameter)", request).await;
    for (label, body) in examples::<DatasetUpdateRequest>(session, "updateDataset") {
        session
            .call(&label, client.datasets().update(DATASET_ID, body).send())
            .await;
    }
    let empty = DatasetUpdateRequest::new();
    session
        .call(
            "updateDataset (empty body)",
            client.datasets().update(DATASET_ID, empty).send(),
        )
        .await;
    session
        .call("deleteDataset", client.datasets().delete(DATASET_ID).send())
        .await;
}

async fn dataset_items(session: &mut Session) {
    let client = session.client.clone();
    session
        .call("listDatasetItems", client.dataset_items().list().send())
        .await;
    let request = client
        .dataset_items()
        .list()
        .limit(1)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .dataset_id(DATASET_ID)
        .include_archived(false)
        .version(3)
        .send();
    session.call("listDatasetItems (every parameter)", request).await;
    for (label, body) in examples::<DatasetItemBatchCreateRequest>(session, "batchCreateDatasetItems") {
        session
            .call(&label, client.dataset_items().batch_create(body).send())
            .await;
    }
    session
        .call("getDatasetItem", client.dataset_items().get(DATASET_ITEM_ID).send())
        .await;
    let request = client.dataset_items().get(DATASET_ITEM_ID).version(3).send();
    session.call("getDatasetItem (every parameter)", request).await;
    for (label, body) in examples::<DatasetItemUpdateRequest>(session, "updateDatasetItem") {
        session
            .call(&label, client.dataset_items().update(DATASET_ITEM_ID, body).send())
            .await;
    }
    session
        .call(
            "deleteDatasetItem",
            client.dataset_items().delete(DATASET_ITEM_ID).send(),
        )
        .await;
}

async fn question_sets(session: &mut Session) {
    let client = session.client.clone();
    for (label, body) in examples::<QuestionSetCreateRequest>(session, "createQuestionSet") {
        session.call(&label, client.question_sets().create(body).send()).await;
    }
    session
        .call("listQuestionSets", client.question_sets().list().send())
        .await;
    let request = client
        .question_sets()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .include_archived(true)
        .views(vec![QuestionSetView::Questions, QuestionSetView::Questions])
        .send();
    session.call("listQuestionSets (every parameter)", request).await;
    let request = client
        .question_sets()
        .get(QUESTION_SET_ID)
        .views(vec![QuestionSetView::Questions])
        .send();
    session.call("getQuestionSet (every parameter)", request).await;
    for (label, body) in examples::<QuestionSetUpdateRequest>(session, "updateQuestionSet") {
        session
            .call(&label, client.question_sets().update(QUESTION_SET_ID, body).send())
            .await;
    }
    session
        .call(
            "deleteQuestionSet",
            client.question_sets().delete(QUESTION_SET_ID).send(),
        )
        .await;
}

async fn questions(session: &mut Session) {
    let client = session.client.clone();
    for (label, body) in examples::<QuestionCreateRequest>(session, "createQuestion") {
        session.call(&label, client.questions().create(body).send()).await;
    }
    session.call("listQuestions", client.questions().list().send()).await;
    let request = client
        .questions()
        .list()
        .limit(3)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .send();
    session.call("listQuestions (every parameter)", request).await;
    session
        .call("getQuestion", client.questions().get(QUESTION_ID).send())
        .await;
}

async fn files(session: &mut Session) {
    let client = session.client.clone();
    let csv = "question,expected_answer\nHow do I reset my password?,Open Settings.\n";
    let upload = FileUpload::new("support-questions.csv", csv.as_bytes()).content_type("text/csv");
    session
        .call("uploadFile (text/csv)", client.files().upload(upload).send())
        .await;
    let upload = FileUpload::new("blob.bin", vec![0_u8, 159, 146, 150, 255]);
    session
        .call(
            "uploadFile (binary, no content type)",
            client.files().upload(upload).send(),
        )
        .await;
    session.call("listFiles", client.files().list().send()).await;
    let request = client
        .files()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .send();
    session.call("listFiles (every parameter)", request).await;
    session.call("getFile", client.files().get(FILE_ID).send()).await;
    for (label, body) in examples::<FileUpdateRequest>(session, "updateFile") {
        session.call(&label, client.files().update(FILE_ID, body).send()).await;
    }
    session.call("deleteFile", client.files().delete(FILE_ID).send()).await;
    session
        .call("getFileContent", client.files().get_content(FILE_ID).send())
        .await;
}

/// Error responses, asked for with Prism's `Prefer: code=N` header, for valid requests: the
/// request must pass (no `sl-violations`), the client must return a status error, and its body
/// must decode into `ErrorResponse`. (The `default` response is left out: its example headers
/// say `x-should-retry: true`, so the client would retry it.)
async fn error_responses(session: &mut Session) {
    let client = session.client_with_header("prefer", "code=400");
    let body = DatasetCreateRequest::new("minimal", vec![object(json!({"input": "hi"}))]);
    expect_error_response(session, "createDataset", 400, client.datasets().create(body).send()).await;
    let client = session.client_with_header("prefer", "code=404");
    expect_error_response(
        session,
        "getEvaluation",
        404,
        client.evaluations().get(EVALUATION_ID).send(),
    )
    .await;
    let client = session.client_with_header("prefer", "code=422");
    expect_error_response(session, "listDatasets", 422, client.datasets().list().limit(5).send()).await;
}

async fn expect_error_response<T: std::fmt::Debug>(
    session: &mut Session,
    operation: &str,
    status: u16,
    request: impl Future<Output = Result<T, Error>>,
) {
    let (result, exchanges) = session.raw(request).await;
    let problem = match (&result, exchanges.as_slice()) {
        (Err(error), [exchange]) if error.status() == Some(status) => {
            if let Some(violations) = exchange.response_header("sl-violations") {
                Some(format!("Prism found the request invalid: {violations}"))
            } else if error.body_as::<ErrorResponse>().is_none() {
                Some(format!(
                    "the body does not decode into ErrorResponse: {:?}",
                    error.body_text()
                ))
            } else {
                None
            }
        }
        _ => Some(format!(
            "expected one {status} answer, got {result:?} after {} exchange(s)",
            exchanges.len()
        )),
    };
    if let Some(problem) = problem {
        session.fail(format!("{operation} (Prefer: code={status}): {problem}"));
    }
}

// ------------------------------------------------------------------------------------------------
// Create Evaluation bodies built in Rust
// ------------------------------------------------------------------------------------------------

/// A JSON object from a `json!` literal.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// An item locator for `name`.
fn at(name: &str) -> String {
    format!("item.{name}")
}

/// One task of each type; with `locators`, every field that accepts an item locator gets one.
fn every_task_type(locators: bool) -> Vec<EvaluationTaskParam> {
    vec![
        chat_task(locators),
        inference_task(locators),
        application_variant_task(locators),
    ]
}

fn chat_task(locators: bool) -> EvaluationTaskParam {
    let configuration = if locators {
        ChatCompletionEvaluationTaskConfigurationParam::new("gpt-4o", at("messages"))
            .audio(at("audio"))
            .frequency_penalty(at("frequency_penalty"))
            .function_call(at("function_call"))
            .functions(at("functions"))
            .logit_bias(at("logit_bias"))
            .logprobs(at("logprobs"))
            .max_completion_tokens(at("max_completion_tokens"))
            .max_tokens(at("max_tokens"))
            .metadata(at("metadata"))
            .modalities(at("modalities"))
            .n(at("n"))
            .parallel_tool_calls(at("parallel_tool_calls"))
            .prediction(at("prediction"))
            .presence_penalty(at("presence_penalty"))
            .response_format(at("response_format"))
            .seed(at("seed"))
            .store(at("store"))
            .temperature(at("temperature"))
            .tools(at("tools"))
            .top_k(at("top_k"))
            .top_logprobs(at("top_logprobs"))
            .top_p(at("top_p"))
    } else {
        let messages = vec![
            object(json!({"role": "system", "content": "Answer briefly."})),
            object(json!({"role": "user", "content": "item.input"})),
        ];
        ChatCompletionEvaluationTaskConfigurationParam::new("gpt-4o", messages)
            .audio(object(json!({"voice": "alloy", "format": "wav"})))
            .frequency_penalty(0.5)
            .function_call(object(json!({"name": "lookup"})))
            .functions(vec![object(json!({"name": "lookup", "parameters": {}}))])
            .logit_bias(BTreeMap::from([("50256".to_string(), -100_i64)]))
            .logprobs(true)
            .max_completion_tokens(256_i64)
            .max_tokens(256_i64)
            .metadata(BTreeMap::from([("suite".to_string(), "conformance".to_string())]))
            .modalities(vec!["text".to_string()])
            .n(1_i64)
            .parallel_tool_calls(false)
            .prediction(object(json!({"type": "content", "content": "Open Settings."})))
            .presence_penalty(0.0)
            .response_format(object(json!({"type": "json_object"})))
            .seed(7_i64)
            .store(false)
            .temperature(0.2)
            .tools(vec![object(
                json!({"type": "function", "function": {"name": "lookup"}}),
            )])
            .top_k(40_i64)
            .top_logprobs(2_i64)
            .top_p(0.9)
    };
    let mut configuration = configuration.reasoning_effort("low").stop("END").tool_choice("auto");
    // A key the spec does not list: the configuration allows extra keys.
    configuration
        .additional_properties
        .insert("verbosity".to_string(), json!("low"));
    ChatCompletionEvaluationTaskParam::new(configuration)
        .alias("chat")
        .into()
}

fn inference_task(locators: bool) -> EvaluationTaskParam {
    let configuration = GenericInferenceEvaluationTaskConfigurationParam::new("llama-3-8b-support");
    let configuration = if locators {
        configuration
            .args(at("args"))
            .inference_configuration(at("inference_configuration"))
    } else {
        configuration
            .args(object(json!({"prompt": "item.input"})))
            .inference_configuration(
                LaunchInferenceConfigurationParam::new()
                    .num_retries(2)
                    .timeout_seconds(30),
            )
    };
    GenericInferenceEvaluationTaskParam::new(configuration)
        .alias("inference")
        .into()
}

fn application_variant_task(locators: bool) -> EvaluationTaskParam {
    let variant = "appvar_01jca1b2c3d4e5f6g7h8j9k0m1";
    let configuration = if locators {
        ApplicationVariantV1EvaluationTaskConfigurationParam::new(variant, at("inputs"))
            .history(at("history"))
            .operation_metadata(at("operation_metadata"))
            .overrides(at("overrides"))
    } else {
        let trace = AgenticApplicationTraceEntryParam::new(
            12_i64,
            "node_1",
            "the input",
            "the output",
            "completion",
            "2024-11-07T05:31:56Z",
            "workflow_1",
        )
        .operation_metadata(object(json!({"model": "gpt-4o"})));
        let overrides = AgenticApplicationOverridesParam::new()
            .concurrent(true)
            .initial_state(AgenticApplicationInitialState::new("start", object(json!({"step": 0}))))
            .partial_trace(vec![trace])
            .use_channels(false);
        let history = ApplicationVariantHistoryEntryParam::new("Hi", "Hello! How can I help?")
            .session_data(object(json!({"turn": 1})));
        ApplicationVariantV1EvaluationTaskConfigurationParam::new(variant, object(json!({"question": "item.input"})))
            .history(vec![history])
            .operation_metadata(object(json!({"source": "conformance"})))
            .overrides(overrides)
    };
    ApplicationVariantV1EvaluationTaskParam::new(configuration)
        .alias("variant")
        .into()
}

/// The three body shapes, each with every task type and every optional field set.
fn create_evaluation_bodies(locators: bool) -> [(&'static str, EvaluationCreateRequest); 3] {
    let data = || {
        vec![
            object(json!({"input": "How do I reset my password?", "expected_output": "Open Settings."})),
            object(json!({"input": "Can I export invoices?", "expected_output": "Yes, as CSV."})),
        ]
    };
    let tags = || vec!["conformance".to_string()];
    let standalone = EvaluationStandaloneCreateRequest::new("standalone", data())
        .description("items given inline")
        .tags(tags())
        .tasks(every_task_type(locators));
    let mut reviewed = EvaluationDatasetItemReference::new("dsitem_01jc9w2f3g6h9j2k5m8n1p4q7s");
    reviewed
        .additional_properties
        .insert("reviewer".to_string(), json!("alice"));
    let from_dataset = EvaluationFromDatasetCreateRequest::new("from dataset", DATASET_ID)
        .description("items from a dataset")
        .data(vec![EvaluationDatasetItemReference::new(DATASET_ITEM_ID), reviewed])
        .tags(tags())
        .tasks(every_task_type(locators));
    let dataset = EvaluationDatasetParam::new("saved items")
        .description("items saved as a new dataset")
        .keys(vec!["input".to_string(), "expected_output".to_string()])
        .tags(tags());
    let with_dataset = EvaluationWithDatasetCreateRequest::new("with dataset", data(), dataset)
        .description("items given inline and saved")
        .tags(tags())
        .tasks(every_task_type(locators));
    [
        ("standalone", standalone.into()),
        ("from_dataset", from_dataset.into()),
        ("with_dataset", with_dataset.into()),
    ]
}

// ------------------------------------------------------------------------------------------------
// Coverage, read from what went over the wire
// ------------------------------------------------------------------------------------------------

/// Every operation answered with 2xx, every query parameter sent, `views` sent comma-joined,
/// every Create Evaluation shape with every task type, and a multipart upload.
fn check_coverage(session: &mut Session) {
    let mut answered: BTreeSet<&str> = BTreeSet::new();
    let mut parameters: BTreeSet<(String, String)> = BTreeSet::new();
    let mut comma_joined: BTreeSet<String> = BTreeSet::new();
    let mut shapes_and_tasks: BTreeSet<(String, String)> = BTreeSet::new();
    let mut multipart = false;
    for exchange in session.exchanges() {
        let Some(op) = spec::operation_for(&exchange.method, exchange.path()) else {
            continue;
        };
        if (200..300).contains(&exchange.status) {
            answered.insert(op.id.as_str());
        }
        for (name, value) in exchange.query_pairs() {
            if name == "views" && value.contains(',') {
                comma_joined.insert(op.id.clone());
            }
            parameters.insert((op.id.clone(), name));
        }
        if op.id == "createEvaluation" {
            shapes_and_tasks.extend(shapes_and_task_types(&exchange.request_body));
        }
        if op.id == "uploadFile" {
            let content_type = exchange.request_header("content-type").unwrap_or_default();
            multipart |= content_type.starts_with("multipart/form-data; boundary=");
        }
    }
    let mut missing = Vec::new();
    for op in spec::operations() {
        if !answered.contains(op.id.as_str()) {
            missing.push(format!("operation {} was not answered with 2xx", op.id));
        }
        for name in &op.query {
            if !parameters.contains(&(op.id.clone(), name.clone())) {
                missing.push(format!("query parameter `{name}` of {} was never sent", op.id));
            }
        }
    }
    assert_eq!(spec::operations().len(), 30, "the spec has 30 operations");
    for op in ["listEvaluations", "listQuestionSets"] {
        if !comma_joined.contains(op) {
            missing.push(format!("{op}: `views` was never sent comma-joined"));
        }
    }
    for shape in ["standalone", "from_dataset", "with_dataset"] {
        for task in ["chat_completion", "inference", "application_variant"] {
            if !shapes_and_tasks.contains(&(shape.to_string(), task.to_string())) {
                missing.push(format!("createEvaluation: no {shape} body with a {task} task"));
            }
        }
    }
    if !multipart {
        missing.push("uploadFile: no multipart/form-data request".to_string());
    }
    for message in missing {
        session.fail(format!("coverage: {message}"));
    }
}

/// The body shape of a Create Evaluation request (by its keys) paired with each task type in it.
fn shapes_and_task_types(body: &[u8]) -> Vec<(String, String)> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let shape = if body.get("dataset_id").is_some() {
        "from_dataset"
    } else if body.get("dataset").is_some() {
        "with_dataset"
    } else {
        "standalone"
    };
    body["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|task| task["task_type"].as_str())
        .map(|task| (shape.to_string(), task.to_string()))
        .collect()
}
