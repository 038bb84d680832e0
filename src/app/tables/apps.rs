//! `:apps` — Argo CD Applications: name, project, sync, health, revision, last sync, destination.

use super::{age_cell, name_in};
use crate::app::state::State;
use crate::model::table::{Cell, Column, TableRow, status_style};

pub const COLUMNS: &[Column] = &[
    Column::new("NAME", 48).min(12),
    Column::new("PROJECT", 20),
    Column::new("SYNC", 30),
    Column::new("HEALTH", 12),
    Column::new("REVISION", 12).drop(2),
    Column::new("LAST SYNC", 9).drop(1),
    Column::new("DESTINATION", 60).min(12).flex(),
];

pub fn rows(state: &State) -> Vec<TableRow> {
    // With more than one management cluster, each row says which one it is in.
    let several = state.argo.apps.sources().len() > 1;
    state
        .argo
        .apps
        .iter()
        .map(|a| {
            let sync = match (&a.operation, a.out_of_sync) {
                (Some(op), _) => format!("{} ({op})", a.sync),
                (None, n) if n > 0 => format!("{} ({n})", a.sync),
                _ => a.sync.to_string(),
            };
            TableRow::new(
                a.key.clone(),
                vec![
                    Cell::plain(name_in(&a.key.name, &a.key.cluster, several)),
                    Cell::plain(a.project.clone()),
                    Cell::styled(sync, status_style(&a.sync)),
                    Cell::status(a.health.clone()),
                    Cell::plain(a.revision.clone()),
                    age_cell(a.last_sync, state.now),
                    Cell::plain(a.destination.clone()),
                ],
            )
        })
        .collect()
}
