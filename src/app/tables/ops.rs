//! `:ops` — actions sent from this cockpit, newest first: the outcome of each request, where
//! each rollout is (step, gate, progress), and what the target looks like now.

use crate::app::domains::OpStatus;
use crate::app::progress;
use crate::app::state::State;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age;

pub const COLUMNS: &[Column] = &[
    Column::new("AGE", 5),
    Column::new("ACTION", 30),
    Column::new("CONTEXT", 24).drop(1),
    Column::new("TARGET", 40),
    Column::new("STATUS", 8),
    Column::new("PROGRESS / OUTCOME · NOW", 200).min(20).flex(),
];

/// The row key of an operation: its id (operations are not Kubernetes objects).
pub fn key(id: u64) -> ObjRef {
    ObjRef::new("", id.to_string())
}

pub fn rows(state: &State) -> Vec<TableRow> {
    state
        .actions
        .operations
        .iter()
        .map(|op| {
            let (status, text, style) = match &op.status {
                OpStatus::Sent => ("sending", String::new(), "status.progressing"),
                OpStatus::Running(p) => ("running", p.clone(), "status.progressing"),
                OpStatus::Succeeded(m) => ("done", m.clone(), "status.ok"),
                OpStatus::Failed(e) => ("failed", e.clone(), "status.degraded"),
                OpStatus::Unknown(e) => ("unknown", e.clone(), "status.warning"),
            };
            let mut detail = Cell::styled(text, style);
            if let Some(now) = progress::live(state, op) {
                detail = detail.with_tail(format!(" · now: {now}"), "hint");
            }
            let since = state.now.as_second() - op.at.as_second();
            TableRow::new(
                key(op.id),
                vec![
                    Cell::plain(age(op.at, state.now)).sorted_by(since),
                    Cell::plain(op.plan.action().name()),
                    Cell::plain(op.plan.context().to_string()),
                    Cell::plain(op.plan.target()),
                    Cell::styled(status, style),
                    detail,
                ],
            )
        })
        .collect()
}
