//! Request bodies built in Rust with the generated constructors and setters (or decoded from
//! JSON where the spec's examples already say it), and the JSON helpers that check them.

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use sgp_evals::types::{
    AgenticApplicationInitialState, AgenticApplicationOverridesParam, AgenticApplicationTraceEntryParam,
    ApplicationVariantHistoryEntryParam, ApplicationVariantV1EvaluationTaskConfigurationParam,
    ApplicationVariantV1EvaluationTaskParam, AutoEvaluationGuidedDecodingEvaluationTaskParam,
    AutoEvaluationGuidedDecodingTaskRequestWithItemLocatorParam as GuidedDecodingRequest,
    ChatCompletionEvaluationTaskConfigurationParam, ChatCompletionEvaluationTaskParam, EvaluationCreateRequest,
    EvaluationDatasetItemReference, EvaluationDatasetParam, EvaluationFromDatasetCreateRequest,
    EvaluationRunConditionParam, EvaluationStandaloneCreateRequest, EvaluationTaskParam,
    EvaluationWithDatasetCreateRequest, GenericInferenceEvaluationTaskConfigurationParam,
    GenericInferenceEvaluationTaskParam, LaunchInferenceConfigurationParam,
};

use super::{spec, Session};

/// The dataset the from-dataset bodies refer to.
pub const DATASET_ID: &str = "dataset_01jc9w2e5r8t1y4v7k0m3p6a9s";
/// A dataset item of it.
pub const DATASET_ITEM_ID: &str = "dsitem_01jc9w2f3g6h9j2k5m8n1p4q7r";
/// The file the bodies' file maps name.
pub const FILE_ID: &str = "file_01jcb3h7k2m5n8p1q4r7s0t3v6";

/// A JSON value decoded into a typed body; the failure names `what`.
pub fn typed<B: DeserializeOwned>(session: &mut Session, what: &str, json: Value) -> Option<B> {
    match serde_json::from_value(json) {
        Ok(body) => Some(body),
        Err(e) => {
            session.fail(format!("{what}: does not decode into the typed body: {e}"));
            None
        }
    }
}

/// JSON equality where numbers are compared by value (`0` and `0.0` are the same number; a
/// typed `number` field sends the latter).
pub fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_json(a, b)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(key, a)| b.get(key).is_some_and(|b| same_json(a, b)))
        }
        _ => a == b,
    }
}

/// The `task_type` a task sends.
pub fn task_type_of(task: &EvaluationTaskParam) -> String {
    let json = serde_json::to_value(task).unwrap_or_default();
    json["task_type"].as_str().unwrap_or("?").to_string()
}

/// A JSON object from a `json!` literal.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// An item locator for `name`.
pub fn at(name: &str) -> String {
    format!("item.{name}")
}

/// One task of each type. Chat completion, inference and application variant are built with the
/// constructors and setters (with `locators`, every field that accepts an item locator gets
/// one), and so is guided decoding, with [`typed_run_condition`]; the others are the spec's
/// `all_task_types` example tasks.
pub fn every_task_type(session: &mut Session, locators: bool) -> Vec<EvaluationTaskParam> {
    let mut tasks = vec![
        chat_task(locators),
        inference_task(locators),
        application_variant_task(locators),
        guided_decoding_task(session),
    ];
    let built: BTreeSet<String> = tasks.iter().map(task_type_of).collect();
    let example = spec::request_examples("createEvaluation")
        .into_iter()
        .find(|(name, _)| name == "all_task_types");
    let Some((_, example)) = example else {
        session.fail("createEvaluation: no `all_task_types` example".to_string());
        return tasks;
    };
    for task in example["tasks"].as_array().cloned().unwrap_or_default() {
        let task_type = task["task_type"].as_str().unwrap_or("?").to_string();
        if !built.contains(&task_type) {
            let what = format!("createEvaluation: the `all_task_types` {task_type} task");
            tasks.extend(typed::<EvaluationTaskParam>(session, &what, task));
        }
    }
    tasks
}

/// A guided-decoding task whose run condition is [`typed_run_condition`], which must serialize
/// as [`every_run_condition`].
fn guided_decoding_task(session: &mut Session) -> EvaluationTaskParam {
    let condition = typed_run_condition();
    let sent = serde_json::to_value(&condition).unwrap_or_default();
    if !same_json(&sent, &every_run_condition()) {
        session.fail(format!(
            "the typed run condition serializes as {sent}, not as {}",
            every_run_condition()
        ));
    }
    let choices = vec!["correct".to_string(), "incorrect".to_string()];
    let configuration = GuidedDecodingRequest::new(choices, "openai/gpt-4o-mini", "Is {{item.answer}} correct?")
        .system_prompt("You grade support answers.")
        .inference_args(object(json!({"temperature": 0})))
        .run_condition(condition);
    AutoEvaluationGuidedDecodingEvaluationTaskParam::new(configuration)
        .alias("correctness")
        .into()
}

/// A run condition that uses every operator of the spec, nested four levels deep, with
/// conditions and plain values as operands: the JSON the client must send.
fn every_run_condition() -> Value {
    let var = |path: &str| json!({"op": "var", "path": path});
    let constant = |value: Value| json!({"op": "const", "value": value});
    let compare = |op: &str, path: &str, value: Value| json!({"op": op, "left": var(path), "right": constant(value)});
    json!({
        "op": "or",
        "operands": [
            {"op": "and", "operands": [
                compare("eq", "item.locale", json!("en-US")),
                compare("ne", "item.reviewed", json!(true)),
                compare("lt", "item.score", json!(0.5)),
                compare("lte", "item.score", json!(1)),
                compare("gt", "item.turns", json!(2)),
                compare("gte", "item.turns", json!(1)),
                {"op": "not", "operands": [
                    {"op": "in", "left": var("item.category"), "operands": ["billing", constant(json!("login"))]}
                ]},
            ]},
            {"op": "not_in", "left": var("item.category"), "operands": [1, true, "other"]},
            {"op": "is_null", "operands": [var("item.reviewed_at")]},
            {"op": "is_not_null", "operands": [var("item.answer")]},
            true,
        ]
    })
}

