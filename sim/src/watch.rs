//! Watch streams: one JSON event per line over a chunked 200 response, with BOOKMARKs, a
//! replay from the watch-cache window, and a single `ERROR 410 Expired` line for an rv that is
//! too old (a real server does not answer that with HTTP 410 on a watch).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use http::Response;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::convert;
use super::db::{EventType, Stored, StoredEvent, with_managed_fields};
use super::encode::encode_item;
use super::http::{Body, channel_body, error_response, json_response};
use super::kinds::KINDS;
use super::labels::Selection;
use super::route::ResourcePath;
use super::server_state::Api;
use super::status;
use super::table::{Printer, TableAsk};
use crate::json_at::At;

/// Watches end after this long unless the client asked for less (kube-rs asks for 290 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Filter {
    path: ResourcePath,
    selector: Selection,
    /// Events as Tables of one row, when the watch asked for Table output.
    table: Option<TableEvents>,
}

struct TableEvents {
    ask: TableAsk,
    printer: Printer,
    /// The first Table event carries the column definitions; later ones `null`.
    defined: bool,
}

impl Filter {
    /// An object as this watch sends it: itself, or a Table of one row.
    fn object_line(&mut self, kind: &str, object: &Value, managed: &[u8]) -> Vec<u8> {
        match self.table.as_mut() {
            Some(t) => {
                let rv = object
                    .at("/metadata/resourceVersion")
                    .cloned()
                    .unwrap_or(Value::Null);
                let row = t
                    .printer
                    .row(object, managed, t.ask.include, jiff::Timestamp::now());
                let table = t.printer.table(
                    t.ask.version,
                    json!({"resourceVersion": rv}),
                    vec![row],
                    !t.defined,
                );
                t.defined = true;
                event_line(kind, &table)
            }
            None => event_line(kind, &with_managed_fields(object.clone(), managed)),
        }
    }

    /// The line to send for a stored event, if this watch should see it.
    fn line(&mut self, event: &StoredEvent) -> Option<Vec<u8>> {
        if event.kind != self.path.kind {
            return None;
        }
        let def = &KINDS[event.kind];
        if !self.path.namespace.is_empty()
            && event
                .object
                .at("/metadata/namespace")
                .and_then(Value::as_str)
                != Some(self.path.namespace.as_str())
        {
            return None;
        }
        let matches_now = self.selector.matches(&event.object);
        let matched_before = event.prev_labels.as_ref().is_some_and(|labels| {
            let mut before = json!({"metadata": {"labels": labels}});
            before["metadata"]["name"] = event.object["metadata"]["name"].clone();
            before["metadata"]["namespace"] = event.object["metadata"]["namespace"].clone();
            self.selector.matches(&before)
        });
        let kind_event = match (event.kind_event, matches_now, matched_before) {
            (_, false, false) => return None,
            (EventType::Modified, true, false) if event.prev_labels.is_some() => EventType::Added,
            (EventType::Modified, false, true) => EventType::Deleted,
            (t, _, _) => t,
        };
        if self.path.version == def.storage_version() && self.table.is_none() {
            return Some(encoded_event_line(kind_event.as_str(), &event.json));
        }
        let object = convert::to_version(def, event.object.clone(), &self.path.version);
        Some(self.object_line(kind_event.as_str(), &object, &event.managed))
    }

    fn bookmark(&self, rv: u64, initial_events_end: bool) -> Vec<u8> {
        let def = &KINDS[self.path.kind];
        let mut meta = json!({"resourceVersion": rv.to_string()});
        if initial_events_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        event_line(
            "BOOKMARK",
            &json!({"apiVersion": def.api_version(&self.path.version), "kind": def.kind, "metadata": meta}),
        )
    }
}

fn event_line(kind: &str, object: &Value) -> Vec<u8> {
    let mut line = serde_json::to_vec(&json!({"type": kind, "object": object})).unwrap_or_default();
    line.push(b'\n');
    line
}

/// `{"type":…,"object":…}` around an object that is already encoded.
fn encoded_event_line(kind: &str, object: &[u8]) -> Vec<u8> {
    let mut line = Vec::with_capacity(object.len() + 32);
    line.extend_from_slice(b"{\"type\":\"");
    line.extend_from_slice(kind.as_bytes());
    line.extend_from_slice(b"\",\"object\":");
    line.extend_from_slice(object);
    line.extend_from_slice(b"}\n");
    line
}

fn expired_line(rv: u64, oldest: u64) -> Vec<u8> {
    let status = status::expired(format!("too old resource version: {rv} ({oldest})"));
    event_line("ERROR", &status.body)
}

