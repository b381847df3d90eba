//! Page and item streams of the generated list operations, against a local server that serves a
//! cursor-paginated list (and, in some tests, misbehaves).
//!
//! Covered: the list envelope (`object`, `items`, `total`, `has_more`, `limit`); every filter,
//! `sort_by` and `sort_order` kept on every page (the server really sorts, so a lost sort order
//! would walk the wrong items); walks forwards and backwards; stopping on `has_more: false`, an
//! empty page, a repeated cursor and an error; laziness; and pages whose items are a union
//! (questions of six types, plus one this client does not know), whose cursor comes from
//! whichever member an item is.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{json, Value};
use sgp_evals::types::{EvaluationView, ListObject, Question, SortOrder};
use sgp_evals::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Serves `/v5/evaluations` as a list of `total` evaluations `eval_0000`…, `page_size` at a time,
/// honouring `starting_after`, `ending_before` and `sort_order` (by creation, `eval_0000` first
/// unless `desc`) like the real API: a cursor is an id, and the page is the items after (or
/// before) it in the requested order.
struct EvaluationPages {
    total: usize,
    page_size: usize,
    /// Misbehaviours: ignore the cursor (always serve the first page), or claim more pages after
    /// the end.
    ignore_cursor: bool,
    has_more_lies: bool,
    served: Arc<AtomicUsize>,
}

fn evaluation(index: usize) -> Value {
    json!({
        "id": format!("eval_{index:04}"),
        "name": format!("evaluation {index}"),
        "object": "evaluation",
        "created_at": "2024-11-07T05:31:56Z",
        "created_by": {"id": "user_1", "type": "user"},
        "datasets": [],
        "status": "completed",
        "tags": [],
    })
}

fn query_value(request: &Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The ids `eval_<index>` of `indexes`, in order.
fn ids(indexes: impl IntoIterator<Item = usize>) -> Vec<String> {
    indexes.into_iter().map(|index| format!("eval_{index:04}")).collect()
}

fn index_of(id: &str) -> usize {
    id.trim_start_matches("eval_").parse().unwrap_or(0)
}

impl Respond for EvaluationPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.served.fetch_add(1, Ordering::SeqCst);
        let order: Vec<usize> = match query_value(request, "sort_order").as_deref() {
            Some("desc") => (0..self.total).rev().collect(),
            _ => (0..self.total).collect(),
        };
        let position = |id: &str| order.iter().position(|&index| index == index_of(id)).unwrap_or(0);
        let after = query_value(request, "starting_after").filter(|_| !self.ignore_cursor);
        let before = query_value(request, "ending_before").filter(|_| !self.ignore_cursor);
        let (start, end) = match (after, before) {
            (Some(after), _) => {
                let start = position(&after) + 1;
                (start, (start + self.page_size).min(self.total))
            }
            (None, Some(before)) => {
                let end = position(&before);
                (end.saturating_sub(self.page_size), end)
            }
            (None, None) => (0, self.page_size.min(self.total)),
        };
        let items: Vec<Value> = order[start..end].iter().copied().map(evaluation).collect();
        let has_more = self.has_more_lies || end < self.total;
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list",
            "items": items,
            "total": self.total,
            "has_more": has_more,
            "limit": self.page_size,
        }))
    }
}

async fn serve(pages: EvaluationPages) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/evaluations"))
        .respond_with(pages)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("sk-test")
        .account_id("acct")
        .base_url(server.uri())
        .build()
        .unwrap();
    (server, client)
}

fn pages(total: usize, page_size: usize) -> (EvaluationPages, Arc<AtomicUsize>) {
    let served = Arc::new(AtomicUsize::new(0));
    let pages = EvaluationPages {
        total,
        page_size,
        ignore_cursor: false,
        has_more_lies: false,
        served: served.clone(),
    };
    (pages, served)
}

/// Asserts that every request carries each `(name, value)` query parameter.
fn assert_every_request_carries(requests: &[Request], expected: &[(&str, &str)]) {
    for (index, request) in requests.iter().enumerate() {
        for (name, value) in expected {
            assert_eq!(
                query_value(request, name).as_deref(),
                Some(*value),
                "request {index} lost `{name}`: {:?}",
                request.url.query()
            );
        }
    }
}

