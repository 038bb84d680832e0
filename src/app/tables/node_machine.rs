//! The node inspector's Events and Machine tabs as tables: the node's own events newest first
//! (when, what kind, what happened), and the cluster members it knows.

use crate::app::state::{Screen, State};
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age_opt;

pub const EVENT_COLUMNS: &[Column] = &[
    Column::new("TIME", 8),
    Column::new("AGE", 5),
    Column::new("TYPE", 8),
    Column::new("EVENT", 200).min(20).flex(),
];

pub const MEMBER_COLUMNS: &[Column] = &[
    Column::new("HOSTNAME", 32).min(8),
    Column::new("TYPE", 12),
    Column::new("ADDRESSES", 40).min(8),
    Column::new("OS", 30).min(8).flex(),
];

fn inspected(state: &State) -> Option<&ObjRef> {
    match state.screen() {
        Screen::TalosNode(key) => Some(key),
        _ => None,
    }
}

pub fn event_rows(state: &State) -> Vec<TableRow> {
    let Some(node) = inspected(state).and_then(|k| state.talos.machine.get(k)) else {
        return Vec::new();
    };
    node.events
        .events
        .iter()
        .rev()
        .map(|e| {
            let (kind, text) = e.describe();
            let style = if e.is_bad() {
                "status.degraded"
            } else if kind == "sequence" || kind == "machine" {
                "title"
            } else {
                ""
            };
            let time =
                e.at.map_or_else(|| "-".into(), |t| t.strftime("%H:%M:%S").to_string());
            let since = e.at.map_or(-1, |t| state.now.as_second() - t.as_second());
            TableRow::new(
                ObjRef::new("", e.id.clone()),
                vec![
                    Cell::plain(time).sorted_by(since),
                    Cell::plain(age_opt(e.at, state.now)).sorted_by(since),
                    Cell::plain(kind),
                    if style.is_empty() {
                        Cell::plain(text)
                    } else {
                        Cell::styled(text, style)
                    },
                ],
            )
        })
        .collect()
}

pub fn member_rows(state: &State) -> Vec<TableRow> {
    let Some(Ok(details)) = &state.talos.inspector.details else {
        return Vec::new();
    };
    details
        .members
        .iter()
        .map(|(id, m)| {
            TableRow::new(
                ObjRef::new("", id.clone()),
                vec![
                    Cell::plain(m.hostname.clone()),
                    Cell::plain(m.machine_type.clone()),
                    Cell::plain(m.addresses.join(", ")),
                    Cell::styled(m.operating_system.clone(), "dim"),
                ],
            )
        })
        .collect()
}
