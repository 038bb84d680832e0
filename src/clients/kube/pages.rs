//! A list's pages (Tables, or plain lists of objects), asked for in a chain: each page's request
//! goes out as soon as the page before it names it — in its head, before its rows have arrived,
//! where the server writes the list's metadata first (Tables, built-in kinds), or once it has
//! arrived whole, where the metadata comes last (custom resources: the server sorts their
//! keys) — so the server prints the next page while this one is still on the wire or being
//! parsed. At most `WINDOW` pages are in flight or waiting to be parsed at once, which bounds the
//! memory a slow reader holds.
//!
//! A 60,000-pod list is 120 pages. Asked one at a time, each waited for the server to print it
//! and then for the cockpit to read it; asked one ahead once the page before was whole, the
//! server still sat idle while that page crossed the socket.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::BodyExt;
use kube::Client;
use kube::core::Status;
use serde::de::DeserializeSeed;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinHandle;

use crate::clients::error::ClientError;
use crate::model::browse::ListMetaW;
use crate::model::managed_fields::Stripper;

/// What kubectl sends for `get`: a v1 Table, else a v1beta1 one, else plain JSON.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
/// A list of the objects themselves.
pub const JSON_ACCEPT: &str = "application/json";
const PAGE: usize = 500;
/// Pages asked for and not yet parsed: enough that the server always has the next one to
/// print, few enough that a reader falling behind holds a few MB, not the list.
const WINDOW: usize = 3;
/// How much of a page's head is looked at for the list's metadata.
const HEAD: usize = 16 * 1024;

/// A page as it came, with managed fields cut out (nothing reads them; they are most of a
/// pod's bytes), and its place in the window.
pub struct Page {
    pub text: Vec<u8>,
    _place: OwnedSemaphorePermit,
}

/// The pages of one list, in order.
pub struct Pages {
    client: Client,
    base: String,
    accept: &'static str,
    window: Arc<Semaphore>,
    asked: mpsc::UnboundedReceiver<Asked>,
}

/// A page asked for: the token it continues from, and its body to come.
struct Asked {
    token: Option<String>,
    body: AbortOnDrop,
}

