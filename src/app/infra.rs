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
    let wanted: std::collections::BTreeSet<(String, String, String)> = state
        .capi
        .machines
        .iter()
        .filter_map(|m| {
            let infra = m.infra.as_ref()?;
            Some((
                m.key.cluster.to_string(),
                infra.group.clone(),
                infra.kind.clone(),
            ))
        })
        .collect();
    let mut commands = Vec::new();
    for (cluster, group, kind) in wanted {
        let key = (cluster.clone(), group.clone(), kind.clone());
        if state.infra.watched.contains(&key) {
            continue;
        }
        let Some(found) = state.catalog.by_kind(&group, &kind) else {
            continue;
        };
        state.infra.watched.insert(key);
        commands.push(Command::WatchInfra {
            cluster,
            kind: found.clone(),
        });
    }
    commands
}

/// A provider kind's rows arrived.
pub fn on_rows(state: &mut State, update: BrowseUpdate) {
    if let BrowseUpdate::Rows(rows) = update {
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
