//! Which Talos nodes the pollers follow, worked out again when the Machines or a workload
//! cluster's Nodes change (`model::talos_targets` decides), and which one is on screen (polled
//! faster); the executor is told only when either changed.

use super::msg::Command;
use super::state::{Screen, State};
use crate::model::store::ObjRef;
use crate::model::talos_targets::targets;

pub fn retarget(state: &mut State) -> Vec<Command> {
    if state.talos.contexts.is_empty() {
        return Vec::new();
    }
    let machines: Vec<_> = state.capi.machines.iter().collect();
    let wanted = targets(&state.talos.contexts, &machines, |cluster| {
        let context = state.context_of_cluster(cluster);
        state
            .harvester
            .workload_nodes
            .iter()
            .filter(|n| n.key.cluster == context)
            .map(|n| n.key.name.to_string())
            .collect()
    });
    if wanted == state.talos.targets {
        return Vec::new();
    }
    let mut commands = follow_renamed(state, &wanted);
    state.talos.targets = wanted.clone();
    commands.push(Command::TalosTargets(wanted));
    commands
}

/// A Machine's node is first reached by its address, then by its nodeRef's name once it has
/// one: an inspector open on the address moves to the name, so it keeps its node.
fn follow_renamed(state: &mut State, wanted: &std::collections::BTreeSet<ObjRef>) -> Vec<Command> {
    let Screen::TalosNode(key) = state.screen().clone() else {
        return Vec::new();
    };
    if wanted.contains(&key) {
        return Vec::new();
    }
    let renamed = state
        .capi
        .machines
        .iter()
        .find(|m| m.cluster == key.cluster && m.address.as_deref() == Some(key.name.as_str()))
        .map(|m| ObjRef::in_cluster(key.cluster.clone(), "", m.node.clone()))
        .filter(|k| !k.name.is_empty() && wanted.contains(k));
    let Some(new) = renamed else {
        return Vec::new();
    };
    if let Some(top) = state.stack.last_mut() {
        *top = Screen::TalosNode(new);
    }
    // The tab's stream or reads were for the old name: start them for the new one.
    super::inspector::switch_tab(state, state.talos.inspector.tab)
}

/// The inspector's node is polled faster while it is on screen: tell the pollers when that
/// changes.
pub fn focus(state: &mut State) -> Option<Command> {
    let focus = match state.screen() {
        Screen::TalosNode(key) => Some(key),
        _ => None,
    };
    if focus == state.talos.focus.as_ref() {
        return None;
    }
    state.talos.focus = focus.cloned();
    Some(Command::FocusTalos(state.talos.focus.clone()))
}
