//! Cursor pagination: lazy streams of pages and of items across pages.
//!
//! The generated list builders implement [`CursorPaginated`]; [`pages`] and [`items`] walk the
//! list by re-sending the same request (every filter kept) with the cursor moved to the last
//! item's id (forwards) or the first item's id (backwards, when the first request carried the
//! backward cursor). A walk stops after a page with `has_more: false`, after an empty page, at an
//! item without a cursor, and when a cursor comes back that was already used, so a misbehaving
//! server cannot make it loop forever.

use std::collections::{HashSet, VecDeque};
use std::future::Future;

use futures_core::Stream;

use crate::runtime::Error;

/// A list request that can be re-sent from a cursor. Implemented by the generated builders.
pub trait CursorPaginated: Clone + Send + 'static {
    type Page: Send + 'static;
    type Item: Send + 'static;
    /// The future of one page's request (the operation's `ResponseFuture`).
    type Fetch: Future<Output = Result<Self::Page, Error>> + Send;

    /// Sends the request for one page.
    fn fetch(self) -> Self::Fetch;
    /// True when the request carries the backward cursor, so the walk goes backwards.
    fn walks_backward(&self) -> bool;
    /// The same request positioned after (or, backwards, before) `cursor`.
    fn at_cursor(self, cursor: String, backward: bool) -> Self;
    /// The items of a page.
    fn page_items(page: &Self::Page) -> &[Self::Item];
    /// The page's `has_more`, when the page says.
    fn has_more(page: &Self::Page) -> Option<bool>;
    /// The cursor value an item stands for (its id).
    fn cursor(item: &Self::Item) -> &str;
    /// Takes the items out of a page.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// Where a walk is: the next request to send, and every cursor used so far.
struct Walk<R> {
    next: Option<R>,
    backward: bool,
    used_cursors: HashSet<String>,
}

/// Every page, lazily, starting with the request as built.
pub fn pages<R: CursorPaginated>(request: R) -> impl Stream<Item = Result<R::Page, Error>> + Send {
    let walk = Walk {
        backward: request.walks_backward(),
        next: Some(request),
        used_cursors: HashSet::new(),
    };
    futures_util::stream::unfold(walk, |mut walk| async move {
        let request = walk.next.take()?;
        match request.clone().fetch().await {
            Ok(page) => {
                walk.next = next_request(&mut walk, request, &page);
                Some((Ok(page), walk))
            }
            // After an error the walk ends: the caller decides whether to start again.
            Err(error) => Some((Err(error), walk)),
        }
    })
}

/// The request for the page after `page`, or `None` when the walk is over.
fn next_request<R: CursorPaginated>(walk: &mut Walk<R>, request: R, page: &R::Page) -> Option<R> {
    if R::has_more(page) == Some(false) {
        return None;
    }
    let items = R::page_items(page);
    let edge = if walk.backward { items.first() } else { items.last() }?;
    let cursor = R::cursor(edge).to_owned();
    // An item without a cursor (a union member this client does not know, lacking the field)
    // cannot say where the next page starts.
    if cursor.is_empty() {
        tracing::warn!("pagination stopped: the last item has no cursor");
        return None;
    }
    if !walk.used_cursors.insert(cursor.clone()) {
        tracing::warn!(cursor = %cursor, "pagination stopped: the server returned a cursor that was already used");
        return None;
    }
    Some(request.at_cursor(cursor, walk.backward))
}