/// A page's task, called off when nobody will read it (the list failed, or was given up).
struct AbortOnDrop(JoinHandle<Result<Page, ClientError>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Pages {
    /// The list of `base` (the collection with its query so far) in the form `accept` asks
    /// for, from its first page.
    pub fn start(client: &Client, base: &str, accept: &'static str) -> Pages {
        let mut pages = Pages {
            client: client.clone(),
            base: base.to_string(),
            accept,
            window: Arc::new(Semaphore::new(WINDOW)),
            asked: mpsc::unbounded_channel().1,
        };
        pages.restart(None);
        pages
    }

    /// The page `token` continues to (None: the first). The chain asked for it already if the
    /// page before named the same token in its head; otherwise (a head that named none, or
    /// another) the pages asked ahead are called off and the chain starts again from `token`.
    pub async fn next(&mut self, token: Option<&str>) -> Result<Page, ClientError> {
        loop {
            match self.asked.recv().await {
                Some(asked) if asked.token.as_deref() == token => return answer(asked).await,
                // Another page than the reader's, or the chain ended before it.
                _ => self.restart(token),
            }
        }
    }

    /// Call off what was asked ahead and start a new chain from `token`: the page it
    /// continues to, and the pages after it as each names the next. Its first page is in the
    /// channel before this returns.
    fn restart(&mut self, token: Option<&str>) {
        let (tx, asked) = mpsc::unbounded_channel();
        self.asked = asked;
        let link = Link {
            client: self.client.clone(),
            base: self.base.clone(),
            accept: self.accept,
            window: self.window.clone(),
            last_len: Arc::default(),
            tx,
        };
        link.ask(token.map(str::to_string));
    }
}

async fn answer(asked: Asked) -> Result<Page, ClientError> {
    let mut body = asked.body;
    (&mut body.0)
        .await
        .map_err(|e| ClientError::Invalid(format!("a page of the list: {e}")))?
}

/// What a page's task needs to ask for the next one.
#[derive(Clone)]
struct Link {
    client: Client,
    base: String,
    accept: &'static str,
    window: Arc<Semaphore>,
    /// How long the last page was once cut: the next is read into a buffer of that size (grown from
    /// nothing, a 2.5 MB page was copied and faulted in again at each doubling).
    last_len: Arc<AtomicUsize>,
    tx: mpsc::UnboundedSender<Asked>,
}

impl Link {
    /// Ask for the page after `token` on a task of its own, and hand it to the reader (false:
    /// the reader is gone).
    fn ask(self, token: Option<String>) -> bool {
        let tx = self.tx.clone();
        let task = tokio::spawn(Box::pin(self.fetch(token.clone())));
        tx.send(Asked {
            token,
            body: AbortOnDrop(task),
        })
        .is_ok()
    }

    /// Ask for the page `next` names (an error: the reader is gone, nothing more to ask for).
    fn ask_next(self, next: String) -> Result<(), ClientError> {
        if self.ask(Some(next)) {
            Ok(())
        } else {
            Err(ClientError::Invalid("the list was given up".into()))
        }
    }

    /// One page: its place in the window first, then its request; the next page is asked for
    /// once this one's head names it, or else once it is whole and its tail does.
    async fn fetch(self, token: Option<String>) -> Result<Page, ClientError> {
        let place = self
            .window
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ClientError::Invalid("the list was given up".into()))?;
        let path = page_path(&self.base, token.as_deref());
        let request = get_request(&path, self.accept)?.map(kube::client::Body::from);
        let answer = self
            .client
            .send(request)
            .await
            .map_err(|e| ClientError::from_kube(&e))?;
        let status = answer.status();
        let mut body = answer.into_body();
        let mut text = Vec::with_capacity(self.last_len.load(Ordering::Relaxed) + HEAD);
        // Managed fields are cut as the page arrives: the text held is what is kept.
        let mut stripper = Stripper::default();
        let refused = status.is_client_error() || status.is_server_error();
        // What the head said of the next page; a refusal names none.
        let mut head = if refused { Head::Last } else { Head::NotYet };
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| ClientError::from_kube(&e))?;
            if let Ok(data) = frame.into_data() {
                stripper.push(&mut text, &data);
            }
            if head == Head::NotYet {
                head = head_token(&text);
                if let Head::Next(next) = &head {
                    self.clone().ask_next(next.clone())?;
                }
            }
        }
        stripper.finish(&mut text);
        // Not in its head: the list's metadata may be at its end.
        if matches!(head, Head::NotYet | Head::Elsewhere)
            && let Some(next) = tail_token(&text)
        {
            self.clone().ask_next(next)?;
        }
        if refused {
            return Err(ClientError::from_kube(&kube::Error::Api(
                refusal(status, &text).boxed(),
            )));
        }
        self.last_len.store(text.len(), Ordering::Relaxed);
        Ok(Page {
            text,
            _place: place,
        })
    }
}

/// A page's JSON read as `T`. Its text is checked as UTF-8 once, whole (std's check runs over
/// ASCII a word at a time), and then read as a `str`, whose strings serde_json does not check
/// again one at a time, as it does reading bytes: a call for each string, a tenth of reading a
/// Machine. Text that is not UTF-8 is read as bytes, for serde_json to say where.
pub fn read_json<'a, T: serde::Deserialize<'a>>(text: &'a [u8]) -> serde_json::Result<T> {
    read_json_seed(text, std::marker::PhantomData::<T>)
}