#[tokio::test]
async fn items_walks_every_page_and_keeps_every_filter_and_the_sort() {
    let (list, served) = pages(95, 10);
    let (server, client) = serve(list).await;
    let request = client
        .evaluations()
        .list()
        .limit(10)
        .include_archived(true)
        .views(vec![EvaluationView::Tasks])
        .name("evaluation")
        .tags(vec!["nightly".to_owned(), "gpu".to_owned()])
        .sort_by("created_at")
        .sort_order(SortOrder::Desc);
    let walked: Vec<String> = request.items().map(|item| item.unwrap().id).collect().await;
    assert_eq!(
        walked,
        ids((0..95).rev()),
        "newest first, as the server sorted every page"
    );
    assert_eq!(served.load(Ordering::SeqCst), 10);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 10);
    assert_every_request_carries(
        &requests,
        &[
            ("limit", "10"),
            ("include_archived", "true"),
            ("views", "tasks"),
            ("name", "evaluation"),
            ("tags", "nightly,gpu"),
            ("sort_by", "created_at"),
            ("sort_order", "desc"),
        ],
    );
    for (index, request) in requests.iter().enumerate() {
        // Page `index` starts after the last item of the page before: eval_0094 - (index*10 - 1).
        let expected_cursor = (index > 0).then(|| format!("eval_{:04}", 95 - index * 10));
        assert_eq!(query_value(request, "starting_after"), expected_cursor, "page {index}");
        assert_eq!(query_value(request, "ending_before"), None, "page {index}");
    }
}

