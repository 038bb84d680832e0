//! Following CAPI Machines to their providers' machines: every kind the Machines'
//! `infrastructureRef`s name (HarvesterMachine, VSphereMachine, Metal3Machine,
//! TinkerbellMachine …) is watched once discovery knows it, and judged by its health rule, so
//! the cluster tree shows each Machine's own infrastructure readiness whatever the provider.

use super::domains::InfraKey;
use super::msg::Command;
use super::state::State;
use crate::clients::kube::browse::BrowseUpdate;
use crate::model::health::Health;
use crate::model::source::SourceState;
use crate::model::store::ObjRef;
use crate::model::tree::TreeNode;

/// How long provider kinds wait, at most, for the pane on screen to finish listing.
const WAIT_FOR_PANE_SECONDS: i64 = 3;

/// Watches to start for provider kinds the Machines name and nobody watches yet.
pub fn watch_new(state: &mut State) -> Vec<Command> {
    // Borrowed and deduplicated as they come: a fleet has a handful of provider kinds over
    // thousands of Machines, and this runs on every Machine event.
    let mut wanted: Vec<(&str, &str, &str)> = Vec::new();
    for m in state.capi.machines.iter() {
        let Some(infra) = m.infra.as_ref() else {
            continue;
        };
        let key = (
            m.key.cluster.as_str(),
            infra.group.as_str(),
            infra.kind.as_str(),
        );
        if !wanted.contains(&key) {
            wanted.push(key);
        }
    }
    wanted.sort_unstable();
    let wanted: Vec<InfraKey> = wanted
        .into_iter()
        .map(|(c, g, k)| (c.to_string(), g.to_string(), k.to_string()))
        .filter(|key| !state.infra.watched.contains(key))
        .collect();
    start(state, wanted)
}

/// The provider kinds held back for the pane, looked at again (its list moved, or the clock).
pub fn start_waiting(state: &mut State) -> Vec<Command> {
    let waiting = std::mem::take(&mut state.infra.waiting);
    start(state, waiting)
}

/// Whether provider kinds wait for the pane on screen.
pub fn waiting(state: &State) -> bool {
    !state.infra.waiting.is_empty()
}

/// Start the watches of `keys` that discovery knows, but hold back a cluster's while the pane
/// on screen is still listing from it: its rows come first. At 100,000 objects the 20,000
/// provider machines' list, arriving with the Machines, was a twentieth of both processes'
/// CPU while `:pods` loaded, for a tree that was not on screen.
fn start(state: &mut State, keys: Vec<InfraKey>) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut waiting = Vec::new();
    for key in keys {
        let Some(found) = state.catalog.by_kind(&key.1, &key.2) else {
            continue;
        };
        if pane_listing(state, &key.0) {
            waiting.push(key);
            continue;
        }
        commands.push(Command::WatchInfra {
            cluster: key.0.clone(),
            kind: found.clone(),
        });
        state.infra.watched.insert(key);
    }
    state.infra.waiting_since = match waiting.is_empty() {
        true => None,
        false => Some(state.infra.waiting_since.unwrap_or(state.now)),
    };
    state.infra.waiting = waiting;
    commands
}

/// Whether the pane on screen is listing from `cluster` still, and has been for less than
/// the wait (a server that never finishes the list does not hold the provider kinds back).
fn pane_listing(state: &State, cluster: &str) -> bool {
    // A cluster the pane lists from has no state until its list is in (or failed).
    let listing = state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.clusters.iter().any(|c| c == cluster))
        && matches!(
            state.browse.rows.state_in(cluster),
            None | Some(SourceState::Loading)
        );
    let waited = state
        .infra
        .waiting_since
        .is_some_and(|since| state.now.as_second() - since.as_second() >= WAIT_FOR_PANE_SECONDS);
    listing && !waited
}

/// A provider kind's rows arrived.
pub fn on_rows(state: &mut State, update: BrowseUpdate) {
    for rows in update.into_rows() {
        state.infra.rows.apply(rows);
    }
}

/// The verdict on a Machine's provider machine, once its kind is watched.
pub fn health_of(state: &State, machine: &TreeNode) -> Option<Health> {
    let infra = machine.infra.as_ref()?;
    let crate::model::tree::NodeId::Machine(key) = &machine.id else {
        return None;
    };
    let at = ObjRef::in_cluster(
        key.cluster.clone(),
        key.namespace.clone(),
        infra.name.clone(),
    );
    state.infra.rows.get(&at)?.health.as_deref().cloned()
}
