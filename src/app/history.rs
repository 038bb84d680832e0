//! Which fields of which stores the history follows, and the hook that records a message's
//! changes before `update` applies it.

use super::msg::Msg;
use super::state::State;
use crate::model::argo::AppRow;
use crate::model::capi::MachineRow;
use crate::model::eso::ExternalSecretRow;
use crate::model::hosts::BmcRow;
use crate::model::talos::TalosNodeRow;
use crate::model::vms::{HostRow, VmRow};

fn bmc(b: &BmcRow) -> Vec<(&'static str, String)> {
    let reach = match b.contactable {
        Some(true) => "reachable",
        Some(false) => "unreachable",
        None => "unknown",
    };
    vec![("power", b.power.clone()), ("bmc", reach.into())]
}

fn ready(ok: Option<bool>) -> String {
    match ok {
        Some(true) => "Ready".into(),
        Some(false) => "NotReady".into(),
        None => "Unknown".into(),
    }
}

fn node(h: &HostRow) -> Vec<(&'static str, String)> {
    let schedulable = if h.unschedulable {
        "cordoned"
    } else {
        "schedulable"
    };
    vec![
        ("ready", ready(h.ready.ok)),
        ("scheduling", schedulable.into()),
        (
            "maintenance",
            h.maintenance.clone().unwrap_or_else(|| "none".into()),
        ),
    ]
}

fn vm(v: &VmRow) -> Vec<(&'static str, String)> {
    vec![("status", v.status.clone())]
}

fn machine(m: &MachineRow) -> Vec<(&'static str, String)> {
    vec![
        ("phase", m.phase.to_string()),
        ("version", m.version.to_string()),
    ]
}

fn talos(t: &TalosNodeRow) -> Vec<(&'static str, String)> {
    // A node that does not answer says nothing of its version or services: only that it is
    // silent (fields are compared pairwise, so the others are not compared at all then).
    if t.error.is_some() {
        return vec![("apid", "unreachable".into())];
    }
    let unhealthy = t.unhealthy_services().join(",");
    vec![
        ("apid", "answering".into()),
        (
            "talos",
            t.talos_version.clone().unwrap_or_else(|| "-".into()),
        ),
        (
            "unhealthy",
            if unhealthy.is_empty() {
                "none".into()
            } else {
                unhealthy
            },
        ),
    ]
}

fn app(a: &AppRow) -> Vec<(&'static str, String)> {
    vec![
        ("health", a.health.to_string()),
        ("sync", a.sync.to_string()),
    ]
}

fn external_secret(e: &ExternalSecretRow) -> Vec<(&'static str, String)> {
    vec![("ready", ready(e.ready.ok))]
}

/// Record what a message changes, before it is applied.
pub fn observe(state: &mut State, msg: &Msg) {
    let at = state.now;
    let h = &mut state.history;
    match msg {
        Msg::Bmcs(u) => h.observe(at, "BMC", &state.metal.bmcs, u, bmc),
        Msg::Hosts(u) => h.observe(at, "Harvester host", &state.harvester.hosts, u, node),
        Msg::WorkloadNodes(u) => h.observe(at, "Node", &state.harvester.workload_nodes, u, node),
        Msg::Vms(u) => h.observe(at, "VM", &state.harvester.vms, u, vm),
        Msg::Machines(u) => h.observe(at, "Machine", &state.capi.machines, u, machine),
        Msg::Talos(u) => h.observe(at, "Talos node", &state.talos.nodes, u, talos),
        Msg::Apps(u) => h.observe(at, "Application", &state.argo.apps, u, app),
        Msg::ExternalSecrets(u) => h.observe(
            at,
            "ExternalSecret",
            &state.eso.external_secrets,
            u,
            external_secret,
        ),
        _ => {}
    }
}
