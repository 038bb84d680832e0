//! `:hosts` — bare-metal hosts: Hardware name, MAC/IP, netboot allowPXE/allowWorkflow, disks,
//! the latest Workflow's state and current action, BMC power and reachability, and the
//! Harvester node the machine became.

use super::{dash, name_in};
use crate::app::state::{State, bmc_of, latest_workflow, node_of};
use crate::model::hosts::HardwareRow;
use crate::model::table::{Cell, Column, TableRow, status_style};

pub const COLUMNS: &[Column] = &[
    Column::new("HOST", 32).min(6),
    Column::new("MAC", 17),
    Column::new("IP", 39),
    Column::new("PXE", 3).drop(3),
    Column::new("WF OK", 5).drop(3),
    Column::new("DISKS", 40).drop(2),
    Column::new("WORKFLOW", 10),
    Column::new("ACTION", 32).drop(1),
    Column::new("POWER", 7),
    Column::new("BMC", 40),
    Column::new("HARVESTER NODE", 40).min(14).flex(),
];

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

pub fn rows(state: &State) -> Vec<TableRow> {
    // With more than one management cluster, each row says which one it is in.
    let several = state.metal.hardware.sources().len() > 1;
    state
        .metal
        .hardware
        .iter()
        .map(|h| row(state, h, several))
        .collect()
}

fn row(state: &State, h: &HardwareRow, several: bool) -> TableRow {
    let wf = latest_workflow(state, h);
    let bmc = bmc_of(state, h);
    let wf_state = wf.map_or_else(dash, |w| w.state.clone());
    let wf_style = status_style(match wf_state.as_str() {
        "SUCCESS" => "Succeeded",
        "RUNNING" | "PENDING" | "PREPARING" | "POST" => "Progressing",
        "FAILED" | "TIMEOUT" => "Failed",
        _ => "",
    });
    let bmc_cell = match bmc {
        Some(b) if b.contactable == Some(false) => {
            Cell::styled(format!("unreachable {}", b.address), "status.degraded")
        }
        Some(b) => Cell::styled(format!("ok {}", b.address), "status.ok"),
        None => Cell::styled("no BMC", "dim"),
    };
    let power = bmc.map(|b| b.power.as_str());
    let power_style = status_style(match power {
        Some("on") => "Running",
        Some("off") => "Paused",
        _ => "",
    });
    let node = match node_of(state, h) {
        Some(n) if n.maintenance.is_some() => format!("{} (maintenance)", n.key.name),
        Some(n) => format!("{} {}", n.key.name, n.ready.status_word()),
        None => dash(),
    };
    TableRow::new(
        h.key.clone(),
        vec![
            Cell::plain(name_in(&h.key.name, &h.key.cluster, several)),
            Cell::plain(h.mac.clone()),
            Cell::plain(h.ip.clone()),
            Cell::plain(yes_no(h.allow_pxe)),
            Cell::plain(yes_no(h.allow_workflow)),
            Cell::plain(h.disks.join(",")),
            Cell::styled(wf_state, wf_style),
            Cell::plain(wf.map_or_else(dash, |w| w.action.clone())),
            Cell::styled(power.unwrap_or("-"), power_style),
            bmc_cell,
            Cell::plain(node),
        ],
    )
}
