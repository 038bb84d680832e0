//! `:vms` — Harvester VMs (printable status, run strategy, node, IPs, CPU/memory, image, age)
//! and, below, the Harvester hosts with their maintenance state.

use super::{age_cell, dash, name_in};
use crate::app::state::{State, image_of, vmi_of};
use crate::model::table::{Cell, Column, TableRow};

pub const COLUMNS: &[Column] = &[
    Column::new("NAMESPACE", 20),
    Column::new("NAME", 48).min(8),
    Column::new("STATUS", 20),
    Column::new("RUN STRATEGY", 16).drop(2),
    Column::new("NODE", 24),
    Column::new("IP", 40).drop(3),
    Column::new("CPU", 4).right(),
    Column::new("MEMORY", 8).right(),
    Column::new("IMAGE", 60).min(8).flex().drop(1),
    Column::new("AGE", 5),
];

pub const HOST_COLUMNS: &[Column] = &[
    Column::new("HOST", 32).min(8),
    Column::new("CLUSTER", 24),
    Column::new("READY", 7),
    Column::new("SCHEDULING", 11),
    Column::new("MAINTENANCE", 15),
    Column::new("VMS", 4).right(),
    Column::new("VERSION", 40).min(8).flex(),
];

/// Height of the Harvester hosts table under the VMs: its rows plus frame and header, 4 to 10.
pub fn harvester_hosts_height(state: &State) -> u16 {
    (state.harvester.hosts.len() as u16 + 3).clamp(4, 10)
}

pub fn rows(state: &State) -> Vec<TableRow> {
    // With more than one Harvester cluster, each row says which one it is in.
    let several = state.harvester.vms.sources().len() > 1;
    state
        .harvester
        .vms
        .iter()
        .map(|v| {
            let vmi = vmi_of(state, v);
            TableRow::new(
                v.key.clone(),
                vec![
                    Cell::plain(v.key.namespace.clone()),
                    Cell::plain(name_in(&v.key.name, &v.key.cluster, several)),
                    Cell::status(v.status.clone()),
                    Cell::plain(v.run_strategy.clone()),
                    Cell::plain(vmi.map(|i| i.node.clone()).unwrap_or_else(dash)),
                    Cell::plain(
                        vmi.and_then(|i| i.ips.first().cloned())
                            .unwrap_or_else(dash),
                    ),
                    Cell::plain(v.cpu.map_or_else(dash, |c| c.to_string()))
                        .sorted_by(v.cpu.map_or(-1, i64::from)),
                    Cell::plain(v.memory.clone()),
                    Cell::plain(image_of(state, v)),
                    age_cell(v.created, state.now),
                ],
            )
        })
        .collect()
}

pub fn host_rows(state: &State) -> Vec<TableRow> {
    state
        .harvester
        .hosts
        .iter()
        .map(|h| {
            let vms = state
                .harvester
                .vmis
                .iter()
                .filter(|v| v.key.cluster == h.key.cluster && v.node == h.key.name)
                .count();
            let maintenance = match h.maintenance.as_deref() {
                Some("completed") => Cell::styled("in maintenance", "status.warning"),
                Some("running") => Cell::styled("entering", "status.warning"),
                _ => Cell::styled("-", "dim"),
            };
            TableRow::new(
                h.key.clone(),
                vec![
                    Cell::plain(h.key.name.clone()),
                    Cell::plain(h.key.cluster.clone()),
                    Cell::status(h.ready.status_word()),
                    Cell::plain(if h.unschedulable {
                        "cordoned"
                    } else {
                        "schedulable"
                    }),
                    maintenance,
                    Cell::plain(vms.to_string()).sorted_by(vms as i64),
                    Cell::plain(format!("{} {}", h.os, h.version)),
                ],
            )
        })
        .collect()
}
