//! What an operation's target looks like right now, from the live rows: the operations panel
//! shows it next to the outcome, so an accepted request can be watched taking effect.

use super::domains::Operation;
use super::state::{State, vmi_of};
use crate::model::request::ActionKind;
use crate::model::rollout::Plan;
use crate::model::store::ObjRef;
use crate::model::text::age;

/// The target's live state, if the cockpit watches it.
pub fn live(state: &State, op: &Operation) -> Option<String> {
    let (action, key) = match &op.plan {
        Plan::Request(plan) => (plan.action, &plan.target),
        Plan::Argo(request) => (request.action, &request.app),
        Plan::Rollout(_) | Plan::Plugin(_) | Plan::Talos(_) => return None,
    };
    match action {
        a if a.is_argo() => state.argo.apps.get(key).map(|app| {
            let wave = state
                .argo
                .app_detail
                .get(key)
                .filter(|d| !d.operation_message.is_empty())
                .map(|d| format!(" · {}", d.operation_message))
                .unwrap_or_default();
            match &app.operation {
                Some(phase) => format!("operation {phase}{wave} · {} {}", app.sync, app.health),
                None => format!("{} · {}", app.sync, app.health),
            }
        }),
        ActionKind::MachineDeploymentScale => state.capi.deployments.get(key).map(|md| {
            let machines = state
                .capi
                .machines
                .iter()
                .filter(|m| {
                    m.key.cluster == key.cluster
                        && m.deployment.as_deref() == Some(key.name.as_str())
                })
                .count();
            format!(
                "{machines} Machines, {}/{} ready",
                md.replicas.ready, md.replicas.desired
            )
        }),
        ActionKind::VmStart
        | ActionKind::VmStop
        | ActionKind::VmRestart
        | ActionKind::VmMigrate => state
            .harvester
            .vms
            .get(key)
            .map(|vm| match vmi_of(state, vm) {
                Some(vmi) if !vmi.node.is_empty() => format!("{} on {}", vm.status, vmi.node),
                _ => vm.status.clone(),
            }),
        ActionKind::ExternalSecretForceSync => state.eso.external_secrets.get(key).map(|es| {
            let when = es
                .refreshed
                .map(|t| format!("refreshed {} ago", age(t, state.now)))
                .unwrap_or_else(|| "never refreshed".into());
            match es.ready.ok {
                Some(false) => format!("{when} · {}", es.ready.reason),
                _ => when,
            }
        }),
        ActionKind::BmcPowerOn | ActionKind::BmcPowerOff | ActionKind::BmcPowerCycle => {
            let machine = op.plan.as_request()?.body["spec"]["machineRef"]["name"].as_str()?;
            let bmc = ObjRef::in_cluster(key.cluster.clone(), key.namespace.clone(), machine);
            let power = state
                .metal
                .bmcs
                .get(&bmc)
                .map(|b| format!("{machine} power {}", b.power))
                .unwrap_or_default();
            match state.metal.bmc_jobs.get(key) {
                Some(job) if !job.message.is_empty() => {
                    Some(format!("Job {}: {} · {power}", job.state, job.message))
                }
                Some(job) => Some(format!("Job {} · {power}", job.state)),
                None => Some(power),
            }
        }
        // The server's own columns say it while the kind is browsed: STATUS for a node
        // (`Ready,SchedulingDisabled`), READY and UP-TO-DATE for a workload rolling out.
        ActionKind::NodeCordon | ActionKind::NodeUncordon => browsed_cells(state, op, &["Status"]),
        ActionKind::RolloutRestart | ActionKind::WorkloadScale => {
            browsed_cells(state, op, &["Ready", "Up-to-date", "Available"])
        }
        ActionKind::Delete => {
            // Known only while the browser lists the object's kind where the object was.
            let browsed = browsing_target_of(state, op)?;
            let listed = state.browse.rows.get(key).is_some();
            Some(match (listed, browsed.kind.kind.as_str()) {
                (false, _) => "gone".into(),
                (true, "Pod") => "terminating".into(),
                (true, _) => "still listed (finalizers pending)".into(),
            })
        }
        _ => None,
    }
}

/// The browser's target when it lists the operation's object where the object is.
fn browsing_target_of<'a>(
    state: &'a State,
    op: &Operation,
) -> Option<&'a crate::app::domains::BrowseTarget> {
    let plan = op.plan.as_request()?;
    let key = &plan.target;
    state.browse.target.as_ref().filter(|t| {
        t.kind.kind == plan.kind
            && t.kind.group == plan.group
            && t.clusters.iter().any(|c| *c == key.cluster)
            && t.namespace.as_ref().is_none_or(|ns| *ns == key.namespace)
            && t.fields.is_none()
    })
}

/// The named cells of the operation's object, `Ready 1/2 · Up-to-date 1`, while it is browsed.
fn browsed_cells(state: &State, op: &Operation, names: &[&str]) -> Option<String> {
    browsing_target_of(state, op)?;
    let row = state.browse.rows.get(&op.plan.as_request()?.target)?;
    let cells: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let at = state.browse.columns.iter().position(|c| c.name == *name)?;
            let cell = row.cells.get(at)?;
            Some(match names {
                [_] => cell.to_string(),
                _ => format!("{} {cell}", name.to_lowercase()),
            })
        })
        .collect();
    (!cells.is_empty()).then(|| cells.join(" · "))
}
