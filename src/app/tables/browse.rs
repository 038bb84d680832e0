//! The kind browser's table: the server's own columns (those it prints without `-o wide`),
//! after CLUSTER when several clusters serve the kind and NAMESPACE when it is listed across
//! namespaces — as `kubectl get -A` adds it. Age is counted from the creation time, so it moves.

use std::borrow::Cow;

use super::age_cell;
use crate::app::state::State;
use crate::model::table::{Cell, Column, TableRow, interned, status_style};
use crate::model::text::parse_age;

/// What a server column may take before it is cut (its content decides below that).
const SERVER_COLUMN_MAX: u16 = 60;

fn shows_cluster(state: &State) -> bool {
    state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.clusters.len() > 1)
}

fn shows_namespace(state: &State) -> bool {
    state
        .browse
        .target
        .as_ref()
        .is_some_and(|t| t.kind.namespaced && t.namespace.is_none())
}

pub fn columns(state: &State) -> Cow<'static, [Column]> {
    let mut out = Vec::new();
    if shows_cluster(state) {
        out.push(Column::new("CLUSTER", 24).drop(1));
    }
    if shows_namespace(state) {
        out.push(Column::new("NAMESPACE", 24));
    }
    let server = state.browse.columns.iter().filter(|c| c.priority == 0);
    out.extend(server.map(|c| {
        let title = interned(&c.name.to_uppercase());
        Column::new(title, SERVER_COLUMN_MAX).min(title.len().min(12) as u16)
    }));
    if let Some(last) = out.pop() {
        out.push(last.flex());
    }
    Cow::Owned(out)
}

pub fn rows(state: &State) -> Vec<TableRow> {
    let (cluster, namespace) = (shows_cluster(state), shows_namespace(state));
    let server: Vec<(usize, bool)> = state
        .browse
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.priority == 0)
        // Built-in Tables type Age as a string, CRDs as a date: either way it is counted from
        // the creation time here, so it moves while the list is open.
        .map(|(i, c)| (i, c.name == "Age"))
        .collect();
    state
        .browse
        .rows
        .iter()
        .map(|r| {
            let mut cells = Vec::with_capacity(server.len() + 2);
            if cluster {
                cells.push(Cell::plain(r.key.cluster.clone()));
            }
            if namespace {
                cells.push(Cell::plain(r.key.namespace.clone()));
            }
            for &(i, is_age) in &server {
                let text = r.cells.get(i).cloned().unwrap_or_default();
                cells.push(if is_age && r.created.is_some() {
                    age_cell(r.created, state.now)
                } else {
                    let style = status_style(&text);
                    let seconds = parse_age(&text);
                    // Only words with a known meaning get a colour; the rest stays plain.
                    let cell = if style == "status.unknown" {
                        Cell::plain(text)
                    } else {
                        Cell::styled(text, style)
                    };
                    // A duration (LAST SEEN, a CRD's own age column) sorts by time.
                    match seconds {
                        Some(s) => cell.sorted_by(s),
                        None => cell,
                    }
                });
            }
            TableRow::new(r.key.clone(), cells)
        })
        .collect()
}
