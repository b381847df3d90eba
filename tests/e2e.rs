//! End-to-end tests of the generated `sgp-evals` client against a wiremock server on 127.0.0.1.
//!
//! - One test per operation (56: 51 current, 5 deprecated question-set ones): the spec's own
//!   request and success-response examples go through the client; the request on the wire
//!   (method, raw path, query, credentials, `x-project-id`, content type, JSON body) and the
//!   decoded result (serialized back) must match the examples. Which operations these tests call
//!   is read from the requests the servers received (method and path template), and must be every
//!   operation of the spec.
//! - Body variants: the three evaluation create shapes, update (partial and restore) of
//!   evaluations and datasets, every task type in create and in `tasks.add`, every question type,
//!   nested run conditions, every widget type, every export format and method; bodies built in
//!   Rust are checked on the wire as exact JSON, responses decode into the expected members.
//! - The "Create Evaluation" docs page: its (seed-era) request, still a valid standalone body,
//!   built with the generated constructors and setters; a today-shaped response decoded into
//!   `Evaluation`.
//! - Files (multipart upload, raw content), query and path parameter encoding (comma-joined
//!   arrays, `sort_by`/`sort_order`), pagination over union items (questions), errors (status,
//!   decode, invalid request, config, connect), forward compatibility (unknown enum values,
//!   fields, task and question types), and that the API key never shows up in `Debug` or
//!   `Display` output.

#[path = "e2e_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use futures_util::StreamExt;
use serde_json::{json, Map, Value};
use sgp_evals::types::{
    AgenticApplicationOverridesParam, AndEvaluationRunConditionParam, ApplicationVariantHistoryEntryParam,
    ApplicationVariantV1EvaluationTaskConfigurationParam, ApplicationVariantV1EvaluationTaskParam,
    AutoEvaluationGuidedDecodingEvaluationTaskConfiguration, AutoEvaluationGuidedDecodingEvaluationTaskParam,
    AutoEvaluationGuidedDecodingTaskRequestWithItemLocatorParam, BleuScorerConfig, ChatCompletionEvaluationTask,
    ChatCompletionEvaluationTaskConfiguration, ChatCompletionEvaluationTaskConfigurationParam,
    ChatCompletionEvaluationTaskParam, ChatCompletionTaskType, ConstEvaluationRunConditionParam, Dataset,
    DatasetCreateRequest, DatasetItemBatchCreateRequest, DatasetItemUpdateRequest, DatasetObject, DatasetUpdateRequest,
    EqEvaluationRunConditionParam, ErrorDetail, ErrorResponse, Evaluation, EvaluationCreateRequest,
    EvaluationDashboardCreateRequest, EvaluationDashboardUpdateRequest, EvaluationDashboardView,
    EvaluationDashboardWidgetCreateRequest, EvaluationDashboardWidgetUpdateRequest, EvaluationDatasetItemReference,
    EvaluationDatasetParam, EvaluationFilterRequest, EvaluationFromDatasetCreateRequest, EvaluationGroupCreateRequest,
    EvaluationGroupReplaceRequest, EvaluationGroupUpdateRequest, EvaluationGroupView, EvaluationItemExportRequest,
    EvaluationItemFailure, EvaluationItemsProgress, EvaluationObject, EvaluationRunCondition,
    EvaluationRunConditionParam, EvaluationStandaloneCreateRequest, EvaluationStatus, EvaluationTask,
    EvaluationTaskAddRequest, EvaluationTaskParam, EvaluationTaskUpdateRequest, EvaluationTasksProgress,
    EvaluationUpdateRequest, EvaluationView, EvaluationWidgetType, EvaluationWithDatasetCreateRequest,
    EvaluationWorkflowsProgress, ExportFormat, ExportMethod, FileImportFromCloudRequest, FileUpdateRequest,
    GenericInferenceEvaluationTaskConfigurationParam, GenericInferenceEvaluationTaskParam, Identity, IdentityType,
    IntegerOrItemLocator, IsNotNullEvaluationRunConditionParam, LaunchInferenceConfigurationParam,
    ListEvaluationItemsCompletionStatus, MetricEvaluationTaskParam, NotEvaluationRunConditionParam,
    OrEvaluationRunConditionParam, PartialDatasetUpdateRequest, PartialEvaluationUpdateRequest, Question,
    QuestionCreateRequest, QuestionSetCreateRequest, QuestionSetQuestionRef, QuestionSetRestoreRequest,
    QuestionSetUpdateRequest, QuestionSetView, QuestionUpdateRequest, RestoreRequest, RunConditionOperand,
    RunConditionOperandParam, SortOrder, ValidationErrorDetailLocItem, VarEvaluationRunConditionParam, WidgetQuery,
    WidgetQueryParam,
};
use sgp_evals::{Client, Error, ErrorKind, FileUpload};
use support::spec;
use support::{
    assert_credentials, assert_json_eq, assert_project_id, assert_query, assert_request, check, check_with_body,
    json_response, multipart_parts, to_json, Expect, Harness, ACCOUNT_ID, API_KEY,
};
use wiremock::{MockServer, ResponseTemplate};

/// The tests that exercise the spec's operations one by one (each is a `#[tokio::test]` of its own
/// below). [`every_spec_operation_is_exercised_on_the_wire`] runs them again and reads which
/// operations they called from the requests that reached the servers, not from these names.
const OPERATION_TESTS: &[fn()] = &[
    create_evaluation,
    list_evaluations,
    filter_evaluations,
    retrieve_evaluation,
    update_evaluation,
    archive_evaluation,
    retrieve_evaluation_schema,
    retrieve_evaluation_taxonomy,
    add_evaluation_task,
    update_evaluation_task,
    list_evaluation_items,
    export_evaluation_items,
    retrieve_evaluation_item,
    create_evaluation_group,
    list_evaluation_groups,
    retrieve_evaluation_group,
    update_evaluation_group,
    replace_evaluation_group,
    archive_evaluation_group,
    retrieve_evaluation_group_schema,
    create_evaluation_dashboard,
    list_evaluation_dashboards,
    retrieve_evaluation_dashboard,
    update_evaluation_dashboard,
    archive_evaluation_dashboard,
    create_evaluation_dashboard_widget,
    update_evaluation_dashboard_widget,
    remove_evaluation_dashboard_widget,
    create_dataset,
    list_datasets,
    retrieve_dataset,
    update_dataset,
    archive_dataset,
    list_dataset_items,
    batch_create_dataset_items,
    retrieve_dataset_item,
    update_dataset_item,
    archive_dataset_item,
    create_question_set,
    list_question_sets,
    get_question_set,
    update_question_set,
    delete_question_set,
    create_question,
    list_questions,
    retrieve_question,
    update_question,
    archive_question,
    restore_question,
    create_file,
    list_files,
    import_files_from_cloud,
    retrieve_file,
    update_file,
    delete_file,
    retrieve_file_content,
];

/// How many operations the spec describes, and how many of them are deprecated.
const SPEC_OPERATIONS: usize = 56;
const DEPRECATED_OPERATIONS: usize = 5;

const EVALUATION_ID: &str = "eval_01jcf8t3w6q2k9n4m7p5r8s1v3";
const EVALUATION_ITEM_ID: &str = "evitem_01jcf8t4a2b5c8d1e4f7g0h3j6";
const TASK_ALIAS: &str = "gpt4o_answer";
const GROUP_ID: &str = "egroup_01jd1a2b3c4d5e6f7g8h9j0k1m";
const DASHBOARD_ID: &str = "edash_01jd2b3c4d5e6f7g8h9j0k1m2n";
const WIDGET_ID: &str = "ewidget_01jd3c4d5e6f7g8h9j0k1m2n3p";
const DATASET_ID: &str = "dataset_01jc9w2e5r8t1y4v7k0m3p6a9s";
const DATASET_ITEM_ID: &str = "dsitem_01jc9w2f3g6h9j2k5m8n1p4q7r";
const QUESTION_SET_ID: &str = "qset_01jc7a3c4d5e6f7g8h9j0k1m2n";
const QUESTION_ID: &str = "question_01jc7a2b3c4d5e6f7g8h9j0k1m";
const FILE_ID: &str = "file_01jcb3h7k2m5n8p1q4r7s0t3v6";
const PROJECT_ID: &str = "proj_01jcb2a9x8w7v6t5s4r3q2p1n0";
/// Cursor values.
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
    let operations = spec::operations();
    let in_spec: BTreeSet<String> = operations.iter().map(|op| op.id.clone()).collect();
    assert_eq!(in_spec.len(), SPEC_OPERATIONS, "{in_spec:?}");
    let deprecated = operations
        .iter()
        .filter(|op| op.node.get("deprecated") == Some(&Value::Bool(true)))
        .count();
    assert_eq!(deprecated, DEPRECATED_OPERATIONS);
    let missing: Vec<&String> = in_spec.difference(&exercised).collect();
    assert!(missing.is_empty(), "operations no test called: {missing:?}");
    assert_eq!(exercised, in_spec);
}

