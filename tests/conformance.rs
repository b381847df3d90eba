//! Conformance of the generated `sgp-evals` client to the spec, checked by a third party: Prism
//! (`@stoplight/prism-cli`, installed pinned into `target/tools/npm/` by `cargo xtask test`) serves
//! `openapi/sgp-evaluations.yaml` on 127.0.0.1 and validates every request against it.
//!
//! - The client drives all 56 operations (the 5 deprecated Question Sets ones too): every
//!   request example of the spec decoded into the typed body (and sent exactly as written), each
//!   Create Evaluation shape (standalone, from-dataset, with-dataset) with each of the 10 task
//!   types (chat completion, inference and application variant built with the constructors and
//!   setters, once with literal values in every optional field and once with item locators; the
//!   others from the spec's examples, the guided-decoding one with a run condition that nests
//!   every operator), each task type added on its own, partial update and restore, every
//!   question type, every widget type, every export format and method, every metadata-filter
//!   operator, every query parameter, array parameters comma-joined, the `x-project-id` header,
//!   the multipart upload, and file content asked for with and without `Accept:
//!   application/json` (the client hands the bytes over as they came).
//! - Prism must accept every request (no `sl-violations` header, no 4xx/5xx) and every response
//!   must decode into the typed result: Prism's example responses (whose recursive run condition
//!   must be read as conditions all the way down), and responses Prism generates from the
//!   schemas with four fixed seeds. Error responses (400, 404, 422, asked for with Prism's
//!   `Prefer: code=N`) must decode into `ErrorResponse` with a `detail`. Which operations and
//!   variants were covered is read from the wire and checked against the spec.
//! - Where Prism itself cannot produce a valid generated response for a self-referring schema
//!   (a 500 on a circular `$ref`, or a stand-in that is not a value), the call is reported as
//!   Prism's gap, not failed: see `support::prism_gap` and `support::faker_cut_off`.
//! - The harness must be able to fail: a Create Dataset without `name` and a `views` value outside
//!   the enum, sent through the runtime's escape hatch, must come back as violations.
//!
//! One Prism per mode or seed (the five run in parallel as separate tests); the calls of a session
//! run one after another. Prism is killed when its session is dropped, also on a panic. To see
//! every exchange: `CONFORMANCE_DUMP=1 cargo test -p integration-tests --test conformance -- --nocapture`.

#[path = "conformance_support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sgp_evals::runtime::{Method, Operation};
use sgp_evals::types::{
    AutoEvaluationGuidedDecodingEvaluationTaskConfiguration as GuidedDecodingConfiguration, DatasetCreateRequest,
    DatasetItemBatchCreateRequest, DatasetItemUpdateRequest, DatasetUpdateRequest, ErrorResponse, Evaluation,
    EvaluationCreateRequest, EvaluationDashboardCreateRequest, EvaluationDashboardUpdateRequest,
    EvaluationDashboardView, EvaluationDashboardWidgetCreateRequest, EvaluationDashboardWidgetUpdateRequest,
    EvaluationFilterRequest, EvaluationGroupCreateRequest, EvaluationGroupReplaceRequest, EvaluationGroupUpdateRequest,
    EvaluationGroupView, EvaluationItemExportRequest, EvaluationRunCondition, EvaluationTask, EvaluationTaskAddRequest,
    EvaluationTaskUpdateRequest, EvaluationUpdateRequest, EvaluationView, EvaluationWidgetType, ExportFormat,
    ExportMethod, FileImportFromCloudRequest, FileUpdateRequest, ListEvaluationItemsCompletionStatus,
    PartialDatasetUpdateRequest, PartialEvaluationUpdateRequest, QuestionCreateRequest, QuestionSetCreateRequest,
    QuestionSetUpdateRequest, QuestionSetView, QuestionUpdateRequest, RestoreRequest, RunConditionOperand, SortOrder,
};
use sgp_evals::{Error, FileUpload};
use support::bodies::{
    create_evaluation_bodies, every_task_type, object, same_json, task_type_of, typed, DATASET_ID, DATASET_ITEM_ID,
    FILE_ID,
};
use support::coverage::{check_coverage, check_operations_answered, condition_ops, MIN_CONDITION_DEPTH};
use support::prism::Mode;
use support::{spec, violation, Session};

