//! The value prompts before a mutation: the replicas to scale to, the Kubernetes version and
//! the Talos installer image to upgrade to, each with a sensible default; what was typed is
//! checked and turned into a plan for the confirm dialog (`mutations`).

use super::action::Action;
use super::ids::PaneId;
use super::msg::Command;
use super::mutations::{
    CAPI_VERSION, TALOS_CP_VERSION, open_dialog, readonly_refusal, selected_in, served,
};
use super::object_actions;
use super::state::{Asks, Prompt, Screen, State};
use super::tables;
use crate::model::actions;
use crate::model::capi::{ControlPlaneRow, DeploymentRow};
use crate::model::rollout::{self as plans, Plan, ServedApis};
use crate::model::talos::TalosNodeRow;
use crate::model::tree::{NodeId, path_to};
use crate::model::upgrade::{DEFAULT_INSTALLER, Version, check_kubernetes_target};

/// Actions that need a value first: open the prompt with a sensible default.
pub fn ask_value(state: &mut State, action: Action) {
    if state.readonly {
        state.notice = Some("read-only mode: actions are disabled".into());
        return;
    }
    let asked = match action {
        Action::Scale if state.screen() == &Screen::Pane(PaneId::BROWSE) => {
            object_actions::ask_replicas(state)
        }
        Action::Scale => ask_replicas(state),
        Action::UpgradeKubernetes => ask_kubernetes_version(state),
        Action::UpgradeTalos => selected_node(state).map(|n| ask_image(vec![n])),
        Action::UpgradeTalosAll => selected_node(state).map(|n| {
            ask_image(
                state
                    .talos
                    .nodes
                    .iter()
                    .filter(|o| o.key.cluster == n.key.cluster)
                    .collect(),
            )
        }),
        _ => Err("not an action that asks".into()),
    };
    match asked {
        Ok((asks, text)) => {
            let context = match &asks {
                Asks::Replicas(k) | Asks::KubernetesVersion(k) | Asks::WorkloadReplicas(k) => {
                    k.cluster.clone()
                }
                Asks::TalosImage(nodes) => {
                    nodes.first().map(|n| n.cluster.clone()).unwrap_or_default()
                }
            };
            if let Some(refusal) = readonly_refusal(state, &context) {
                state.notice = Some(refusal);
                return;
            }
            state.prompt = Some(Prompt::Value { asks, text });
        }
        Err(e) => state.notice = Some(e),
    }
}

fn ask_replicas(state: &State) -> Result<(Asks, String), String> {
    let selected = match &state.tree.selected {
        Some(NodeId::Deployment(key)) => state.capi.deployments.get(key),
        _ => None,
    };
    selected
        .map(|md| {
            (
                Asks::Replicas(md.key.clone()),
                md.replicas.desired.to_string(),
            )
        })
        .ok_or_else(|| "select a MachineDeployment in the tree to scale it".into())
}

/// `U` anywhere under a cluster in the tree: its control plane, pre-filled with the next minor.
fn ask_kubernetes_version(state: &State) -> Result<(Asks, String), String> {
    // Anywhere under a cluster: the root of the selected node's path.
    let nodes = state.shown_tree();
    let root = state
        .tree
        .selected
        .as_ref()
        .and_then(|id| path_to(&nodes, id))
        .and_then(|path| path.first().map(|n| n.id.clone()));
    let cluster = match root {
        Some(NodeId::Cluster(key)) => state.capi.clusters.get(&key),
        _ => None,
    }
    .ok_or("select a cluster in the tree to upgrade it")?;
    let cp = state
        .capi
        .control_planes
        .iter()
        .find(|cp| cp.key.cluster == cluster.key.cluster && cp.cluster == cluster.key.name)
        .ok_or_else(|| {
            format!(
                "{} has no control plane object to upgrade",
                cluster.key.name
            )
        })?;
    // Workers behind their control plane: offer to finish that upgrade first.
    let deployments = cluster_deployments(state, cp);
    let text = if deployments.iter().any(|md| md.version != cp.version) {
        cp.version.clone()
    } else {
        Version::parse(&cp.version)
            .map(|v| v.next_minor().to_string())
            .unwrap_or_default()
    };
    Ok((Asks::KubernetesVersion(cp.key.clone()), text))
}

