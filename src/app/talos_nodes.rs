//! Which Talos nodes the pollers follow, worked out again when the Machines or a workload
//! cluster's Nodes change (`model::talos_targets` decides), and which one is on screen (polled
//! faster); the executor is told only when either changed.

use super::msg::Command;
use super::state::{Screen, State};
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
            .map(|n| n.key.name.clone())
            .collect()
    });
    if wanted == state.talos.targets {
        return Vec::new();
    }
    state.talos.targets = wanted.clone();
    vec![Command::TalosTargets(wanted)]
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