/// [`every_run_condition`] built with the typed constructors.
fn typed_run_condition() -> EvaluationRunConditionParam {
    use sgp_evals::types::{
        AndEvaluationRunConditionParam as And, ConstEvaluationRunConditionParam as Const,
        EqEvaluationRunConditionParam as Eq, GtEvaluationRunConditionParam as Gt,
        GteEvaluationRunConditionParam as Gte, InEvaluationRunConditionParam as In,
        IsNotNullEvaluationRunConditionParam as IsNotNull, IsNullEvaluationRunConditionParam as IsNull,
        LtEvaluationRunConditionParam as Lt, LteEvaluationRunConditionParam as Lte,
        NeEvaluationRunConditionParam as Ne, NotEvaluationRunConditionParam as Not,
        NotInEvaluationRunConditionParam as NotIn, OrEvaluationRunConditionParam as Or,
        RunConditionOperandParam as Operand, ScalarValue, VarEvaluationRunConditionParam as Var,
    };
    fn nested(condition: impl Into<EvaluationRunConditionParam>) -> Operand {
        Box::new(condition.into()).into()
    }
    let var = |path: &str| nested(Var::new(path));
    let constant = |value: ScalarValue| nested(Const::new().value(value));
    let text = |value: &str| ScalarValue::from(value.to_string());
    let and = And::new(vec![
        nested(Box::new(Eq::new(var("item.locale"), constant(text("en-US"))))),
        nested(Box::new(Ne::new(var("item.reviewed"), constant(true.into())))),
        nested(Box::new(Lt::new(var("item.score"), constant(0.5.into())))),
        nested(Box::new(Lte::new(var("item.score"), constant(1.0.into())))),
        nested(Box::new(Gt::new(var("item.turns"), constant(2.0.into())))),
        nested(Box::new(Gte::new(var("item.turns"), constant(1.0.into())))),
        nested(Not::new(vec![nested(Box::new(In::new(
            var("item.category"),
            vec![Operand::from(json!("billing")), constant(text("login"))],
        )))])),
    ]);
    let not_in = NotIn::new(
        var("item.category"),
        vec![json!(1).into(), json!(true).into(), json!("other").into()],
    );
    Or::new(vec![
        nested(and),
        nested(Box::new(not_in)),
        nested(IsNull::new(vec![var("item.reviewed_at")])),
        nested(IsNotNull::new(vec![var("item.answer")])),
        json!(true).into(),
    ])
    .into()
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
    let mut configuration = configuration
        .reasoning_effort("low")
        .stop("END".to_string())
        .tool_choice("auto".to_string());
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
            .return_span(true)
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
pub fn create_evaluation_bodies(session: &mut Session, locators: bool) -> [(&'static str, EvaluationCreateRequest); 3] {
    let data = || {
        vec![
            object(json!({"input": "How do I reset my password?", "expected_output": "Open Settings."})),
            object(json!({"input": "Can I export invoices?", "expected_output": "Yes, as CSV."})),
        ]
    };
    let files = || {
        vec![
            BTreeMap::from([("screenshot".to_string(), FILE_ID.to_string())]),
            BTreeMap::new(),
        ]
    };
    let tags = || vec!["conformance".to_string()];
    let metadata = || object(json!({"suite": "conformance", "round": 1}));
    let taxonomy = || object(json!({"domain": "support"}));
    let tasks = every_task_type(session, locators);
    let standalone = EvaluationStandaloneCreateRequest::new("standalone", data())
        .files(files())
        .description("items given inline")
        .tags(tags())
        .metadata(metadata())
        .tasks(tasks.clone())
        .skip_prefilled_rows(true)
        .taxonomy_params(taxonomy());
    let mut reviewed = EvaluationDatasetItemReference::new("dsitem_01jc9w2f3g6h9j2k5m8n1p4q7s");
    reviewed
        .additional_properties
        .insert("reviewer".to_string(), json!("alice"));
    let from_dataset = EvaluationFromDatasetCreateRequest::new("from dataset", DATASET_ID)
        .data(vec![EvaluationDatasetItemReference::new(DATASET_ITEM_ID), reviewed])
        .description("items from a dataset")
        .tags(tags())
        .metadata(metadata())
        .tasks(tasks.clone())
        .skip_prefilled_rows(false)
        .taxonomy_params(taxonomy());
    let dataset = EvaluationDatasetParam::new("saved items")
        .description("items saved as a new dataset")
        .keys(vec!["input".to_string(), "expected_output".to_string()])
        .tags(tags());
    let with_dataset = EvaluationWithDatasetCreateRequest::new("with dataset", data(), dataset)
        .files(files())
        .description("items given inline and saved")
        .tags(tags())
        .metadata(metadata())
        .tasks(tasks)
        .skip_prefilled_rows(true)
        .taxonomy_params(taxonomy());
    [
        ("standalone", standalone.into()),
        ("from_dataset", from_dataset.into()),
        ("with_dataset", with_dataset.into()),
    ]
}
