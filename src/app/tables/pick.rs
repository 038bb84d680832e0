//! Which of a kept table's rows are shown, in which order: the `/` filter over each row's
//! lowercase text, then the chosen sort — over indices, so no row is copied. A pick is reused
//! while neither the rows nor the filter nor the sort changed, and a filter that grew by a
//! character searches only the rows the shorter one kept.

use std::sync::Arc;

use super::Table;
use crate::app::state::{Matcher, State};
use crate::model::kept::KeptRows;
use crate::model::shown::Picked;
use crate::model::table::compare_rows;

pub fn pick(state: &State, table: &Table, kept: &KeptRows, before: Option<Picked>) -> Picked {
    let filter = if table.sortable() { state.filter() } else { "" };
    let sort = state
        .tables
        .view(table.id)
        .sort
        .filter(|_| table.sortable());
    let version = kept.version();
    let texts = kept.texts();
    let picked = |order: Option<Vec<u32>>| Picked {
        version,
        filter: filter.to_string(),
        sort,
        order: order.map(Arc::new),
    };
    let matching = |matcher: &Matcher, from: &mut dyn Iterator<Item = u32>| -> Vec<u32> {
        from.filter(|&at| matcher.matches_lowercase(&texts[at as usize]))
            .collect()
    };
    if let Some(before) = before.filter(|b| b.version == version && b.sort == sort) {
        if before.filter == filter {
            return before;
        }
        if let (true, Some(order)) = (before.narrows_to(filter), &before.order) {
            let order = matching(&Matcher::new(filter), &mut order.iter().copied());
            return picked(Some(order));
        }
    }
    let all = 0..texts.len() as u32;
    let mut order = (!filter.is_empty()).then(|| matching(&Matcher::new(filter), &mut all.clone()));
    if let Some(sort) = sort {
        let rows = kept.rows();
        let mut sorted = order.unwrap_or_else(|| all.collect());
        // Stable: rows equal in the column keep the store's order.
        sorted.sort_by(|&a, &b| compare_rows(&rows[a as usize], &rows[b as usize], sort));
        order = Some(sorted);
    }
    picked(order)
}
