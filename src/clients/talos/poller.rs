//! Polling Talos nodes for the `:talos` pane, and streaming one node's logs or kernel log for
//! the inspector. Every node has its own task, so a node that hangs only delays itself.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use tokio::task::JoinHandle;

use super::client::{TalosClient, describe};
use super::config::{TalosConfigError, Talosconfig};
use crate::clients::Sink;
use crate::model::source::SourceState;
use crate::model::store::{ObjRef, WatchUpdate};
use crate::model::talos::{TalosNodeRow, TextSource};
use crate::model::text::sanitize;

pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// The node on screen (the inspector's) is polled this often, for its sparklines.
pub const FOCUSED_EVERY: Duration = Duration::from_secs(1);
pub const CALL_TIMEOUT: Duration = Duration::from_secs(3);

/// The Talos side of the cockpit: a client per talosconfig context and the nodes to poll.
#[derive(Clone, Default)]
pub struct TalosSetup {
    pub clients: BTreeMap<String, TalosClient>,
    pub nodes: Vec<ObjRef>,
    /// Why there is no Talos data, when there is none.
    pub problem: Option<String>,
}

impl TalosSetup {
    /// Add contexts found elsewhere (e.g. discovered); names already known are kept as they are.
    pub fn add_contexts(&mut self, contexts: Vec<super::config::TalosContext>) {
        for ctx in contexts {
            if self.clients.contains_key(&ctx.name) {
                continue;
            }
            match TalosClient::new(&ctx, CALL_TIMEOUT) {
                Ok(client) => {
                    self.clients.insert(ctx.name.clone(), client);
                    self.nodes.extend(
                        ctx.nodes
                            .iter()
                            .map(|n| ObjRef::in_cluster(ctx.name.clone(), "", n.clone())),
                    );
                }
                Err(e) => self.problem = Some(e.to_string()),
            }
        }
    }

    pub fn from_config(config: Result<Talosconfig, TalosConfigError>) -> Self {
        let config = match config {
            Ok(c) => c,
            Err(e) => {
                return TalosSetup {
                    problem: Some(e.to_string()),
                    ..TalosSetup::default()
                };
            }
        };
        let mut setup = TalosSetup::default();
        for ctx in &config.contexts {
            match TalosClient::new(ctx, CALL_TIMEOUT) {
                Ok(client) => {
                    setup.clients.insert(ctx.name.clone(), client);
                    setup.nodes.extend(
                        ctx.nodes
                            .iter()
                            .map(|n| ObjRef::in_cluster(ctx.name.clone(), "", n.clone())),
                    );
                }
                Err(e) => setup.problem = Some(e.to_string()),
            }
        }
        if setup.nodes.is_empty() && setup.problem.is_none() {
            setup.problem = Some("the talosconfig names no nodes".into());
        }
        setup
    }
}

/// Say how the talosconfig itself stands: one state for it as a whole; each node's own
/// trouble is in its row.
pub fn announce(setup: &TalosSetup, sink: &Sink<WatchUpdate<TalosNodeRow>>) {
    let state = match &setup.problem {
        Some(p) if setup.nodes.is_empty() && setup.clients.is_empty() => {
            SourceState::Error(sanitize(p))
        }
        _ => SourceState::Live,
    };
    sink.send(WatchUpdate::State("talosconfig".into(), state));
}

/// Poll every node of the setup (see `poll_node`).
pub fn start_polling(
    setup: &TalosSetup,
    every: Duration,
    focus: tokio::sync::watch::Receiver<Option<ObjRef>>,
    sink: &Sink<WatchUpdate<TalosNodeRow>>,
) -> Vec<JoinHandle<()>> {
    announce(setup, sink);
    setup
        .nodes
        .iter()
        .filter_map(|key| poll_node(setup, key, every, focus.clone(), sink))
        .collect()
}

/// Poll one node (through its context's endpoint) every `every`, or every `FOCUSED_EVERY`
/// while `focus` names it; each poll's row goes to `sink`. None when the node's context has
/// no client.
pub fn poll_node(
    setup: &TalosSetup,
    key: &ObjRef,
    every: Duration,
    focus: tokio::sync::watch::Receiver<Option<ObjRef>>,
    sink: &Sink<WatchUpdate<TalosNodeRow>>,
) -> Option<JoinHandle<()>> {
    let client = setup.clients.get(key.cluster.as_str())?.clone();
    let (key, node) = (key.clone(), key.name.clone());
    let sink = sink.clone();
    Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(FOCUSED_EVERY.min(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut last: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            let focused = focus.borrow().as_ref() == Some(&key);
            if !focused && last.is_some_and(|t| t.elapsed() < every) {
                continue;
            }
            last = Some(tokio::time::Instant::now());
            let row = client.snapshot(&node).await;
            if let Some(error) = &row.error {
                tracing::debug!(node = %node, context = %client.context, "poll: {error}");
            }
            if !sink.send(WatchUpdate::Upsert(row)) {
                return;
            }
        }
    }))
}

/// Stream a node's service log or dmesg to `sink`, chunk by chunk, then why it stopped.
pub fn stream_text(
    client: TalosClient,
    key: ObjRef,
    source: TextSource,
    sink: Sink<Result<String, String>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let opened = match &source {
            TextSource::Logs(service) => client.logs(&key.name, service, 200).await,
            TextSource::Dmesg => client.dmesg(&key.name).await,
        };
        let mut stream = match opened {
            Ok(s) => s,
            Err(e) => {
                sink.send(Err(e));
                return;
            }
        };
        while let Some(item) = stream.next().await {
            let text = item
                .map(|d| String::from_utf8_lossy(&d.bytes).into_owned())
                .map_err(|s| describe(&s));
            let failed = text.is_err();
            if !sink.send(text) || failed {
                return;
            }
        }
        sink.send(Err("stream ended".into()));
    })
}