/// The seeds of the dynamic-response runs. With 42 Prism cannot generate Evaluation lists (a
/// circular `$ref` in run conditions); with 106 its faker puts invalid stand-ins into
/// contributor-task layouts: both are recognised as Prism's failures, see `support::prism_gap`
/// and `support::faker_cut_off`.
const SEEDS: [u32; 4] = [1, 42, 20241107, 106];

const EVALUATION_ID: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";
const EVALUATION_ITEM_ID: &str = "evitem_01jcf8t4a2b5c8d1e4f7g0h3j6";
const QUESTION_SET_ID: &str = "qset_01jc7a3c4d5e6f7g8h9j0k1m2n";
const QUESTION_ID: &str = "question_01jc7a2b3c4d5e6f7g8h9j0k1m";
const GROUP_ID: &str = "evgroup_01jcg2a3b4c5d6e7f8g9h0j1k2";
const DASHBOARD_ID: &str = "evdash_01jcg3b4c5d6e7f8g9h0j1k2m3";
const WIDGET_ID: &str = "widget_01jcg4c5d6e7f8g9h0j1k2m3n4";
const PROJECT_ID: &str = "proj_01jcg5d6e7f8g9h0j1k2m3n4p5";
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

#[tokio::test]
async fn generated_responses_decode_seed_4() {
    dynamic_run(SEEDS[3]).await;
}

/// Also checks that Prism is stopped when a test panics while its session is alive.
#[tokio::test]
async fn generated_responses_decode_seed_3_and_prism_stops_on_panic() {
    let mut session = Session::start(Mode::Dynamic { seed: SEEDS[2] });
    every_operation(&mut session).await;
    check_operations_answered(&mut session);
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
    check_operations_answered(&mut session);
    session.finish();
}

/// The Prism failure a dynamic run tolerates is recognised only at a `$ref` to a schema that
/// refers back to itself.
#[test]
fn only_circular_refs_count_as_prism_gaps() {
    let list = "#/paths/~1v5~1evaluations/get/responses/200/content/application~1json/schema";
    let condition = format!(
        "{list}/properties/items/items/properties/tasks/items/oneOf/6/properties/configuration/oneOf/1/properties/run_condition/anyOf/0"
    );
    assert!(spec::is_circular_ref_at(&condition), "{condition}");
    // A `$ref` to a schema that contains a circular one but is not itself on the cycle.
    assert!(!spec::is_circular_ref_at(list), "{list}");
    assert!(!spec::is_circular_ref_at(&format!("{list}/properties/nothing")));
    assert!(!spec::is_circular_ref_at("#/paths/~1v5~1nowhere"));
}

/// The invalid stand-in a dynamic run tolerates is recognised only as an object holding nothing
/// but the description of a schema that refers back to itself.
#[test]
fn only_stand_ins_for_self_referring_schemas_count_as_faker_cut_offs() {
    let description = |name: &str| spec::schema(name)["description"].as_str().unwrap().to_string();
    let body =
        |child: Value| serde_json::to_vec(&json!({"layout": {"children": [{"data": "item.input"}, child]}})).unwrap();
    let stand_in = body(json!({"description": description("ContainerChild")}));
    assert!(support::faker_cut_off(&stand_in, "layout.children[1]").is_some());
    assert!(support::faker_cut_off(&stand_in, "layout.children[0]").is_none());
    let not_circular = body(json!({"description": description("Component")}));
    assert!(support::faker_cut_off(&not_circular, "layout.children[1]").is_none());
    let more_keys = body(json!({"description": description("ContainerChild"), "data": 1}));
    assert!(support::faker_cut_off(&more_keys, "layout.children[1]").is_none());
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
    id: "retrieveEvaluation",
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
        "Retrieve Evaluation with views=tasks,everything",
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
    evaluation_tasks(session).await;
    evaluation_items(session).await;
    evaluation_groups(session).await;
    evaluation_dashboards(session).await;
    dashboard_widgets(session).await;
    datasets(session).await;
    dataset_items(session).await;
    question_sets(session).await;
    questions(session).await;
    files(session).await;
    file_content(session).await;
    error_responses(session).await;
}

/// One request example of the spec: its label, the JSON as written, and the typed body.
struct Example<B> {
    label: String,
    json: Value,
    body: B,
}