/// `read_json` with a seed: what it reads is made as it goes (a typed list's rows).
pub fn read_json_seed<'a, S: DeserializeSeed<'a>>(
    text: &'a [u8],
    seed: S,
) -> serde_json::Result<S::Value> {
    /// The value, and nothing after it but spaces, as `serde_json::from_str` checks.
    fn whole<'a, R: serde_json::de::Read<'a>, S: DeserializeSeed<'a>>(
        mut reader: serde_json::Deserializer<R>,
        seed: S,
    ) -> serde_json::Result<S::Value> {
        let value = seed.deserialize(&mut reader)?;
        reader.end()?;
        Ok(value)
    }
    match std::str::from_utf8(text) {
        Ok(text) => whole(serde_json::Deserializer::from_str(text), seed),
        Err(_) => whole(serde_json::Deserializer::from_slice(text), seed),
    }
}

/// Watches are renewed this often (the server ends them at the timeout).
const WATCH_SECONDS: u64 = 290;

/// What joins a query's next parameter to `base`: `?` for the first.
fn joint(base: &str) -> char {
    if base.contains('?') { '&' } else { '?' }
}

/// The path of a watch of `base` from `rv`, with bookmarks, ended by the server at its timeout.
pub fn watch_path(base: &str, rv: &str) -> String {
    format!(
        "{base}{}watch=true&allowWatchBookmarks=true&resourceVersion={}&timeoutSeconds={WATCH_SECONDS}",
        joint(base),
        url_escape(rv)
    )
}

/// The path of a list's page: after the first, the one `token` continues to.
fn page_path(base: &str, token: Option<&str>) -> String {
    let mut path = format!("{base}{}limit={PAGE}", joint(base));
    if let Some(t) = token {
        path.push_str(&format!("&continue={}", url_escape(t)));
    }
    path
}

/// A GET of `path` in the form `accept` names.
pub fn get_request(path: &str, accept: &str) -> Result<http::Request<Vec<u8>>, ClientError> {
    http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(|e| ClientError::Invalid(e.to_string()))
}

/// A refusal as the server put it: its Status, or what it said instead (a proxy's text).
fn refusal(code: http::StatusCode, body: &[u8]) -> Status {
    serde_json::from_slice::<Status>(body).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(body);
        Status::failure(text.trim(), "the answer was not a Status").with_code(code.as_u16())
    })
}

/// What a page's head says of the page after it.
#[derive(Debug, PartialEq)]
enum Head {
    /// Its metadata has not all arrived.
    NotYet,
    /// The list's metadata names no next page (or cannot be read: the full parse will tell).
    Last,
    /// Not in the head: the first metadata in it is an object's (the list's own comes after
    /// its items), or there is none in its first `HEAD` bytes.
    Elsewhere,
    Next(String),
}

/// A page's continue token, read from its head as it arrives: servers write a Table's metadata
/// (and a built-in kind's list's) before its rows. Only the first `HEAD` bytes are looked at,
/// and the full parse has the last word (`Pages::next` is given the token it found).
fn head_token(text: &[u8]) -> Head {
    let head = &text[..text.len().min(HEAD)];
    let key = b"\"metadata\":";
    let Some(found) = memchr::memmem::find(head, key) else {
        return if text.len() >= HEAD {
            Head::Elsewhere
        } else {
            Head::NotYet
        };
    };
    // Inside an item (`{"items":[{"metadata":` …): not the list's.
    if depth_at(&text[..found]) != 1 {
        return Head::Elsewhere;
    }
    let at = found + key.len();
    let mut read = serde_json::Deserializer::from_slice(&text[at..]).into_iter::<ListMetaW>();
    match read.next() {
        Some(Ok(meta)) => match meta.continue_token.filter(|t| !t.is_empty()) {
            Some(token) => Head::Next(token),
            None => Head::Last,
        },
        Some(Err(e)) if e.is_eof() && text.len() < HEAD => Head::NotYet,
        None if text.len() < HEAD => Head::NotYet,
        _ => Head::Last,
    }
}

