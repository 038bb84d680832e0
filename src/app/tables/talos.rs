//! `:talos` — Talos nodes from the Machine API: hostname, cluster, role, Talos and Kubernetes
//! versions, unhealthy services, CPU and memory (bars), load, uptime, and etcd for control
//! planes, and the machine's own status (stage, ready, what it waits for). Role and Kubernetes
//! version come from the node's CAPI Machine when there is one (the layers joined).

use super::{age_cell, dash};
use crate::app::state::State;
use crate::model::capi::MachineRow;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::talos::TalosNodeRow;
use crate::model::talos_metrics::bar;

pub const COLUMNS: &[Column] = &[
    Column::new("NODE", 40).min(8),
    Column::new("CLUSTER", 24),
    Column::new("ROLE", 12),
    Column::new("TALOS", 16),
    Column::new("K8S", 16),
    Column::new("UNHEALTHY", 30).drop(1),
    Column::new("CPU", 10),
    Column::new("MEM", 10),
    Column::new("LOAD", 6).right(),
    Column::new("UPTIME", 7).drop(2),
    Column::new("ETCD", 24).drop(3),
    Column::new("STATUS", 80).min(10).flex(),
];

/// The CAPI Machine whose Node is this Talos node.
pub fn machine_of<'a>(state: &'a State, node: &TalosNodeRow) -> Option<&'a MachineRow> {
    let name = node.hostname.as_deref().unwrap_or(&node.key.name);
    state
        .capi
        .machines
        .iter()
        .find(|m| m.node == name || m.key.name == name)
}

pub fn role(state: &State, node: &TalosNodeRow) -> &'static str {
    match machine_of(state, node) {
        Some(m) if m.control_plane => "controlplane",
        Some(_) => "worker",
        None if node.is_control_plane() => "controlplane",
        None if node.services.is_some() => "worker",
        None => "-",
    }
}

pub fn rows(state: &State) -> Vec<TableRow> {
    state.talos.nodes.iter().map(|n| row(state, n)).collect()
}

/// A small bar and the percentage: `███▍ 45%`, warning past 75 %, degraded past 90 %.
fn usage(pct: Option<f64>) -> Cell {
    let Some(pct) = pct else {
        return Cell::plain(dash()).sorted_by(-1);
    };
    let style = match pct {
        p if p > 90.0 => "status.degraded",
        p if p > 75.0 => "status.warning",
        _ => "gauge",
    };
    Cell::styled(format!("{} {pct:>3.0}%", bar(pct, 5)), style).sorted_by(pct as i64)
}

fn row(state: &State, n: &TalosNodeRow) -> TableRow {
    let unhealthy = n.unhealthy_services();
    let status = match &n.error {
        Some(e) if n.services.is_none() => Cell::styled(e.clone(), "status.degraded"),
        Some(e) => Cell::styled(format!("partial: {e}"), "status.warning"),
        // What the node says of itself (its MachineStatus), once it has said it.
        None => match state
            .talos
            .machine
            .get(&n.key)
            .and_then(|m| m.status.as_ref())
        {
            Some(Ok(m)) if m.ready => Cell::styled(m.short(), "status.ok"),
            Some(Ok(m)) => Cell::styled(m.short(), "status.degraded"),
            _ => Cell::styled("answering", "status.ok"),
        },
    };
    let unhealthy = if unhealthy.is_empty() {
        Cell::styled(dash(), "dim")
    } else {
        Cell::styled(unhealthy.join(","), "status.degraded")
    };
    let cpu = state
        .talos
        .metrics
        .get(&n.key)
        .and_then(|m| m.latest())
        .and_then(|p| p.cpu_pct)
        .filter(|_| n.error.is_none() || n.services.is_some());
    let (cpu, memory) = (usage(cpu), usage(n.memory_used_pct));
    let load = match n.load1 {
        Some(l) => Cell::plain(format!("{l:.2}")).sorted_by((l * 100.0) as i64),
        None => Cell::plain(dash()).sorted_by(-1),
    };
    TableRow::new(
        n.key.clone(),
        vec![
            Cell::plain(n.hostname.clone().unwrap_or_else(|| n.key.name.to_string())),
            Cell::plain(n.key.cluster.clone()),
            Cell::plain(role(state, n)),
            Cell::plain(n.talos_version.clone().unwrap_or_else(dash)),
            Cell::plain(
                machine_of(state, n)
                    .map(|m| m.version.to_string())
                    .unwrap_or_else(dash),
            ),
            unhealthy,
            cpu,
            memory,
            load,
            age_cell(n.boot_time, state.now),
            Cell::plain(n.etcd.as_ref().map_or_else(dash, |e| e.summary())),
            status,
        ],
    )
}
