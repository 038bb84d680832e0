//! The kind browser's actions on the object under the cursor: delete, cordon/uncordon a Node,
//! rollout-restart or scale a workload. Which of them applies depends on the kind browsed; the
//! plans themselves are in `model::object_actions`.

use super::action::Action;
use super::ids::PaneId;
use super::msg::Command;
use super::state::{Asks, Screen, State};
use super::tables;
use crate::clients::error::ClientError;
use crate::model::actions::ActionPlan;
use crate::model::browse::BrowseRow;
use crate::model::catalog::ApiKind;
use crate::model::drain;
use crate::model::object_actions::{
    delete_object, node_schedulable, restartable, rollout_restart, scalable, workload_scale,
};
use crate::model::rollout::Plan;
use crate::model::store::ObjRef;

/// Whether the action does something to the kind browsed (hints show only those).
pub fn applies(state: &State, action: Action) -> bool {
    let kind = state.browse.target.as_ref().map(|t| &t.kind);
    match action {
        Action::Logs => state.browse.shows_core("Pod"),
        Action::Cordon | Action::Uncordon | Action::Drain => state.browse.shows_core("Node"),
        Action::Restart => kind.is_some_and(restartable),
        Action::PickNamespace => kind.is_some_and(|k| k.namespaced),
        // Enter drills into a namespace's or a node's pods.
        Action::Enter if state.screen() == &Screen::Pane(PaneId::BROWSE) => {
            state.browse.shows_core("Namespace") || state.browse.shows_core("Node")
        }
        Action::Scale if state.screen() == &Screen::Pane(PaneId::BROWSE) => {
            kind.is_some_and(scalable)
        }
        _ => true,
    }
}

/// The plan for a browser action that needs no value.
pub fn plan(state: &State, action: Action) -> Result<ActionPlan, String> {
    let (kind, row) = browsed(state)?;
    match action {
        Action::Delete => Ok(delete_object(kind, &row.key)),
        Action::Cordon | Action::Uncordon => {
            if !applies(state, action) {
                return Err("cordon and uncordon are for nodes (:nodes)".to_string());
            }
            Ok(node_schedulable(
                &row.key,
                &kind.version,
                action == Action::Uncordon,
            ))
        }
        Action::Restart => {
            if !restartable(kind) {
                return Err(format!(
                    "restart is for Deployments, StatefulSets and DaemonSets, not {}",
                    kind.kind
                ));
            }
            Ok(rollout_restart(kind, &row.key, state.now))
        }
        other => Err(format!("{} is not a browser action", other.name())),
    }
}

/// `R` on a node: list its pods first; the drain's plan is made from them (`on_node_pods`).
pub fn start_drain(state: &mut State) -> Vec<Command> {
    if state.readonly {
        state.notice = Some("read-only mode: actions are disabled".into());
        return Vec::new();
    }
    let node = match browsed(state) {
        Ok((kind, row)) if applies(state, Action::Drain) => Command::FetchNodePods {
            node: row.key.clone(),
            version: kind.version.clone(),
        },
        Ok(_) => {
            state.notice = Some("drain is for nodes (:nodes)".into());
            return Vec::new();
        }
        Err(e) => {
            state.notice = Some(e);
            return Vec::new();
        }
    };
    state.notice = Some("listing the node's pods for the drain…".into());
    state.dirty = true;
    vec![node]
}

/// The node's pods are listed: the drain's plan, one step per eviction, for the confirm
/// dialog; or why there is none.
pub fn drain_plan(
    state: &mut State,
    node: ObjRef,
    version: &str,
    result: Result<serde_json::Value, ClientError>,
) -> Option<Plan> {
    state.notice = None;
    state.dirty = true;
    match result {
        Ok(list) => Some(Plan::Rollout(drain::drain(
            &node,
            version,
            &drain::pods_of_list(&list),
        ))),
        Err(e) => {
            state.notice = Some(format!("cannot list the pods on {}: {e}", node.name));
            None
        }
    }
}

/// `s` on a workload: its replica count asked for, pre-filled with the count it wants now.
pub fn ask_replicas(state: &State) -> Result<(Asks, String), String> {
    let (kind, row) = browsed(state)?;
    if !scalable(kind) {
        return Err(format!(
            "scale is for Deployments, StatefulSets and ReplicaSets, not {}",
            kind.kind
        ));
    }
    let now = wanted_replicas(state, row).map(|n| n.to_string());
    Ok((
        Asks::WorkloadReplicas(row.key.clone()),
        now.unwrap_or_default(),
    ))
}

/// The scale plan once the count is entered.
pub fn scale_plan(state: &State, text: &str) -> Result<ActionPlan, String> {
    let (kind, row) = browsed(state)?;
    let to = text
        .parse::<u32>()
        .map_err(|_| format!("{text:?} is not a replica count (a whole number, 0 or more)"))?;
    Ok(workload_scale(
        kind,
        &row.key,
        wanted_replicas(state, row),
        to,
    ))
}

/// The replicas the row says the workload wants: READY's second half (`2/3`) for
/// Deployments and StatefulSets, DESIRED for ReplicaSets.
fn wanted_replicas(state: &State, row: &BrowseRow) -> Option<u32> {
    let cell = |name: &str| {
        let at = state.browse.columns.iter().position(|c| c.name == name)?;
        row.cells.get(at)
    };
    cell("Desired")
        .and_then(|c| c.parse().ok())
        .or_else(|| cell("Ready")?.split_once('/')?.1.parse().ok())
}

/// The kind the browser shows and the row under its cursor.
fn browsed(state: &State) -> Result<(&ApiKind, &BrowseRow), String> {
    let (Screen::Pane(PaneId::BROWSE), Some(target)) =
        (state.screen(), state.browse.target.as_ref())
    else {
        return Err("open a kind first (:pods, :nodes …)".to_string());
    };
    let key = tables::selected(state, &tables::BROWSE).ok_or("nothing selected")?;
    let row = state.browse.rows.get(&key).ok_or("nothing selected")?;
    Ok((&target.kind, row))
}
