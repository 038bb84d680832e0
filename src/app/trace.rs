//! The trace view and the jump keys: from the row under the cursor in any layer's pane, the
//! Machine it is part of; its chain as a strip (`t`, `:trace`); `Enter` on a layer, or `[` and
//! `]` from any layer's row, goes to the pane of the layer below or above with the cursor on
//! that object.

use super::chain::{self, Layer, LayerKind, machine_for};
use super::ids::PaneId;
use super::layout::page_rows;
use super::msg::Command;
use super::navigation::{push, switch_root};
use super::state::{Screen, State};
use super::tables;
use crate::model::links::hardware_in;
use crate::model::store::ObjRef;
use crate::model::tree::{NodeId, cluster_tree, path_to};

/// The layer and object of the row under the cursor, where the screen shows one.
pub fn current(state: &State) -> Option<(LayerKind, ObjRef)> {
    match state.screen() {
        Screen::Pane(PaneId::CLUSTERS) => Some(match state.tree.selected.clone()? {
            NodeId::Machine(k) => (LayerKind::Machine, k),
            NodeId::Deployment(k) | NodeId::ControlPlane(k) => (LayerKind::Group, k),
            NodeId::Cluster(k) => (LayerKind::Cluster, k),
        }),
        Screen::Pane(PaneId::ATTENTION) => {
            let p = tables::attention_selected(state)?;
            Some((p.layer, p.key.clone()))
        }
        Screen::Pane(PaneId::TRACE) => {
            let key = tables::selected(state, &tables::TRACE)?;
            let layer = layers(state)?
                .into_iter()
                .find(|l| l.key.as_ref() == Some(&key))?;
            Some((layer.kind, key))
        }
        Screen::Pane(id) => {
            let table = state.panes.get(*id)?.table?;
            let key = tables::selected(state, table)?;
            let kind = match *id {
                PaneId::VMS => LayerKind::Vm,
                PaneId::TALOS => LayerKind::Talos,
                PaneId::HOSTS => LayerKind::Hardware,
                PaneId::BROWSE => {
                    let kind = &state.browse.target.as_ref()?.kind;
                    match (kind.group.as_str(), kind.kind.as_str()) {
                        ("", "Node") => LayerKind::Node,
                        ("kubevirt.io", "VirtualMachine") => LayerKind::Vm,
                        ("cluster.x-k8s.io", "Machine") => LayerKind::Machine,
                        _ => return None,
                    }
                }
                _ => return None,
            };
            Some((kind, key))
        }
        _ => None,
    }
}

/// The Machine behind the row under the cursor: directly, or for a host, the one Machine
/// whose VM runs there.
fn machine_here(state: &State) -> Result<ObjRef, String> {
    // On the trace itself, every layer is the traced Machine's.
    if let (Screen::Pane(PaneId::TRACE), Some(machine)) = (state.screen(), &state.trace) {
        return Ok(machine.clone());
    }
    let (kind, key) = current(state).ok_or("no row here that is part of a machine's chain")?;
    if kind == LayerKind::Hardware {
        let host = state
            .metal
            .hardware
            .get(&key)
            .map(|h| {
                if h.hostname.is_empty() {
                    h.key.name.to_string()
                } else {
                    h.hostname.clone()
                }
            })
            .unwrap_or_default();
        // Provisioned by Tinkerbell on it, or running as a VM on the Harvester host it is.
        let metal = hardware_in(&key.cluster, &key.namespace, &key.name);
        let on_metal = state.links.machine_by_hardware.keys_for(&metal);
        let machines: Vec<ObjRef> = on_metal
            .cloned()
            .chain(
                state
                    .links
                    .vmi_by_host
                    .keys_for(&host)
                    .filter_map(|vmi| machine_for(state, LayerKind::Vm, vmi)),
            )
            .collect();
        return match machines.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(format!("no Machine runs on {host}")),
            many => Err(format!(
                "{} Machines run on {host}: trace one from :vms",
                many.len()
            )),
        };
    }
    if matches!(kind, LayerKind::Group | LayerKind::Cluster) {
        return Err(format!(
            "{} has several Machines: trace one of them",
            key.name
        ));
    }
    machine_for(state, kind, &key).ok_or_else(|| format!("no Machine found behind {}", key.name))
}

/// The chain on screen (of `state.trace`'s Machine).
pub fn layers(state: &State) -> Option<Vec<Layer>> {
    let machine = match (&state.trace, &state.trace_name) {
        (Some(key), _) => state.capi.machines.get(key)?,
        (None, Some(name)) => {
            let mut found = named(state, name);
            match (found.next(), found.next()) {
                (Some(one), None) => one,
                _ => return None,
            }
        }
        (None, None) => return None,
    };
    Some(chain::trace(state, machine))
}

/// `t` / `:trace`: the chain of the Machine behind the row under the cursor; from elsewhere,
/// the last one traced.
pub fn open(state: &mut State) -> Vec<Command> {
    match machine_here(state) {
        Ok(machine) => {
            state.trace = Some(machine);
            state.trace_name = None;
        }
        Err(why) if state.trace.is_none() || current(state).is_some() => {
            state.notice = Some(why);
            return Vec::new();
        }
        Err(_) => {}
    }
    if state.screen() != &Screen::Pane(PaneId::TRACE) {
        push(state, Screen::Pane(PaneId::TRACE));
    }
    state.tables.view_mut(tables::TRACE.id).selected = None;
    Vec::new()
}

