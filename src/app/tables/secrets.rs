//! `:secrets` — ExternalSecrets of every cluster: Ready, reason, message, store and its health,
//! refresh interval, last refresh, *overdue* when the last refresh is older than twice the
//! interval, and the target Secret. Secret values are never fetched. Failing and overdue ones
//! come first.

use super::age_cell;
use crate::app::state::{State, store_of};
use crate::model::table::{Cell, Column, TableRow, status_style};

pub const COLUMNS: &[Column] = &[
    Column::new("CLUSTER", 24),
    Column::new("NAMESPACE", 20),
    Column::new("NAME", 40).min(8),
    Column::new("READY", 6),
    Column::new("REASON", 24),
    Column::new("STORE", 48).min(8),
    Column::new("STORE HEALTH", 32).drop(2),
    Column::new("REFRESH", 8).drop(3),
    Column::new("LAST SYNC", 16),
    // TARGET usually repeats NAME: it gives way first.
    Column::new("TARGET", 40).drop(4),
    Column::new("MESSAGE", 120).min(10).flex().drop(1),
];

pub fn rows(state: &State) -> Vec<TableRow> {
    let mut secrets: Vec<_> = state.eso.external_secrets.iter().collect();
    secrets.sort_by_key(|e| {
        (
            e.ready.ok == Some(true) && !e.overdue(state.now),
            e.key.clone(),
        )
    });
    secrets
        .into_iter()
        .map(|e| {
            let word = e.ready.status_word();
            let store_health = match store_of(state, e) {
                Some(s) if s.ready.ok == Some(true) => {
                    Cell::styled(s.ready.reason.clone(), "status.ok")
                }
                Some(s) => Cell::styled(
                    format!("{} {}", s.ready.status_word(), s.ready.reason),
                    "status.degraded",
                ),
                None => Cell::styled("not found", "status.warning"),
            };
            let mut last = age_cell(e.refreshed, state.now);
            if e.overdue(state.now) {
                last.set_text(&format!("{} OVERDUE", last.text()));
                last.set_style("status.degraded");
            }
            let message = if e.ready.ok == Some(true) {
                String::new()
            } else {
                e.ready.message.to_string()
            };
            TableRow::new(
                e.key.clone(),
                vec![
                    Cell::plain(e.key.cluster.clone()),
                    Cell::plain(e.key.namespace.clone()),
                    Cell::plain(e.key.name.clone()),
                    Cell::status(word),
                    Cell::styled(e.ready.reason.clone(), status_style(word)),
                    Cell::plain(format!("{}/{}", e.store_kind, e.store_name)),
                    store_health,
                    Cell::plain(e.refresh_text.clone()),
                    last,
                    Cell::plain(e.target.clone()),
                    Cell::styled(message, "dim"),
                ],
            )
        })
        .collect()
}