/// A whole page's continue token from its tail, where a list with sorted keys (`apiVersion`,
/// `items`, `kind`, `metadata`) has its metadata: the last `"metadata":` whose value is followed
/// by nothing but the list's closing brace. Only the last `HEAD` bytes are looked at.
fn tail_token(text: &[u8]) -> Option<String> {
    let from = text.len().saturating_sub(HEAD);
    let key = b"\"metadata\":";
    let at = from + memchr::memmem::rfind(&text[from..], key)? + key.len();
    let mut read = serde_json::Deserializer::from_slice(&text[at..]).into_iter::<ListMetaW>();
    let meta = read.next()?.ok()?;
    let rest = &text[at + read.byte_offset()..];
    let closing = rest
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .eq(b"}".iter());
    meta.continue_token.filter(|t| closing && !t.is_empty())
}

/// How deep in objects and arrays the end of `text` is (text that is JSON's start).
fn depth_at(text: &[u8]) -> usize {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in text {
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            b'{' | b'[' if !in_string => depth += 1,
            b'}' | b']' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

/// Continue tokens are base64 and may carry `+`, `/` and `=`.
pub fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{HEAD, Head, depth_at, head_token, read_json, refusal, tail_token};
    use crate::clients::error::ClientError;
    use crate::model::browse::ListMetaW;

    #[test]
    fn a_refused_page_says_what_the_server_said() {
        let forbidden = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden: User \"viewer\" cannot list","reason":"Forbidden","code":403}"#;
        let status = refusal(http::StatusCode::FORBIDDEN, forbidden);
        assert_eq!(status.code, 403);
        let error = ClientError::from_kube(&kube::Error::Api(status.boxed()));
        assert!(
            matches!(&error, ClientError::Forbidden(m) if m.contains("cannot list")),
            "{error:?}"
        );
        // A proxy's page instead of a Status: its words and the HTTP code.
        let status = refusal(http::StatusCode::BAD_GATEWAY, b"  upstream connect error\n");
        assert_eq!(
            (status.code, status.message.as_str()),
            (502, "upstream connect error")
        );
    }

    #[test]
    fn the_next_page_is_named_from_the_head_as_it_arrives() {
        let next = |t: &str| Head::Next(t.to_string());
        // As kube-apiserver writes it: the list's metadata first.
        let go = r#"{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"9","continue":"eyJ2Ijoi+/="},"columnDefinitions":[],"rows":[{"cells":["a"],"object":{"metadata":{"name":"a","continue":"no"}}}]}"#;
        assert_eq!(head_token(go.as_bytes()), next("eyJ2Ijoi+/="));
        // Every cut of it that holds the whole metadata names the page; shorter ones wait.
        let whole_meta = go.find(r#""},"columnDefinitions""#).expect("meta") + 2;
        for cut in 0..go.len() {
            let expected = if cut >= whole_meta {
                next("eyJ2Ijoi+/=")
            } else {
                Head::NotYet
            };
            assert_eq!(head_token(&go.as_bytes()[..cut]), expected, "cut at {cut}");
        }
        // Keys sorted (a proxy that re-encodes): the list's metadata still comes before rows.
        let sorted = r#"{"apiVersion":"meta.k8s.io/v1","columnDefinitions":[],"kind":"Table","metadata": {"continue":"t2"},"rows":[]}"#;
        assert_eq!(head_token(sorted.as_bytes()), next("t2"));
        // The last page has none; an empty token is none.
        let last = r#"{"kind":"Table","metadata":{"resourceVersion":"9"},"rows":[]}"#;
        assert_eq!(head_token(last.as_bytes()), Head::Last);
        let empty = r#"{"kind":"Table","metadata":{"continue":""},"rows":[]}"#;
        assert_eq!(head_token(empty.as_bytes()), Head::Last);
        // Not JSON: nothing asked ahead (the full parse reports the error); a head that
        // names nothing in its first 16 KB is not waited for any longer.
        assert_eq!(head_token(br#"{"metadata":{"continue":7}}"#), Head::Last);
        let long = format!("<html>{}</html>", " ".repeat(HEAD));
        assert_eq!(head_token(long.as_bytes()), Head::Elsewhere);
        assert_eq!(tail_token(long.as_bytes()), None);
    }

    #[test]
    fn a_list_with_its_metadata_last_is_named_from_its_tail() {
        // A custom resource's list as kube-apiserver writes it: keys sorted, so the items (and
        // their own metadata, with a "continue" in a label for mischief) come first.
        let sorted = r#"{"apiVersion":"cluster.x-k8s.io/v1beta2","items":[{"metadata":{"name":"a","labels":{"continue":"x"}}},{"metadata":{"name":"b\"}"}}],"kind":"MachineList","metadata":{"continue":"t+2","resourceVersion":"9"}}
"#;
        // The head sees an object's metadata first: not the list's.
        let tail_starts = sorted.rfind(r#""metadata""#).expect("list meta");
        for cut in 0..tail_starts {
            let head = head_token(&sorted.as_bytes()[..cut]);
            assert!(
                matches!(head, Head::NotYet | Head::Elsewhere),
                "cut at {cut}: {head:?}"
            );
        }
        assert_eq!(head_token(sorted.as_bytes()), Head::Elsewhere);
        // Whole, its tail names the next page; cut anywhere short of its end, it does not.
        assert_eq!(tail_token(sorted.as_bytes()).as_deref(), Some("t+2"));
        let end = sorted.trim_end().len();
        for cut in 0..end {
            assert_eq!(tail_token(&sorted.as_bytes()[..cut]), None, "cut at {cut}");
        }
        // Pretty-printed, as a proxy or a transcript may have it, with remainingItemCount.
        let pretty = "{\n  \"items\": [\n    {\"metadata\": {\"name\": \"a\"}}\n  ],\n  \"kind\": \"MachineList\",\n  \"metadata\": {\n    \"continue\": \"eyJ2\",\n    \"remainingItemCount\": 3,\n    \"resourceVersion\": \"6789\"\n  }\n}\n";
        assert_eq!(tail_token(pretty.as_bytes()).as_deref(), Some("eyJ2"));
        // The last page, and a last object's metadata (followed by more than the list's end).
        let last = r#"{"items":[],"kind":"MachineList","metadata":{"resourceVersion":"9"}}"#;
        assert_eq!(tail_token(last.as_bytes()), None);
        let inner = r#"{"kind":"List","items":[{"metadata":{"continue":"no"}}]}"#;
        assert_eq!(tail_token(inner.as_bytes()), None);
        // Metadata first, as for a built-in kind's list: its head names it.
        let first = r#"{"kind":"PodList","apiVersion":"v1","metadata":{"continue":"p2"},"items":[{"metadata":{"name":"a"}}]}"#;
        assert_eq!(head_token(first.as_bytes()), Head::Next("p2".into()));
    }

    #[test]
    fn a_page_that_is_not_utf8_is_refused_in_serde_jsons_words() {
        let read = |text: &[u8]| read_json::<ListMetaW>(text).map(|m| m.continue_token);
        assert_eq!(
            read(br#"{"continue":"t\u00e9"}"#).ok(),
            Some(Some("té".into()))
        );
        assert_eq!(
            read("{\"continue\":\"té\"}".as_bytes()).ok(),
            Some(Some("té".into()))
        );
        let error = read(b"{\"continue\":\"t\xff\"}").expect_err("not UTF-8");
        assert!(error.to_string().contains("line 1"), "{error}");
    }

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(depth_at(br#"{"a":"#), 1);
        assert_eq!(depth_at(br#"{"a":[{"#), 3);
        assert_eq!(depth_at(br#"{"a":"[{\"}","#), 1);
        assert_eq!(depth_at(br#"{"a":{"b":[1,2]},"#), 1);
        assert_eq!(depth_at(br#"{"a\\":"#), 1);
    }
}
