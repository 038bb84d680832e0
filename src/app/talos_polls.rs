//! The Talos polls the executor runs: per target node, a poll and a follower of its machine
//! status and events, started and stopped as the targets change (`model::talos_targets`), the
//! node on screen polled faster. A node no longer a target leaves the `:talos` list.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::msg::Msg;
use super::watches::sink;
use crate::clients::Sink;
use crate::clients::talos::follow;
use crate::clients::talos::poller::{self, TalosSetup};
use crate::model::store::{ObjRef, WatchUpdate};
use crate::model::talos::TalosNodeRow;

pub struct TalosPolls {
    setup: TalosSetup,
    every: Duration,
    focus: watch::Sender<Option<ObjRef>>,
    /// Each target's poll and follower.
    tasks: BTreeMap<ObjRef, [JoinHandle<()>; 2]>,
    sink: Sink<WatchUpdate<TalosNodeRow>>,
    tx: UnboundedSender<Msg>,
}

impl TalosPolls {
    /// Say how the talosconfig stands and which contexts it has, and poll its own `nodes`
    /// until the platform says which nodes there are.
    pub fn start(setup: TalosSetup, every: Duration, tx: &UnboundedSender<Msg>) -> Self {
        let sink = sink(tx, Msg::Talos);
        poller::announce(&setup, &sink);
        let mut contexts: BTreeMap<String, Vec<String>> = setup
            .clients
            .keys()
            .map(|c| (c.clone(), Vec::new()))
            .collect();
        for key in &setup.nodes {
            contexts
                .entry(key.cluster.to_string())
                .or_default()
                .push(key.name.to_string());
        }
        let _ = tx.send(Msg::TalosContexts(contexts));
        let roles = setup
            .clients
            .iter()
            .map(|(c, client)| (c.clone(), client.roles.clone()))
            .collect();
        let _ = tx.send(Msg::TalosRoles(roles));
        let (focus, _) = watch::channel(None);
        let mut polls = TalosPolls {
            every,
            focus,
            tasks: BTreeMap::new(),
            sink,
            setup,
            tx: tx.clone(),
        };
        let first: BTreeSet<ObjRef> = polls.setup.nodes.iter().cloned().collect();
        polls.retarget(first);
        polls
    }

    /// The node on screen, polled every second.
    pub fn focus(&self, node: Option<ObjRef>) {
        self.focus.send_replace(node);
    }

    /// Poll exactly `targets`: new ones start, gone ones stop and leave the list.
    pub fn retarget(&mut self, targets: BTreeSet<ObjRef>) {
        let gone: Vec<ObjRef> = self
            .tasks
            .keys()
            .filter(|k| !targets.contains(*k))
            .cloned()
            .collect();
        for key in gone {
            for task in self.tasks.remove(&key).into_iter().flatten() {
                task.abort();
            }
            self.sink.send(WatchUpdate::Delete(key));
        }
        for key in targets {
            if self.tasks.contains_key(&key) {
                continue;
            }
            let focus = self.focus.subscribe();
            let Some(client) = self.setup.clients.get(key.cluster.as_str()).cloned() else {
                continue;
            };
            let Some(poll) = poller::poll_node(&self.setup, &key, self.every, focus, &self.sink)
            else {
                continue;
            };
            let feed_key = key.clone();
            let feed = sink(&self.tx, move |feed| Msg::TalosFeed {
                key: feed_key.clone(),
                feed,
            });
            let follow = follow::follow_node(client, key.name.to_string(), feed);
            self.tasks.insert(key, [poll, follow]);
        }
    }
}

impl Drop for TalosPolls {
    fn drop(&mut self) {
        for task in self.tasks.values().flatten() {
            task.abort();
        }
    }
}