/// The ids and cursors the tests send are the spec's own parameter examples.
#[test]
fn parameter_values_are_the_spec_examples() {
    let cases = [
        ("EvaluationId", EVALUATION_ID),
        ("TaskAlias", TASK_ALIAS),
        ("EvaluationItemId", EVALUATION_ITEM_ID),
        ("GroupId", GROUP_ID),
        ("DashboardId", DASHBOARD_ID),
        ("WidgetId", WIDGET_ID),
        ("DatasetId", DATASET_ID),
        ("DatasetItemId", DATASET_ITEM_ID),
        ("QuestionId", QUESTION_ID),
        ("QuestionSetId", QUESTION_SET_ID),
        ("FileId", FILE_ID),
        ("ProjectIdHeader", PROJECT_ID),
        ("StartingAfter", AFTER),
        ("EndingBefore", BEFORE),
    ];
    for (parameter, value) in cases {
        let example = spec::spec()
            .pointer(&format!("/components/parameters/{parameter}/example"))
            .unwrap_or_else(|| panic!("no example for parameter `{parameter}`"));
        assert_eq!(example, value, "parameter `{parameter}`");
    }
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
            "limit=2&starting_after={AFTER}&ending_before={BEFORE}&sort_by=created_at&sort_order=desc\
             &include_archived=true&name=Support%20bot&tags=support,regression&views=tasks"
        )),
        |client| {
            client
                .evaluations()
                .list()
                .limit(2)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("created_at")
                .sort_order(SortOrder::Desc)
                .include_archived(true)
                .name("Support bot")
                .tags(vec!["support".to_string(), "regression".to_string()])
                .views(vec![EvaluationView::Tasks])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn filter_evaluations() {
    // Paging, sorting and views go in the query string; the filters in the body.
    check_with_body(
        Expect::new("filterEvaluations", "/v5/evaluations/filter").query(&format!(
            "limit=5&starting_after={AFTER}&ending_before={BEFORE}&sort_by=name&sort_order=asc\
             &include_archived=false&views=tasks"
        )),
        |client, body: EvaluationFilterRequest| {
            client
                .evaluations()
                .filter(body)
                .limit(5)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("name")
                .sort_order(SortOrder::Asc)
                .include_archived(false)
                .views(vec![EvaluationView::Tasks])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation() {
    check(
        Expect::new("retrieveEvaluation", format!("/v5/evaluations/{EVALUATION_ID}"))
            .query("include_archived=false&views=tasks"),
        |client| async move {
            // Awaiting the builder directly (IntoFuture) is the same as `.send().await`.
            client
                .evaluations()
                .retrieve(EVALUATION_ID)
                .include_archived(false)
                .views(vec![EvaluationView::Tasks])
                .await
        },
    )
    .await;
}

#[tokio::test]
async fn update_evaluation() {
    check_with_body(
        Expect::new("updateEvaluation", format!("/v5/evaluations/{EVALUATION_ID}")),
        |client, body: EvaluationUpdateRequest| client.evaluations().update(EVALUATION_ID, body).send(),
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

#[tokio::test]
async fn retrieve_evaluation_schema() {
    check(
        Expect::new(
            "retrieveEvaluationSchema",
            format!("/v5/evaluations/{EVALUATION_ID}/schema"),
        )
        .query("include_archived=true"),
        |client| {
            client
                .evaluations()
                .retrieve_schema(EVALUATION_ID)
                .include_archived(true)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation_taxonomy() {
    check(
        Expect::new(
            "retrieveEvaluationTaxonomy",
            format!("/v5/evaluations/{EVALUATION_ID}/taxonomy"),
        ),
        |client| client.evaluations().retrieve_taxonomy(EVALUATION_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Evaluation tasks
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn add_evaluation_task() {
    check_with_body(
        Expect::new("addEvaluationTask", format!("/v5/evaluations/{EVALUATION_ID}/tasks")),
        |client, body: EvaluationTaskAddRequest| client.evaluation_tasks().add(EVALUATION_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn update_evaluation_task() {
    check_with_body(
        Expect::new(
            "updateEvaluationTask",
            format!("/v5/evaluations/{EVALUATION_ID}/tasks/{TASK_ALIAS}"),
        ),
        |client, body: EvaluationTaskUpdateRequest| {
            client.evaluation_tasks().update(EVALUATION_ID, TASK_ALIAS, body).send()
        },
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
            "limit=1&starting_after={AFTER}&ending_before={BEFORE}&sort_by=created_at&sort_order=asc\
             &evaluation_id={EVALUATION_ID}&include_archived=true&completion_status=failed"
        )),
        |client| {
            client
                .evaluation_items()
                .list()
                .limit(1)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("created_at")
                .sort_order(SortOrder::Asc)
                .evaluation_id(EVALUATION_ID)
                .include_archived(true)
                .completion_status(ListEvaluationItemsCompletionStatus::Failed)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn export_evaluation_items() {
    check_with_body(
        Expect::new("exportEvaluationItems", "/v5/evaluation-items/export"),
        |client, body: EvaluationItemExportRequest| client.evaluation_items().export(body).send(),
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation_item() {
    check(
        Expect::new(
            "retrieveEvaluationItem",
            format!("/v5/evaluation-items/{EVALUATION_ITEM_ID}"),
        )
        .query("include_archived=true"),
        |client| {
            client
                .evaluation_items()
                .retrieve(EVALUATION_ITEM_ID)
                .include_archived(true)
                .send()
        },
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Evaluation groups
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_evaluation_group() {
    check_with_body(
        Expect::new("createEvaluationGroup", "/v5/evaluation-groups"),
        |client, body: EvaluationGroupCreateRequest| client.evaluation_groups().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_evaluation_groups() {
    check(
        Expect::new("listEvaluationGroups", "/v5/evaluation-groups").query(&format!(
            "limit=10&starting_after={AFTER}&ending_before={BEFORE}&sort_by=name&sort_order=desc\
             &evaluation_id={EVALUATION_ID}&include_deleted=true&name=Support&tags=support,q4\
             &views=members,row_identifiers"
        )),
        |client| {
            client
                .evaluation_groups()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("name")
                .sort_order(SortOrder::Desc)
                .evaluation_id(EVALUATION_ID)
                .include_deleted(true)
                .name("Support")
                .tags(vec!["support".to_string(), "q4".to_string()])
                .views(vec![EvaluationGroupView::Members, EvaluationGroupView::RowIdentifiers])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation_group() {
    check(
        Expect::new("retrieveEvaluationGroup", format!("/v5/evaluation-groups/{GROUP_ID}"))
            .query("include_deleted=false&views=members"),
        |client| {
            client
                .evaluation_groups()
                .retrieve(GROUP_ID)
                .include_deleted(false)
                .views(vec![EvaluationGroupView::Members])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn update_evaluation_group() {
    check_with_body(
        Expect::new("updateEvaluationGroup", format!("/v5/evaluation-groups/{GROUP_ID}")),
        |client, body: EvaluationGroupUpdateRequest| client.evaluation_groups().update(GROUP_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn replace_evaluation_group() {
    check_with_body(
        Expect::new("replaceEvaluationGroup", format!("/v5/evaluation-groups/{GROUP_ID}")),
        |client, body: EvaluationGroupReplaceRequest| client.evaluation_groups().replace(GROUP_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn archive_evaluation_group() {
    check(
        Expect::new("archiveEvaluationGroup", format!("/v5/evaluation-groups/{GROUP_ID}")),
        |client| client.evaluation_groups().archive(GROUP_ID).send(),
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation_group_schema() {
    check(
        Expect::new(
            "retrieveEvaluationGroupSchema",
            format!("/v5/evaluation-groups/{GROUP_ID}/schema"),
        )
        .query("include_archived=false"),
        |client| {
            client
                .evaluation_groups()
                .retrieve_schema(GROUP_ID)
                .include_archived(false)
                .send()
        },
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Evaluation dashboards and their widgets
// ------------------------------------------------------------------------------------------------

#[tokio::test]
async fn create_evaluation_dashboard() {
    check_with_body(
        Expect::new("createEvaluationDashboard", "/v5/evaluation-dashboards"),
        |client, body: EvaluationDashboardCreateRequest| client.evaluation_dashboards().create(body).send(),
    )
    .await;
}

#[tokio::test]
async fn list_evaluation_dashboards() {
    check(
        Expect::new("listEvaluationDashboards", "/v5/evaluation-dashboards").query(&format!(
            "limit=3&starting_after={AFTER}&ending_before={BEFORE}&sort_by=updated_at&sort_order=desc\
             &created_by_ids=user_1,user_2&evaluation_group_id={GROUP_ID}&evaluation_id={EVALUATION_ID}\
             &include_archived=true&search=bleu&tags=quality,weekly"
        )),
        |client| {
            client
                .evaluation_dashboards()
                .list()
                .limit(3)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("updated_at")
                .sort_order(SortOrder::Desc)
                .created_by_ids(vec!["user_1".to_string(), "user_2".to_string()])
                .evaluation_group_id(GROUP_ID)
                .evaluation_id(EVALUATION_ID)
                .include_archived(true)
                .search("bleu")
                .tags(vec!["quality".to_string(), "weekly".to_string()])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_evaluation_dashboard() {
    check(
        Expect::new(
            "retrieveEvaluationDashboard",
            format!("/v5/evaluation-dashboards/{DASHBOARD_ID}"),
        )
        .query("include_archived=false&views=widgets,widget_results"),
        |client| {
            client
                .evaluation_dashboards()
                .retrieve(DASHBOARD_ID)
                .include_archived(false)
                .views(vec![
                    EvaluationDashboardView::Widgets,
                    EvaluationDashboardView::WidgetResults,
                ])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn update_evaluation_dashboard() {
    check_with_body(
        Expect::new(
            "updateEvaluationDashboard",
            format!("/v5/evaluation-dashboards/{DASHBOARD_ID}"),
        ),
        |client, body: EvaluationDashboardUpdateRequest| {
            client.evaluation_dashboards().update(DASHBOARD_ID, body).send()
        },
    )
    .await;
}

#[tokio::test]
async fn archive_evaluation_dashboard() {
    check(
        Expect::new(
            "archiveEvaluationDashboard",
            format!("/v5/evaluation-dashboards/{DASHBOARD_ID}"),
        ),
        |client| client.evaluation_dashboards().archive(DASHBOARD_ID).send(),
    )
    .await;
}

#[tokio::test]
async fn create_evaluation_dashboard_widget() {
    check_with_body(
        Expect::new(
            "createEvaluationDashboardWidget",
            format!("/v5/evaluation-dashboards/{DASHBOARD_ID}/widgets"),
        ),
        |client, body: EvaluationDashboardWidgetCreateRequest| {
            client.evaluation_dashboard_widgets().create(DASHBOARD_ID, body).send()
        },
    )
    .await;
}

#[tokio::test]
async fn update_evaluation_dashboard_widget() {
    check_with_body(
        Expect::new(
            "updateEvaluationDashboardWidget",
            format!("/v5/evaluation-dashboards/{DASHBOARD_ID}/widgets/{WIDGET_ID}"),
        ),
        |client, body: EvaluationDashboardWidgetUpdateRequest| {
            client
                .evaluation_dashboard_widgets()
                .update(DASHBOARD_ID, WIDGET_ID, body)
                .send()
        },
    )
    .await;
}

/// The one operation without a success body: 204, nothing to decode.
#[tokio::test]
async fn remove_evaluation_dashboard_widget() {
    let op = spec::operation("removeEvaluationDashboardWidget");
    assert!(op.node.pointer("/responses/204").is_some(), "the spec's success is 204");
    assert!(
        spec::response_media_types(&op.id, "204").is_empty(),
        "a 204 has no body"
    );
    let path = format!("/v5/evaluation-dashboards/{DASHBOARD_ID}/widgets/{WIDGET_ID}");
    let harness = Harness::start().await;
    harness.expect_call(&op.method, &path, ResponseTemplate::new(204)).await;
    // The success value is `()`: nothing is decoded from a 204.
    let () = harness
        .client
        .evaluation_dashboard_widgets()
        .remove(DASHBOARD_ID, WIDGET_ID)
        .await
        .unwrap();
    let request = harness.the_request().await;
    let expect = Expect::new("removeEvaluationDashboardWidget", path);
    assert_request(&request, "DELETE", &expect, None, "removeEvaluationDashboardWidget");
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
            "limit=10&starting_after={AFTER}&ending_before={BEFORE}&sort_by=name&sort_order=asc\
             &include_archived=false&name=golden&tags=support"
        )),
        |client| {
            client
                .datasets()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("name")
                .sort_order(SortOrder::Asc)
                .include_archived(false)
                .name("golden")
                .tags(vec!["support".to_string()])
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_dataset() {
    check(
        Expect::new("retrieveDataset", format!("/v5/datasets/{DATASET_ID}")).query("include_archived=true"),
        |client| client.datasets().retrieve(DATASET_ID).include_archived(true).send(),
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
async fn archive_dataset() {
    check(
        Expect::new("archiveDataset", format!("/v5/datasets/{DATASET_ID}")),
        |client| client.datasets().archive(DATASET_ID).send(),
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
            "limit=1&starting_after={AFTER}&ending_before={BEFORE}&sort_by=created_at&sort_order=desc\
             &dataset_id={DATASET_ID}&include_archived=false&version=3"
        )),
        |client| {
            client
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
async fn retrieve_dataset_item() {
    check(
        Expect::new("retrieveDatasetItem", format!("/v5/dataset-items/{DATASET_ITEM_ID}")).query("version=3"),
        |client| client.dataset_items().retrieve(DATASET_ITEM_ID).version(3).send(),
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
async fn archive_dataset_item() {
    check(
        Expect::new("archiveDatasetItem", format!("/v5/dataset-items/{DATASET_ITEM_ID}")),
        |client| client.dataset_items().archive(DATASET_ITEM_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Question sets (deprecated operations, still served)
// ------------------------------------------------------------------------------------------------

#[tokio::test]
#[allow(deprecated)]
async fn create_question_set() {
    check_with_body(
        Expect::new("createQuestionSet", "/v5/question-sets"),
        |client, body: QuestionSetCreateRequest| client.question_sets().create(body).send(),
    )
    .await;
}

#[tokio::test]
#[allow(deprecated)]
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
#[allow(deprecated)]
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
#[allow(deprecated)]
async fn update_question_set() {
    check_with_body(
        Expect::new("updateQuestionSet", format!("/v5/question-sets/{QUESTION_SET_ID}")),
        |client, body: QuestionSetUpdateRequest| client.question_sets().update(QUESTION_SET_ID, body).send(),
    )
    .await;
}

#[tokio::test]
#[allow(deprecated)]
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
        Expect::new("listQuestions", "/v5/questions").query(&format!(
            "limit=3&starting_after={AFTER}&ending_before={BEFORE}&sort_by=name&sort_order=asc\
             &ids={QUESTION_ID},question_2&include_archived=true"
        )),
        |client| {
            client
                .questions()
                .list()
                .limit(3)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("name")
                .sort_order(SortOrder::Asc)
                .ids(vec![QUESTION_ID.to_string(), "question_2".to_string()])
                .include_archived(true)
                .send()
        },
    )
    .await;
}

#[tokio::test]
async fn retrieve_question() {
    check(
        Expect::new("retrieveQuestion", format!("/v5/questions/{QUESTION_ID}")),
        |client| client.questions().retrieve(QUESTION_ID).send(),
    )
    .await;
}

#[tokio::test]
async fn update_question() {
    check_with_body(
        Expect::new("updateQuestion", format!("/v5/questions/{QUESTION_ID}")),
        |client, body: QuestionUpdateRequest| client.questions().update(QUESTION_ID, body).send(),
    )
    .await;
}

#[tokio::test]
async fn archive_question() {
    check(
        Expect::new("archiveQuestion", format!("/v5/questions/{QUESTION_ID}")),
        |client| client.questions().archive(QUESTION_ID).send(),
    )
    .await;
}

#[tokio::test]
async fn restore_question() {
    // A POST without a body.
    check(
        Expect::new("restoreQuestion", format!("/v5/questions/{QUESTION_ID}/restore")),
        |client| client.questions().restore(QUESTION_ID).send(),
    )
    .await;
}

// ------------------------------------------------------------------------------------------------
// Files
// ------------------------------------------------------------------------------------------------

/// Uploads the spec's example file (with and without `x-project-id`) and checks the multipart
/// body part by part.
#[tokio::test]
async fn create_file() {
    let op = spec::operation("createFile");
    assert_eq!((op.method.as_str(), op.path.as_str()), ("POST", "/v5/files"));
    let (request_type, requests) = spec::request_examples("createFile");
    assert_eq!(request_type, "multipart/form-data");
    let (_, responses) = spec::response_examples("createFile", "200");
    for project_id in [None, Some(PROJECT_ID)] {
        for round in 0..requests.len().max(responses.len()) {
            let (request_name, request_example) = &requests[round % requests.len()];
            let (response_name, response_example) = &responses[round % responses.len()];
            let context = format!(
                "createFile (request example `{request_name}`, response example `{response_name}`, \
                 project {project_id:?})"
            );
            let content = request_example["file"].as_str().expect("the example's file is text");

            let harness = Harness::start().await;
            harness
                .expect_call("POST", "/v5/files", json_response(response_example))
                .await;
            let upload = FileUpload::new("support-questions.csv", content.as_bytes()).content_type("text/csv");
            let builder = harness.client.files().create(upload);
            let file = match project_id {
                Some(project_id) => builder.x_project_id(project_id).await,
                None => builder.await,
            }
            .unwrap_or_else(|e| panic!("{context}: {e}"));
            let request = harness.the_request().await;

            assert_eq!(request.url.path(), "/v5/files", "{context}");
            assert_query(&request, None, &context);
            assert_credentials(&request, &context);
            assert_project_id(&request, project_id, &context);
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
}

#[tokio::test]
async fn upload_without_content_type_sends_octet_stream() {
    let harness = Harness::start().await;
    let (_, responses) = spec::response_examples("createFile", "200");
    harness
        .expect_call("POST", "/v5/files", json_response(&responses[0].1))
        .await;
    let bytes = vec![0_u8, 159, 146, 150, 255, b'\r', b'\n'];
    harness
        .client
        .files()
        .create(FileUpload::new("blob.bin", bytes.clone()))
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
        Expect::new("listFiles", "/v5/files")
            .query(&format!(
                "limit=10&starting_after={AFTER}&ending_before={BEFORE}&sort_by=filename&sort_order=asc\
                 &filename=support"
            ))
            .project_id(PROJECT_ID),
        |client| {
            client
                .files()
                .list()
                .limit(10)
                .starting_after(AFTER)
                .ending_before(BEFORE)
                .sort_by("filename")
                .sort_order(SortOrder::Asc)
                .filename("support")
                .x_project_id(PROJECT_ID)
                .send()
        },
    )
    .await;
}

/// 200 when every import succeeded, 207 when some failed: both decode into the same type.
#[tokio::test]
async fn import_files_from_cloud() {
    for status in [200, 207] {
        check_with_body(
            Expect::new("importFilesFromCloud", "/v5/files/cloud_imports")
                .status(status)
                .project_id(PROJECT_ID),
            |client, body: FileImportFromCloudRequest| {
                client.files().import_from_cloud(body).x_project_id(PROJECT_ID).send()
            },
        )
        .await;
    }
}

#[tokio::test]
async fn retrieve_file() {
    check(
        Expect::new("retrieveFile", format!("/v5/files/{FILE_ID}")),
        |client| async move { client.files().retrieve(FILE_ID).await },
    )
    .await;
}

#[tokio::test]
async fn update_file() {
    check_with_body(
        Expect::new("updateFile", format!("/v5/files/{FILE_ID}")).project_id(PROJECT_ID),
        |client, body: FileUpdateRequest| client.files().update(FILE_ID, body).x_project_id(PROJECT_ID).send(),
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

/// The content comes back as the raw bytes the server sent, whatever the media type says: the
/// spec's examples of both media types, bytes that are not UTF-8, and "JSON" that does not parse.
#[tokio::test]
async fn retrieve_file_content() {
    let media_types = spec::response_media_types("retrieveFileContent", "200");
    assert_eq!(media_types, ["application/octet-stream", "application/json"]);
    let mut bodies: Vec<(String, &str, Vec<u8>)> = Vec::new();
    for media_type in ["application/octet-stream", "application/json"] {
        for (name, example) in spec::response_examples_of("retrieveFileContent", "200", media_type) {
            let bytes = match &example {
                Value::String(text) => text.as_bytes().to_vec(),
                json => serde_json::to_vec(json).unwrap(),
            };
            bodies.push((format!("{media_type} example `{name}`"), media_type, bytes));
        }
    }
    assert_eq!(bodies.len(), 2, "one example per media type");
    bodies.push((
        "non-UTF-8 bytes".to_string(),
        "application/octet-stream",
        vec![0_u8, 159, 146, 150, 255],
    ));
    bodies.push((
        "JSON-labelled text that is not JSON".to_string(),
        "application/json",
        b"{\"unterminated\": ".to_vec(),
    ));
    let path = format!("/v5/files/{FILE_ID}/content");
    for (context, media_type, bytes) in bodies {
        for project_id in [None, Some(PROJECT_ID)] {
            let context = format!("retrieveFileContent ({context}, project {project_id:?})");
            let harness = Harness::start().await;
            let response = ResponseTemplate::new(200).set_body_raw(bytes.clone(), media_type);
            harness.expect_call("GET", &path, response).await;
            let builder = harness.client.files().retrieve_content(FILE_ID);
            let content: Vec<u8> = match project_id {
                Some(project_id) => builder.x_project_id(project_id).send().await,
                None => builder.send().await,
            }
            .unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_eq!(content, bytes, "{context}");
            let request = harness.the_request().await;
            let mut expect = Expect::new("retrieveFileContent", path.clone());
            if let Some(project_id) = project_id {
                expect = expect.project_id(project_id);
            }
            assert_request(&request, "GET", &expect, None, &context);
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Body variants: every shape of the union bodies, on the wire and decoded
// ------------------------------------------------------------------------------------------------

/// The `task_type` of each member of the task unions, in the order of the spec.
const TASK_TYPES: [&str; 10] = [
    "chat_completion",
    "inference",
    "application_variant",
    "agentex_output",
    "metric",
    "auto_evaluation.question",
    "auto_evaluation.guided_decoding",
    "auto_evaluation.agent",
    "contributor_evaluation.question",
    "custom_function",
];

/// The task type a request-side task decoded into, read from its Rust variant.
fn task_param_member(task: &EvaluationTaskParam) -> &'static str {
    match task {
        EvaluationTaskParam::ChatCompletion(_) => "chat_completion",
        EvaluationTaskParam::Inference(_) => "inference",
        EvaluationTaskParam::ApplicationVariant(_) => "application_variant",
        EvaluationTaskParam::AgentexOutput(_) => "agentex_output",
        EvaluationTaskParam::Metric(_) => "metric",
        EvaluationTaskParam::AutoEvaluationQuestion(_) => "auto_evaluation.question",
        EvaluationTaskParam::AutoEvaluationGuidedDecoding(_) => "auto_evaluation.guided_decoding",
        EvaluationTaskParam::AutoEvaluationAgent(_) => "auto_evaluation.agent",
        EvaluationTaskParam::ContributorEvaluationQuestion(_) => "contributor_evaluation.question",
        EvaluationTaskParam::CustomFunction(_) => "custom_function",
        _ => "unknown",
    }
}

/// The task type a response-side task decoded into, read from its Rust variant.
fn task_member(task: &EvaluationTask) -> &'static str {
    match task {
        EvaluationTask::ChatCompletion(_) => "chat_completion",
        EvaluationTask::Inference(_) => "inference",
        EvaluationTask::ApplicationVariant(_) => "application_variant",
        EvaluationTask::AgentexOutput(_) => "agentex_output",
        EvaluationTask::Metric(_) => "metric",
        EvaluationTask::AutoEvaluationQuestion(_) => "auto_evaluation.question",
        EvaluationTask::AutoEvaluationGuidedDecoding(_) => "auto_evaluation.guided_decoding",
        EvaluationTask::AutoEvaluationAgent(_) => "auto_evaluation.agent",
        EvaluationTask::ContributorEvaluationQuestion(_) => "contributor_evaluation.question",
        EvaluationTask::CustomFunction(_) => "custom_function",
        _ => "unknown",
    }
}

/// The `task_type` values of a JSON task list.
fn task_types_of(tasks: &Value) -> Vec<&str> {
    tasks
        .as_array()
        .expect("a task list")
        .iter()
        .map(|task| task["task_type"].as_str().expect("every example task names its type"))
        .collect()
}

/// Finds a named example of the spec.
fn named<'a>(examples: &'a [spec::Example], name: &str) -> &'a Value {
    &examples
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no example `{name}`"))
        .1
}

#[test]
fn create_evaluation_examples_land_in_their_shape_with_every_task_type() {
    let (_, examples) = spec::request_examples("createEvaluation");
    let names: Vec<&str> = examples.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["standalone", "from_dataset", "with_dataset", "all_task_types"]);
    for (name, example) in &examples {
        let body: EvaluationCreateRequest = serde_json::from_value(example.clone()).unwrap();
        let (shape, tasks) = match &body {
            EvaluationCreateRequest::Standalone(b) => ("standalone", b.tasks.as_deref()),
            EvaluationCreateRequest::FromDataset(b) => ("from_dataset", b.tasks.as_deref()),
            EvaluationCreateRequest::WithDataset(b) => ("with_dataset", b.tasks.as_deref()),
        };
        let expected_shape = if name == "all_task_types" {
            "standalone"
        } else {
            name.as_str()
        };
        assert_eq!(shape, expected_shape, "createEvaluation example `{name}`");
        let members: Vec<&str> = tasks
            .expect("every example has tasks")
            .iter()
            .map(task_param_member)
            .collect();
        assert_eq!(members, task_types_of(&example["tasks"]), "tasks of example `{name}`");
    }
    let all = named(&examples, "all_task_types");
    assert_eq!(task_types_of(&all["tasks"]), TASK_TYPES, "one task of each type");
}

/// Each task of the spec's `all_task_types` example, added on its own through `tasks.add`: the
/// body decodes into the right member and goes out as the same JSON.
#[tokio::test]
async fn every_task_type_goes_through_tasks_add() {
    let (_, examples) = spec::request_examples("createEvaluation");
    let tasks = named(&examples, "all_task_types")["tasks"].as_array().unwrap().clone();
    assert_eq!(tasks.len(), TASK_TYPES.len());
    let response = spec::response_examples("addEvaluationTask", "200").1.remove(0).1;
    let path = format!("/v5/evaluations/{EVALUATION_ID}/tasks");
    for (task, task_type) in tasks.iter().zip(TASK_TYPES) {
        let context = format!("tasks.add with a `{task_type}` task");
        let wire = json!({ "task": task });
        let body: EvaluationTaskAddRequest = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(task_param_member(&body.task), task_type, "{context}");
        let harness = Harness::start().await;
        harness.expect_call("POST", &path, json_response(&response)).await;
        let evaluation = harness
            .client
            .evaluation_tasks()
            .add(EVALUATION_ID, body)
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        let request = harness.the_request().await;
        let expect = Expect::new("addEvaluationTask", path.clone());
        assert_request(&request, "POST", &expect, Some(&wire), &context);
        assert_json_eq(&to_json(&evaluation), &response, &context);
    }
}

#[tokio::test]
async fn every_task_type_decodes_from_a_retrieved_evaluation() {
    let example = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
    assert_eq!(
        task_types_of(&example["tasks"]),
        TASK_TYPES,
        "the example has one task of each type"
    );
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, json_response(&example)).await;
    let evaluation = harness.client.evaluations().retrieve(EVALUATION_ID).await.unwrap();
    let tasks = evaluation.tasks.as_deref().expect("tasks");
    let members: Vec<&str> = tasks.iter().map(task_member).collect();
    assert_eq!(members, TASK_TYPES);
    // The guided-decoding task is the `choices` shape with a nested run condition:
    // and(is_not_null(var), not(eq(var, const))).
    let EvaluationTask::AutoEvaluationGuidedDecoding(guided) = &tasks[6] else {
        unreachable!("checked above")
    };
    let AutoEvaluationGuidedDecodingEvaluationTaskConfiguration::TaskRequestWithItemLocator(configuration) =
        &guided.configuration
    else {
        panic!("the `choices` shape: {:?}", guided.configuration)
    };
    assert_eq!(configuration.choices, ["correct", "partially correct", "incorrect"]);
    let condition = configuration.run_condition.as_ref().expect("a run condition");
    assert_eq!(condition_tree(condition), "and(is_not_null(var), not(eq(var, const)))");
    assert_json_eq(&to_json(&evaluation), &example, "retrieved evaluation");
}

/// A response-side run condition as a term, e.g. `and(var, not(const))`; operands that are not
/// conditions show as `value`.
fn condition_tree(condition: &EvaluationRunCondition) -> String {
    let operands = |operands: &[RunConditionOperand]| -> String {
        operands.iter().map(operand_tree).collect::<Vec<_>>().join(", ")
    };
    match condition {
        EvaluationRunCondition::Const(_) => "const".to_string(),
        EvaluationRunCondition::Var(_) => "var".to_string(),
        EvaluationRunCondition::Eq(eq) => format!("eq({}, {})", operand_tree(&eq.left), operand_tree(&eq.right)),
        EvaluationRunCondition::And(and) => format!("and({})", operands(&and.operands)),
        EvaluationRunCondition::Or(or) => format!("or({})", operands(&or.operands)),
        EvaluationRunCondition::Not(not) => format!("not({})", operands(&not.operands)),
        EvaluationRunCondition::IsNotNull(is) => format!("is_not_null({})", operands(&is.operands)),
        other => format!("other:{other:?}"),
    }
}

fn operand_tree(operand: &RunConditionOperand) -> String {
    match operand {
        RunConditionOperand::EvaluationRunCondition(condition) => condition_tree(condition),
        RunConditionOperand::Value(_) => "value".to_string(),
    }
}

/// A request-side condition as an operand of another.
fn operand(condition: impl Into<EvaluationRunConditionParam>) -> RunConditionOperandParam {
    RunConditionOperandParam::from(Box::new(condition.into()))
}

/// `or(and(is_not_null(var), not(eq(var, const))), not(or(var, const)))`, built in Rust, sent in a
/// guided-decoding task, and decoded back from an evaluation that carries it.
#[tokio::test]
async fn nested_run_conditions_are_sent_and_decoded() {
    let var = |path: &str| VarEvaluationRunConditionParam::new(path);
    let constant = |value: &str| ConstEvaluationRunConditionParam::new().value(value.to_string());
    let locale_is_german = Box::new(EqEvaluationRunConditionParam::new(
        operand(var("item.locale")),
        operand(constant("de-DE")),
    ));
    let condition = OrEvaluationRunConditionParam::new(vec![
        operand(AndEvaluationRunConditionParam::new(vec![
            operand(IsNotNullEvaluationRunConditionParam::new(vec![operand(var(
                "item.gpt4o_answer",
            ))])),
            operand(NotEvaluationRunConditionParam::new(vec![operand(locale_is_german)])),
        ])),
        operand(NotEvaluationRunConditionParam::new(vec![operand(
            OrEvaluationRunConditionParam::new(vec![operand(var("item.skip")), operand(constant("yes"))]),
        )])),
    ]);
    let configuration = AutoEvaluationGuidedDecodingTaskRequestWithItemLocatorParam::new(
        vec!["yes".to_string(), "no".to_string()],
        "openai/gpt-4o-mini",
        "Is {{item.gpt4o_answer}} correct?",
    )
    .run_condition(condition);
    let task = AutoEvaluationGuidedDecodingEvaluationTaskParam::new(configuration).alias("correct");
    let wire_condition = json!({"op": "or", "operands": [
        {"op": "and", "operands": [
            {"op": "is_not_null", "operands": [{"op": "var", "path": "item.gpt4o_answer"}]},
            {"op": "not", "operands": [{"op": "eq",
                "left": {"op": "var", "path": "item.locale"},
                "right": {"op": "const", "value": "de-DE"}}]},
        ]},
        {"op": "not", "operands": [{"op": "or", "operands": [
            {"op": "var", "path": "item.skip"},
            {"op": "const", "value": "yes"},
        ]}]},
    ]});
    let wire_task = json!({
        "task_type": "auto_evaluation.guided_decoding",
        "alias": "correct",
        "configuration": {
            "model": "openai/gpt-4o-mini",
            "prompt": "Is {{item.gpt4o_answer}} correct?",
            "choices": ["yes", "no"],
            "run_condition": wire_condition,
        },
    });

    let mut evaluation = spec::response_examples("addEvaluationTask", "200").1.remove(0).1;
    evaluation["tasks"] = json!([wire_task]);
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}/tasks");
    harness.expect_call("POST", &path, json_response(&evaluation)).await;
    let returned = harness
        .client
        .evaluation_tasks()
        .add(EVALUATION_ID, EvaluationTaskAddRequest::new(task))
        .await
        .unwrap();
    let request = harness.the_request().await;
    let expect = Expect::new("addEvaluationTask", path);
    let wire = json!({ "task": wire_task });
    assert_request(&request, "POST", &expect, Some(&wire), "nested run condition");

    let [EvaluationTask::AutoEvaluationGuidedDecoding(guided)] = returned.tasks.as_deref().unwrap() else {
        panic!("one guided-decoding task: {:?}", returned.tasks)
    };
    let AutoEvaluationGuidedDecodingEvaluationTaskConfiguration::TaskRequestWithItemLocator(configuration) =
        &guided.configuration
    else {
        panic!("the `choices` shape: {:?}", guided.configuration)
    };
    assert_eq!(
        condition_tree(configuration.run_condition.as_ref().unwrap()),
        "or(and(is_not_null(var), not(eq(var, const))), not(or(var, const)))"
    );
    assert_json_eq(&to_json(&returned), &evaluation, "decoded nested condition");
}

/// A JSON object from a `json!` literal.
fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// The three create shapes of the spec's examples, built with the generated constructors and
/// setters, sent, and compared with the examples on the wire.
#[tokio::test]
async fn create_evaluation_shapes_built_in_rust() {
    let (_, examples) = spec::request_examples("createEvaluation");

    let chat = ChatCompletionEvaluationTaskConfigurationParam::new(
        "openai/gpt-4o",
        vec![
            object(json!({"role": "system", "content": "You are a concise support agent."})),
            object(json!({"role": "user", "content": "{{item.input}}"})),
        ],
    )
    .temperature(0.2)
    .max_tokens(512_i64)
    .stop(vec!["\n\n".to_string()]);
    let bleu = BleuScorerConfig::new("item.gpt4o_answer", "item.expected_output");
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
    .metadata(object(json!({"team": "support", "model_family": "gpt-4o"})))
    .files(vec![
        BTreeMap::from([("screenshot".to_string(), FILE_ID.to_string())]),
        BTreeMap::new(),
    ])
    .tasks(vec![
        ChatCompletionEvaluationTaskParam::new(chat)
            .alias("gpt4o_answer")
            .into(),
        MetricEvaluationTaskParam::new(bleu).alias("answer_bleu").into(),
    ]);

    let mut reviewed = EvaluationDatasetItemReference::new("dsitem_01jc9w2f3g6h9j2k5m8n1p4q7s");
    reviewed
        .additional_properties
        .insert("reviewer".to_string(), json!("alice"));
    let inference = GenericInferenceEvaluationTaskConfigurationParam::new("launch/llama-3-8b-support")
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
            .into()])
        .skip_prefilled_rows(true);

    let variant = ApplicationVariantV1EvaluationTaskConfigurationParam::new(
        "appvar_01jca1b2c3d4e5f6g7h8j9k0m1",
        object(json!({"query": "item.input"})),
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
    .tasks(vec![ApplicationVariantV1EvaluationTaskParam::new(variant).into()])
    .taxonomy_params(object(json!({"domain": "onboarding"})));

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

/// Partial update and restore, for evaluations and datasets: each example lands in its member,
/// equals the body built in Rust, and goes out as the example.
#[tokio::test]
async fn partial_update_and_restore_bodies() {
    let (_, examples) = spec::request_examples("updateEvaluation");
    let partial: EvaluationUpdateRequest = serde_json::from_value(named(&examples, "partial").clone()).unwrap();
    let built: EvaluationUpdateRequest = PartialEvaluationUpdateRequest::new()
        .name("Support bot regression - Nov (final)")
        .metadata(object(json!({"reviewed": true})))
        .into();
    assert_eq!(partial, built);
    let restore: EvaluationUpdateRequest = serde_json::from_value(named(&examples, "restore").clone()).unwrap();
    assert_eq!(restore, EvaluationUpdateRequest::Restore(RestoreRequest::new(true)));

    let (_, examples) = spec::request_examples("updateDataset");
    let partial: DatasetUpdateRequest = serde_json::from_value(named(&examples, "partial_update").clone()).unwrap();
    let built: DatasetUpdateRequest = PartialDatasetUpdateRequest::new()
        .name("Support golden set (2024 Q4)")
        .tags(vec!["support".to_string(), "q4".to_string()])
        .into();
    assert_eq!(partial, built);
    let restore: DatasetUpdateRequest = serde_json::from_value(named(&examples, "restore").clone()).unwrap();
    assert_eq!(restore, DatasetUpdateRequest::Restore(RestoreRequest::new(true)));

    // Built in Rust and sent: exactly these bodies on the wire.
    let evaluation = spec::response_examples("updateEvaluation", "200").1.remove(0).1;
    let dataset = spec::response_examples("updateDataset", "200").1.remove(0).1;
    let evaluation_path = format!("/v5/evaluations/{EVALUATION_ID}");
    let dataset_path = format!("/v5/datasets/{DATASET_ID}");
    let cases: [(&str, &str, Value); 4] = [
        ("updateEvaluation", "partial", json!({"description": "Final run."})),
        ("updateEvaluation", "restore", json!({"restore": true})),
        ("updateDataset", "partial", json!({"tags": []})),
        ("updateDataset", "restore", json!({"restore": true})),
    ];
    for (operation_id, kind, wire) in cases {
        let context = format!("{operation_id} ({kind}) built in Rust");
        let harness = Harness::start().await;
        if operation_id == "updateEvaluation" {
            harness
                .expect_call("PATCH", &evaluation_path, json_response(&evaluation))
                .await;
            let body: EvaluationUpdateRequest = match kind {
                "partial" => PartialEvaluationUpdateRequest::new().description("Final run.").into(),
                _ => RestoreRequest::new(true).into(),
            };
            harness.client.evaluations().update(EVALUATION_ID, body).await.unwrap();
        } else {
            harness
                .expect_call("PATCH", &dataset_path, json_response(&dataset))
                .await;
            let body: DatasetUpdateRequest = match kind {
                "partial" => PartialDatasetUpdateRequest::new().tags(Vec::<String>::new()).into(),
                _ => RestoreRequest::new(true).into(),
            };
            harness.client.datasets().update(DATASET_ID, body).await.unwrap();
        }
        let request = harness.the_request().await;
        let path = if operation_id == "updateEvaluation" {
            &evaluation_path
        } else {
            &dataset_path
        };
        let expect = Expect::new(operation_id, path.clone());
        assert_request(&request, "PATCH", &expect, Some(&wire), &context);
    }
}

/// The question type a question decoded into, read from its Rust variant.
fn question_member(question: &Question) -> &'static str {
    match question {
        Question::Categorical(_) => "categorical",
        Question::Rating(_) => "rating",
        Question::Number(_) => "number",
        Question::FreeText(_) => "free_text",
        Question::Form(_) => "form",
        Question::Timestamp(_) => "timestamp",
        _ => "unknown",
    }
}

const QUESTION_TYPES: [&str; 6] = ["categorical", "rating", "number", "free_text", "form", "timestamp"];

/// Each of the six question types: the create body lands in its member, and the question decodes
/// into its member when retrieved, and when listed (across two pages, walked with `items()`).
#[tokio::test]
async fn every_question_type_is_created_retrieved_and_listed() {
    let (_, requests) = spec::request_examples("createQuestion");
    let (_, responses) = spec::response_examples("createQuestion", "200");
    let request_names: Vec<&str> = requests.iter().map(|(name, _)| name.as_str()).collect();
    let response_names: Vec<&str> = responses.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(request_names, QUESTION_TYPES);
    assert_eq!(response_names, QUESTION_TYPES);
    for (name, example) in &requests {
        let body: QuestionCreateRequest = serde_json::from_value(example.clone()).unwrap();
        let member = match body {
            QuestionCreateRequest::Categorical(_) => "categorical",
            QuestionCreateRequest::Rating(_) => "rating",
            QuestionCreateRequest::Number(_) => "number",
            QuestionCreateRequest::FreeText(_) => "free_text",
            QuestionCreateRequest::Form(_) => "form",
            QuestionCreateRequest::Timestamp(_) => "timestamp",
            _ => "unknown",
        };
        assert_eq!(member, name, "create body `{name}`");
    }

    let path = format!("/v5/questions/{QUESTION_ID}");
    for (name, question) in &responses {
        let harness = Harness::start().await;
        harness.expect_call("GET", &path, json_response(question)).await;
        let decoded = harness.client.questions().retrieve(QUESTION_ID).await.unwrap();
        harness.the_request().await;
        assert_eq!(question_member(&decoded), name, "retrieved `{name}` question");
        assert_json_eq(&to_json(&decoded), question, &format!("retrieved `{name}` question"));
    }

    // Two pages of three; the second is asked for after the first page's last id.
    let questions: Vec<&Value> = responses.iter().map(|(_, question)| question).collect();
    let page = |items: &[&Value], has_more: bool| json!({"object": "list", "items": items, "total": 6, "has_more": has_more, "limit": 3});
    let harness = Harness::start().await;
    let second_cursor = questions[2]["id"].as_str().unwrap().to_string();
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v5/questions"))
        .and(wiremock::matchers::query_param(
            "starting_after",
            second_cursor.as_str(),
        ))
        .respond_with(json_response(&page(&questions[3..], false)))
        .expect(1)
        .mount(harness.server())
        .await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v5/questions"))
        .respond_with(json_response(&page(&questions[..3], true)))
        .expect(1)
        .mount(harness.server())
        .await;
    let listed: Vec<Question> = harness
        .client
        .questions()
        .list()
        .limit(3)
        .items()
        .map(|item| item.unwrap())
        .collect()
        .await;
    harness.server().verify().await;
    let queries: Vec<String> = harness
        .received()
        .await
        .iter()
        .map(|request| request.url.query().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        queries,
        ["limit=3".to_string(), format!("limit=3&starting_after={second_cursor}")]
    );
    let members: Vec<&str> = listed.iter().map(question_member).collect();
    assert_eq!(members, QUESTION_TYPES);
    for (decoded, question) in listed.iter().zip(&questions) {
        assert_json_eq(&to_json(decoded), question, "listed question");
    }
}

/// Every widget type goes out as its wire name and comes back as the same value; the spec's
/// three widget examples pick the query shape they were written for.
#[tokio::test]
async fn every_widget_type_is_sent_and_decoded() {
    let types = [
        (EvaluationWidgetType::Bar, "bar"),
        (EvaluationWidgetType::Histogram, "histogram"),
        (EvaluationWidgetType::Donut, "donut"),
        (EvaluationWidgetType::Scatter, "scatter"),
        (EvaluationWidgetType::Metric, "metric"),
        (EvaluationWidgetType::Table, "table"),
        (EvaluationWidgetType::Markdown, "markdown"),
        (EvaluationWidgetType::Heading, "heading"),
        (EvaluationWidgetType::Timeseries, "timeseries"),
    ];
    let in_spec = spec::spec()
        .pointer("/components/schemas/EvaluationWidgetType/enum")
        .and_then(Value::as_array)
        .expect("the widget type enum");
    let wire_names: Vec<&str> = types.iter().map(|(_, name)| *name).collect();
    assert_eq!(
        in_spec.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
        wire_names
    );

    let mut widget = spec::response_examples("createEvaluationDashboardWidget", "200")
        .1
        .remove(0)
        .1;
    let path = format!("/v5/evaluation-dashboards/{DASHBOARD_ID}/widgets");
    for (widget_type, wire_name) in types {
        let context = format!("`{wire_name}` widget");
        assert_eq!(widget_type.as_str(), wire_name);
        widget["type"] = json!(wire_name);
        let harness = Harness::start().await;
        harness.expect_call("POST", &path, json_response(&widget)).await;
        let body = EvaluationDashboardWidgetCreateRequest::new("Quality", widget_type.clone());
        let created = harness
            .client
            .evaluation_dashboard_widgets()
            .create(DASHBOARD_ID, body)
            .await
            .unwrap_or_else(|e| panic!("{context}: {e}"));
        let request = harness.the_request().await;
        let expect = Expect::new("createEvaluationDashboardWidget", path.clone());
        let wire = json!({"title": "Quality", "type": wire_name});
        assert_request(&request, "POST", &expect, Some(&wire), &context);
        assert_eq!(created.r#type, widget_type, "{context}");
        assert_json_eq(&to_json(&created), &widget, &context);
    }

    let (_, examples) = spec::request_examples("createEvaluationDashboardWidget");
    let query_shape = |name: &str| {
        let body: EvaluationDashboardWidgetCreateRequest =
            serde_json::from_value(named(&examples, name).clone()).unwrap();
        match body.query {
            Some(WidgetQueryParam::Series(_)) => "series",
            Some(WidgetQueryParam::Metric(_)) => "metric",
            None => "none",
        }
    };
    assert_eq!(query_shape("series"), "series");
    assert_eq!(query_shape("heading"), "none");
    // A metric query's keys are a subset of a series query's and the spec's `anyOf` lists the
    // series query first, so the metric example fits (and lands in) the series member; what must
    // hold is that it goes out unchanged, with no series-only key added.
    let metric = named(&examples, "metric");
    for series_only in ["groupBy", "orderBy", "limit"] {
        assert!(metric["query"].get(series_only).is_none(), "{series_only}");
    }
    let body: EvaluationDashboardWidgetCreateRequest = serde_json::from_value(metric.clone()).unwrap();
    assert_json_eq(&to_json(&body), metric, "metric widget body");
    let decoded: sgp_evals::types::EvaluationDashboardWidgetWithResult = serde_json::from_value(
        spec::response_examples("createEvaluationDashboardWidget", "200")
            .1
            .remove(0)
            .1,
    )
    .unwrap();
    assert!(
        matches!(decoded.query, Some(WidgetQuery::Series(_))),
        "{:?}",
        decoded.query
    );
}

/// Every export format with every export method, built in Rust: exactly these bodies on the
/// wire; both response examples decode.
#[tokio::test]
async fn every_export_format_and_method_is_sent() {
    let formats = [
        (ExportFormat::Json, "json"),
        (ExportFormat::Jsonl, "jsonl"),
        (ExportFormat::Csv, "csv"),
    ];
    let methods = [
        (ExportMethod::SignedUrl, "signed_url"),
        (ExportMethod::Direct, "direct"),
    ];
    let (_, responses) = spec::response_examples("exportEvaluationItems", "200");
    assert_eq!(responses.len(), 2);
    let mut round = 0;
    for (format, format_name) in formats {
        for (method, method_name) in methods {
            let context = format!("export as {format_name} by {method_name}");
            let response = &responses[round % responses.len()].1;
            round += 1;
            let body = EvaluationItemExportRequest::new(EVALUATION_ID)
                .export_format(format)
                .export_method(method)
                .include_archived(round % 2 == 0);
            let wire = json!({
                "evaluation_id": EVALUATION_ID,
                "export_format": format_name,
                "export_method": method_name,
                "include_archived": round % 2 == 0,
            });
            let harness = Harness::start().await;
            harness
                .expect_call("POST", "/v5/evaluation-items/export", json_response(response))
                .await;
            let export = harness
                .client
                .evaluation_items()
                .export(body)
                .await
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            let request = harness.the_request().await;
            let expect = Expect::new("exportEvaluationItems", "/v5/evaluation-items/export");
            assert_request(&request, "POST", &expect, Some(&wire), &context);
            assert_json_eq(&to_json(&export), response, &context);
        }
    }
    assert_eq!(round, 6);
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
    let file = spec::response_examples("retrieveFile", "200").1.remove(0).1;
    let dataset = spec::response_examples("retrieveDataset", "200").1.remove(0).1;
    let file_path = format!("/v5/files/{FILE_ID}");
    let dataset_path = format!("/v5/datasets/{DATASET_ID}");
    harness.expect_call("GET", &file_path, json_response(&file)).await;
    harness.expect_call("GET", &dataset_path, json_response(&dataset)).await;
    // Both futures must be `Send + 'static` for `tokio::spawn`.
    let files = tokio::spawn(harness.client.files().retrieve(FILE_ID).send());
    let datasets = tokio::spawn(std::future::IntoFuture::into_future(
        harness.client.datasets().retrieve(DATASET_ID),
    ));
    let (file_result, dataset_result) = (files.await.unwrap().unwrap(), datasets.await.unwrap().unwrap());
    assert_json_eq(&to_json(&file_result), &file, "spawned retrieveFile");
    assert_json_eq(&to_json(&dataset_result), &dataset, "spawned retrieveDataset");
    harness.server().verify().await;
}

#[test]
#[allow(deprecated)]
fn question_set_examples_pick_the_intended_union_member() {
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
            QuestionSetQuestionRef::LegacyQuestionIdWithConfigParam(_) => "id with config",
            QuestionSetQuestionRef::LegacyQuestionCreateWithConfigParam(_) => "new question",
        })
        .collect();
    assert_eq!(members, ["id", "id with config", "new question"]);
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
            .stop("<string>".to_string())
            .store(true)
            .temperature(123.0)
            .tool_choice("<string>".to_string())
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

/// The seed-era page's request is still a valid create body today: it decodes as the standalone
/// shape, equals the body built in Rust, and goes out unchanged.
#[tokio::test]
async fn docs_page_request_is_a_standalone_body_built_in_rust_and_sent_unchanged() {
    let page = support::docs_page_request();
    let decoded: EvaluationCreateRequest = serde_json::from_value(page.clone()).unwrap();
    let EvaluationCreateRequest::Standalone(standalone) = &decoded else {
        panic!("the docs page's body is the standalone shape: {decoded:?}")
    };
    assert_json_eq(
        &to_json(standalone),
        &page,
        "docs page request, decoded and re-serialized",
    );

    let body = docs_page_request_in_rust();
    assert_eq!(body, decoded);
    assert_json_eq(&to_json(&body), &page, "docs page request built in Rust");

    let harness = Harness::start().await;
    harness
        .expect_call(
            "POST",
            "/v5/evaluations",
            json_response(&support::docs_page_response_today()),
        )
        .await;
    harness.client.evaluations().create(body).await.unwrap();
    let request = harness.the_request().await;
    let expect = Expect::new("createEvaluation", "/v5/evaluations");
    assert_request(&request, "POST", &expect, Some(&page), "docs page request");
}

/// The today-shaped response (see `support::docs_page_response_today` for where it comes from)
/// decodes into `Evaluation`, serializes back to itself, and equals the value built with the
/// constructors.
#[tokio::test]
async fn docs_page_response_today_decodes_into_evaluation() {
    let response = support::docs_page_response_today();
    let harness = Harness::start().await;
    harness
        .expect_call("POST", "/v5/evaluations", json_response(&response))
        .await;
    let evaluation: Evaluation = harness
        .client
        .evaluations()
        .create(docs_page_request_in_rust())
        .await
        .unwrap();
    assert_json_eq(
        &to_json(&evaluation),
        &response,
        "today's response, decoded and re-serialized",
    );

    // The same value built with the constructors. Every timestamp is the same instant; building
    // one needs `chrono`, which this crate does not depend on, so the decoded one is checked as
    // text and reused (the comparison below then checks all the others).
    let at = evaluation.created_at;
    assert_eq!(at.to_rfc3339(), "2023-11-07T05:31:56+00:00");
    let creator = Identity::new("<string>", IdentityType::User);
    let dataset = Dataset::new("<string>", "<string>", at, creator.clone(), 123)
        .description("<string>")
        .archived_at(at)
        .tags(vec!["<string>".to_string()]);
    let task = ChatCompletionEvaluationTask::new(docs_page_configuration!(ChatCompletionEvaluationTaskConfiguration))
        .alias("<string>");
    let progress = EvaluationTasksProgress::new()
        .items(EvaluationItemsProgress::new(123, 123, 123, 123).failed_items(
            vec![EvaluationItemFailure::new("<string>")
                .error("<string>")
                .error_type("<string>")],
        ))
        .workflows(EvaluationWorkflowsProgress::new(123, 123, 123, 123));
    let expected = Evaluation::new("<string>", "<string>", EvaluationStatus::Failed, at, creator)
        .description("<string>")
        .archived_at(at)
        .tags(vec!["<string>".to_string()])
        .metadata(Map::new())
        .datasets(vec![dataset])
        .status_reason("<string>")
        .error_count(123)
        .progress(progress)
        .tasks(vec![EvaluationTask::from(task)]);
    assert_eq!(evaluation, expected);
    assert_eq!(evaluation.object, Some(EvaluationObject::Evaluation));
    assert_eq!(evaluation.created_by.r#type, IdentityType::User);
    let datasets = evaluation.datasets.as_deref().expect("datasets");
    assert_eq!(datasets[0].object, Some(DatasetObject::Dataset));
    let Some([EvaluationTask::ChatCompletion(task)]) = evaluation.tasks.as_deref() else {
        panic!("one chat completion task: {:?}", evaluation.tasks)
    };
    assert_eq!(task.task_type, Some(ChatCompletionTaskType::ChatCompletion));
    assert_eq!(task.configuration.top_k, Some(IntegerOrItemLocator::Integer(123)));
}

/// Why the page's own response was replaced: with the seed era's `created_by_user_id` in place of
/// `created_by`, today's client refuses it, naming the missing field.
#[tokio::test]
async fn a_seed_era_response_without_created_by_is_a_decode_error() {
    let mut response = support::docs_page_response_today();
    let evaluation = response.as_object_mut().unwrap();
    evaluation.remove("created_by");
    evaluation.insert("created_by_user_id".to_string(), json!("<string>"));
    let harness = Harness::start().await;
    harness
        .expect_call("POST", "/v5/evaluations", json_response(&response))
        .await;
    let error = harness
        .client
        .evaluations()
        .create(docs_page_request_in_rust())
        .await
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Decode, "{error}");
    assert!(error.to_string().contains("created_by"), "{error}");
}

// ------------------------------------------------------------------------------------------------
// Query and path parameters
// ------------------------------------------------------------------------------------------------

#[tokio::test]
#[allow(deprecated)]
async fn list_operations_without_parameters_send_no_query_string() {
    check(Expect::new("listEvaluations", "/v5/evaluations"), |client| {
        // Empty arrays send nothing either.
        client
            .evaluations()
            .list()
            .views(Vec::new())
            .tags(Vec::<String>::new())
            .send()
    })
    .await;
    check_with_body(
        Expect::new("filterEvaluations", "/v5/evaluations/filter"),
        |client, body: EvaluationFilterRequest| client.evaluations().filter(body).send(),
    )
    .await;
    check(Expect::new("listEvaluationItems", "/v5/evaluation-items"), |client| {
        client.evaluation_items().list().send()
    })
    .await;
    check(Expect::new("listEvaluationGroups", "/v5/evaluation-groups"), |client| {
        client.evaluation_groups().list().send()
    })
    .await;
    check(
        Expect::new("listEvaluationDashboards", "/v5/evaluation-dashboards"),
        |client| client.evaluation_dashboards().list().send(),
    )
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

/// `explode: false` arrays: one pair, values joined by a literal comma, each value encoded on its
/// own (a comma inside a value is escaped, so it cannot be read as a separator).
#[tokio::test]
#[allow(deprecated)]
async fn array_query_parameters_are_comma_joined() {
    check(
        Expect::new("listEvaluations", "/v5/evaluations").query("views=tasks,tasks&tags=a%2Cb,c%20d"),
        |client| {
            let views = vec![EvaluationView::Tasks, EvaluationView::Tasks];
            let tags = vec!["a,b".to_string(), "c d".to_string()];
            client.evaluations().list().views(views).tags(tags).send()
        },
    )
    .await;
    check(
        Expect::new("listQuestions", "/v5/questions").query("ids=q1,q2,q3"),
        |client| {
            let ids = vec!["q1".to_string(), "q2".to_string(), "q3".to_string()];
            client.questions().list().ids(ids).send()
        },
    )
    .await;
    check(
        Expect::new("listEvaluationDashboards", "/v5/evaluation-dashboards").query("created_by_ids=u1&tags=x,y"),
        |client| {
            client
                .evaluation_dashboards()
                .list()
                .created_by_ids(vec!["u1".to_string()])
                .tags(vec!["x".to_string(), "y".to_string()])
                .send()
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

/// `sort_order` goes out as its wire name; `sort_by` is free text, percent-encoded.
#[tokio::test]
async fn sort_by_and_sort_order_are_sent_as_given() {
    for (order, wire) in [(SortOrder::Asc, "asc"), (SortOrder::Desc, "desc")] {
        assert_eq!(order.as_str(), wire);
        check(
            Expect::new("listDatasets", "/v5/datasets")
                .query(&format!("sort_by=metadata.team%20name&sort_order={wire}")),
            |client| {
                client
                    .datasets()
                    .list()
                    .sort_by("metadata.team name")
                    .sort_order(order)
                    .send()
            },
        )
        .await;
    }
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
        ("GET", "/v5/evaluations/team%2Feval%201", example("retrieveEvaluation")),
        ("DELETE", "/v5/dataset-items/a%3Fb%23c", example("archiveDatasetItem")),
        (
            "PATCH",
            "/v5/evaluations/e%201/tasks/my%2Falias",
            example("updateEvaluationTask"),
        ),
        ("GET", "/v5/files/100%25%20%C3%A9t%C3%A9/content", json!(null)),
    ];
    for (http_method, path, body) in &cases {
        let response = match body {
            Value::Null => ResponseTemplate::new(200).set_body_raw(b"x".to_vec(), "application/octet-stream"),
            body => json_response(body),
        };
        harness.expect_call(http_method, path, response).await;
    }
    let configuration = spec::request_examples("updateEvaluationTask").1.remove(0).1;
    let configuration: EvaluationTaskUpdateRequest = serde_json::from_value(configuration).unwrap();
    harness.client.evaluations().retrieve("team/eval 1").await.unwrap();
    harness.client.dataset_items().archive("a?b#c").await.unwrap();
    harness
        .client
        .evaluation_tasks()
        .update("e 1", "my/alias", configuration)
        .await
        .unwrap();
    harness.client.files().retrieve_content("100% été").await.unwrap();
    harness.server().verify().await;
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
    let configuration = spec::request_examples("updateEvaluationTask").1.remove(0).1;
    let configuration: EvaluationTaskUpdateRequest = serde_json::from_value(configuration).unwrap();
    let errors = [
        (
            "retrieveEvaluation",
            "evaluation_id",
            client.evaluations().retrieve("").await.unwrap_err(),
        ),
        (
            "retrieveFileContent",
            "file_id",
            client.files().retrieve_content("").await.unwrap_err(),
        ),
        (
            "updateDataset",
            "dataset_id",
            client
                .datasets()
                .update("", RestoreRequest::new(true))
                .await
                .unwrap_err(),
        ),
        (
            "updateEvaluationTask",
            "alias",
            client
                .evaluation_tasks()
                .update(EVALUATION_ID, ".", configuration)
                .await
                .unwrap_err(),
        ),
        (
            "archiveDataset",
            "dataset_id",
            client.datasets().archive("..").await.unwrap_err(),
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
        .retrieve(EVALUATION_ID)
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
    assert_eq!(error.operation_id(), Some("retrieveEvaluation"));
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
        shown.starts_with("GET /v5/evaluations/{evaluation_id} (retrieveEvaluation): status 404"),
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
    let mut evaluation = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
    evaluation["status"] = json!("paused");
    evaluation["priority"] = json!("high");
    evaluation["datasets"] = json!([{
        "id": DATASET_ID,
        "name": "Support golden set",
        "created_at": "2024-11-07T05:31:56Z",
        "created_by": {"id": "user_1", "type": "user"},
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
    let decoded = harness.client.evaluations().retrieve(EVALUATION_ID).await.unwrap();

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
    assert_eq!(tasks.last(), Some(&EvaluationTask::Unknown(agent_task)));

    // Re-serialized: the same document without the undeclared `priority` and `row_count`, with
    // the unknown status and task kept as they came.
    let mut expected = evaluation.clone();
    expected.as_object_mut().unwrap().remove("priority");
    expected["datasets"][0].as_object_mut().unwrap().remove("row_count");
    assert_json_eq(&to_json(&decoded), &expected, "re-serialized evaluation");
}

#[tokio::test]
async fn unknown_question_type_is_kept() {
    let mut question = spec::response_examples("retrieveQuestion", "200").1.remove(0).1;
    question["question_type"] = json!("ranking");
    let harness = Harness::start().await;
    let path = format!("/v5/questions/{QUESTION_ID}");
    harness.expect_call("GET", &path, json_response(&question)).await;
    let decoded = harness.client.questions().retrieve(QUESTION_ID).await.unwrap();
    assert_eq!(decoded, Question::Unknown(question.clone()));
    assert_json_eq(&to_json(&decoded), &question, "re-serialized question");
}

#[tokio::test]
async fn tasks_without_task_type_are_matched_by_shape() {
    let mut evaluation = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
    evaluation["tasks"] = json!([
        {"alias": "chat", "configuration": {"model": "gpt-4o", "messages": "item.messages"}},
        {"configuration": {"model": "llama-3-8b", "args": {"prompt": "item.input"}}},
        {"configuration": {"application_variant_id": "appvar_01", "inputs": "item.input"}},
    ]);
    let harness = Harness::start().await;
    let path = format!("/v5/evaluations/{EVALUATION_ID}");
    harness.expect_call("GET", &path, json_response(&evaluation)).await;
    let decoded = harness.client.evaluations().retrieve(EVALUATION_ID).await.unwrap();
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

/// A tagged union whose tag is absent and whose members all fail to decode is an error, not
/// `Unknown`: otherwise the metric task's configuration union (`MetricEvaluationTaskConfiguration`,
/// tag `type`, required in every member) would take any object whole, and a task without
/// `task_type` that another member fits only in part would land in `Metric`.
#[tokio::test]
async fn task_without_task_type_but_with_application_variant_id_is_an_application_variant_task() {
    let mut evaluation = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
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
    let decoded = harness.client.evaluations().retrieve(EVALUATION_ID).await.unwrap();
    let task = &decoded.tasks.as_deref().unwrap()[0];
    assert!(matches!(task, EvaluationTask::ApplicationVariant(_)), "{task:?}");
}

#[tokio::test]
async fn decode_path_reaches_inside_union_members() {
    let mut evaluation = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
    evaluation["tasks"][0]["configuration"]["model"] = json!(5);
    let error = get_evaluation_error(json_response(&evaluation)).await;
    assert_eq!(error.kind(), ErrorKind::Decode);
    assert_eq!(error.decode_path(), Some("tasks[0].configuration.model"));
}

#[tokio::test]
async fn timestamps_accept_any_rfc3339_offset_and_precision() {
    let mut dataset = spec::response_examples("retrieveDataset", "200").1.remove(0).1;
    dataset["created_at"] = json!("2024-11-07T07:31:56.123456+02:00");
    dataset["archived_at"] = json!("2024-11-08T00:00:00z");
    let harness = Harness::start().await;
    let path = format!("/v5/datasets/{DATASET_ID}");
    harness.expect_call("GET", &path, json_response(&dataset)).await;
    let decoded = harness.client.datasets().retrieve(DATASET_ID).await.unwrap();
    assert_eq!(decoded.created_at.to_rfc3339(), "2024-11-07T05:31:56.123456+00:00");
    assert_eq!(decoded.archived_at.unwrap().to_rfc3339(), "2024-11-08T00:00:00+00:00");
}

#[tokio::test]
async fn a_known_task_type_with_a_broken_configuration_is_a_decode_error() {
    let mut evaluation = spec::response_examples("retrieveEvaluation", "200").1.remove(0).1;
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
    let status = client.evaluations().retrieve("e401").await.unwrap_err();
    let decode = client.evaluations().retrieve("bad").await.unwrap_err();
    let invalid = client.evaluations().retrieve("").await.unwrap_err();
    let config = Client::builder().api_key(API_KEY).build().unwrap_err();
    let connect = closed_port_client().files().list().max_retries(0).await.unwrap_err();
    harness.server().verify().await;
    assert_eq!(status.kind(), ErrorKind::Status);
    assert_eq!(decode.kind(), ErrorKind::Decode);
    assert_eq!(invalid.kind(), ErrorKind::InvalidRequest);
    assert_eq!(config.kind(), ErrorKind::Config);
    assert_eq!(connect.kind(), ErrorKind::Connect);
    assert!(!connect.request_sent());

    let mut shown = vec![
        format!("{client:?}"),
        format!("{:?}", client.evaluations()),
        format!("{:?}", client.evaluations().retrieve(EVALUATION_ID)),
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
    // A raw wiremock server: the prefix is not part of the API's paths, which the mock checks.
    let example = spec::response_examples("retrieveFile", "200").1.remove(0).1;
    let path = format!("/proxy/sgp/v5/files/{FILE_ID}");
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path(path.as_str()))
        .respond_with(json_response(&example))
        .expect(1)
        .mount(&server)
        .await;
    client.files().retrieve(FILE_ID).await.unwrap();
    let requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_eq!(requests[0].url.path(), path);
    assert_credentials(&requests[0], "prefixed base URL");
}

/// A request the description does not cover, sent through the escape hatch, needs the same
/// credentials as every operation of this API (the root `security` list), and gets them.
#[tokio::test]
async fn a_hand_made_request_sends_the_api_s_credentials() {
    static UNDESCRIBED: sgp_evals::runtime::Operation = sgp_evals::runtime::Operation {
        id: "listWidgets",
        method: sgp_evals::runtime::Method::Get,
        path: "/v5/widgets",
    };
    // A raw wiremock server: the generated mock rejects a path the API does not have.
    let server = MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v5/widgets"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key(API_KEY)
        .account_id(ACCOUNT_ID)
        .base_url(server.uri())
        .build()
        .unwrap();
    client.runtime().request(&UNDESCRIBED).send_empty().await.unwrap();
    let requests = server.received_requests().await.expect("request recording is on");
    assert_eq!(requests.len(), 1, "{requests:#?}");
    assert_credentials(&requests[0], "hand-made request");
}

// ------------------------------------------------------------------------------------------------
// Every example of the spec round-trips through its Rust type
// ------------------------------------------------------------------------------------------------

/// Decodes an example into `T` and serializes it back.
type RoundTrip = fn(&Value) -> Result<Value, String>;

fn via<T: serde::de::DeserializeOwned + serde::Serialize>(example: &Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(example.clone()).map_err(|e| e.to_string())?;
    Ok(to_json(&typed))
}

/// The Rust type of each operation's JSON request body (the argument of its client method).
fn request_type(operation_id: &str) -> Option<RoundTrip> {
    let round_trip: RoundTrip = match operation_id {
        "addEvaluationTask" => via::<sgp_evals::types::EvaluationTaskAddRequest>,
        "batchCreateDatasetItems" => via::<sgp_evals::types::DatasetItemBatchCreateRequest>,
        "createDataset" => via::<sgp_evals::types::DatasetCreateRequest>,
        "createEvaluation" => via::<sgp_evals::types::EvaluationCreateRequest>,
        "createEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboardCreateRequest>,
        "createEvaluationDashboardWidget" => via::<sgp_evals::types::EvaluationDashboardWidgetCreateRequest>,
        "createEvaluationGroup" => via::<sgp_evals::types::EvaluationGroupCreateRequest>,
        "createQuestion" => via::<sgp_evals::types::QuestionCreateRequest>,
        "createQuestionSet" => via::<sgp_evals::types::QuestionSetCreateRequest>,
        "exportEvaluationItems" => via::<sgp_evals::types::EvaluationItemExportRequest>,
        "filterEvaluations" => via::<sgp_evals::types::EvaluationFilterRequest>,
        "importFilesFromCloud" => via::<sgp_evals::types::FileImportFromCloudRequest>,
        "replaceEvaluationGroup" => via::<sgp_evals::types::EvaluationGroupReplaceRequest>,
        "updateDataset" => via::<sgp_evals::types::DatasetUpdateRequest>,
        "updateDatasetItem" => via::<sgp_evals::types::DatasetItemUpdateRequest>,
        "updateEvaluation" => via::<sgp_evals::types::EvaluationUpdateRequest>,
        "updateEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboardUpdateRequest>,
        "updateEvaluationDashboardWidget" => via::<sgp_evals::types::EvaluationDashboardWidgetUpdateRequest>,
        "updateEvaluationGroup" => via::<sgp_evals::types::EvaluationGroupUpdateRequest>,
        "updateEvaluationTask" => via::<sgp_evals::types::EvaluationTaskUpdateRequest>,
        "updateFile" => via::<sgp_evals::types::FileUpdateRequest>,
        "updateQuestion" => via::<sgp_evals::types::QuestionUpdateRequest>,
        "updateQuestionSet" => via::<sgp_evals::types::QuestionSetUpdateRequest>,
        _ => return None,
    };
    Some(round_trip)
}

/// The Rust type of each operation's JSON success response (what its client method returns).
fn response_type(operation_id: &str) -> Option<RoundTrip> {
    let round_trip: RoundTrip = match operation_id {
        "addEvaluationTask" => via::<sgp_evals::types::Evaluation>,
        "archiveDataset" => via::<sgp_evals::types::DatasetArchiveResponse>,
        "archiveDatasetItem" => via::<sgp_evals::types::DatasetItemArchiveResponse>,
        "archiveEvaluation" => via::<sgp_evals::types::Evaluation>,
        "archiveEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboard>,
        "archiveEvaluationGroup" => via::<sgp_evals::types::EvaluationGroup>,
        "archiveQuestion" => via::<sgp_evals::types::Question>,
        "batchCreateDatasetItems" => via::<sgp_evals::types::DatasetItemBatchCreateResponse>,
        "createDataset" => via::<sgp_evals::types::Dataset>,
        "createEvaluation" => via::<sgp_evals::types::Evaluation>,
        "createEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboard>,
        "createEvaluationDashboardWidget" => via::<sgp_evals::types::EvaluationDashboardWidgetWithResult>,
        "createEvaluationGroup" => via::<sgp_evals::types::EvaluationGroup>,
        "createFile" => via::<sgp_evals::types::File>,
        "createQuestion" => via::<sgp_evals::types::Question>,
        "createQuestionSet" => via::<sgp_evals::types::QuestionSet>,
        "deleteFile" => via::<sgp_evals::types::FileDeleteResponse>,
        "deleteQuestionSet" => via::<sgp_evals::types::QuestionSetDeleteResponse>,
        "exportEvaluationItems" => via::<sgp_evals::types::EvaluationItemExport>,
        "filterEvaluations" => via::<sgp_evals::types::EvaluationList>,
        "getQuestionSet" => via::<sgp_evals::types::QuestionSet>,
        "importFilesFromCloud" => via::<sgp_evals::types::FileImportFromCloudResponse>,
        "listDatasetItems" => via::<sgp_evals::types::DatasetItemList>,
        "listDatasets" => via::<sgp_evals::types::DatasetList>,
        "listEvaluationDashboards" => via::<sgp_evals::types::EvaluationDashboardList>,
        "listEvaluationGroups" => via::<sgp_evals::types::EvaluationGroupList>,
        "listEvaluationItems" => via::<sgp_evals::types::EvaluationItemList>,
        "listEvaluations" => via::<sgp_evals::types::EvaluationList>,
        "listFiles" => via::<sgp_evals::types::FileList>,
        "listQuestionSets" => via::<sgp_evals::types::QuestionSetList>,
        "listQuestions" => via::<sgp_evals::types::QuestionList>,
        "replaceEvaluationGroup" => via::<sgp_evals::types::EvaluationGroup>,
        "restoreQuestion" => via::<sgp_evals::types::Question>,
        "retrieveDataset" => via::<sgp_evals::types::Dataset>,
        "retrieveDatasetItem" => via::<sgp_evals::types::DatasetItem>,
        "retrieveEvaluation" => via::<sgp_evals::types::Evaluation>,
        "retrieveEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboard>,
        "retrieveEvaluationGroup" => via::<sgp_evals::types::EvaluationGroup>,
        "retrieveEvaluationGroupSchema" => via::<sgp_evals::types::EvaluationGroupRetrieveSchemaResponse>,
        "retrieveEvaluationItem" => via::<sgp_evals::types::EvaluationItem>,
        "retrieveEvaluationSchema" => via::<sgp_evals::types::EvaluationSchemaResponse>,
        "retrieveEvaluationTaxonomy" => via::<sgp_evals::types::EvaluationTaxonomy>,
        "retrieveFile" => via::<sgp_evals::types::File>,
        "retrieveQuestion" => via::<sgp_evals::types::Question>,
        "updateDataset" => via::<sgp_evals::types::Dataset>,
        "updateDatasetItem" => via::<sgp_evals::types::DatasetItem>,
        "updateEvaluation" => via::<sgp_evals::types::Evaluation>,
        "updateEvaluationDashboard" => via::<sgp_evals::types::EvaluationDashboard>,
        "updateEvaluationDashboardWidget" => via::<sgp_evals::types::EvaluationDashboardWidgetWithResult>,
        "updateEvaluationGroup" => via::<sgp_evals::types::EvaluationGroup>,
        "updateEvaluationTask" => via::<sgp_evals::types::Evaluation>,
        "updateFile" => via::<sgp_evals::types::File>,
        "updateQuestion" => via::<sgp_evals::types::Question>,
        "updateQuestionSet" => via::<sgp_evals::types::QuestionSet>,
        _ => return None,
    };
    Some(round_trip)
}

/// Every example of every request body and response in the spec decodes into its Rust type and
/// serializes back to the same JSON: success bodies into the operation's types above, error
/// bodies into `ErrorResponse`. The two bodies that are not JSON (the multipart upload and the
/// raw file content) are checked byte for byte by `create_file` and `retrieve_file_content`.
#[test]
fn every_spec_example_round_trips_through_its_rust_type() {
    let raw_bodies = [
        ("createFile", "request", "multipart/form-data"),
        ("retrieveFileContent", "200", "application/octet-stream"),
        ("retrieveFileContent", "200", "application/json"),
    ];
    let mut round_tripped = 0;
    let mut raw_seen = BTreeSet::new();
    for op in spec::operations() {
        let mut parts: Vec<(String, &Value)> = Vec::new();
        if let Some(body) = op.node.get("requestBody") {
            parts.push(("request".to_string(), spec::deref(body)));
        }
        for (status, response) in op.node["responses"].as_object().expect("responses") {
            parts.push((status.clone(), spec::deref(response)));
        }
        for (part, node) in parts {
            let Some(content) = node.get("content").and_then(Value::as_object) else {
                continue;
            };
            for (media_type, media) in content {
                let context = format!("{} {part} {media_type}", op.id);
                if raw_bodies.contains(&(op.id.as_str(), part.as_str(), media_type.as_str())) {
                    raw_seen.insert(context);
                    continue;
                }
                assert_eq!(media_type, "application/json", "{context}");
                let round_trip = match part.as_str() {
                    "request" => request_type(&op.id),
                    status if status.starts_with('2') => response_type(&op.id),
                    _ => Some(via::<ErrorResponse> as RoundTrip),
                }
                .unwrap_or_else(|| panic!("{context}: no Rust type listed"));
                let examples: Vec<Value> = match (media.get("example"), media.get("examples")) {
                    (Some(example), _) => vec![example.clone()],
                    (None, Some(Value::Object(examples))) => examples
                        .values()
                        .map(|example| spec::deref(example)["value"].clone())
                        .collect(),
                    _ => panic!("{context}: no example"),
                };
                for example in examples {
                    let back = round_trip(&example).unwrap_or_else(|e| panic!("{context}: {e}\n{example}"));
                    assert_json_eq(&back, &example, &context);
                    round_tripped += 1;
                }
            }
        }
    }
    assert_eq!(raw_seen.len(), raw_bodies.len(), "{raw_seen:?}");
    // Every operation has at least one request or success example and three error examples.
    assert!(round_tripped > 4 * SPEC_OPERATIONS, "only {round_tripped} examples");
}
