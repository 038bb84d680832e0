//! Following Talos nodes over long-lived streams: every target node's machine status (a COSI
//! watch) and events (`MachineService.Events`), reopened with a growing pause when a node goes
//! away (a reboot ends both streams); and, for the node in the inspector's Machine tab, its
//! members and addresses (two kind watches).

use futures::StreamExt;
use tokio::task::JoinHandle;

use super::client::TalosClient;
use super::state::{Change, MACHINE_STATUS, MEMBERS, NODE_ADDRESSES};
use crate::clients::Sink;
use crate::clients::backoff::Backoff;
use crate::model::talos_machine::{
    MachineDetails, NodeFeed, machine_status, member, node_addresses,
};

/// Events asked for when a node is first followed (the rest of its buffer stays on the node).
const FIRST_EVENTS: i32 = 100;
/// Follow one node's machine status and events until the sink is gone.
pub fn follow_node(client: TalosClient, node: String, sink: Sink<NodeFeed>) -> JoinHandle<()> {
    tokio::spawn(async move {
        tokio::join!(
            follow_status(&client, &node, &sink),
            follow_events(&client, &node, &sink),
        );
    })
}

async fn follow_status(client: &TalosClient, node: &str, sink: &Sink<NodeFeed>) {
    let mut backoff = Backoff::default();
    loop {
        let why = match client.watch(node, MACHINE_STATUS, Some("machine")).await {
            Err(e) => e,
            Ok(stream) => {
                let mut stream = std::pin::pin!(stream);
                let mut why = "the watch ended".to_string();
                while let Some(item) = stream.next().await {
                    match item {
                        Err(e) => {
                            why = e;
                            break;
                        }
                        Ok(changes) => {
                            backoff.reset();
                            for change in changes {
                                let status = match change {
                                    Change::Set(_, yaml) => machine_status(&yaml),
                                    Change::Gone(_) => Err("no machine status yet".into()),
                                    Change::Bootstrapped => continue,
                                };
                                if !sink.send(NodeFeed::Status(status)) {
                                    return;
                                }
                            }
                        }
                    }
                }
                why
            }
        };
        if !sink.send(NodeFeed::Status(Err(why))) {
            return;
        }
        backoff.wait().await;
    }
}

async fn follow_events(client: &TalosClient, node: &str, sink: &Sink<NodeFeed>) {
    let mut backoff = Backoff::default();
    let mut last: Option<String> = None;
    loop {
        let why = match client.events(node, last.as_deref(), FIRST_EVENTS).await {
            Err(e) => e,
            Ok(stream) => {
                // Events come in bursts (a boot writes dozens): send what is ready together.
                let mut stream = std::pin::pin!(stream.ready_chunks(64));
                let mut why = "the event stream ended".to_string();
                'read: while let Some(items) = stream.next().await {
                    let mut batch = Vec::new();
                    let mut failed = None;
                    for item in items {
                        match item {
                            Ok(Some(e)) => batch.push(e),
                            Ok(None) => {}
                            Err(e) => failed = Some(e),
                        }
                    }
                    if let Some(e) = batch.last() {
                        last = Some(e.id.clone());
                        backoff.reset();
                    }
                    if !batch.is_empty() && !sink.send(NodeFeed::Events(batch)) {
                        return;
                    }
                    if let Some(e) = failed {
                        why = e;
                        break 'read;
                    }
                }
                why
            }
        };
        if !sink.send(NodeFeed::EventsStopped(why)) {
            return;
        }
        backoff.wait().await;
    }
}

/// Watch a node's members and address sets while the Machine tab shows it; each change sends
/// the whole picture again.
pub fn follow_details(
    client: TalosClient,
    node: String,
    sink: Sink<Result<MachineDetails, String>>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let members = client.watch(&node, MEMBERS, None).await;
        let addresses = client.watch(&node, NODE_ADDRESSES, None).await;
        let (members, addresses) = match (members, addresses) {
            (Ok(m), Ok(a)) => (m, a),
            (Err(e), _) | (_, Err(e)) => {
                sink.send(Err(e));
                return;
            }
        };
        let mut both = futures::stream::select(
            members.map(|r| (true, r)).boxed(),
            addresses.map(|r| (false, r)).boxed(),
        );
        let mut details = MachineDetails::default();
        let mut listed = (false, false);
        while let Some((is_members, item)) = both.next().await {
            let changes = match item {
                Ok(c) => c,
                Err(e) => {
                    sink.send(Err(e));
                    return;
                }
            };
            for change in changes {
                match (is_members, change) {
                    (true, Change::Set(id, yaml)) => {
                        if let Ok(m) = member(&yaml) {
                            details.members.insert(id, m);
                        }
                    }
                    (false, Change::Set(id, yaml)) => {
                        if let Ok(a) = node_addresses(&yaml) {
                            details.addresses.insert(id, a);
                        }
                    }
                    (true, Change::Gone(id)) => {
                        details.members.remove(&id);
                    }
                    (false, Change::Gone(id)) => {
                        details.addresses.remove(&id);
                    }
                    (true, Change::Bootstrapped) => listed.0 = true,
                    (false, Change::Bootstrapped) => listed.1 = true,
                }
            }
            details.complete = listed.0 && listed.1;
            if details.complete && !sink.send(Ok(details.clone())) {
                return;
            }
        }
        sink.send(Err("the watch ended".into()));
    })
}