/// `:trace NAME`: the chain of the Machine of that name (or whose node has it); asked for
/// before the Machines have loaded, it shows once they have.
pub fn open_named(state: &mut State, name: &str) -> Vec<Command> {
    let found: Vec<ObjRef> = named(state, name).map(|m| m.key.clone()).collect();
    match found.as_slice() {
        [one] => {
            state.trace = Some(one.clone());
            state.trace_name = None;
        }
        [] if state.capi.machines.is_empty() => {
            state.trace = None;
            state.trace_name = Some(name.to_string());
        }
        [] => {
            state.notice = Some(format!("no Machine {name:?}"));
            return Vec::new();
        }
        _ => {
            state.notice = Some(format!(
                "several Machines are named {name:?}: pick one in the tree"
            ));
            return Vec::new();
        }
    }
    if state.screen() != &Screen::Pane(PaneId::TRACE) {
        push(state, Screen::Pane(PaneId::TRACE));
    }
    Vec::new()
}

fn named<'a>(
    state: &'a State,
    name: &'a str,
) -> impl Iterator<Item = &'a crate::model::capi::MachineRow> {
    state
        .capi
        .machines
        .iter()
        .filter(move |m| m.key.name == name || m.node == name)
}

/// Go to a layer's pane with the cursor on its object.
pub fn go_to(state: &mut State, layer: &Layer) -> Vec<Command> {
    let Some(key) = layer.key.clone() else {
        state.notice = Some(format!("{}: {}", layer.kind.title(), layer.detail));
        return Vec::new();
    };
    let (pane, table) = match layer.kind {
        LayerKind::Machine | LayerKind::Group | LayerKind::Cluster => {
            let id = match layer.kind {
                LayerKind::Machine => NodeId::Machine(key),
                LayerKind::Cluster => NodeId::Cluster(key),
                _ if state.capi.control_planes.get(&key).is_some() => NodeId::ControlPlane(key),
                _ => NodeId::Deployment(key),
            };
            let commands = switch_root(state, Screen::Pane(PaneId::CLUSTERS));
            let nodes = cluster_tree(&state.capi);
            if let Some(path) = path_to(&nodes, &id) {
                let ids: Vec<NodeId> = path.iter().map(|n| n.id.clone()).collect();
                state.tree.opened.extend(ids);
            }
            state.tree.selected = Some(id);
            return commands;
        }
        LayerKind::Vm | LayerKind::Host => (PaneId::VMS, &tables::VMS),
        LayerKind::Talos => (PaneId::TALOS, &tables::TALOS),
        LayerKind::Hardware | LayerKind::Bmc => (PaneId::HOSTS, &tables::HOSTS),
        LayerKind::Apps => (PaneId::APPS, &tables::APPS),
        LayerKind::Secrets => (PaneId::SECRETS, &tables::SECRETS),
        // A workload Node lives in the kind browser, on its own cluster.
        LayerKind::Node => return super::browse::open_one(state, "nodes", &key),
    };
    let commands = switch_root(state, Screen::Pane(pane));
    // A host is the VM pane's context: the cursor goes to a VM on it instead.
    let target = match layer.kind {
        LayerKind::Host => {
            let on_host = state.links.vmi_by_host.keys_for(&key.name).next().cloned();
            on_host.unwrap_or(key)
        }
        LayerKind::Bmc => state
            .metal
            .hardware
            .iter()
            .find(|h| h.bmc.as_deref() == Some(key.name.as_str()))
            .map(|h| h.key.clone())
            .unwrap_or(key),
        _ => key,
    };
    let rows = tables::shown(state, table);
    let page = page_rows(state);
    if let Some(at) = rows.iter().position(|r| r.key == target) {
        state.tables.view_mut(table.id).select(&rows, at, page);
    }
    commands
}

/// `Enter` on the trace: the layer's own pane.
pub fn enter(state: &mut State) -> Vec<Command> {
    let Some(layers) = layers(state) else {
        return Vec::new();
    };
    let Some(key) = tables::selected(state, &tables::TRACE) else {
        return Vec::new();
    };
    match layers
        .into_iter()
        .find(|l| tables::trace::row_key(l) == key)
    {
        Some(layer) => go_to(state, &layer),
        None => Vec::new(),
    }
}

/// `[` (down, toward the metal) and `]` (up, toward the apps): the next layer of the row's
/// chain that the cockpit has a pane for, with the cursor on it.
pub fn step(state: &mut State, up: bool) -> Vec<Command> {
    let here = match current(state) {
        Some(here) => here,
        None => {
            state.notice = Some("no row here that is part of a machine's chain".into());
            return Vec::new();
        }
    };
    let machine = match machine_here(state) {
        Ok(m) => m,
        Err(why) => {
            state.notice = Some(why);
            return Vec::new();
        }
    };
    let Some(row) = state.capi.machines.get(&machine) else {
        return Vec::new();
    };
    let layers = chain::trace(state, row);
    let at = layers
        .iter()
        .position(|l| l.key.as_ref() == Some(&here.1))
        .or_else(|| layers.iter().position(|l| l.kind == here.0));
    let Some(at) = at else {
        return Vec::new();
    };
    // A layer with no object (a link that is missing, a summary) has nowhere to go.
    let next = if up {
        layers[at + 1..].iter().find(|l| l.key.is_some())
    } else {
        layers[..at].iter().rev().find(|l| l.key.is_some())
    };
    match next.cloned() {
        Some(layer) => go_to(state, &layer),
        None => {
            state.notice = Some(format!(
                "nothing {} {}",
                if up { "above" } else { "below" },
                here.0.title()
            ));
            Vec::new()
        }
    }
}
