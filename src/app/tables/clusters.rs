//! `:clusters` as rows: each visible line of the CAPI tree (Cluster → control plane →
//! MachineDeployments → Machines) with replicas, version, phase and the condition clusterctl
//! shows for it. The NAME cell carries the indentation and the open/closed marker.

use super::age_cell;
use crate::app::infra;
use crate::app::state::State;
use crate::model::table::{Cell, Column, TableRow, status_style};
use crate::model::tree::{NodeId, NodeKind, TreeLine, TreeNode};

pub const COLUMNS: &[Column] = &[
    Column::new("NAME", 64).min(16),
    Column::new("REPLICAS", 9).drop(1),
    Column::new("AV/RD/UP", 9).drop(7),
    Column::new("VERSION", 16).drop(2),
    Column::new("PHASE", 13).drop(3),
    Column::new("READY", 6),
    Column::new("REASON", 24).drop(4),
    Column::new("INFRA", 90).drop(8),
    Column::new("NODE", 40).drop(6),
    Column::new("PROVIDER ID", 60).drop(9),
    Column::new("AGE", 5).drop(5),
    Column::new("MESSAGE", 200).min(10).flex(),
];

/// Indentation per level of the tree.
const INDENT: usize = 2;

fn key_of(id: &NodeId) -> crate::model::store::ObjRef {
    match id {
        NodeId::Cluster(k)
        | NodeId::ControlPlane(k)
        | NodeId::Deployment(k)
        | NodeId::Machine(k) => k.clone(),
    }
}

/// A Machine's provider machine: its kind and its health rule's verdict once watched.
fn infra_cell(state: &State, node: &TreeNode) -> Cell {
    let Some(infra) = &node.infra else {
        return Cell::plain("");
    };
    match infra::health_of(state, node) {
        Some(health) => {
            let style = status_style(health.level.word());
            Cell::styled(format!("{} {}", infra.kind, health.text()), style)
        }
        None => Cell::styled(format!("{} …", infra.kind), "dim"),
    }
}

pub fn rows(state: &State, lines: &[TreeLine]) -> Vec<TableRow> {
    lines
        .iter()
        .map(|line| {
            let n = line.node;
            let marker = match (n.children.is_empty(), line.open) {
                (true, _) => "  ",
                (false, true) => "▼ ",
                (false, false) => "▶ ",
            };
            let name = format!("{}{marker}{}", " ".repeat(line.depth * INDENT), n.name);
            let cond = n.condition.status_word();
            let cond_style = status_style(cond);
            let message = if n.condition.ok != Some(true) {
                n.condition.message.to_string()
            } else {
                String::new()
            };
            TableRow::new(
                key_of(&n.id),
                vec![
                    match n.kind {
                        NodeKind::Cluster => Cell::styled(name, "row.group"),
                        _ => Cell::plain(name),
                    },
                    Cell::plain(n.replicas.clone()),
                    Cell::plain(n.counters.clone()),
                    Cell::plain(n.version.clone()),
                    Cell::status(n.phase.clone()),
                    Cell::styled(cond, cond_style),
                    Cell::styled(n.condition.reason.clone(), cond_style),
                    infra_cell(state, n),
                    Cell::plain(n.node.clone()),
                    Cell::styled(n.provider_id.clone(), "dim"),
                    age_cell(n.created, state.now),
                    Cell::styled(message, "dim"),
                ],
            )
        })
        .collect()
}
