//! What a session covered, read from the wire, checked against what the spec names: every
//! operation, parameter and body variant.

use std::collections::BTreeSet;

use serde_json::Value;

use super::relay::Exchange;
use super::{spec, violation, Session};

/// Every operation of the spec answered with 2xx (its generated response decoded: `call`
/// checks that), unless Prism could not generate a valid one ([`super::prism_gap`],
/// [`super::faker_cut_off`]; reported by `finish`).
pub fn check_operations_answered(session: &mut Session) {
    let answered: BTreeSet<&str> = session
        .exchanges()
        .iter()
        .filter(|e| (200..300).contains(&e.status) && violation(e).is_none())
        .filter_map(|e| spec::operation_for(&e.method, e.path()))
        .map(|op| op.id.as_str())
        .collect();
    let gapped = session.gapped_operations();
    let missing: Vec<String> = spec::operations()
        .iter()
        .map(|op| op.id.as_str())
        .filter(|id| !answered.contains(id) && !gapped.contains(id))
        .map(|id| format!("coverage: operation {id} was not answered with 2xx"))
        .collect();
    for message in missing {
        session.fail(message);
    }
}

/// What the requests that Prism answered with 2xx covered, read from the wire.
#[derive(Default)]
struct Covered {
    operations: BTreeSet<String>,
    /// (operation, query parameter)
    parameters: BTreeSet<(String, String)>,
    /// (operation, array query parameter sent with two or more comma-joined values)
    comma_joined: BTreeSet<(String, String)>,
    /// (operation, header parameter)
    headers: BTreeSet<(String, String)>,
    /// (operation, variant): body shapes and tags, see [`body_variants`].
    variants: BTreeSet<(String, String)>,
}

/// Every operation of the spec answered with 2xx, every query and header parameter sent, every
/// array parameter sent comma-joined, and every body variant the spec names sent: each Create
/// Evaluation shape with each task type, each task type added on its own, every run-condition
/// operator (nested), partial update and restore, each question type, each widget type, each
/// export format and method, a multipart upload, and file content asked for as JSON.
pub fn check_coverage(session: &mut Session) {
    let mut covered = Covered::default();
    for exchange in session.exchanges() {
        let Some(op) = spec::operation_for(&exchange.method, exchange.path()) else {
            continue;
        };
        if !(200..300).contains(&exchange.status) || violation(exchange).is_some() {
            continue;
        }
        let id = op.id.clone();
        covered.operations.insert(id.clone());
        for (name, value) in exchange.query_pairs() {
            if op.array_query.contains(&name) && value.contains(',') {
                covered.comma_joined.insert((id.clone(), name.clone()));
            }
            covered.parameters.insert((id.clone(), name));
        }
        for name in &op.headers {
            if exchange.request_header(name).is_some() {
                covered.headers.insert((id.clone(), name.clone()));
            }
        }
        for variant in body_variants(&id, exchange) {
            covered.variants.insert((id.clone(), variant));
        }
    }

    let operations = spec::operations();
    assert_eq!(operations.len(), 56, "the spec has 56 operations");
    assert_eq!(
        operations.iter().filter(|op| op.deprecated).count(),
        5,
        "5 of them deprecated"
    );
    let mut missing = Vec::new();
    for op in operations {
        if !covered.operations.contains(&op.id) {
            missing.push(format!("operation {} was not answered with 2xx", op.id));
        }
        let pair = |name: &String| (op.id.clone(), name.clone());
        for name in &op.query {
            if !covered.parameters.contains(&pair(name)) {
                missing.push(format!("query parameter `{name}` of {} was never sent", op.id));
            }
        }
        for name in &op.array_query {
            if !covered.comma_joined.contains(&pair(name)) {
                missing.push(format!("{}: `{name}` was never sent comma-joined", op.id));
            }
        }
        for name in &op.headers {
            if !covered.headers.contains(&pair(name)) {
                missing.push(format!("header parameter `{name}` of {} was never sent", op.id));
            }
        }
    }
    for (op, variant) in expected_variants() {
        if !covered.variants.contains(&(op.to_string(), variant.clone())) {
            missing.push(format!("{op}: no request with {variant} was answered"));
        }
    }
    for message in missing {
        session.fail(format!("coverage: {message}"));
    }
}

