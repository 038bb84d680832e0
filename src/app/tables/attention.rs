//! `:attention` — everything not well, each root problem followed by what it explains
//! (indented), worst first.

use crate::app::state::State;
use crate::model::attention::{Problem, Severity};
use crate::model::table::{Cell, Column, TableRow};
use crate::model::text::age_opt;

pub const COLUMNS: &[Column] = &[
    Column::new("SEVERITY", 8),
    Column::new("AREA", 8),
    Column::new("KIND", 14),
    Column::new("OBJECT", 44),
    Column::new("SINCE", 6),
    Column::new("CONTEXT", 24).drop(1),
    Column::new("PROBLEM", 200).min(20).flex(),
];

fn row(state: &State, p: &Problem, explained_by: Option<&Problem>) -> TableRow {
    let (word, style) = match p.severity {
        Severity::Critical => ("critical", "status.degraded"),
        Severity::Warning => ("warning", "status.warning"),
    };
    let object = match explained_by {
        Some(_) => format!("  ↳ {}", p.key.namespaced_name()),
        None => p.key.namespaced_name(),
    };
    let problem = match explained_by {
        Some(root) => Cell::plain(p.what.clone()).with_tail(
            format!(" — explained by {} {}", root.kind, root.key.name),
            "dim",
        ),
        None => Cell::plain(p.what.clone()),
    };
    TableRow::new(
        p.key.clone(),
        vec![
            Cell::styled(word, style),
            Cell::plain(p.area.name()),
            Cell::plain(p.kind),
            Cell::plain(object),
            Cell::plain(age_opt(p.since, state.now)),
            Cell::plain(p.key.cluster.clone()),
            problem,
        ],
    )
}

pub fn rows(state: &State) -> Vec<TableRow> {
    let filter = state.filter();
    let mut out = Vec::new();
    for g in &state.attention.groups {
        // A group is kept whole when its root or anything it explains matches the filter.
        let rows: Vec<TableRow> = std::iter::once(row(state, &g.root, None))
            .chain(g.explained.iter().map(|p| row(state, p, Some(&g.root))))
            .collect();
        if rows
            .iter()
            .any(|r| crate::app::state::filter_matches(filter, &r.text()))
        {
            out.extend(rows);
        }
    }
    out
}

/// The problem under the cursor.
pub fn selected(state: &State) -> Option<&Problem> {
    let key = super::selected(state, &super::ATTENTION)?;
    state
        .attention
        .groups
        .iter()
        .flat_map(|g| std::iter::once(&g.root).chain(&g.explained))
        .find(|p| p.key == key)
}
