//! Lists, as a real API server answers them: pages chosen from the database (continue
//! tokens, `remainingItemCount`, selectors), items in the requested version or a Table of
//! their rows, written onto the wire as they are printed.

use std::collections::HashMap;
use std::sync::Arc;

use http::Response;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use super::convert;
use super::db::{Stored, meta_str};
use super::encode::{decode_continue, encode_continue, encode_item, list_body};
use super::http::{Body, error_response, streamed_response};
use super::kinds::{KINDS, KindDef};
use super::labels::Selection;
use super::pieces::{PieceWriter, Pieces, RowSink, send_if_full};
use super::route::ResourcePath;
use super::server_state::Api;
use super::status::{self, StatusError};
use super::table::{Printer, TABLE_TAIL, TableAsk};

impl Api {
    /// A list answered as it is written: the list runs on the server's list thread (it holds
    /// the database while it prints: `list_thread`) and its chunks go out as they come; an
    /// error found before the first one is the answer instead.
    pub(crate) async fn list_streamed(
        self: Arc<Self>,
        path: ResourcePath,
        query: HashMap<String, String>,
        table: Option<TableAsk>,
        warning: Option<String>,
    ) -> Response<Body> {
        let (first_tx, first_rx) = oneshot::channel();
        let (rest_tx, rest_rx) = mpsc::unbounded_channel::<Pieces>();
        let api = self.clone();
        self.list_thread.run(move || {
            let mut first = Some(first_tx);
            let mut out = |chunk: Pieces| match first.take() {
                Some(first) => {
                    let _ = first.send(Ok(chunk));
                }
                None => {
                    let _ = rest_tx.send(chunk);
                }
            };
            if let Err(e) = api.list(&path, &query, table, &mut out)
                && let Some(first) = first.take()
            {
                let _ = first.send(Err(e));
            }
        });
        match first_rx.await {
            Ok(Ok(head)) => streamed_response(head, rest_rx, warning.as_deref()),
            Ok(Err(e)) => error_response(e),
            Err(_) => error_response(status::internal("the list stopped before it began".into())),
        }
    }

    /// A list (or one page of it), written onto `out` as it is made: a Table's rows in
    /// chunks, so a page of 500 pods starts on the wire while its later rows are printed (as a
    /// real server streams list encodings). Errors come before anything is written.
    fn list(
        &self,
        path: &ResourcePath,
        query: &HashMap<String, String>,
        table: Option<TableAsk>,
        out: &mut dyn FnMut(Pieces),
    ) -> Result<(), StatusError> {
        let def = &KINDS[path.kind];
        let selector = Selection::from_query(def.kind, query).map_err(status::bad_request)?;
        let any_rv = query.get("resourceVersion").is_some_and(|v| v == "0");
        // rv=0 is served from the watch cache and ignores limit, as a real server does.
        let limit = query
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| *l > 0 && !any_rv);
        let db = self.db();
        let (snapshot_rv, after, served_before) = match query
            .get("continue")
            .filter(|c| !c.is_empty())
        {
            Some(token) => {
                let token = decode_continue(token)
                    .ok_or_else(|| status::bad_request("continue key is not valid".into()))?;
                if token.rv < db.oldest_rv() {
                    return Err(status::expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.".into(),
                    ));
                }
                (token.rv, Some(token.after), token.served)
            }
            None => (db.current_rv(), None, 0),
        };
        let namespace = (!path.namespace.is_empty()).then_some(path.namespace.as_str());
        // The page first (references only), so a Table's metadata — which comes before its
        // rows — can name where the next page starts.
        let mut matching = db
            .list_stored(path.kind, namespace, after.as_ref())
            .filter(|o| selector.matches(&o.value));
        let page: Vec<&Stored> = matching
            .by_ref()
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        // Whether a page follows is asked of the next object; how many remain is counted from
        // the kind's total (walking the rest of a 60,000-pod list for each of its 120 pages
        // was a quarter of what serving it cost).
        let more = limit.is_some() && matching.next().is_some();
        let served = served_before + page.len();
        let mut meta = json!({"resourceVersion": snapshot_rv.to_string()});
        if more {
            if let Some(last) = page.last() {
                let (ns, name) = (
                    meta_str(&last.value, "namespace"),
                    meta_str(&last.value, "name"),
                );
                meta["continue"] = json!(encode_continue(snapshot_rv, ns, name, served));
            }
            if selector.is_empty() {
                let remaining = db.count(path.kind, namespace).saturating_sub(served);
                meta["remainingItemCount"] = json!(remaining.max(1));
            }
        } else if !def.is_builtin() {
            meta["continue"] = json!("");
        }
        match table {
            Some(ask) => print_rows(def, &path.version, ask, &meta, &page, out),
            None => {
                let encoded: Vec<bytes::Bytes> = page
                    .iter()
                    .map(|item| encode_item(def, item, &path.version))
                    .collect();
                list_body(def, &path.version, &meta, &encoded, CHUNK, out);
            }
        }
        Ok(())
    }
}

/// How much of a list goes out at a time: a chunk of pieces (`pieces`), most of them the
/// objects' stored encodings, so a page starts on the wire while its later rows are printed.
const CHUNK: usize = 64 * 1024;

/// A Table of `page`'s rows onto `out`, in chunks. Objects in the storage version print from
/// what the database keeps encoded; others are converted first.
fn print_rows(
    def: &KindDef,
    version: &str,
    ask: TableAsk,
    meta: &Value,
    page: &[&Stored],
    out: &mut dyn FnMut(Pieces),
) {
    let printer = Printer::for_kind(def, version);
    let now = jiff::Timestamp::now();
    let mut rows = PieceWriter::default();
    *rows.bytes() = printer.table_head(ask.version, meta, true);
    for (i, item) in page.iter().enumerate() {
        if i > 0 {
            rows.bytes().push(b',');
        }
        if version == def.storage_version() {
            let encoded = item.encoded();
            printer.push_row(
                &mut rows,
                &item.value,
                &item.managed,
                Some(&encoded),
                ask.include,
                now,
            );
        } else {
            let obj = convert::to_version(def, item.value.clone(), version);
            printer.push_row(&mut rows, &obj, &item.managed, None, ask.include, now);
        }
        send_if_full(&mut rows, CHUNK, out);
    }
    rows.bytes().extend_from_slice(TABLE_TAIL);
    out(rows.take());
}
