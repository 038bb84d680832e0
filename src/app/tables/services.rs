//! The node inspector's Services tab: each Talos service with its state, health, since when,
//! and the last event's message.

use crate::app::state::{Screen, State};
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};

use super::age_cell;

pub const COLUMNS: &[Column] = &[
    Column::new("SERVICE", 24).min(8),
    Column::new("STATE", 14),
    Column::new("HEALTH", 9),
    Column::new("SINCE", 6),
    Column::new("MESSAGE", 120).min(10).flex(),
];

/// The row key of a service: its id.
pub fn key(service: &str) -> ObjRef {
    ObjRef::new("", service)
}

pub fn rows(state: &State) -> Vec<TableRow> {
    let Screen::TalosNode(node) = state.screen() else {
        return Vec::new();
    };
    let services = state
        .talos
        .nodes
        .get(node)
        .and_then(|n| n.services.as_deref())
        .unwrap_or(&[]);
    services
        .iter()
        .map(|s| {
            let health = match s.healthy {
                Some(true) => Cell::styled("healthy", "status.ok"),
                Some(false) => Cell::styled("unhealthy", "status.degraded"),
                None => Cell::styled("?", "status.unknown"),
            };
            TableRow::new(
                key(&s.id),
                vec![
                    Cell::plain(s.id.clone()),
                    Cell::status(s.state.clone()),
                    health,
                    age_cell(s.since, state.now),
                    Cell::styled(s.message.clone(), "dim"),
                ],
            )
        })
        .collect()
}
