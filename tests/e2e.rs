//! End-to-end tests of the generated `sgp-evals` client against a wiremock server on 127.0.0.1.
//!
//! - One test per operation (30): the spec's own request and 200-response examples go through
//!   the client; the request on the wire (method, raw path, query, credentials, content type,
//!   JSON body) and the decoded result (serialized back) must match the examples. Which operations
//!   these tests call is read from the requests the servers received (method and path template),
//!   and must be every operation of the spec.
//! - The "Create Evaluation" docs page: its request built with the generated constructors and
//!   setters, its response decoded into `Evaluation`.
//! - Query and path parameter encoding, errors (status, decode, invalid request, config, connect),
//!   forward compatibility (unknown enum values, fields and task types), and that the API key never
//!   shows up in `Debug` or `Display` output.

#[path = "e2e_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use sgp_evals::types::{
    AgenticApplicationOverridesParam, ApplicationVariantHistoryEntryParam,
    ApplicationVariantV1EvaluationTaskConfigurationParam, ApplicationVariantV1EvaluationTaskParam,
    ChatCompletionEvaluationTask, ChatCompletionEvaluationTaskConfiguration,
    ChatCompletionEvaluationTaskConfigurationParam, ChatCompletionEvaluationTaskParam, ChatCompletionTaskType, Dataset,
    DatasetCreateRequest, DatasetItemBatchCreateRequest, DatasetItemUpdateRequest, DatasetObject, DatasetUpdateRequest,
    ErrorDetail, ErrorResponse, Evaluation, EvaluationCreateRequest, EvaluationDatasetItemReference,
    EvaluationDatasetParam, EvaluationFromDatasetCreateRequest, EvaluationObject, EvaluationStandaloneCreateRequest,
    EvaluationStatus, EvaluationTask, EvaluationTaskParam, EvaluationView, EvaluationWithDatasetCreateRequest,
    FileUpdateRequest, GenericInferenceEvaluationTaskConfigurationParam, GenericInferenceEvaluationTaskParam,
    IntegerOrItemLocator, LaunchInferenceConfigurationParam, QuestionCreateRequest, QuestionSetCreateRequest,
    QuestionSetQuestionRef, QuestionSetRestoreRequest, QuestionSetUpdateRequest, QuestionSetView, QuestionType,
    ValidationErrorDetailLocItem,
};
use sgp_evals::{Client, Error, ErrorKind, FileUpload};
use support::spec;
use support::{
    assert_credentials, assert_json_eq, assert_query, assert_request, check, check_with_body, json_response,
    multipart_parts, to_json, Expect, Harness, ACCOUNT_ID, API_KEY,
};
use wiremock::{MockServer, ResponseTemplate};

/// The tests that exercise the spec's operations one by one (each is a `#[tokio::test]` of its own
/// below). [`every_spec_operation_is_exercised_on_the_wire`] runs them again and reads which
/// operations they called from the requests that reached the servers, not from these names.
const OPERATION_TESTS: &[fn()] = &[
    create_evaluation,
    list_evaluations,
    get_evaluation,
    archive_evaluation,
    list_evaluation_items,
    get_evaluation_item,
    create_dataset,
    list_datasets,
    get_dataset,
    update_dataset,
    delete_dataset,
    list_dataset_items,
    batch_create_dataset_items,
    get_dataset_item,
    update_dataset_item,
    delete_dataset_item,
    create_question_set,
    list_question_sets,
    get_question_set,
    update_question_set,
    delete_question_set,
    create_question,
    list_questions,
    get_question,
    upload_file,
    list_files,
    get_file,
    update_file,
    delete_file,
    get_file_content,
];

const EVALUATION_ID: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";
const EVALUATION_ITEM_ID: &str = "evitem_01jcf8t4a2b5c8d1e4f7g0h3j6";
const DATASET_ID: &str = "dataset_01jc9w2e5r8t1y4v7k0m3p6a9s";
const DATASET_ITEM_ID: &str = "dsitem_01jc9w2f3g6h9j2k5m8n1p4q7r";
const QUESTION_SET_ID: &str = "qset_01jc7a3c4d5e6f7g8h9j0k1m2n";
const QUESTION_ID: &str = "question_01jc7a2b3c4d5e6f7g8h9j0k1m";
const FILE_ID: &str = "file_01jcb3h7k2m5n8p1q4r7s0t3v6";
/// Cursor values (the spec's parameter examples).
const AFTER: &str = "eval_01jcd2m8x4v7b1n5q9t3w6y2z8";
const BEFORE: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";

/// Every request the operation tests sent is mapped to its operation (method and path template);
/// together they must call each operation of the spec, and nothing that is not one.
#[test]
fn every_spec_operation_is_exercised_on_the_wire() {
    let received = support::recording_requests(|| OPERATION_TESTS.iter().for_each(|test| test()));
    let mut exercised = BTreeSet::new();
    let mut unknown = Vec::new();
    for (method, path) in &received {
        match spec::operation_for(method, path) {
            Some(op) => {
                exercised.insert(op.id);
            }
            None => unknown.push(format!("{method} {path}")),
        }
    }
    assert!(
        unknown.is_empty(),
        "requests that match no operation of the spec: {unknown:?}"
    );
    let in_spec: BTreeSet<String> = spec::operations().into_iter().map(|op| op.id).collect();
    assert_eq!(in_spec.len(), 30, "{in_spec:?}");
    let missing: Vec<&String> = in_spec.difference(&exercised).collect();
    assert!(missing.is_empty(), "operations no test called: {missing:?}");
    assert_eq!(exercised, in_spec);
}

#[test]
fn normalize_erases_only_null_keys_and_number_representation() {
    let normalized = support::normalize;
    assert_eq!(
        normalized(json!({"a": null, "b": 1, "c": [1.0, {"d": null}]})),
        normalized(json!({"b": 1.0, "c": [1, {}]}))
    );
    // Still different: another number, a string for a number, a null array element, order.
    assert_ne!(normalized(json!({"b": 1})), normalized(json!({"b": 2})));
    assert_ne!(normalized(json!({"b": 1})), normalized(json!({"b": "1"})));
    assert_ne!(normalized(json!([null])), normalized(json!([])));
    assert_ne!(normalized(json!([1, 2])), normalized(json!([2, 1])));
    assert_ne!(normalized(json!({"b": false})), normalized(json!({})));
}

