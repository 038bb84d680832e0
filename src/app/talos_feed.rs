//! What following a Talos node brings into the state: its machine status, its events (new
//! ones that matter to an incident also go to the timeline), and why a stream stopped.

use super::domains::NodeMachine;
use super::state::State;
use crate::model::store::ObjRef;
use crate::model::talos_machine::NodeFeed;

pub fn apply(state: &mut State, key: ObjRef, feed: NodeFeed) {
    // A node no longer followed may still have a message in flight.
    if !state.talos.targets.contains(&key) {
        return;
    }
    let now = state.now;
    let node = state
        .talos
        .machine
        .entry(key.clone())
        .or_insert_with(|| NodeMachine {
            since: Some(now),
            ..NodeMachine::default()
        });
    match feed {
        NodeFeed::Status(status) => node.status = Some(status),
        NodeFeed::EventsStopped(why) => node.events.problem = Some(why),
        NodeFeed::Events(events) => {
            let since = node.since;
            for (event, in_sequence) in node.events.take(events) {
                let (Some(at), Some((field, what))) = (event.at, event.timeline(in_sequence))
                else {
                    continue;
                };
                if since.is_some_and(|s| at.as_second() >= s.as_second()) {
                    let bad = event.is_bad();
                    state.history.note(at, "Talos node", &key, field, what, bad);
                }
            }
        }
    }
}