/// The spec's request examples of an operation, decoded into the typed body. An example that
/// does not decode is a failure.
fn examples<B: DeserializeOwned>(session: &mut Session, operation_id: &str) -> Vec<Example<B>> {
    let mut found = Vec::new();
    for (name, json) in spec::request_examples(operation_id) {
        match serde_json::from_value(json.clone()) {
            Ok(body) => found.push(Example {
                label: format!("{operation_id} (example `{name}`)"),
                json,
                body,
            }),
            Err(e) => session.fail(format!(
                "{operation_id}: example `{name}` does not decode into the body: {e}"
            )),
        }
    }
    if found.is_empty() {
        session.fail(format!("{operation_id}: no request example decoded"));
    }
    found
}

/// Sends an example's typed body and checks that what went over the wire is the example as
/// written: the typed body keeps every key and value of it.
async fn call_example<T>(
    session: &mut Session,
    example: &Example<impl Sized>,
    request: impl Future<Output = Result<T, Error>>,
) {
    let before = session.exchanges().len();
    session.call(&example.label, request).await;
    let sent = session.exchanges()[before..]
        .last()
        .map(|exchange| serde_json::from_slice::<Value>(&exchange.request_body));
    match sent {
        Some(Ok(sent)) if same_json(&sent, &example.json) => {}
        Some(Ok(sent)) => session.fail(format!(
            "{}: the body sent differs from the example\n    sent:    {sent}\n    example: {}",
            example.label, example.json
        )),
        Some(Err(e)) => session.fail(format!("{}: the body sent is not JSON: {e}", example.label)),
        None => {} // `call` reported that no request reached Prism.
    }
}

