//! The Talos polls the executor runs: one task per target node, started and stopped as the
//! targets change (`model::talos_targets`), the node on screen polled faster. A node no longer
//! a target leaves the `:talos` list.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::msg::Msg;
use super::watches::sink;
use crate::clients::Sink;
use crate::clients::talos::poller::{self, TalosSetup};
use crate::model::store::{ObjRef, WatchUpdate};
use crate::model::talos::TalosNodeRow;

pub struct TalosPolls {
    setup: TalosSetup,
    every: Duration,
    focus: watch::Sender<Option<ObjRef>>,
    tasks: BTreeMap<ObjRef, JoinHandle<()>>,
    sink: Sink<WatchUpdate<TalosNodeRow>>,
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
                .entry(key.cluster.clone())
                .or_default()
                .push(key.name.clone());
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
            if let Some(task) = self.tasks.remove(&key) {
                task.abort();
            }
            self.sink.send(WatchUpdate::Delete(key));
        }
        for key in targets {
            if self.tasks.contains_key(&key) {
                continue;
            }
            let focus = self.focus.subscribe();
            if let Some(task) = poller::poll_node(&self.setup, &key, self.every, focus, &self.sink)
            {
                self.tasks.insert(key, task);
            }
        }
    }
}

impl Drop for TalosPolls {
    fn drop(&mut self) {
        for task in self.tasks.values() {
            task.abort();
        }
    }
}
