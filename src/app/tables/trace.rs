//! `:trace` — one Machine's chain as a vertical strip, the apps on top and the BMC at the
//! bottom; every layer's verdict, what it rests on and since when. The first failing layer
//! from the bottom is marked: that is where to look first.

use crate::app::chain::{Layer, Verdict, first_unhealthy};
use crate::app::state::State;
use crate::app::trace::layers;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age_opt;

pub const COLUMNS: &[Column] = &[
    Column::new("", 1),
    Column::new("LAYER", 16),
    Column::new("OBJECT", 40),
    Column::new("STATE", 8),
    Column::new("SINCE", 6),
    Column::new("DETAIL", 200).min(20).flex(),
];

/// The row key of a layer: its object, or its kind when the link is missing.
pub fn row_key(layer: &Layer) -> ObjRef {
    layer
        .key
        .clone()
        .unwrap_or_else(|| ObjRef::new("", format!("-{}", layer.kind.title())))
}

fn verdict_cell(v: Verdict) -> Cell {
    match v {
        Verdict::Ok => Cell::styled("ok", "status.ok"),
        Verdict::Warn => Cell::styled("warning", "status.warning"),
        Verdict::Bad => Cell::styled("failing", "status.degraded"),
        Verdict::Unknown => Cell::styled("missing", "status.unknown"),
    }
}

pub fn rows(state: &State) -> Vec<TableRow> {
    let Some(layers) = layers(state) else {
        return Vec::new();
    };
    let root = first_unhealthy(&layers);
    layers
        .iter()
        .enumerate()
        .rev()
        .map(|(i, l)| {
            let mark = if Some(i) == root {
                Cell::styled("▶", "status.degraded")
            } else {
                Cell::plain("")
            };
            let detail = if l.key.is_none() && l.verdict == Verdict::Unknown {
                Cell::styled(l.detail.clone(), "dim")
            } else {
                Cell::plain(l.detail.clone())
            };
            TableRow::new(
                row_key(l),
                vec![
                    mark,
                    Cell::plain(l.kind.title()),
                    Cell::plain(l.name.clone()),
                    verdict_cell(l.verdict),
                    Cell::plain(age_opt(l.since, state.now)),
                    detail,
                ],
            )
        })
        .collect()
}
