//! Page and item streams of the generated list operations, against a local server that serves a
//! cursor-paginated list (and, in some tests, misbehaves).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::{json, Value};
use sgp_evals::types::EvaluationView;
use sgp_evals::Client;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Serves `/v5/evaluations` as a list of `total` evaluations `eval_0000`…, `page_size` at a time,
/// honouring `starting_after` and `ending_before` like the real API.
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
        "created_at": "2024-11-07T05:31:56Z",
        "created_by_user_id": "user_1",
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

/// The ids `eval_<first>`… up to, not including, `eval_<end>`, in order.
fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|index| format!("eval_{index:04}")).collect()
}

fn index_of(id: &str) -> usize {
    id.trim_start_matches("eval_").parse().unwrap_or(0)
}

impl Respond for EvaluationPages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.served.fetch_add(1, Ordering::SeqCst);
        let after = query_value(request, "starting_after").filter(|_| !self.ignore_cursor);
        let before = query_value(request, "ending_before").filter(|_| !self.ignore_cursor);
        let (start, end) = match (after, before) {
            (Some(after), _) => {
                let start = index_of(&after) + 1;
                (start, (start + self.page_size).min(self.total))
            }
            (None, Some(before)) => {
                let end = index_of(&before);
                (end.saturating_sub(self.page_size), end)
            }
            (None, None) => (0, self.page_size.min(self.total)),
        };
        let items: Vec<Value> = (start..end).map(evaluation).collect();
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

#[tokio::test]
async fn items_walks_every_page_and_keeps_every_filter() {
    let (list, served) = pages(95, 10);
    let (server, client) = serve(list).await;
    let request = client
        .evaluations()
        .list()
        .limit(10)
        .include_archived(true)
        .views(vec![EvaluationView::Tasks]);
    let walked: Vec<String> = request.items().map(|item| item.unwrap().id).collect().await;
    assert_eq!(walked, ids(0..95));
    assert_eq!(served.load(Ordering::SeqCst), 10);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 10);
    for (index, request) in requests.iter().enumerate() {
        let query = request.url.query().unwrap_or_default();
        assert!(
            query.contains("limit=10") && query.contains("include_archived=true") && query.contains("views=tasks"),
            "page {index}: {query}"
        );
        let expected_cursor = (index > 0).then(|| format!("eval_{:04}", index * 10 - 1));
        assert_eq!(query_value(request, "starting_after"), expected_cursor, "page {index}");
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
async fn an_error_page_is_yielded_and_ends_the_walk() {
    let server = MockServer::start().await;
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