/// The MachineDeployments of the control plane's cluster.
fn cluster_deployments<'a>(state: &'a State, cp: &ControlPlaneRow) -> Vec<&'a DeploymentRow> {
    state
        .capi
        .deployments
        .iter()
        .filter(|md| md.key.cluster == cp.key.cluster && md.cluster == cp.cluster)
        .collect()
}

fn selected_node(state: &State) -> Result<&TalosNodeRow, String> {
    match state.screen() {
        Screen::Pane(PaneId::TALOS) => selected_in(state, &tables::TALOS, &state.talos.nodes)
            .ok_or_else(|| "no node selected".into()),
        Screen::TalosNode(key) => state
            .talos
            .nodes
            .get(key)
            .ok_or_else(|| "the node is gone".into()),
        _ => Err("select a Talos node first (:talos)".into()),
    }
}

/// The installer image, pre-filled with the next Talos minor of the first node.
fn ask_image(nodes: Vec<&TalosNodeRow>) -> (Asks, String) {
    let current = nodes
        .iter()
        .find_map(|n| n.talos_version.as_deref().and_then(Version::parse));
    let text = current
        .map(|v| format!("{DEFAULT_INSTALLER}:{}", v.next_minor()))
        .unwrap_or_else(|| format!("{DEFAULT_INSTALLER}:"));
    (
        Asks::TalosImage(nodes.iter().map(|n| n.key.clone()).collect()),
        text,
    )
}

/// The value was entered: build the plan it completes and open the confirm dialog.
pub fn value_entered(state: &mut State, asks: Asks, text: &str) -> Vec<Command> {
    match plan_with_value(state, &asks, text.trim()) {
        Ok(plan) => open_dialog(state, plan),
        Err(e) => {
            state.notice = Some(e);
            Vec::new()
        }
    }
}

fn plan_with_value(state: &State, asks: &Asks, text: &str) -> Result<Plan, String> {
    match asks {
        Asks::Replicas(key) => {
            let md = state
                .capi
                .deployments
                .get(key)
                .ok_or_else(|| format!("{} is gone", key.name))?;
            let n = text.parse::<u32>().map_err(|_| {
                format!("{text:?} is not a replica count (a whole number, 0 or more)")
            })?;
            let version = served(&state.capi.deployments, &md.key.cluster, CAPI_VERSION);
            Ok(Plan::Request(actions::md_scale(md, version, n)))
        }
        Asks::WorkloadReplicas(_) => object_actions::scale_plan(state, text).map(Plan::Request),
        Asks::KubernetesVersion(key) => {
            let cp = state
                .capi
                .control_planes
                .get(key)
                .ok_or_else(|| format!("{} is gone", key.name))?;
            let deployments = cluster_deployments(state, cp);
            // From the oldest part, so an interrupted upgrade can be finished; never below
            // the control plane.
            let version = check_kubernetes_target(&plans::oldest_version(cp, &deployments), text)?;
            if Version::parse(&cp.version).is_some_and(|v| version < v) {
                return Err(format!(
                    "{version} would take the control plane back from {}",
                    cp.version
                ));
            }
            let apis = ServedApis {
                control_plane: served(
                    &state.capi.control_planes,
                    &cp.key.cluster,
                    TALOS_CP_VERSION,
                ),
                deployment: served(&state.capi.deployments, &cp.key.cluster, CAPI_VERSION),
            };
            Ok(Plan::Rollout(plans::kubernetes_upgrade(
                cp,
                &deployments,
                version,
                apis,
            )?))
        }
        Asks::TalosImage(keys) => {
            let nodes: Vec<&TalosNodeRow> = keys
                .iter()
                .filter_map(|k| state.talos.nodes.get(k))
                .collect();
            Ok(Plan::Rollout(plans::talos_upgrade(&nodes, text)?))
        }
    }
}
