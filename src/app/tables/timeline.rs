//! `:timeline` — every change the cockpit has seen, newest first: when, what, and the field's
//! old and new value. The story of an incident, in the order it happened.

use crate::app::state::State;
use crate::model::history::Transition;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age;

pub const COLUMNS: &[Column] = &[
    Column::new("TIME", 8),
    Column::new("AGE", 5),
    Column::new("KIND", 14),
    Column::new("OBJECT", 44),
    Column::new("CONTEXT", 24).drop(1),
    Column::new("CHANGE", 200).min(20).flex(),
];

/// `power: on → off`, styled by where it went; a node's event as `service: kubelet Running …`.
pub fn change(t: &Transition) -> Cell {
    if let Some(bad) = t.went_wrong {
        let style = if bad {
            "status.degraded"
        } else {
            "status.progressing"
        };
        return Cell::styled(format!("{}: {}", t.field, t.new), style);
    }
    let bad = [
        "off",
        "unreachable",
        "Unknown",
        "NotReady",
        "Degraded",
        "deleted",
        "Failed",
        "OutOfSync",
        "Stopped",
        "cordoned",
    ];
    let good = [
        "on",
        "reachable",
        "answering",
        "Ready",
        "Healthy",
        "Synced",
        "Running",
        "schedulable",
    ];
    let style = if bad.contains(&t.new.as_str()) {
        "status.degraded"
    } else if good.contains(&t.new.as_str()) {
        "status.ok"
    } else {
        "status.progressing"
    };
    Cell::styled(format!("{}: {} → {}", t.field, t.old, t.new), style)
}

/// `17:12:57` in UTC, as the audit log and most incident notes give times.
pub fn clock(t: &Transition) -> String {
    t.at.strftime("%H:%M:%S").to_string()
}

pub fn rows(state: &State) -> Vec<TableRow> {
    state
        .history
        .newest_first()
        .map(|t| {
            let since = state.now.as_second() - t.at.as_second();
            TableRow::new(
                // One row per entry: the sequence number tells entries of one object apart.
                crate::model::store::ObjRef::new("", t.seq.to_string()),
                vec![
                    Cell::plain(clock(t)).sorted_by(-(t.seq as i64)),
                    Cell::plain(age(t.at, state.now)).sorted_by(since),
                    Cell::plain(t.kind),
                    Cell::plain(t.key.namespaced_name()),
                    Cell::plain(t.key.cluster.clone()),
                    change(t),
                ],
            )
        })
        .collect()
}