/// The body variants every run must send, by operation; the tag values come from the spec.
fn expected_variants() -> Vec<(&'static str, String)> {
    let task_types = spec::tag_values("EvaluationTaskParam", Some("task_type"));
    let mut expected = Vec::new();
    for shape in ["standalone", "from_dataset", "with_dataset"] {
        for task_type in &task_types {
            expected.push(("createEvaluation", format!("shape {shape} + task {task_type}")));
        }
    }
    for task_type in &task_types {
        expected.push(("addEvaluationTask", format!("task {task_type}")));
    }
    for op in spec::tag_values("EvaluationRunConditionParam", Some("op")) {
        expected.push(("createEvaluation", format!("run condition {op}")));
        expected.push(("addEvaluationTask", format!("run condition {op}")));
    }
    expected.push(("createEvaluation", format!("run condition depth {MIN_CONDITION_DEPTH}")));
    for op in ["updateEvaluation", "updateDataset", "updateQuestionSet"] {
        expected.push((op, "restore".to_string()));
        expected.push((op, "partial".to_string()));
    }
    for question_type in spec::tag_values("QuestionCreateRequest", Some("question_type")) {
        expected.push(("createQuestion", format!("question {question_type}")));
    }
    for widget_type in spec::tag_values("EvaluationWidgetType", None) {
        expected.push(("createEvaluationDashboardWidget", format!("widget {widget_type}")));
    }
    for format in spec::tag_values("ExportFormat", None) {
        expected.push(("exportEvaluationItems", format!("format {format}")));
    }
    for method in spec::tag_values("ExportMethod", None) {
        expected.push(("exportEvaluationItems", format!("method {method}")));
    }
    for operator in spec::tag_values("MetadataFilter", Some("operator")) {
        expected.push(("filterEvaluations", format!("operator {operator}")));
    }
    expected.push(("createFile", "multipart".to_string()));
    expected.push(("retrieveFileContent", "accept application/json".to_string()));
    expected
}

/// How deep the run condition sent must nest (or > and > not > in).
pub const MIN_CONDITION_DEPTH: usize = 4;

/// The variants one answered request covers, named as in [`expected_variants`].
fn body_variants(operation_id: &str, exchange: &Exchange) -> Vec<String> {
    let body = serde_json::from_slice::<Value>(&exchange.request_body).unwrap_or(Value::Null);
    let mut variants = Vec::new();
    match operation_id {
        "createEvaluation" | "addEvaluationTask" => {
            let tasks = match operation_id {
                "addEvaluationTask" => vec![body["task"].clone()],
                _ => body["tasks"].as_array().cloned().unwrap_or_default(),
            };
            let shape = if body.get("dataset_id").is_some() {
                "from_dataset"
            } else if body.get("dataset").is_some() {
                "with_dataset"
            } else {
                "standalone"
            };
            for task in &tasks {
                let task_type = task["task_type"].as_str().unwrap_or("?");
                variants.push(match operation_id {
                    "addEvaluationTask" => format!("task {task_type}"),
                    _ => format!("shape {shape} + task {task_type}"),
                });
                let condition = &task["configuration"]["run_condition"];
                let mut ops = BTreeSet::new();
                let depth = condition_ops(condition, &mut ops);
                variants.extend(ops.into_iter().map(|op| format!("run condition {op}")));
                if depth >= MIN_CONDITION_DEPTH {
                    variants.push(format!("run condition depth {MIN_CONDITION_DEPTH}"));
                }
            }
        }
        "updateEvaluation" | "updateDataset" | "updateQuestionSet" => {
            let restore = body.get("restore").is_some();
            variants.push(if restore { "restore" } else { "partial" }.to_string());
        }
        "createQuestion" => variants.push(format!("question {}", body["question_type"].as_str().unwrap_or("?"))),
        "createEvaluationDashboardWidget" => variants.push(format!("widget {}", body["type"].as_str().unwrap_or("?"))),
        "exportEvaluationItems" => {
            variants.extend(body["export_format"].as_str().map(|f| format!("format {f}")));
            variants.extend(body["export_method"].as_str().map(|m| format!("method {m}")));
        }
        "filterEvaluations" => {
            let filters = body["filters"].as_array().into_iter().flatten();
            variants.extend(
                filters
                    .filter_map(|f| f["operator"].as_str())
                    .map(|o| format!("operator {o}")),
            );
        }
        "createFile" => {
            let content_type = exchange.request_header("content-type").unwrap_or_default();
            if content_type.starts_with("multipart/form-data; boundary=") {
                variants.push("multipart".to_string());
            }
        }
        "retrieveFileContent" => {
            if let Some(accept) = exchange.request_header("accept") {
                variants.push(format!("accept {accept}"));
            }
        }
        _ => {}
    }
    variants
}

/// The operators of a run condition tree (objects with `op`, found in `left`, `right` and
/// `operands`) and its depth in conditions.
pub fn condition_ops(node: &Value, ops: &mut BTreeSet<String>) -> usize {
    let Some(op) = node.get("op").and_then(Value::as_str) else {
        return 0;
    };
    ops.insert(op.to_string());
    let children = [node.get("left"), node.get("right")]
        .into_iter()
        .flatten()
        .chain(node["operands"].as_array().into_iter().flatten());
    1 + children.map(|child| condition_ops(child, ops)).max().unwrap_or(0)
}
