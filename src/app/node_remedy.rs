//! The inspector's remediation keys: the call for the node on screen, or why there is none —
//! a core service Talos will not restart, etcd maintenance on a worker — and the reboot, its
//! workload Node drained first unless the user skips it in the dialog.

use super::action::Action;
use super::msg::Command;
use super::state::{Screen, State};
use super::tables;
use crate::clients::error::ClientError;
use crate::model::drain;
use crate::model::object_actions::node_schedulable;
use crate::model::rollout::{Plan, talos_reboot};
use crate::model::store::ObjRef;
use crate::model::talos_calls::{TalosCall, TalosCallKind, restartable};

pub fn plan(state: &State, action: Action) -> Result<Plan, String> {
    let Screen::TalosNode(key) = state.screen() else {
        return Err("open a Talos node first (:talos, Enter)".into());
    };
    let node = state
        .talos
        .nodes
        .get(key)
        .ok_or_else(|| format!("{} has not been polled yet", key.name))?;
    if node.services.is_none() {
        return Err(format!("{} is not answering", key.name));
    }
    let kind = match action {
        Action::ServiceRestart => {
            let id = tables::selected(state, &tables::SERVICES)
                .map(|k| k.name.to_string())
                .ok_or("select a service on the Services tab (s)")?;
            if !restartable(&id) {
                return Err(format!(
                    "Talos restarts only kubelet and extension services through its API; {id} is one of its own"
                ));
            }
            TalosCallKind::ServiceRestart(id.to_string())
        }
        etcd if !node.is_control_plane() => {
            return Err(format!(
                "{} is a worker: etcd runs on control planes only ({})",
                key.name,
                etcd.name()
            ));
        }
        Action::EtcdSnapshot => {
            let dir = state
                .snapshot_dir
                .as_ref()
                .ok_or("no data directory to write the snapshot to")?;
            let at = state.now.strftime("%Y%m%dT%H%M%SZ");
            let file = dir.join(format!("etcd-{}-{at}.snapshot", key.name));
            TalosCallKind::EtcdSnapshot(file.display().to_string())
        }
        Action::EtcdDefragment => TalosCallKind::EtcdDefragment,
        Action::EtcdAlarmDisarm => TalosCallKind::EtcdAlarmDisarm,
        Action::EtcdForfeitLeadership => TalosCallKind::EtcdForfeitLeadership,
        other => return Err(format!("{} is not a node remediation", other.name())),
    };
    Ok(Plan::Talos(TalosCall::new(
        key.cluster.to_string(),
        key.name.to_string(),
        kind,
    )))
}

/// `U` in the inspector: make the node's workload Node schedulable again (after a reboot
/// whose rollout stopped before its uncordon, or a drain by hand).
pub fn uncordon(state: &State) -> Result<Plan, String> {
    let Screen::TalosNode(key) = state.screen() else {
        return Err("open a Talos node first (:talos, Enter)".into());
    };
    let name = state
        .talos
        .nodes
        .get(key)
        .and_then(|n| n.hostname.clone())
        .unwrap_or_else(|| key.name.to_string());
    let workload = ObjRef::in_cluster(state.context_of_cluster(&key.cluster), "", name);
    match state.harvester.workload_nodes.get(&workload) {
        None => Err(format!(
            "no workload Node {} is known on {}",
            workload.name, workload.cluster
        )),
        Some(n) if !n.unschedulable => Err(format!("{} is not cordoned", workload.name)),
        Some(_) => Ok(Plan::Request(node_schedulable(&workload, "v1", true))),
    }
}

const SKIP_DRAIN: &str = "skip the drain (reboot with the pods where they are)";
const DRAIN_FIRST: &str = "drain first (cordon, evict, uncordon when back)";

/// What `n` says once it has switched.
pub fn switch_label(label: &str) -> String {
    if label == SKIP_DRAIN {
        DRAIN_FIRST.into()
    } else {
        SKIP_DRAIN.into()
    }
}

/// What a reboot key or the pods' list leads to: commands to send, or a dialog to open
/// (with the other way of doing it behind `n`).
pub enum RebootNext {
    Commands(Vec<Command>),
    Dialog(Box<Plan>, Option<(String, Box<Plan>)>),
}

/// `b`: reboot the node on screen. With a workload Node to drain, its pods are listed first
/// (the dialog comes when they are); without one, the reboot alone is offered.
pub fn start_reboot(state: &mut State) -> RebootNext {
    let nothing = RebootNext::Commands(Vec::new());
    if state.readonly {
        state.notice = Some("read-only mode: actions are disabled".into());
        return nothing;
    }
    let Screen::TalosNode(key) = state.screen().clone() else {
        return nothing;
    };
    let Some(node) = state.talos.nodes.get(&key).cloned() else {
        state.notice = Some(format!("{} has not been polled yet", key.name));
        return nothing;
    };
    let name = node
        .hostname
        .clone()
        .unwrap_or_else(|| key.name.to_string());
    let workload = ObjRef::in_cluster(state.context_of_cluster(&key.cluster), "", name);
    if state.harvester.workload_nodes.get(&workload).is_some() {
        state.talos.pending_reboot = Some(key);
        state.notice = Some("listing the node's pods for the drain…".into());
        state.dirty = true;
        return RebootNext::Commands(vec![Command::FetchNodePods {
            node: workload,
            version: "v1".into(),
        }]);
    }
    match talos_reboot(&node, None) {
        Ok(r) => {
            let mut plan = r;
            plan.title = format!(
                "{} (no workload Node {} is known to drain)",
                plan.title, workload.name
            );
            RebootNext::Dialog(Box::new(Plan::Rollout(plan)), None)
        }
        Err(e) => {
            state.notice = Some(e);
            nothing
        }
    }
}

/// The pods are listed: the reboot with its drain, `n` offering it without.
pub fn on_node_pods(
    state: &mut State,
    workload: ObjRef,
    version: &str,
    result: Result<serde_json::Value, ClientError>,
) -> RebootNext {
    let nothing = RebootNext::Commands(Vec::new());
    state.notice = None;
    state.dirty = true;
    let Some(key) = state.talos.pending_reboot.take() else {
        return nothing;
    };
    let Some(node) = state.talos.nodes.get(&key).cloned() else {
        return nothing;
    };
    let pods = match result {
        Ok(list) => drain::pods_of_list(&list),
        Err(e) => {
            state.notice = Some(format!("listing {}'s pods: {e}", workload.name));
            return nothing;
        }
    };
    let drained = drain::drain(&workload, version, &pods);
    let uncordon = node_schedulable(&workload, version, true);
    let (with, without) = match (
        talos_reboot(&node, Some((drained, uncordon))),
        talos_reboot(&node, None),
    ) {
        (Ok(with), Ok(without)) => (with, without),
        (Err(e), _) | (_, Err(e)) => {
            state.notice = Some(e);
            return nothing;
        }
    };
    RebootNext::Dialog(
        Box::new(Plan::Rollout(with)),
        Some((SKIP_DRAIN.into(), Box::new(Plan::Rollout(without)))),
    )
}
