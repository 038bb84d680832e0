//! Following CAPI Machines to their providers' machines: every kind the Machines'
//! `infrastructureRef`s name (HarvesterMachine, VSphereMachine, Metal3Machine,
//! TinkerbellMachine …) is watched once discovery knows it, and judged by its health rule, so
//! the cluster tree shows each Machine's own infrastructure readiness whatever the provider.

use super::msg::Command;
use super::state::State;
use crate::clients::kube::browse::BrowseUpdate;
use crate::model::health::Health;
use crate::model::store::ObjRef;
use crate::model::tree::TreeNode;

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
    let wanted: Vec<(String, String, String)> = wanted
        .into_iter()
        .map(|(c, g, k)| (c.to_string(), g.to_string(), k.to_string()))
        .filter(|key| !state.infra.watched.contains(key))
        .collect();
    let mut commands = Vec::new();
    for key in wanted {
        let Some(found) = state.catalog.by_kind(&key.1, &key.2) else {
            continue;
        };
        commands.push(Command::WatchInfra {
            cluster: key.0.clone(),
            kind: found.clone(),
        });
        state.infra.watched.insert(key);
    }
    commands
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