#[tokio::test]
async fn pages_stop_after_has_more_false_without_an_extra_request() {
    let (list, served) = pages(20, 10);
    let (_server, client) = serve(list).await;
    let pages: Vec<_> = client.evaluations().list().limit(10).pages().collect().await;
    let pages: Vec<_> = pages.into_iter().map(Result::unwrap).collect();
    assert_eq!(pages.len(), 2);
    assert!(pages[0].has_more);
    assert!(!pages[1].has_more);
    // The whole envelope decodes, not only the items.
    for page in &pages {
        assert_eq!(
            (page.object, page.total, page.limit),
            (Some(ListObject::List), 20, Some(10))
        );
    }
    let page_ids = |index: usize| -> Vec<String> { pages[index].items.iter().map(|item| item.id.clone()).collect() };
    assert_eq!(page_ids(0), ids(0..10));
    assert_eq!(page_ids(1), ids(10..20));
    assert_eq!(served.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_server_that_repeats_a_cursor_does_not_make_the_walk_loop() {
    let (mut list, served) = pages(50, 10);
    list.ignore_cursor = true;
    let (_server, client) = serve(list).await;
    let walked: Vec<String> = client
        .evaluations()
        .list()
        .items()
        .map(|item| item.unwrap().id)
        .collect()
        .await;
    // The first page twice (the second request already came back with a used cursor), then stop.
    assert_eq!(walked, [ids(0..10), ids(0..10)].concat());
    assert_eq!(served.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn has_more_that_lies_stops_at_the_empty_page() {
    let (mut list, served) = pages(25, 10);
    list.has_more_lies = true;
    let (_server, client) = serve(list).await;
    let pages: Vec<_> = client.evaluations().list().limit(10).pages().collect().await;
    let sizes: Vec<usize> = pages.iter().map(|p| p.as_ref().unwrap().items.len()).collect();
    assert_eq!(sizes, [10, 10, 5, 0]);
    let walked: Vec<String> = pages
        .iter()
        .flat_map(|p| p.as_ref().unwrap().items.iter().map(|item| item.id.clone()))
        .collect();
    assert_eq!(walked, ids(0..25));
    assert_eq!(served.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn ending_before_walks_backwards() {
    let (list, _served) = pages(30, 10);
    let (server, client) = serve(list).await;
    let request = client.evaluations().list().limit(10).ending_before("eval_0025");
    let ids: Vec<String> = request.items().map(|item| item.unwrap().id).collect().await;
    let expected: Vec<String> = [
        15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 1, 2, 3, 4,
    ]
    .iter()
    .map(|i| format!("eval_{i:04}"))
    .collect();
    assert_eq!(ids, expected);
    let cursors: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| query_value(r, "ending_before"))
        .collect();
    let expected_cursors: Vec<Option<String>> = ["eval_0025", "eval_0015", "eval_0005", "eval_0000"]
        .iter()
        .map(|c| Some(c.to_string()))
        .collect();
    assert_eq!(cursors, expected_cursors);
}

#[tokio::test]
async fn a_backward_walk_keeps_the_sort() {
    let (list, _served) = pages(30, 10);
    let (server, client) = serve(list).await;
    // Newest first: positions 0, 1, … hold eval_0029, eval_0028, …; eval_0005 is at position 24.
    let request = client
        .evaluations()
        .list()
        .limit(10)
        .sort_by("created_at")
        .sort_order(SortOrder::Desc)
        .ending_before("eval_0005");
    let walked: Vec<String> = request.items().map(|item| item.unwrap().id).collect().await;
    let expected = [ids((6..=15).rev()), ids((16..=25).rev()), ids((26..=29).rev())].concat();
    assert_eq!(walked, expected);
    let requests = server.received_requests().await.unwrap();
    let cursors: Vec<Option<String>> = requests.iter().map(|r| query_value(r, "ending_before")).collect();
    let expected_cursors: Vec<Option<String>> = ["eval_0005", "eval_0015", "eval_0025", "eval_0029"]
        .iter()
        .map(|c| Some(c.to_string()))
        .collect();
    assert_eq!(cursors, expected_cursors);
    assert!(requests.iter().all(|r| query_value(r, "starting_after").is_none()));
    assert_every_request_carries(&requests, &[("sort_by", "created_at"), ("sort_order", "desc")]);
}

#[tokio::test]
async fn an_error_page_is_yielded_and_ends_the_walk() {
    let server = MockServer::start().await;
    // Only the required keys of the envelope: `object` and `limit` may be left out.
    let first = json!({"items": [evaluation(0)], "total": 2, "has_more": true});
    Mock::given(method("GET"))
        .and(path("/v5/evaluations"))
        .and(wiremock::matchers::query_param("starting_after", "eval_0000"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"detail": "cursor not found"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v5/evaluations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(first))
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("k")
        .account_id("a")
        .base_url(server.uri())
        .build()
        .unwrap();
    let results: Vec<_> = client.evaluations().list().items().collect().await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().map(|item| item.id.as_str()).ok(), Some("eval_0000"));
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(404));
}

#[tokio::test]
async fn paging_many_items_fetches_lazily() {
    let (list, served) = pages(10_000, 100);
    let (_server, client) = serve(list).await;
    let mut stream = Box::pin(client.evaluations().list().limit(100).items());
    let mut taken = Vec::new();
    while let Some(item) = stream.next().await {
        taken.push(item.unwrap().id);
        if taken.len() == 250 {
            break;
        }
    }
    // Exactly the first 250 items, in order (a stream that ended early would have fewer)...
    assert_eq!(taken.len(), 250);
    assert_eq!(taken, ids(0..250));
    // ...which need three pages of 100, and nothing more was fetched.
    assert_eq!(served.load(Ordering::SeqCst), 3);
}

// ------------------------------------------------------------------------------------------------
// Pages whose items are a union: questions
// ------------------------------------------------------------------------------------------------

/// The `question_type` of each question served, by position; `None` leaves the key out (the SDK
/// types it as optional), and `ranking` is a type this client does not know.
const QUESTION_TYPES: [Option<&str>; 8] = [
    Some("categorical"),
    Some("rating"),
    Some("number"),
    Some("free_text"),
    Some("form"),
    Some("ranking"),
    Some("timestamp"),
    None,
];

/// The question at `index`, of the type `QUESTION_TYPES[index]`, with that type's configuration
/// (a rating one when the type is left out).
fn question(index: usize) -> Value {
    let question_type = QUESTION_TYPES[index];
    let configuration = match question_type {
        Some("categorical") => json!({"choices": ["yes", "no"], "multi": false}),
        Some("rating") | None => json!({"min_label": "bad", "max_label": "good", "steps": 5}),
        Some("number") => json!({"min": 0.0, "max": 10.0}),
        Some("free_text") => json!({"max_length": 500}),
        Some("form") => json!({"form_schema": {"type": "object"}}),
        Some("timestamp") => json!({"multi": true}),
        Some(_) => json!({"items": ["a", "b", "c"]}),
    };
    let mut question = json!({
        "id": format!("q_{index:04}"),
        "object": "question",
        "name": format!("question {index}"),
        "prompt": "How was it?",
        "configuration": configuration,
        "created_at": "2025-03-01T09:00:00Z",
        "created_by": {"id": "svc_1", "type": "service_account", "object": "identity"},
    });
    if let Some(question_type) = question_type {
        question["question_type"] = json!(question_type);
    }
    question
}

/// Serves `/v5/questions`: every question of `QUESTION_TYPES` in order, `limit` at a time,
/// from the `starting_after` or `ending_before` cursor.
struct QuestionPages;

impl Respond for QuestionPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let total = QUESTION_TYPES.len();
        let limit: usize = query_value(request, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(total);
        let position = |id: String| id.trim_start_matches("q_").parse::<usize>().unwrap_or(0);
        let (start, end) = match (
            query_value(request, "starting_after"),
            query_value(request, "ending_before"),
        ) {
            (Some(after), _) => {
                let start = position(after) + 1;
                (start, (start + limit).min(total))
            }
            (None, Some(before)) => {
                let end = position(before);
                (end.saturating_sub(limit), end)
            }
            (None, None) => (0, limit.min(total)),
        };
        let items: Vec<Value> = (start..end).map(question).collect();
        let has_more = if query_value(request, "ending_before").is_some() {
            start > 0
        } else {
            end < total
        };
        ResponseTemplate::new(200).set_body_json(json!({
            "object": "list", "items": items, "total": total, "has_more": has_more, "limit": limit,
        }))
    }
}

async fn serve_questions() -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v5/questions"))
        .respond_with(QuestionPages)
        .mount(&server)
        .await;
    let client = Client::builder()
        .api_key("sk-test")
        .account_id("acct")
        .base_url(server.uri())
        .build()
        .unwrap();
    (server, client)
}

/// The member a question decoded to, and its id (for `Unknown`, read from the kept JSON).
fn member(question: &Question) -> (&'static str, String) {
    match question {
        Question::Categorical(q) => ("categorical", q.id.clone()),
        Question::Rating(q) => ("rating", q.id.clone()),
        Question::Number(q) => ("number", q.id.clone()),
        Question::FreeText(q) => ("free_text", q.id.clone()),
        Question::Form(q) => ("form", q.id.clone()),
        Question::Timestamp(q) => ("timestamp", q.id.clone()),
        Question::Unknown(value) => ("unknown", value["id"].as_str().unwrap_or_default().to_owned()),
        _ => ("a member added after this test", String::new()),
    }
}

fn question_ids(indexes: impl IntoIterator<Item = usize>) -> Vec<String> {
    indexes.into_iter().map(|index| format!("q_{index:04}")).collect()
}

#[tokio::test]
async fn question_items_of_every_type_walk_across_pages() {
    let (server, client) = serve_questions().await;
    let request = client
        .questions()
        .list()
        .limit(3)
        .include_archived(true)
        .sort_by("created_at")
        .sort_order(SortOrder::Asc);

    let walked: Vec<Question> = request.items().map(|item| item.unwrap()).collect().await;

    let members: Vec<(&str, String)> = walked.iter().map(member).collect();
    let expected_kinds = [
        "categorical",
        "rating",
        "number",
        "free_text",
        "form",
        "unknown",
        "timestamp",
        // No `question_type`: the member whose shape keeps every key.
        "rating",
    ];
    let expected: Vec<(&str, String)> = expected_kinds.into_iter().zip(question_ids(0..8)).collect();
    assert_eq!(members, expected);
    // The unknown member keeps the JSON as sent, so nothing the server said is lost.
    assert_eq!(walked[5], Question::Unknown(question(5)));
    let Question::Categorical(categorical) = &walked[0] else {
        unreachable!("checked above")
    };
    assert_eq!(categorical.configuration.choices, ["yes", "no"]);
    let requests = server.received_requests().await.unwrap();
    let cursors: Vec<Option<String>> = requests.iter().map(|r| query_value(r, "starting_after")).collect();
    // The third page starts after the unknown member: its id is read from the JSON it kept.
    assert_eq!(cursors, [None, Some("q_0002".to_owned()), Some("q_0005".to_owned())]);
    assert_every_request_carries(
        &requests,
        &[
            ("limit", "3"),
            ("include_archived", "true"),
            ("sort_by", "created_at"),
            ("sort_order", "asc"),
        ],
    );
}

#[tokio::test]
async fn question_pages_walk_backwards_from_an_unknown_member() {
    let (server, client) = serve_questions().await;

    let pages: Vec<_> = client
        .questions()
        .list()
        .limit(2)
        .ending_before("q_0007")
        .pages()
        .collect()
        .await;

    let pages: Vec<Vec<(&str, String)>> = pages
        .iter()
        .map(|page| page.as_ref().unwrap().items.iter().map(member).collect())
        .collect();
    let expected: Vec<Vec<(&str, String)>> = vec![
        vec![("unknown", "q_0005".into()), ("timestamp", "q_0006".into())],
        vec![("free_text", "q_0003".into()), ("form", "q_0004".into())],
        vec![("rating", "q_0001".into()), ("number", "q_0002".into())],
        vec![("categorical", "q_0000".into())],
    ];
    assert_eq!(pages, expected);
    let requests = server.received_requests().await.unwrap();
    let cursors: Vec<Option<String>> = requests.iter().map(|r| query_value(r, "ending_before")).collect();
    // The second page ends before the unknown member, the first item of the first page.
    let expected_cursors: Vec<Option<String>> = ["q_0007", "q_0005", "q_0003", "q_0001"]
        .iter()
        .map(|c| Some(c.to_string()))
        .collect();
    assert_eq!(cursors, expected_cursors);
}