pub fn serve(
    api: Arc<Api>,
    path: ResourcePath,
    query: &HashMap<String, String>,
    table: Option<TableAsk>,
) -> Response<Body> {
    let selector = match Selection::from_query(KINDS[path.kind].kind, query) {
        Ok(s) => s,
        Err(e) => return error_response(status::bad_request(e)),
    };
    let bookmarks = query
        .get("allowWatchBookmarks")
        .is_some_and(|v| v == "true");
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let requested_rv = query
        .get("resourceVersion")
        .filter(|v| !v.is_empty() && *v != "0");
    let start_rv = match requested_rv.map(|v| v.parse::<u64>()) {
        None => None,
        Some(Ok(rv)) => Some(rv),
        Some(Err(_)) => {
            return error_response(status::bad_request(format!(
                "invalid resource version: {}",
                requested_rv.map_or("", String::as_str)
            )));
        }
    };
    let table = table.map(|ask| TableEvents {
        ask,
        printer: Printer::for_kind(&KINDS[path.kind], &path.version),
        defined: false,
    });
    let mut filter = Filter {
        path,
        selector,
        table,
    };

    // Subscribe and read the replay under one lock so no event falls between them.
    let (tx, rx) = mpsc::channel::<Vec<u8>>(256);
    let mut first: Vec<Vec<u8>> = Vec::new();
    let (events, cursor) = {
        let db = api.db();
        let events = db.subscribe();
        let storm = api.expire_watches.load(std::sync::atomic::Ordering::SeqCst);
        match start_rv {
            Some(rv) if rv < db.oldest_rv() || storm => {
                first.push(expired_line(rv, db.oldest_rv()));
                (None, rv)
            }
            Some(rv) => {
                first.extend(db.events_since(rv).iter().filter_map(|e| filter.line(e)));
                (Some(events), db.current_rv().max(rv))
            }
            None => {
                // "Start now": synthetic ADDED for everything, then (with bookmarks) the
                // initial-events-end marker.
                let namespace = filter.path.namespace.clone();
                let namespace = (!namespace.is_empty()).then_some(namespace.as_str());
                let def = &KINDS[filter.path.kind];
                let matching: Vec<&Stored> = db
                    .list_stored(filter.path.kind, namespace, None)
                    .filter(|o| filter.selector.matches(&o.value))
                    .collect();
                for stored in matching {
                    if filter.table.is_some() {
                        let object =
                            convert::to_version(def, stored.value.clone(), &filter.path.version);
                        first.push(filter.object_line("ADDED", &object, &stored.managed));
                    } else {
                        let object = encode_item(def, stored, &filter.path.version);
                        first.push(encoded_event_line("ADDED", &object));
                    }
                }
                if bookmarks {
                    first.push(filter.bookmark(db.current_rv(), true));
                }
                (Some(events), db.current_rv())
            }
        }
    };
    tokio::spawn(pump(
        api, filter, events, first, cursor, bookmarks, timeout, tx,
    ));

    let mut resp = json_response(200, &Value::Null, None);
    *resp.body_mut() = channel_body(rx);
    resp
}

#[allow(clippy::too_many_arguments)]
async fn pump(
    api: Arc<Api>,
    mut filter: Filter,
    events: Option<broadcast::Receiver<Arc<StoredEvent>>>,
    first: Vec<Vec<u8>>,
    mut cursor: u64,
    bookmarks: bool,
    timeout: Duration,
    tx: mpsc::Sender<Vec<u8>>,
) {
    for line in first {
        if tx.send(line).await.is_err() {
            return;
        }
    }
    let Some(mut events) = events else { return };
    let deadline = tokio::time::Instant::now() + timeout;
    let mut epoch = api.watch_epoch.subscribe();
    let mut bookmark_tick = tokio::time::interval(api.bookmark_every);
    bookmark_tick.tick().await;
    loop {
        let line = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {
                if bookmarks {
                    let rv = api.db().current_rv();
                    let _ = tx.send(filter.bookmark(rv, false)).await;
                }
                return;
            }
            _ = bookmark_tick.tick(), if bookmarks => {
                Some(filter.bookmark(api.db().current_rv(), false))
            }
            received = events.recv() => match received {
                Ok(event) if event.rv > cursor => {
                    cursor = event.rv;
                    filter.line(&event)
                }
                Ok(_) => None,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // The client fell behind the window: tell it to relist, then close.
                    let oldest = api.db().oldest_rv();
                    let _ = tx.send(expired_line(cursor, oldest)).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = tx.closed() => return,
            _ = epoch.changed() => return,
        };
        if let Some(line) = line
            && tx.send(line).await.is_err()
        {
            return;
        }
    }
}
