//! The inspector's remediation keys: the call for the node on screen, or why there is none —
//! a core service Talos will not restart, etcd maintenance on a worker.

use super::action::Action;
use super::state::{Screen, State};
use super::tables;
use crate::model::rollout::{Plan, talos_call};
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
                .map(|k| k.name)
                .ok_or("select a service on the Services tab (s)")?;
            if !restartable(&id) {
                return Err(format!(
                    "Talos restarts only kubelet and extension services through its API; {id} is one of its own"
                ));
            }
            TalosCallKind::ServiceRestart(id)
        }
        etcd if !node.is_control_plane() => {
            return Err(format!(
                "{} is a worker: etcd runs on control planes only ({})",
                key.name,
                etcd.name()
            ));
        }
        Action::EtcdDefragment => TalosCallKind::EtcdDefragment,
        Action::EtcdAlarmDisarm => TalosCallKind::EtcdAlarmDisarm,
        Action::EtcdForfeitLeadership => TalosCallKind::EtcdForfeitLeadership,
        other => return Err(format!("{} is not a node remediation", other.name())),
    };
    Ok(Plan::Rollout(talos_call(TalosCall {
        context: key.cluster.clone(),
        node: key.name.clone(),
        kind,
    })))
}
