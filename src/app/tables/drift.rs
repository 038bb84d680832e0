//! `:drift` — desired against actual, one row per difference, with since when it is seen.

use crate::app::state::State;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age_opt;

pub const COLUMNS: &[Column] = &[
    Column::new("KIND", 18),
    Column::new("OBJECT", 44),
    Column::new("WHAT", 40),
    Column::new("DESIRED", 24),
    Column::new("ACTUAL", 24),
    Column::new("SINCE", 6),
    Column::new("CONTEXT", 24).drop(1).flex(),
];

pub fn rows(state: &State) -> Vec<TableRow> {
    state
        .drift
        .rows
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let since = d.since.map_or(0, |t| state.now.as_second() - t.as_second());
            TableRow::new(
                // Several drifts of one object: the position tells them apart.
                crate::model::store::ObjRef::in_cluster(
                    d.key.cluster.clone(),
                    d.key.namespace.clone(),
                    format!("{}#{i}", d.key.name),
                ),
                vec![
                    Cell::plain(d.kind),
                    Cell::plain(d.key.namespaced_name()),
                    Cell::plain(d.what.clone()),
                    Cell::styled(d.desired.clone(), "status.ok"),
                    Cell::styled(d.actual.clone(), "status.warning"),
                    Cell::plain(age_opt(d.since, state.now)).sorted_by(since),
                    Cell::plain(d.key.cluster.clone()),
                ],
            )
        })
        .collect()
}

/// The drift row a table row key names (its position, after the `#`).
pub fn index(key: &ObjRef) -> Option<usize> {
    key.name.rsplit_once('#')?.1.parse().ok()
}