// ------------------------------------------------------------------------------------------------
// Evaluations
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_evaluation() {
    check_with_body(
        Expect::new("createEvaluation", "/v5/evaluations"),
        |client, body: EvaluationCreateRequest| client.evaluations().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_evaluations() {
    check(
        Expect::new("listEvaluations", "/v5/evaluations").query(&format!(
            "limit=2&starting_after={AFTER}&ending_before={BEFORE}&include_archived=true&views=tasks"
        )),
        |client| {
            client
                .evaluations()
                .list()
                .limit(2)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .include_archived(true)
                .views(vec![EvaluationView::Tasks])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_evaluation() {
    check(
        Expect::new("getEvaluation", format!("/v5/evaluations/{EVALUATION_ID}"))
            .query("include_archived=false&views=tasks"),
        |client| async move {
            // Awaiting the builder directly (IntoFuture) is the same as `.send().await`.
            client
                .evaluations()
                .get(EVALUATION_ID)
                .include_archived(false)
                .views(vec![EvaluationView::Tasks])
                .await
        },
    )
    .await;
}

#[tokio::test]
async fn archive_evaluation() {
    check(
        Expect::new("archiveEvaluation", format!("/v5/evaluations/{EVALUATION_ID}")),
        |client| client.evaluations().archive(EVALUATION_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Evaluation items
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_evaluation_items() {
    check(
        Expect::new("listEvaluationItems", "/v5/evaluation-items").query(&format!(
            "limit=1&starting_after={AFTER}&ending_before={BEFORE}&evaluation_id={EVALUATION_ID}&include_archived=true"
        )),
        |client| {
            client
                .evaluation_items()
                .list()
                .limit(1)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .evaluation_id(EVALUATION_ID)
                .include_archived(true)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_evaluation_item() {
    check(
        Expect::new(
            "getEvaluationItem",
            format!("/v5/evaluation-items/{EVALUATION_ITEM_ID}"),
        )
        .query("include_archived=true"),
        |client| {
            client
                .evaluation_items()
                .get(EVALUATION_ITEM_ID)
                .include_archived(true)
                .send()
        },
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Datasets
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_dataset() {
    check_with_body(
        Expect::new("createDataset", "/v5/datasets"),
        |client, body: DatasetCreateRequest| client.datasets().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_datasets() {
    check(
        Expect::new("listDatasets", "/v5/datasets").query(&format!(
            "limit=10&starting_after={AFTER}&ending_before={BEFORE}&include_archived=false"
        )),
        |client| {
            client
                .datasets()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .include_archived(false)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_dataset() {
    check(
        Expect::new("getDataset", format!("/v5/datasets/{DATASET_ID}")).query("include_archived=true"),
        |client| client.datasets().get(DATASET_ID).include_archived(true).send(),
    )
    .await;
}

#[tokio::test]
async fn update_dataset() {
    check_with_body(
        Expect::new("updateDataset", format!("/v5/datasets/{DATASET_ID}")),
        |client, body: DatasetUpdateRequest| client.datasets().update(DATASET_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn delete_dataset() {
    check(
        Expect::new("deleteDataset", format!("/v5/datasets/{DATASET_ID}")),
        |client| client.datasets().delete(DATASET_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Dataset items
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_dataset_items() {
    check(
        Expect::new("listDatasetItems", "/v5/dataset-items").query(&format!(
            "limit=1&starting_after={AFTER}&ending_before={BEFORE}&dataset_id={DATASET_ID}&include_archived=false&version=3"
        )),
        |client| {
            client
                .dataset_items()
                .list()
                .limit(1)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .dataset_id(DATASET_ID)
                .include_archived(false)
                .version(3)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn batch_create_dataset_items() {
    check_with_body(
        Expect::new("batchCreateDatasetItems", "/v5/dataset-items/batch"),
        |client, body: DatasetItemBatchCreateRequest| client.dataset_items().batch_create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn get_dataset_item() {
    check(
        Expect::new("getDatasetItem", format!("/v5/dataset-items/{DATASET_ITEM_ID}")).query("version=3"),
        |client| client.dataset_items().get(DATASET_ITEM_ID).version(3).send(),
    )
    .await;
}

#[tokio::test]
async fn update_dataset_item() {
    check_with_body(
        Expect::new("updateDatasetItem", format!("/v5/dataset-items/{DATASET_ITEM_ID}")),
        |client, body: DatasetItemUpdateRequest| client.dataset_items().update(DATASET_ITEM_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn delete_dataset_item() {
    check(
        Expect::new("deleteDatasetItem", format!("/v5/dataset-items/{DATASET_ITEM_ID}")),
        |client| client.dataset_items().delete(DATASET_ITEM_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Question sets
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_question_set() {
    check_with_body(
        Expect::new("createQuestionSet", "/v5/question-sets"),
        |client, body: QuestionSetCreateRequest| client.question_sets().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_question_sets() {
    check(
        Expect::new("listQuestionSets", "/v5/question-sets").query(&format!(
            "limit=10&starting_after={AFTER}&ending_before={BEFORE}&include_archived=true&views=questions"
        )),
        |client| {
            client
                .question_sets()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .include_archived(true)
                .views(vec![QuestionSetView::Questions])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_question_set() {
    check(
        Expect::new("getQuestionSet", format!("/v5/question-sets/{QUESTION_SET_ID}")).query("views=questions"),
        |client| {
            client
                .question_sets()
                .get(QUESTION_SET_ID)
                .views(vec![QuestionSetView::Questions])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn update_question_set() {
    check_with_body(
        Expect::new("updateQuestionSet", format!("/v5/question-sets/{QUESTION_SET_ID}")),
        |client, body: QuestionSetUpdateRequest| client.question_sets().update(QUESTION_SET_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn delete_question_set() {
    check(
        Expect::new("deleteQuestionSet", format!("/v5/question-sets/{QUESTION_SET_ID}")),
        |client| client.question_sets().delete(QUESTION_SET_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Questions
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_question() {
    check_with_body(
        Expect::new("createQuestion", "/v5/questions"),
        |client, body: QuestionCreateRequest| client.questions().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_questions() {
    check(
        Expect::new("listQuestions", "/v5/questions")
            .query(&format!("limit=3&starting_after={AFTER}&ending_before={BEFORE}")),
        |client| {
            client
                .questions()
                .list()
                .limit(3)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_question() {
    check(
        Expect::new("getQuestion", format!("/v5/questions/{QUESTION_ID}")),
        |client| client.questions().get(QUESTION_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn upload_file() {
    let op = spec::operation("uploadFile");
    assert_eq!((op.method.as_str(), op.path.as_str()), ("POST", "/v5/files"));
    let (request_type, requests) = spec::request_examples("uploadFile");
    assert_eq!(request_type, "multipart/form-data");
    let (_, responses) = spec::response_examples("uploadFile", "200");
    for round in 0..requests.len().max(responses.len()) {
        let (request_name, request_example) = &requests[round % requests.len()];
        let (response_name, response_example) = &responses[round % responses.len()];
        let context = format!("uploadFile (request example `{request_name}`, response example `{response_name}`)");
        let content = request_example["file"].as_str().expect("the example's file is text");

        let harness = Harness::start().await;
        harness
            .expect_call("POST", "/v5/files", json_response(response_example))
            .await;
        let upload = FileUpload::new("support-questions.csv", content.as_bytes()).content_type("text/csv");
        let file = harness.client.files().upload(upload).await.unwrap();
        let request = harness.the_request().await;

        assert_eq!(request.url.path(), "/v5/files", "{context}");
        assert_query(&request, None, &context);
        assert_credentials(&request, &context);
        let parts = multipart_parts(&request);
        assert_eq!(parts.len(), 1, "{context}: one part");
        let headers: Vec<String> = parts[0].headers.iter().map(|h| h.to_ascii_lowercase()).collect();
        assert_eq!(
            headers,
            [
                r#"content-disposition: form-data; name="file"; filename="support-questions.csv""#,
                "content-type: text/csv",
            ],
            "{context}"
        );
        assert_eq!(parts[0].body, content.as_bytes(), "{context}: file bytes");
        assert_json_eq(&to_json(&file), response_example, &context);
    }
}

#[tokio::test]
async fn upload_file_without_content_type_sends_octet_stream() {
    let harness = Harness::start().await;
    let (_, responses) = spec::response_examples("uploadFile", "200");
    harness
        .expect_call("POST", "/v5/files", json_response(&responses[0].1))
        .await;
    let bytes = vec![0_u8, 159, 146, 150, 255, b'\r', b'\n'];
    harness
        .client
        .files()
        .upload(FileUpload::new("blob.bin", bytes.clone()))
        .await
        .unwrap();
    let parts = multipart_parts(&harness.the_request().await);
    assert_eq!(parts.len(), 1);
    assert_eq!(
        parts[0].headers[0],
        r#"Content-Disposition: form-data; name="file"; filename="blob.bin""#
    );
    assert_eq!(
        parts[0].headers[1].to_ascii_lowercase(),
        "content-type: application/octet-stream"
    );
    assert_eq!(parts[0].body, bytes);
}

#[tokio::test]
async fn list_files() {
    check(
        Expect::new("listFiles", "/v5/files").query(&format!("limit=10&starting_after={AFTER}&ending_before={BEFORE}")),
        |client| {
            client
                .files()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn get_file() {
    check(
        Expect::new("getFile", format!("/v5/files/{FILE_ID}")),
        |client| async move { client.files().get(FILE_ID).await },
    )
    .await;
}

#[tokio::test]
async fn update_file() {
    check_with_body(
        Expect::new("updateFile", format!("/v5/files/{FILE_ID}")),
        |client, body: FileUpdateRequest| client.files().update(FILE_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn delete_file() {
    check(Expect::new("deleteFile", format!("/v5/files/{FILE_ID}")), |client| {
        client.files().delete(FILE_ID).send()
    })
    .await;
}

#[tokio::test]
async fn get_file_content() {
    let op = spec::operation("getFileContent");
    assert_eq!(op.method, "GET");
    let (media_type, examples) = spec::response_examples("getFileContent", "200");
    assert_eq!(media_type, "application/octet-stream");
    let binary = vec![0_u8, 159, 146, 150, 255];
    let mut bodies: Vec<(String, Vec<u8>)> = examples
        .into_iter()
        .map(|(name, example)| (name, example.as_str().expect("a text example").as_bytes().to_vec()))
        .collect();
    bodies.push(("non-UTF-8 bytes".to_string(), binary));
    for (name, bytes) in bodies {
        let context = format!("getFileContent ({name})");
        let path = format!("/v5/files/{FILE_ID}/content");
        let harness = Harness::start().await;
        let response = ResponseTemplate::new(200).set_body_raw(bytes.clone(), "application/octet-stream");
        harness.expect_call("GET", &path, response).await;
        let content = harness.client.files().get_content(FILE_ID).send().await.unwrap();
        assert_eq!(content, bytes, "{context}");
        let request = harness.the_request().await;
        assert_request(&request, "GET", &Expect::new("getFileContent", path), None, &context);
    }
}

// ------------------------------------------------------------------------------------------------
// The "Create Evaluation" docs page
// ------------------------------------------------------------------------------------------------

/// The docs page's chat completion configuration, for both the request-side (`...Param`) and the
/// response-side configuration type, which share their setters.
macro_rules! docs_page_configuration {
    ($ty:ty) => {
        <$ty>::new("<string>", vec![Map::new()])
            .top_k(123_i64)
            .frequency_penalty(123.0)
            .function_call(Map::new())
            .functions(vec![Map::new()])
            .logit_bias(BTreeMap::<String, i64>::new())
            .logprobs(true)
            .max_completion_tokens(123_i64)
            .max_tokens(123_i64)
            .metadata(BTreeMap::<String, String>::new())
            .modalities(vec!["<string>".to_string()])
            .n(123_i64)
            .parallel_tool_calls(true)
            .prediction(Map::new())
            .presence_penalty(123.0)
            .reasoning_effort("<string>")
            .response_format(Map::new())
            .seed(123_i64)
            .stop("<string>")
            .store(true)
            .temperature(123.0)
            .tool_choice("<string>")
            .tools(vec![Map::new()])
            .top_logprobs(123_i64)
            .top_p(123.0)
            .audio(Map::new())
    };
}

/// The docs page's request body, built with the generated constructors and setters.
fn docs_page_request_in_rust() -> EvaluationCreateRequest {
    let configuration = docs_page_configuration!(ChatCompletionEvaluationTaskConfigurationParam);
    let task = ChatCompletionEvaluationTaskParam::new(configuration).alias("<string>");
    EvaluationStandaloneCreateRequest::new("<string>", vec![Map::new()])
        .description("<string>")
        .tags(vec!["<string>".to_string()])
        .tasks(vec![EvaluationTaskParam::from(task)])
        .into()
}

/// Finds a named example of the spec.
fn named<'a>(examples: &'a [spec::Example], name: &str) -> &'a Value {
    &examples
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no example `{name}`"))
        .1
}

#[tokio::test]
async fn docs_page_request_built_in_rust_matches_the_page_and_the_wire() {
    let page = support::docs_page_request();
    let (_, spec_examples) = spec::request_examples("createEvaluation");
    assert_eq!(
        named(&spec_examples, "docs_page"),
        &page,
        "the spec copies the docs page"
    );

    let body = docs_page_request_in_rust();
    assert_json_eq(&to_json(&body), &page, "docs page request built in Rust");

    let harness = Harness::start().await;
    harness
        .expect_call("POST", "/v5/evaluations", json_response(&support::docs_page_response()))
        .await;
    harness.client.evaluations().create(body).await.unwrap();
    let request = harness.the_request().await;
    let expect = Expect::new("createEvaluation", "/v5/evaluations");
    assert_request(&request, "POST", &expect, Some(&page), "docs page request");
}

#[tokio::test]
async fn docs_page_response_decodes_into_evaluation() {
    let page = support::docs_page_response();
    let (_, spec_examples) = spec::response_examples("createEvaluation", "200");
    assert_eq!(
        named(&spec_examples, "docs_page"),
        &page,
        "the spec copies the docs page"
    );

    let harness = Harness::start().await;
    harness
        .expect_call("POST", "/v5/evaluations", json_response(&page))
        .await;
    let evaluation: Evaluation = harness
        .client
        .evaluations()
        .create(docs_page_request_in_rust())
        .await
        .unwrap();
    assert_json_eq(
        &to_json(&evaluation),
        &page,
        "docs page response, decoded and re-serialized",
    );

    // The same value built with the constructors. Every timestamp on the page is the same
    // instant; building one needs `chrono`, which this crate does not depend on, so the decoded
    // one is checked as text and reused (the comparison below then checks all the others).
    let at = evaluation.created_at;
    assert_eq!(at.to_rfc3339(), "2023-11-07T05:31:56+00:00");
    let dataset = Dataset::new(
        "<string>",
        "<string>",
        at,
        "<string>",
        vec!["<string>".to_string()],
        123,
    )
    .description("<string>")
    .archived_at(at);
    let task = ChatCompletionEvaluationTask::new(docs_page_configuration!(ChatCompletionEvaluationTaskConfiguration))
        .alias("<string>");
    let expected = Evaluation::new(
        "<string>",
        "<string>",
        at,
        "<string>",
        vec!["<string>".to_string()],
        vec![dataset],
        EvaluationStatus::Failed,
    )
    .description("<string>")
    .archived_at(at)
    .tasks(vec![EvaluationTask::from(task)]);
    assert_eq!(evaluation, expected);
    assert_eq!(evaluation.object, Some(EvaluationObject::Evaluation));
    assert_eq!(evaluation.datasets[0].object, Some(DatasetObject::Dataset));
    let Some([EvaluationTask::ChatCompletion(task)]) = evaluation.tasks.as_deref() else {
        panic!("one chat completion task: {:?}", evaluation.tasks)
    };
    assert_eq!(task.task_type, Some(ChatCompletionTaskType::ChatCompletion));
    assert_eq!(task.configuration.top_k, Some(IntegerOrItemLocator::Integer(123)));
}

/// A JSON object from a `json!` literal.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[tokio::test]
async fn spec_create_evaluation_shapes_built_in_rust() {
    let (_, examples) = spec::request_examples("createEvaluation");

    let chat = ChatCompletionEvaluationTaskConfigurationParam::new(
        "gpt-4o",
        vec![
            object(json!({"role": "system", "content": "You are a concise support agent."})),
            object(json!({"role": "user", "content": "item.input"})),
        ],
    )
    .temperature(0.2)
    .max_tokens(512_i64);
    let standalone = EvaluationStandaloneCreateRequest::new(
        "Support bot regression - November",
        vec![
            object(json!({
                "input": "How do I reset my password?",
                "expected_output": "Open Settings, then Security, then choose Reset password.",
            })),
            object(json!({
                "input": "Can I export my invoices as CSV?",
                "expected_output": "Yes. Billing, then Invoices, then Export as CSV.",
            })),
        ],
    )
    .description("Answers of gpt-4o to the golden support questions.")
    .tags(vec!["support".to_string(), "regression".to_string()])
    .tasks(vec![ChatCompletionEvaluationTaskParam::new(chat)
        .alias("gpt4o_answer")
        .into()]);

    let mut reviewed = EvaluationDatasetItemReference::new("dsitem_01jc9w2f3g6h9j2k5m8n1p4q7s");
    reviewed
        .additional_properties
        .insert("reviewer".to_string(), json!("alice"));
    let inference = GenericInferenceEvaluationTaskConfigurationParam::new("llama-3-8b-support")
        .args(object(json!({"prompt": "item.input"})))
        .inference_configuration(
            LaunchInferenceConfigurationParam::new()
                .num_retries(2)
                .timeout_seconds(30),
        );
    let from_dataset = EvaluationFromDatasetCreateRequest::new("Support bot regression - December", DATASET_ID)
        .data(vec![EvaluationDatasetItemReference::new(DATASET_ITEM_ID), reviewed])
        .tasks(vec![GenericInferenceEvaluationTaskParam::new(inference)
            .alias("launch_answer")
            .into()]);

    let variant = ApplicationVariantV1EvaluationTaskConfigurationParam::new(
        "appvar_01jca1b2c3d4e5f6g7h8j9k0m1",
        "item.input".to_string(),
    )
    .history(vec![ApplicationVariantHistoryEntryParam::new(
        "Hi",
        "Hello! How can I help you today?",
    )])
    .overrides(
        AgenticApplicationOverridesParam::new()
            .concurrent(false)
            .use_channels(true),
    );
    let with_dataset = EvaluationWithDatasetCreateRequest::new(
        "Onboarding assistant smoke test",
        vec![object(json!({
            "input": "What is the first step of onboarding?",
            "expected_output": "Verify your email address.",
            "locale": "en-US",
        }))],
        EvaluationDatasetParam::new("Onboarding golden set")
            .description("Hand-written onboarding questions.")
            .keys(vec!["input".to_string(), "expected_output".to_string()])
            .tags(vec!["onboarding".to_string()]),
    )
    .tasks(vec![ApplicationVariantV1EvaluationTaskParam::new(variant).into()]);

    let built: [(&str, EvaluationCreateRequest); 3] = [
        ("standalone", standalone.into()),
        ("from_dataset", from_dataset.into()),
        ("with_dataset", with_dataset.into()),
    ];
    let (_, responses) = spec::response_examples("createEvaluation", "200");
    for (name, body) in built {
        let example = named(&examples, name);
        assert_json_eq(&to_json(&body), example, &format!("`{name}` built in Rust"));
        let harness = Harness::start().await;
        harness
            .expect_call("POST", "/v5/evaluations", json_response(named(&responses, "created")))
            .await;
        harness.client.evaluations().create(body).await.unwrap();
        let request = harness.the_request().await;
        let expect = Expect::new("createEvaluation", "/v5/evaluations");
        assert_request(&request, "POST", &expect, Some(example), name);
    }
}

#[tokio::test]
async fn undeclared_chat_completion_keys_are_sent_as_given() {
    let mut configuration =
        ChatCompletionEvaluationTaskConfigurationParam::new("gpt-4o", "item.messages".to_string()).max_tokens(256_i64);
    configuration
        .additional_properties
        .insert("verbosity".to_string(), json!({"level": "low"}));
    let task = ChatCompletionEvaluationTaskParam::new(configuration);
    let body = EvaluationStandaloneCreateRequest::new("extra keys", vec![object(json!({"input": "hi"}))])
        .tasks(vec![task.into()]);
    let expected = json!({
        "name": "extra keys",
        "data": [{"input": "hi"}],
        "tasks": [{
            "task_type": "chat_completion",
            "configuration": {
                "model": "gpt-4o",
                "messages": "item.messages",
                "max_tokens": 256,
                "verbosity": {"level": "low"},
            },
        }],
    });
    let harness = Harness::start().await;
    let (_, responses) = spec::response_examples("createEvaluation", "200");
    harness
        .expect_call("POST", "/v5/evaluations", json_response(&responses[0].1))
        .await;
    harness.client.evaluations().create(body).await.unwrap();
    let request = harness.the_request().await;
    let expect = Expect::new("createEvaluation", "/v5/evaluations");
    assert_request(&request, "POST", &expect, Some(&expected), "extra configuration keys");
}

#[tokio::test]
async fn requests_can_run_on_spawned_tasks() {
    let harness = Harness::start().await;
    let file = spec::response_examples("getFile", "200").1.remove(0).1;
    let dataset = spec::response_examples("getDataset", "200").1.remove(0).1;
    let file_path = format!("/v5/files/{FILE_ID}");
    let dataset_path = format!("/v5/datasets/{DATASET_ID}");
    harness.expect_call("GET", &file_path, json_response(&file)).await;
    harness.expect_call("GET", &dataset_path, json_response(&dataset)).await;
    // Both futures must be `Send + 'static` for `tokio::spawn`.
    let files = tokio::spawn(harness.client.files().get(FILE_ID).send());
    let datasets = tokio::spawn(std::future::IntoFuture::into_future(
        harness.client.datasets().get(DATASET_ID),
    ));
    let (file_result, dataset_result) = (files.await.unwrap().unwrap(), datasets.await.unwrap().unwrap());
    assert_json_eq(&to_json(&file_result), &file, "spawned getFile");
    assert_json_eq(&to_json(&dataset_result), &dataset, "spawned getDataset");
    harness.server.verify().await;
}

// ------------------------------------------------------------------------------------------------
// Union request bodies: each spec example lands in the member it was written for
// ------------------------------------------------------------------------------------------------

#[test]
fn request_examples_pick_the_intended_union_member() {
    let (_, examples) = spec::request_examples("createEvaluation");
    for (name, example) in &examples {
        let body: EvaluationCreateRequest = serde_json::from_value(example.clone()).unwrap();
        let (shape, task_type) = match &body {
            EvaluationCreateRequest::Standalone(b) => ("standalone", b.tasks.as_deref()),
            EvaluationCreateRequest::FromDataset(b) => ("from_dataset", b.tasks.as_deref()),
            EvaluationCreateRequest::WithDataset(b) => ("with_dataset", b.tasks.as_deref()),
        };
        let expected_shape = if name == "docs_page" {
            "standalone"
        } else {
            name.as_str()
        };
        assert_eq!(shape, expected_shape, "createEvaluation example `{name}`");
        let task = &task_type.expect("every example has tasks")[0];
        let member = match task {
            EvaluationTaskParam::ChatCompletion(_) => "chat_completion",
            EvaluationTaskParam::Inference(_) => "inference",
            EvaluationTaskParam::ApplicationVariant(_) => "application_variant",
            _ => "unknown",
        };
        assert_eq!(member, example["tasks"][0]["task_type"], "task of example `{name}`");
    }

    let (_, examples) = spec::request_examples("updateQuestionSet");
    let rename: QuestionSetUpdateRequest = serde_json::from_value(named(&examples, "rename").clone()).unwrap();
    assert!(matches!(rename, QuestionSetUpdateRequest::Patch(_)), "{rename:?}");
    let restore: QuestionSetUpdateRequest = serde_json::from_value(named(&examples, "restore").clone()).unwrap();
    assert_eq!(restore, QuestionSetRestoreRequest::new(true).into());

    let (_, examples) = spec::request_examples("createQuestionSet");
    let body: QuestionSetCreateRequest = serde_json::from_value(examples[0].1.clone()).unwrap();
    let members: Vec<&str> = body
        .questions
        .iter()
        .map(|question| match question {
            QuestionSetQuestionRef::String(_) => "id",
            QuestionSetQuestionRef::IdWithConfigParam(_) => "id with config",
            QuestionSetQuestionRef::CreateWithConfigParam(_) => "new question",
        })
        .collect();
    assert_eq!(members, ["id", "id with config", "new question"]);
}

// ------------------------------------------------------------------------------------------------
// Query and path parameters
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn list_operations_without_parameters_send_no_query_string() {
    check(Expect::new("listEvaluations", "/v5/evaluations"), |client| {
        // An empty `views` list sends nothing either.
        client.evaluations().list().views(Vec::new()).send()
    })
    .await;
    check(Expect::new("listEvaluationItems", "/v5/evaluation-items"), |client| {
        client.evaluation_items().list().send()
    })
    .await;
    check(Expect::new("listDatasets", "/v5/datasets"), |client| {
        client.datasets().list().send()
    })
    .await;
    check(Expect::new("listDatasetItems", "/v5/dataset-items"), |client| {
        client.dataset_items().list().send()
    })
    .await;
    check(Expect::new("listQuestionSets", "/v5/question-sets"), |client| {
        client.question_sets().list().send()
    })
    .await;
    check(Expect::new("listQuestions", "/v5/questions"), |client| {
        client.questions().list().send()
    })
    .await;
    check(Expect::new("listFiles", "/v5/files"), |client| {
        client.files().list().send()
    })
    .await;
}

#[tokio::test]
async fn array_query_parameters_are_comma_joined() {
    check(
        Expect::new("listEvaluations", "/v5/evaluations").query("views=tasks,tasks"),
        |client| {
            let views = vec![EvaluationView::Tasks, EvaluationView::Tasks];
            client.evaluations().list().views(views).send()
        },
    )
    .await;
    check(
        Expect::new("getQuestionSet", format!("/v5/question-sets/{QUESTION_SET_ID}"))
            .query("views=questions,questions"),
        |client| {
            let views = vec![QuestionSetView::Questions, QuestionSetView::Questions];
            client.question_sets().get(QUESTION_SET_ID).views(views).send()
        },
    )
    .await;
}

#[tokio::test]
async fn query_values_are_percent_encoded() {
    check(
        Expect::new("listEvaluationItems", "/v5/evaluation-items")
            .query("starting_after=a%20b%26c%3Dd%2Fe&evaluation_id=%C3%A9val%2B1%2C2"),
        |client| {
            client
                .evaluation_items()
                .list()
                .starting_after("a b&c=d/e")
                .evaluation_id("éval+1,2")
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let harness = Harness::start().await;
    let example = |op: &str| spec::response_examples(op, "200").1.remove(0).1;
    let cases = [
        ("GET", "/v5/evaluations/team%2Feval%201", example("getEvaluation")),
        ("DELETE", "/v5/dataset-items/a%3Fb%23c", example("deleteDatasetItem")),
        ("GET", "/v5/files/100%25%20%C3%A9t%C3%A9/content", json!(null)),
    ];
    for (http_method, path, body) in &cases {
        let response = match body {
            Value::Null => ResponseTemplate::new(200).set_body_raw(b"x".to_vec(), "application/octet-stream"),
            body => json_response(body),
        };
        harness.expect_call(http_method, path, response).await;
    }
    harness.client.evaluations().get("team/eval 1").await.unwrap();
    harness.client.dataset_items().delete("a?b#c").await.unwrap();
    harness.client.files().get_content("100% été").await.unwrap();
    harness.server.verify().await;
    let paths: Vec<String> = harness
        .received()
        .await
        .iter()
        .map(|r| r.url.path().to_string())
        .collect();
    let expected: Vec<&str> = cases.iter().map(|(_, path, _)| *path).collect();
    assert_eq!(paths, expected);
}

#[tokio::test]
async fn empty_or_dot_path_parameters_are_rejected_before_sending() {
    let harness = Harness::start().await;
    let client = &harness.client;
    let errors = [
        (
            "getEvaluation",
            "evaluation_id",
            client.evaluations().get("").await.unwrap_err(),
        ),
        (
            "getFileContent",
            "file_id",
            client.files().get_content("").await.unwrap_err(),
        ),
        (
            "updateQuestionSet",
            "question_set_id",
            client
                .question_sets()
                .update("", QuestionSetRestoreRequest::new(true))
                .await
                .unwrap_err(),
        ),
        (
            "deleteDataset",
            "dataset_id",
            client.datasets().delete("..").await.unwrap_err(),
        ),
    ];
    for (operation_id, parameter, error) in &errors {
        assert_eq!(error.kind(), ErrorKind::InvalidRequest, "{error}");
        assert_eq!(error.operation_id(), Some(*operation_id));
        assert!(!error.request_sent());
        assert_eq!(error.status(), None);
        let shown = error.to_string();
        assert!(shown.contains(&format!("`{parameter}`")), "{shown}");
        assert!(shown.contains(operation_id), "{shown}");
    }
    assert!(harness.received().await.is_empty(), "nothing may reach the server");
}

// ------------------------------------------------------------------------------------------------
// Errors
// ------------------------------------------------------------------------------------------------

/// Serves one `GET /v5/evaluations/{id}` answer and returns the error of getting it (retries are
/// off: a 5xx would be retried, and `tests/faults.rs` covers that).
async fn get_evaluation_error(response: ResponseTemplate) -> Error {
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, response).await;
    let error = harness
        .client
        .evaluations()
        .get(EVALUATION_ID)
        .max_retries(0)
        .await
        .unwrap_err();
    harness.the_request().await;
    error
}

#[tokio::test]
async fn not_found_is_a_status_error_with_the_body() {
    let body = json!({"detail": "Evaluation not found"});
    let error = get_evaluation_error(ResponseTemplate::new(404).set_body_json(&body)).await;
    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(error.status(), Some(404));
    assert!(error.is_not_found());
    assert!(!error.is_rate_limited());
    assert!(error.request_sent());
    assert_eq!(error.operation_id(), Some("getEvaluation"));
    assert_eq!(error.body_json(), Some(&body));
    assert_eq!(error.body_json().unwrap()["detail"], "Evaluation not found");
    assert_eq!(error.body_text(), Some(r#"{"detail":"Evaluation not found"}"#));
    assert_eq!(error.decode_path(), None);
    let typed: ErrorResponse = error.body_as().expect("the body is an ErrorResponse");
    assert_eq!(
        typed.detail,
        Some(ErrorDetail::String("Evaluation not found".to_string()))
    );

    let shown = error.to_string();
    assert!(!shown.contains('\n'), "{shown}");
    assert!(
        shown.starts_with("GET /v5/evaluations/{evaluation_id} (getEvaluation): status 404"),
        "{shown}"
    );
    assert!(shown.contains("Evaluation not found"), "{shown}");
    assert!(!shown.contains(EVALUATION_ID), "ids stay out of the message: {shown}");
}

#[tokio::test]
async fn validation_error_has_a_typed_fastapi_detail_list() {
    let example = spec::component_response_examples("UnprocessableEntity").remove(0).1;
    let pretty = serde_json::to_string_pretty(&example).unwrap();
    assert!(pretty.contains('\n'));
    let harness = Harness::start().await;
    let response = ResponseTemplate::new(422).set_body_raw(pretty.clone().into_bytes(), "application/json");
    harness.expect_call("POST", "/v5/datasets", response).await;
    let error = harness
        .client
        .datasets()
        .create(DatasetCreateRequest::new("name", vec![Map::new()]))
        .await
        .unwrap_err();
    harness.the_request().await;

    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.operation_id(), Some("createDataset"));
    assert_eq!(error.body_json(), Some(&example));
    assert_eq!(error.body_text(), Some(pretty.as_str()));
    let typed: ErrorResponse = error.body_as().expect("the body is an ErrorResponse");
    let Some(ErrorDetail::ValidationErrorDetailList(details)) = &typed.detail else {
        panic!("a detail list: {typed:?}")
    };
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].msg, "Field required");
    assert_eq!(details[0].r#type, "missing");
    assert_eq!(
        details[0].loc,
        [
            ValidationErrorDetailLocItem::String("body".into()),
            ValidationErrorDetailLocItem::String("tasks".into()),
            ValidationErrorDetailLocItem::Integer(0),
            ValidationErrorDetailLocItem::String("configuration".into()),
            ValidationErrorDetailLocItem::String("model".into()),
        ]
    );
    let shown = error.to_string();
    assert!(!shown.contains('\n'), "a pretty body is shown on one line: {shown}");
    assert!(
        shown.starts_with("POST /v5/datasets (createDataset): status 422"),
        "{shown}"
    );
}

#[tokio::test]
async fn every_error_response_example_of_the_spec_decodes() {
    let cases = [
        ("BadRequest", "example", 400),
        ("NotFound", "example", 404),
        ("UnprocessableEntity", "example", 422),
        ("Error", "unauthorized", 401),
        ("Error", "rate_limited", 429),
        ("Error", "nested", 500),
    ];
    let mut seen = 0;
    for (component, name, status) in cases {
        let examples = spec::component_response_examples(component);
        let example = named(&examples, name);
        seen += 1;
        let context = format!("components/responses/{component} example `{name}` as {status}");
        let error = get_evaluation_error(ResponseTemplate::new(status).set_body_json(example)).await;
        assert_eq!(error.kind(), ErrorKind::Status, "{context}");
        assert_eq!(error.status(), Some(status), "{context}");
        assert_eq!(error.is_rate_limited(), status == 429, "{context}");
        assert_eq!(error.body_json(), Some(example), "{context}");
        let typed: ErrorResponse = error
            .body_as()
            .unwrap_or_else(|| panic!("{context}: not an ErrorResponse"));
        assert_json_eq(&to_json(&typed), example, &context);
    }
    let total: usize = ["BadRequest", "NotFound", "UnprocessableEntity", "Error"]
        .iter()
        .map(|component| spec::component_response_examples(component).len())
        .sum();
    assert_eq!(seen, total, "every error example of the spec is used");
}

#[tokio::test]
async fn non_json_error_body_is_kept_as_text() {
    let response = ResponseTemplate::new(502).set_body_raw(b"<html>Bad Gateway</html>\n".to_vec(), "text/html");
    let error = get_evaluation_error(response).await;
    assert_eq!(error.kind(), ErrorKind::Status);
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.body_json(), None);
    assert!(error.body_as::<ErrorResponse>().is_none());
    assert_eq!(error.body_text(), Some("<html>Bad Gateway</html>\n"));
    assert!(!error.to_string().contains('\n'));
}

/// The spec's `listEvaluations` example with `edit` applied, served and decoded.
async fn list_evaluations_error(edit: impl FnOnce(&mut Value)) -> Error {
    let mut page = spec::response_examples("listEvaluations", "200").1.remove(0).1;
    edit(&mut page);
    let harness = Harness::start().await;
    harness
        .expect_call("GET", "/v5/evaluations", json_response(&page))
        .await;
    let error = harness.client.evaluations().list().await.unwrap_err();
    harness.the_request().await;
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert_eq!(error.status(), Some(200));
    assert_eq!(error.operation_id(), Some("listEvaluations"));
    assert!(error.request_sent());
    assert_eq!(error.body_json(), None);
    assert_eq!(
        error.body_text().map(|t| serde_json::from_str::<Value>(t).unwrap()),
        Some(page),
        "the body is kept"
    );
    assert!(!error.to_string().contains('\n'), "{error}");
    error
}

/// Removes `created_at` from the first evaluation of the page.
fn drop_created_at(page: &mut Value) {
    page["items"][0].as_object_mut().unwrap().remove("created_at");
}

#[tokio::test]
async fn missing_required_field_is_a_decode_error_naming_the_field() {
    let error = list_evaluations_error(drop_created_at).await;
    let path = error.decode_path().expect("a decode path");
    assert!(path.starts_with("items[0]"), "{path}");
    let shown = error.to_string();
    assert!(shown.contains("created_at"), "{shown}");
    assert!(
        shown.starts_with("GET /v5/evaluations (listEvaluations): could not decode response at `items[0]"),
        "{shown}"
    );
}

#[tokio::test]
async fn missing_required_field_decode_path_ends_with_the_field() {
    let error = list_evaluations_error(drop_created_at).await;
    assert_eq!(error.decode_path(), Some("items[0].created_at"));
}

#[tokio::test]
async fn wrongly_typed_field_is_a_decode_error_at_its_path() {
    let error = list_evaluations_error(|page| {
        page["items"][1]["datasets"][0]["created_at"] = json!("yesterday");
    })
    .await;
    assert_eq!(error.decode_path(), Some("items[1].datasets[0].created_at"));
    let error = list_evaluations_error(|page| page["total"] = json!("fourteen")).await;
    assert_eq!(error.decode_path(), Some("total"));
}

#[tokio::test]
async fn malformed_or_empty_json_is_a_decode_error() {
    for body in [r#"{"id": "eval_1", "name": "#, "", "[]"] {
        let response = ResponseTemplate::new(200).set_body_raw(body.as_bytes().to_vec(), "application/json");
        let error = get_evaluation_error(response).await;
        assert_eq!(error.kind(), ErrorKind::Decode, "{body:?}: {error}");
        assert_eq!(error.status(), Some(200));
        assert_eq!(error.body_text(), Some(body));
        assert!(error.decode_path().is_some());
        assert!(!error.to_string().contains('\n'), "{error}");
    }
}

#[tokio::test]
async fn unknown_enum_values_fields_and_task_types_are_tolerated() {
    let mut evaluation = spec::response_examples("getEvaluation", "200").1.remove(0).1;
    evaluation["status"] = json!("paused");
    evaluation["priority"] = json!("high");
    evaluation["datasets"] = json!([{
        "id": DATASET_ID,
        "name": "Support golden set",
        "created_at": "2024-11-07T05:31:56Z",
        "created_by_user_id": "user_1",
        "tags": [],
        "current_version_num": 4,
        "row_count": 120,
    }]);
    // A key the chat completion configuration does not declare is kept (additionalProperties).
    evaluation["tasks"][0]["configuration"]["reasoning_summary"] = json!("auto");
    let agent_task = json!({
        "task_type": "agent_run",
        "alias": "agent",
        "configuration": {"agent_id": "agent_01", "max_steps": 8},
    });
    evaluation["tasks"].as_array_mut().unwrap().push(agent_task.clone());

    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, json_response(&evaluation)).await;
    let decoded = harness.client.evaluations().get(EVALUATION_ID).await.unwrap();

    assert_eq!(decoded.status, EvaluationStatus::Unknown("paused".to_string()));
    assert_eq!(decoded.status.as_str(), "paused");
    let tasks = decoded.tasks.as_deref().expect("tasks");
    let EvaluationTask::ChatCompletion(chat) = &tasks[0] else {
        panic!("a chat completion task: {:?}", tasks[0])
    };
    assert_eq!(
        chat.configuration.additional_properties.get("reasoning_summary"),
        Some(&json!("auto"))
    );
    assert_eq!(tasks[1], EvaluationTask::Unknown(agent_task));

    // Re-serialized: the same document without the undeclared `priority` and `row_count`, with
    // the unknown status and task kept as they came.
    let mut expected = evaluation.clone();
    expected.as_object_mut().unwrap().remove("priority");
    expected["datasets"][0].as_object_mut().unwrap().remove("row_count");
    assert_json_eq(&to_json(&decoded), &expected, "re-serialized evaluation");
}

#[tokio::test]
async fn unknown_question_type_is_kept() {
    let mut question = spec::response_examples("getQuestion", "200").1.remove(0).1;
    question["type"] = json!("ranking");
    let harness = Harness::start().await;
    let path = format!("/v5/questions/{QUESTION_ID}");
    harness.expect_call("GET", &path, json_response(&question)).await;
    let decoded = harness.client.questions().get(QUESTION_ID).await.unwrap();
    assert_eq!(decoded.r#type, QuestionType::Unknown("ranking".to_string()));
    assert_json_eq(&to_json(&decoded), &question, "re-serialized question");
}

#[tokio::test]
async fn tasks_without_task_type_are_matched_by_shape() {
    let mut evaluation = spec::response_examples("getEvaluation", "200").1.remove(0).1;
    evaluation["tasks"] = json!([
        {"alias": "chat", "configuration": {"model": "gpt-4o", "messages": "item.messages"}},
        {"configuration": {"model": "llama-3-8b", "args": {"prompt": "item.input"}}},
        {"configuration": {"application_variant_id": "appvar_01", "inputs": "item.input"}},
    ]);
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, json_response(&evaluation)).await;
    let decoded = harness.client.evaluations().get(EVALUATION_ID).await.unwrap();
    let kinds: Vec<&str> = decoded
        .tasks
        .as_deref()
        .unwrap()
        .iter()
        .map(|task| match task {
            EvaluationTask::ChatCompletion(_) => "chat_completion",
            EvaluationTask::Inference(_) => "inference",
            EvaluationTask::ApplicationVariant(_) => "application_variant",
            _ => "unknown",
        })
        .collect();
    assert_eq!(kinds, ["chat_completion", "inference", "application_variant"]);
    assert_json_eq(&to_json(&decoded), &evaluation, "no task_type is added");
}

#[tokio::test]
async fn task_without_task_type_but_with_application_variant_id_is_an_application_variant_task() {
    let mut evaluation = spec::response_examples("getEvaluation", "200").1.remove(0).1;
    // An application variant configuration that also carries a `model` key (the members are open,
    // so the inference member accepts it too and would drop `application_variant_id`).
    evaluation["tasks"] = json!([{"configuration": {
        "application_variant_id": "appvar_01",
        "inputs": "item.input",
        "model": "gpt-4o",
    }}]);
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, json_response(&evaluation)).await;
    let decoded = harness.client.evaluations().get(EVALUATION_ID).await.unwrap();
    let task = &decoded.tasks.as_deref().unwrap()[0];
    assert!(matches!(task, EvaluationTask::ApplicationVariant(_)), "{task:?}");
}

#[tokio::test]
async fn decode_path_reaches_inside_union_members() {
    let mut evaluation = spec::response_examples("getEvaluation", "200").1.remove(0).1;
    evaluation["tasks"][0]["configuration"]["model"] = json!(5);
    let error = get_evaluation_error(json_response(&evaluation)).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.decode_path(), Some("tasks[0].configuration.model"));
}

#[tokio::test]
async fn timestamps_accept_any_rfc3339_offset_and_precision() {
    let mut dataset = spec::response_examples("getDataset", "200").1.remove(0).1;
    dataset["created_at"] = json!("2024-11-07T07:31:56.123456+02:00");
    dataset["archived_at"] = json!("2024-11-08T00:00:00z");
    let harness = Harness::start().await;
    let path = format!("/v5/datasets/{DATASET_ID}");
    harness.expect_call("GET", &path, json_response(&dataset)).await;
    let decoded = harness.client.datasets().get(DATASET_ID).await.unwrap();
    assert_eq!(decoded.created_at.to_rfc3339(), "2024-11-07T05:31:56.123456+00:00");
    assert_eq!(decoded.archived_at.unwrap().to_rfc3339(), "2024-11-08T00:00:00+00:00");
}

#[tokio::test]
async fn a_known_task_type_with_a_broken_configuration_is_a_decode_error() {
    let mut evaluation = spec::response_examples("getEvaluation", "200").1.remove(0).1;
    evaluation["tasks"] = json!([{"task_type": "inference", "configuration": {"args": {}}}]);
    let error = get_evaluation_error(json_response(&evaluation)).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    let path = error.decode_path().unwrap();
    assert!(path.starts_with("tasks[0]"), "{path}");
    assert!(error.to_string().contains("model"), "{error}");
}

#[tokio::test]
async fn the_api_key_never_appears_in_debug_or_error_output() {
    let harness = Harness::start().await;
    harness
        .expect_call(
            "GET",
            "/v5/evaluations/e401",
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid API key"})),
        )
        .await;
    harness
        .expect_call(
            "GET",
            "/v5/evaluations/bad",
            ResponseTemplate::new(200).set_body_raw(b"{not json".to_vec(), "application/json"),
        )
        .await;
    let client = &harness.client;
    let status = client.evaluations().get("e401").await.unwrap_err();
    let decode = client.evaluations().get("bad").await.unwrap_err();
    let invalid = client.evaluations().get("").await.unwrap_err();
    let config = Client::builder().api_key(API_KEY).build().unwrap_err();
    let connect = closed_port_client().files().list().max_retries(0).await.unwrap_err();
    harness.server.verify().await;
    assert_eq!(status.kind(), ErrorKind::Status);
    assert_eq!(decode.kind(), ErrorKind::Decode);
    assert_eq!(invalid.kind(), ErrorKind::InvalidRequest);
    assert_eq!(config.kind(), ErrorKind::Config);
    assert_eq!(connect.kind(), ErrorKind::Connect);
    assert!(!connect.request_sent());

    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", client.evaluations()),
        format!("{:?}", client.evaluations().get(EVALUATION_ID)),
        format!("{:?}", Client::builder().api_key(API_KEY).account_id(ACCOUNT_ID)),
    ];
    for error in [&status, &decode, &invalid, &config, &connect] {
        shown.push(error.to_string());
        shown.push(format!("{error:?}"));
    }
    for text in &shown {
        assert!(!text.contains(API_KEY), "the API key leaked: {text}");
    }
    assert!(shown[0].contains("x-api-key"), "the header name may show: {}", shown[0]);
}

/// A client whose base URL is a 127.0.0.1 port nobody listens on.
fn closed_port_client() -> Client {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(format!("http://{address}"))
        .build()
        .unwrap()
}

// ------------------------------------------------------------------------------------------------
// Client construction
// ------------------------------------------------------------------------------------------------

#[test]
fn missing_api_key_names_the_setter_and_the_environment_variable() {
    for builder in [
        Client::builder().account_id(ACCOUNT_ID),
        Client::builder().account_id(ACCOUNT_ID).api_key(""),
    ] {
        let error = builder.base_url("http://127.0.0.1:9").build().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config);
        assert_eq!(error.operation_id(), None);
        assert!(!error.request_sent());
        let shown = error.to_string();
        assert!(shown.contains("api_key"), "{shown}");
        assert!(shown.contains("SGP_API_KEY"), "{shown}");
        assert!(!shown.contains("account_id"), "only what is missing: {shown}");
    }
}

#[test]
fn every_missing_credential_is_reported_at_once() {
    let error = Client::builder().build().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    let shown = error.to_string();
    for name in ["api_key", "SGP_API_KEY", "account_id", "SGP_ACCOUNT_ID"] {
        assert!(shown.contains(name), "{name} in {shown}");
    }
}

#[test]
fn invalid_base_urls_are_config_errors() {
    for url in ["", "not a url", "ftp://127.0.0.1/", "http://127.0.0.1:9/?x=1"] {
        let error = Client::builder()
            .api_key(API_KEY)
            .account_id(ACCOUNT_ID)
            .base_url(url)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{url:?}: {error}");
        assert!(!error.to_string().contains(API_KEY));
    }
}

#[tokio::test]
async fn base_url_may_have_a_path_prefix_and_a_trailing_slash() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(format!("{}/proxy/sgp/", server.uri()))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), format!("{}/proxy/sgp", server.uri()));
    let harness = Harness { server, client };
    let example = spec::response_examples("getFile", "200").1.remove(0).1;
    let path = format!("/proxy/sgp/v5/files/{FILE_ID}");
    harness.expect_call("GET", &path, json_response(&example)).await;
    harness.client.files().get(FILE_ID).await.unwrap();
    let request = harness.the_request().await;
    assert_eq!(request.url.path(), path);
    assert_credentials(&request, "prefixed base URL");
}