async fn evaluations(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<EvaluationCreateRequest>(session, "createEvaluation") {
        let request = client.evaluations().create(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    for locators in [false, true] {
        for (shape, body) in create_evaluation_bodies(session, locators) {
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
        .sort_by("created_at")
        .sort_order(SortOrder::Desc)
        .include_archived(true)
        .name("support")
        .tags(vec!["support".to_string(), "regression".to_string()])
        .views(vec![EvaluationView::Tasks, EvaluationView::Tasks])
        .send();
    session.call("listEvaluations (every parameter)", request).await;
    for example in examples::<EvaluationFilterRequest>(session, "filterEvaluations") {
        let request = client.evaluations().filter(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    let filters = spec::tag_values("MetadataFilter", Some("operator"))
        .into_iter()
        .map(|operator| json!({"key": "team", "operator": operator, "value": "support"}))
        .collect::<Vec<_>>();
    if let Some(body) = typed::<EvaluationFilterRequest>(
        session,
        "filterEvaluations (every operator)",
        json!({"filters": filters}),
    ) {
        let request = client
            .evaluations()
            .filter(body)
            .limit(5)
            .starting_after(AFTER)
            .ending_before(BEFORE)
            .sort_by("name")
            .sort_order(SortOrder::Asc)
            .include_archived(false)
            .views(vec![EvaluationView::Tasks, EvaluationView::Tasks])
            .send();
        session
            .call("filterEvaluations (every operator, every parameter)", request)
            .await;
    }
    let request = client.evaluations().retrieve(EVALUATION_ID).send();
    session.call("retrieveEvaluation", request).await;
    let request = client
        .evaluations()
        .retrieve(EVALUATION_ID)
        .include_archived(false)
        .views(vec![EvaluationView::Tasks, EvaluationView::Tasks])
        .send();
    let before = session.exchanges().len();
    if let Some(evaluation) = session.call("retrieveEvaluation (every parameter)", request).await {
        let received = session.exchanges()[before..].last().map(|e| e.response_body.clone());
        run_conditions_read_as_conditions(session, &evaluation, &received.unwrap_or_default());
    }
    for example in examples::<EvaluationUpdateRequest>(session, "updateEvaluation") {
        let request = client.evaluations().update(EVALUATION_ID, example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    let partial = PartialEvaluationUpdateRequest::new()
        .name("renamed")
        .description("every field")
        .tags(vec!["conformance".to_string()])
        .metadata(object(json!({"owner": "conformance", "round": 2})));
    let request = client.evaluations().update(EVALUATION_ID, partial).send();
    session.call("updateEvaluation (partial, every field)", request).await;
    let request = client
        .evaluations()
        .update(EVALUATION_ID, RestoreRequest::new(true))
        .send();
    session.call("updateEvaluation (restore)", request).await;
    session
        .call("archiveEvaluation", client.evaluations().archive(EVALUATION_ID).send())
        .await;
    let request = client.evaluations().retrieve_schema(EVALUATION_ID).send();
    session.call("retrieveEvaluationSchema", request).await;
    let request = client
        .evaluations()
        .retrieve_schema(EVALUATION_ID)
        .include_archived(true)
        .send();
    session
        .call("retrieveEvaluationSchema (every parameter)", request)
        .await;
    let request = client.evaluations().retrieve_taxonomy(EVALUATION_ID).send();
    session.call("retrieveEvaluationTaxonomy", request).await;
}

/// The run conditions of an evaluation's guided-decoding tasks must be read as conditions all
/// the way down (not as "any other value" operands): the typed depth equals the depth of the
/// JSON received. The spec's example response nests four levels, so the examples run must see
/// at least that.
fn run_conditions_read_as_conditions(session: &mut Session, evaluation: &Evaluation, received: &[u8]) {
    let received: Value = serde_json::from_slice(received).unwrap_or_default();
    let tasks = evaluation
        .tasks
        .iter()
        .flatten()
        .zip(received["tasks"].as_array().into_iter().flatten());
    let mut deepest = 0;
    for (task, json) in tasks {
        let EvaluationTask::AutoEvaluationGuidedDecoding(task) = task else {
            continue;
        };
        let condition = match &task.configuration {
            GuidedDecodingConfiguration::StructuredOutputTaskRequestWithItemLocator(c) => c.run_condition.as_ref(),
            GuidedDecodingConfiguration::TaskRequestWithItemLocator(c) => c.run_condition.as_ref(),
            GuidedDecodingConfiguration::AgentTaskRequestWithItemLocator(_) => None,
        };
        let typed = condition.map_or(0, typed_condition_depth);
        let sent = condition_ops(&json["configuration"]["run_condition"], &mut BTreeSet::new());
        deepest = deepest.max(typed);
        if typed != sent {
            session.fail(format!(
                "retrieveEvaluation: a run condition {sent} levels deep was read as {typed} levels of conditions"
            ));
        }
    }
    if matches!(session.mode, Mode::Examples) && deepest < MIN_CONDITION_DEPTH {
        session.fail(format!(
            "retrieveEvaluation: the example response's run condition is {deepest} levels deep, \
             expected at least {MIN_CONDITION_DEPTH}"
        ));
    }
}

/// How many levels of typed conditions a run condition has (an unknown one counts as none).
fn typed_condition_depth(condition: &EvaluationRunCondition) -> usize {
    use EvaluationRunCondition as C;
    let operand = |operand: &RunConditionOperand| match operand {
        RunConditionOperand::EvaluationRunCondition(condition) => typed_condition_depth(condition),
        RunConditionOperand::Value(_) => 0,
    };
    let pair = |left: &RunConditionOperand, right: &RunConditionOperand| operand(left).max(operand(right));
    let list = |operands: &[RunConditionOperand]| operands.iter().map(operand).max().unwrap_or(0);
    let below = match condition {
        // Unknown, or a variant newer than this test: not read as a condition here.
        C::Unknown(_) => return 0,
        C::Const(_) | C::Var(_) => 0,
        C::Eq(c) => pair(&c.left, &c.right),
        C::Ne(c) => pair(&c.left, &c.right),
        C::Lt(c) => pair(&c.left, &c.right),
        C::Lte(c) => pair(&c.left, &c.right),
        C::Gt(c) => pair(&c.left, &c.right),
        C::Gte(c) => pair(&c.left, &c.right),
        C::And(c) => list(&c.operands),
        C::Or(c) => list(&c.operands),
        C::Not(c) => list(&c.operands),
        C::IsNull(c) => list(&c.operands),
        C::IsNotNull(c) => list(&c.operands),
        C::In(c) => operand(&c.left).max(list(&c.operands)),
        C::NotIn(c) => operand(&c.left).max(list(&c.operands)),
        _ => return 0,
    };
    1 + below
}

/// The example, then every task of every type (the spec's task examples and the tasks built
/// in Rust) added one by one; then a configuration replaced.
async fn evaluation_tasks(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<EvaluationTaskAddRequest>(session, "addEvaluationTask") {
        let request = client
            .evaluation_tasks()
            .add(EVALUATION_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    for task in every_task_type(session, false) {
        let label = format!("addEvaluationTask ({})", task_type_of(&task));
        let request = client
            .evaluation_tasks()
            .add(EVALUATION_ID, EvaluationTaskAddRequest::new(task))
            .send();
        session.call(&label, request).await;
    }
    for example in examples::<EvaluationTaskUpdateRequest>(session, "updateEvaluationTask") {
        let request = client
            .evaluation_tasks()
            .update(EVALUATION_ID, "human_rating", example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
}

async fn evaluation_items(session: &mut Session) {
    let client = session.client.clone();
    session
        .call("listEvaluationItems", client.evaluation_items().list().send())
        .await;
    for status in spec::parameter_values("CompletionStatusFilter") {
        let Some(status) = typed::<ListEvaluationItemsCompletionStatus>(session, &status, json!(status)) else {
            continue;
        };
        let request = client
            .evaluation_items()
            .list()
            .limit(1)
            .starting_after(AFTER)
            .ending_before(BEFORE)
            .sort_by("created_at")
            .sort_order(SortOrder::Asc)
            .evaluation_id(EVALUATION_ID)
            .include_archived(true)
            .completion_status(status)
            .send();
        session.call("listEvaluationItems (every parameter)", request).await;
    }
    let request = client
        .evaluation_items()
        .retrieve(EVALUATION_ITEM_ID)
        .include_archived(true)
        .send();
    session.call("retrieveEvaluationItem (every parameter)", request).await;
    for example in examples::<EvaluationItemExportRequest>(session, "exportEvaluationItems") {
        let request = client.evaluation_items().export(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    // Every format with every delivery method, the values read from the spec.
    for format in spec::tag_values("ExportFormat", None) {
        for method in spec::tag_values("ExportMethod", None) {
            let what = format!("exportEvaluationItems ({format}, {method})");
            let (Some(format), Some(method)) = (
                typed::<ExportFormat>(session, &what, json!(format)),
                typed::<ExportMethod>(session, &what, json!(method)),
            ) else {
                continue;
            };
            let body = EvaluationItemExportRequest::new(EVALUATION_ID)
                .export_format(format)
                .export_method(method)
                .include_archived(false);
            session.call(&what, client.evaluation_items().export(body).send()).await;
        }
    }
}

async fn evaluation_groups(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<EvaluationGroupCreateRequest>(session, "createEvaluationGroup") {
        let request = client.evaluation_groups().create(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    session
        .call("listEvaluationGroups", client.evaluation_groups().list().send())
        .await;
    let request = client
        .evaluation_groups()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .sort_by("name")
        .sort_order(SortOrder::Desc)
        .evaluation_id(EVALUATION_ID)
        .include_deleted(true)
        .name("support")
        .tags(vec!["support".to_string(), "weekly".to_string()])
        .views(vec![EvaluationGroupView::Members, EvaluationGroupView::RowIdentifiers])
        .send();
    session.call("listEvaluationGroups (every parameter)", request).await;
    let request = client
        .evaluation_groups()
        .retrieve(GROUP_ID)
        .include_deleted(false)
        .views(vec![EvaluationGroupView::RowIdentifiers, EvaluationGroupView::Members])
        .send();
    session.call("retrieveEvaluationGroup (every parameter)", request).await;
    for example in examples::<EvaluationGroupUpdateRequest>(session, "updateEvaluationGroup") {
        let request = client.evaluation_groups().update(GROUP_ID, example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    for example in examples::<EvaluationGroupReplaceRequest>(session, "replaceEvaluationGroup") {
        let request = client
            .evaluation_groups()
            .replace(GROUP_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    session
        .call(
            "archiveEvaluationGroup",
            client.evaluation_groups().archive(GROUP_ID).send(),
        )
        .await;
    let request = client
        .evaluation_groups()
        .retrieve_schema(GROUP_ID)
        .include_archived(true)
        .send();
    session
        .call("retrieveEvaluationGroupSchema (every parameter)", request)
        .await;
}

async fn evaluation_dashboards(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<EvaluationDashboardCreateRequest>(session, "createEvaluationDashboard") {
        let request = client.evaluation_dashboards().create(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    session
        .call("listEvaluationDashboards", client.evaluation_dashboards().list().send())
        .await;
    let request = client
        .evaluation_dashboards()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .sort_by("created_at")
        .sort_order(SortOrder::Asc)
        .created_by_ids(vec!["user_1".to_string(), "user_2".to_string()])
        .evaluation_group_id(GROUP_ID)
        .evaluation_id(EVALUATION_ID)
        .include_archived(true)
        .search("quality")
        .tags(vec!["support".to_string(), "weekly".to_string()])
        .send();
    session
        .call("listEvaluationDashboards (every parameter)", request)
        .await;
    let request = client
        .evaluation_dashboards()
        .retrieve(DASHBOARD_ID)
        .include_archived(false)
        .views(vec![
            EvaluationDashboardView::Widgets,
            EvaluationDashboardView::WidgetResults,
        ])
        .send();
    session
        .call("retrieveEvaluationDashboard (every parameter)", request)
        .await;
    for example in examples::<EvaluationDashboardUpdateRequest>(session, "updateEvaluationDashboard") {
        let request = client
            .evaluation_dashboards()
            .update(DASHBOARD_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    session
        .call(
            "archiveEvaluationDashboard",
            client.evaluation_dashboards().archive(DASHBOARD_ID).send(),
        )
        .await;
}

/// The examples, then one widget of every type the spec lists: a metric query for `metric`,
/// none for the text widgets, a series query for the charts.
async fn dashboard_widgets(session: &mut Session) {
    let client = session.client.clone();
    // The examples' queries, told apart by the widget type they come with (a metric query also
    // reads as a series query: see `WidgetQueryParam`).
    let mut series_query = None;
    let mut metric_query = None;
    let created = examples::<EvaluationDashboardWidgetCreateRequest>(session, "createEvaluationDashboardWidget");
    for example in created {
        match (&example.body.r#type, &example.body.query) {
            (EvaluationWidgetType::Metric, Some(query)) => metric_query = Some(query.clone()),
            (_, Some(query)) => series_query = Some(query.clone()),
            (_, None) => {}
        }
        let request = client
            .evaluation_dashboard_widgets()
            .create(DASHBOARD_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    let (Some(series_query), Some(metric_query)) = (series_query, metric_query) else {
        session.fail("createEvaluationDashboardWidget: the examples lack a series or a metric query".to_string());
        return;
    };
    for kind in spec::tag_values("EvaluationWidgetType", None) {
        let what = format!("createEvaluationDashboardWidget ({kind})");
        let Some(widget_type) = typed::<EvaluationWidgetType>(session, &what, json!(kind)) else {
            continue;
        };
        let mut body = EvaluationDashboardWidgetCreateRequest::new(format!("A {kind} widget"), widget_type);
        body = match kind.as_str() {
            "metric" => body.query(metric_query.clone()),
            "heading" | "markdown" => body.config(object(json!({"text": "## Quality"}))),
            _ => body
                .query(series_query.clone())
                .config(object(json!({"x_column": "category"}))),
        };
        let request = client.evaluation_dashboard_widgets().create(DASHBOARD_ID, body).send();
        session.call(&what, request).await;
    }
    let updates = examples::<EvaluationDashboardWidgetUpdateRequest>(session, "updateEvaluationDashboardWidget");
    for example in updates {
        let request = client
            .evaluation_dashboard_widgets()
            .update(DASHBOARD_ID, WIDGET_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    let request = client
        .evaluation_dashboard_widgets()
        .remove(DASHBOARD_ID, WIDGET_ID)
        .send();
    session.call("removeEvaluationDashboardWidget", request).await;
}

async fn datasets(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<DatasetCreateRequest>(session, "createDataset") {
        let request = client.datasets().create(example.body.clone()).send();
        call_example(session, &example, request).await;
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
        .sort_by("name")
        .sort_order(SortOrder::Asc)
        .include_archived(false)
        .name("golden")
        .tags(vec!["support".to_string(), "golden".to_string()])
        .send();
    session.call("listDatasets (every parameter)", request).await;
    let request = client.datasets().retrieve(DATASET_ID).include_archived(true).send();
    session.call("retrieveDataset (every parameter)", request).await;
    for example in examples::<DatasetUpdateRequest>(session, "updateDataset") {
        let request = client.datasets().update(DATASET_ID, example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    let partial = PartialDatasetUpdateRequest::new()
        .name("renamed")
        .description("every field")
        .tags(vec!["conformance".to_string()]);
    session
        .call(
            "updateDataset (partial, every field)",
            client.datasets().update(DATASET_ID, partial).send(),
        )
        .await;
    session
        .call(
            "updateDataset (partial, empty body)",
            client
                .datasets()
                .update(DATASET_ID, PartialDatasetUpdateRequest::new())
                .send(),
        )
        .await;
    session
        .call(
            "updateDataset (restore)",
            client.datasets().update(DATASET_ID, RestoreRequest::new(true)).send(),
        )
        .await;
    session
        .call("archiveDataset", client.datasets().archive(DATASET_ID).send())
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
        .sort_by("created_at")
        .sort_order(SortOrder::Desc)
        .dataset_id(DATASET_ID)
        .include_archived(false)
        .version(3)
        .send();
    session.call("listDatasetItems (every parameter)", request).await;
    for example in examples::<DatasetItemBatchCreateRequest>(session, "batchCreateDatasetItems") {
        let request = client.dataset_items().batch_create(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    session
        .call(
            "retrieveDatasetItem",
            client.dataset_items().retrieve(DATASET_ITEM_ID).send(),
        )
        .await;
    let request = client.dataset_items().retrieve(DATASET_ITEM_ID).version(3).send();
    session.call("retrieveDatasetItem (every parameter)", request).await;
    for example in examples::<DatasetItemUpdateRequest>(session, "updateDatasetItem") {
        let request = client
            .dataset_items()
            .update(DATASET_ITEM_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
    }
    session
        .call(
            "archiveDatasetItem",
            client.dataset_items().archive(DATASET_ITEM_ID).send(),
        )
        .await;
}

/// The deprecated Question Sets operations: still in the spec, so still driven.
#[allow(deprecated)]
async fn question_sets(session: &mut Session) {
    let client = session.client.clone();
    for example in examples::<QuestionSetCreateRequest>(session, "createQuestionSet") {
        let request = client.question_sets().create(example.body.clone()).send();
        call_example(session, &example, request).await;
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
        .views(vec![QuestionSetView::Questions, QuestionSetView::Questions])
        .send();
    session.call("getQuestionSet (every parameter)", request).await;
    for example in examples::<QuestionSetUpdateRequest>(session, "updateQuestionSet") {
        let request = client
            .question_sets()
            .update(QUESTION_SET_ID, example.body.clone())
            .send();
        call_example(session, &example, request).await;
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
    for example in examples::<QuestionCreateRequest>(session, "createQuestion") {
        let request = client.questions().create(example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    session.call("listQuestions", client.questions().list().send()).await;
    let request = client
        .questions()
        .list()
        .limit(3)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .sort_by("name")
        .sort_order(SortOrder::Asc)
        .ids(vec![
            QUESTION_ID.to_string(),
            "question_01jc7a2b3c4d5e6f7g8h9j0k1n".to_string(),
        ])
        .include_archived(true)
        .send();
    session.call("listQuestions (every parameter)", request).await;
    session
        .call("retrieveQuestion", client.questions().retrieve(QUESTION_ID).send())
        .await;
    for example in examples::<QuestionUpdateRequest>(session, "updateQuestion") {
        let request = client.questions().update(QUESTION_ID, example.body.clone()).send();
        call_example(session, &example, request).await;
    }
    session
        .call("archiveQuestion", client.questions().archive(QUESTION_ID).send())
        .await;
    session
        .call("restoreQuestion", client.questions().restore(QUESTION_ID).send())
        .await;
}

async fn files(session: &mut Session) {
    let client = session.client.clone();
    let csv = "question,expected_answer\nHow do I reset my password?,Open Settings.\n";
    let upload = FileUpload::new("support-questions.csv", csv.as_bytes()).content_type("text/csv");
    let request = client.files().create(upload).x_project_id(PROJECT_ID).send();
    session.call("createFile (text/csv, x-project-id)", request).await;
    let upload = FileUpload::new("blob.bin", vec![0_u8, 159, 146, 150, 255]);
    session
        .call(
            "createFile (binary, no content type)",
            client.files().create(upload).send(),
        )
        .await;
    session.call("listFiles", client.files().list().send()).await;
    let request = client
        .files()
        .list()
        .limit(10)
        .starting_after(AFTER)
        .ending_before(BEFORE)
        .sort_by("filename")
        .sort_order(SortOrder::Desc)
        .filename("support")
        .x_project_id(PROJECT_ID)
        .send();
    session.call("listFiles (every parameter)", request).await;
    for example in examples::<FileImportFromCloudRequest>(session, "importFilesFromCloud") {
        let request = client
            .files()
            .import_from_cloud(example.body.clone())
            .x_project_id(PROJECT_ID)
            .send();
        call_example(session, &example, request).await;
    }
    session
        .call("retrieveFile", client.files().retrieve(FILE_ID).send())
        .await;
    let request = client.files().retrieve(FILE_ID).x_project_id(PROJECT_ID).send();
    session.call("retrieveFile (x-project-id)", request).await;
    for example in examples::<FileUpdateRequest>(session, "updateFile") {
        let request = client
            .files()
            .update(FILE_ID, example.body.clone())
            .x_project_id(PROJECT_ID)
            .send();
        call_example(session, &example, request).await;
    }
    let request = client.files().delete(FILE_ID).x_project_id(PROJECT_ID).send();
    session.call("deleteFile (x-project-id)", request).await;
}

/// Retrieve File Content with the client's default `Accept`, with `Accept: application/json` as the official SDK
/// sends it, and with `Accept: application/octet-stream`: Prism must answer each (no 406), and
/// the client must hand over the body as it came, byte for byte.
async fn file_content(session: &mut Session) {
    let accepts = [None, Some("application/json"), Some("application/octet-stream")];
    for accept in accepts {
        let client = match accept {
            Some(accept) => session.client_with_header("accept", accept),
            None => session.client.clone(),
        };
        let label = format!(
            "retrieveFileContent (accept: {})",
            accept.unwrap_or("the client's default")
        );
        let request = client.files().retrieve_content(FILE_ID).x_project_id(PROJECT_ID).send();
        let before = session.exchanges().len();
        let Some(bytes) = session.call(&label, request).await else {
            continue;
        };
        let Some(exchange) = session.exchanges()[before..].last() else {
            continue;
        };
        let problem = if accept.is_some() && exchange.request_header("accept") != accept {
            Some(format!(
                "sent accept {:?}, meant {accept:?}",
                exchange.request_header("accept")
            ))
        } else if bytes != exchange.response_body {
            Some(format!(
                "the client returned {} bytes that differ from the {} bytes Prism sent",
                bytes.len(),
                exchange.response_body.len()
            ))
        } else if bytes.is_empty() {
            Some("Prism sent no content".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            session.fail(format!("{label}: {problem}"));
        }
    }
}

/// Error responses, asked for with Prism's `Prefer: code=N` header, for valid requests: the
/// request must pass (no `sl-violations`), the client must return a status error, and its body
/// must decode into `ErrorResponse` with a `detail` in it (every error example of the spec has
/// one, and Prism's generated bodies fill required and optional fields alike). (The `default`
/// response is left out: its example headers say `x-should-retry: true`, so the client would
/// retry it.)
async fn error_responses(session: &mut Session) {
    let client = session.client_with_header("prefer", "code=400");
    let body = DatasetCreateRequest::new("minimal", vec![object(json!({"input": "hi"}))]);
    expect_error_response(session, "createDataset", 400, client.datasets().create(body).send()).await;
    let client = session.client_with_header("prefer", "code=404");
    expect_error_response(
        session,
        "retrieveEvaluation",
        404,
        client.evaluations().retrieve(EVALUATION_ID).send(),
    )
    .await;
    expect_error_response(
        session,
        "retrieveFileContent",
        404,
        client.files().retrieve_content(FILE_ID).send(),
    )
    .await;
    let client = session.client_with_header("prefer", "code=422");
    expect_error_response(session, "listDatasets", 422, client.datasets().list().limit(5).send()).await;
    let client = session.client_with_header("prefer", "code=422");
    expect_error_response(
        session,
        "removeEvaluationDashboardWidget",
        422,
        client
            .evaluation_dashboard_widgets()
            .remove(DASHBOARD_ID, WIDGET_ID)
            .send(),
    )
    .await;
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
            } else {
                match error.body_as::<ErrorResponse>() {
                    Some(ErrorResponse { detail: Some(_), .. }) => None,
                    Some(_) => Some(format!("the body has no `detail`: {:?}", error.body_text())),
                    None => Some(format!(
                        "the body does not decode into ErrorResponse: {:?}",
                        error.body_text()
                    )),
                }
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