/// Every item of every page, lazily; a page is fetched only when its items are wanted.
pub fn items<R: CursorPaginated>(request: R) -> impl Stream<Item = Result<R::Item, Error>> + Send {
    let state = (Box::pin(pages(request)), VecDeque::new());
    futures_util::stream::unfold(state, |(mut pages, mut buffered)| async move {
        loop {
            if let Some(item) = buffered.pop_front() {
                return Some((Ok(item), (pages, buffered)));
            }
            match std::future::poll_fn(|cx| pages.as_mut().poll_next(cx)).await? {
                Ok(page) => buffered.extend(R::into_items(page)),
                Err(error) => return Some((Err(error), (pages, buffered))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Answers a page for the cursor a request carries.
    type Script = Arc<dyn Fn(Option<&str>) -> Result<FakePage, Error> + Send + Sync>;

    /// A fake list: pages are served from a script keyed by the cursor the request carries.
    #[derive(Clone)]
    struct FakeList {
        after: Option<String>,
        before: Option<String>,
        served: Arc<Mutex<Vec<Option<String>>>>,
        script: Script,
    }

    struct FakePage {
        items: Vec<String>,
        has_more: Option<bool>,
    }

    impl CursorPaginated for FakeList {
        type Page = FakePage;
        type Item = String;
        type Fetch = std::future::Ready<Result<FakePage, Error>>;
        fn fetch(self) -> Self::Fetch {
            let cursor = self.after.clone().or(self.before.clone());
            self.served.lock().unwrap().push(cursor.clone());
            std::future::ready((self.script)(cursor.as_deref()))
        }
        fn walks_backward(&self) -> bool {
            self.before.is_some()
        }
        fn at_cursor(mut self, cursor: String, backward: bool) -> Self {
            if backward {
                self.before = Some(cursor);
            } else {
                self.after = Some(cursor);
            }
            self
        }
        fn page_items(page: &FakePage) -> &[String] {
            &page.items
        }
        fn has_more(page: &FakePage) -> Option<bool> {
            page.has_more
        }
        fn cursor(item: &String) -> &str {
            item
        }
        fn into_items(page: FakePage) -> Vec<String> {
            page.items
        }
    }

    fn list(script: impl Fn(Option<&str>) -> Result<FakePage, Error> + Send + Sync + 'static) -> FakeList {
        FakeList {
            after: None,
            before: None,
            served: Default::default(),
            script: Arc::new(script),
        }
    }

    fn page(items: &[&str], has_more: Option<bool>) -> Result<FakePage, Error> {
        Ok(FakePage {
            items: items.iter().map(|s| s.to_string()).collect(),
            has_more,
        })
    }

    async fn collect<S: Stream>(stream: S) -> Vec<S::Item> {
        let mut stream = Box::pin(stream);
        let mut out = Vec::new();
        while let Some(item) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            out.push(item);
        }
        out
    }

    #[tokio::test]
    async fn walks_forward_until_has_more_is_false() {
        let request = list(|cursor| match cursor {
            None => page(&["a", "b"], Some(true)),
            Some("b") => page(&["c"], Some(false)),
            other => panic!("unexpected cursor {other:?}"),
        });
        let served = request.served.clone();
        let items: Vec<String> = collect(items(request)).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, ["a", "b", "c"]);
        assert_eq!(*served.lock().unwrap(), [None, Some("b".to_owned())]);
    }

    #[tokio::test]
    async fn stops_on_an_empty_page_even_if_has_more_lies() {
        let request = list(|cursor| match cursor {
            None => page(&["a"], Some(true)),
            _ => page(&[], Some(true)),
        });
        let served = request.served.clone();
        assert_eq!(collect(pages(request)).await.len(), 2);
        assert_eq!(served.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn stops_on_a_repeated_cursor() {
        // The server ignores the cursor and serves the same page forever.
        let request = list(|_| page(&["a", "b"], Some(true)));
        let served = request.served.clone();
        let items: Vec<String> = collect(items(request)).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, ["a", "b", "a", "b"]);
        assert_eq!(served.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn stops_at_an_item_without_a_cursor() {
        let request = list(|cursor| match cursor {
            None => page(&["a", ""], Some(true)),
            other => panic!("unexpected cursor {other:?}"),
        });
        let served = request.served.clone();
        let items: Vec<String> = collect(items(request)).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, ["a", ""]);
        assert_eq!(*served.lock().unwrap(), [None]);
    }

    #[tokio::test]
    async fn walks_backward_from_the_first_item() {
        let mut request = list(|cursor| match cursor {
            Some("m") => page(&["k", "l"], None),
            Some("k") => page(&["i", "j"], None),
            Some("i") => page(&[], None),
            other => panic!("unexpected cursor {other:?}"),
        });
        request.before = Some("m".to_owned());
        let served = request.served.clone();
        let items: Vec<String> = collect(items(request)).await.into_iter().map(Result::unwrap).collect();
        assert_eq!(items, ["k", "l", "i", "j"]);
        let expected: Vec<Option<String>> = ["m", "k", "i"].iter().map(|s| Some(s.to_string())).collect();
        assert_eq!(*served.lock().unwrap(), expected);
    }

    #[tokio::test]
    async fn an_error_ends_the_walk_after_being_yielded() {
        let request = list(|cursor| match cursor {
            None => page(&["a"], Some(true)),
            _ => Err(Error::config("boom")),
        });
        let results = collect(items(request)).await;
        assert_eq!(results.len(), 2);
        assert!(results[0].is_ok());
        assert!(results[1].is_err());
    }
}
