//! A pane that is one table, drawn from its registry entry: the title with its row count and
//! the state of the sources that feed it, then the shared table.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::ids::PaneId;
use crate::app::panes::Pane;
use crate::app::state::State;
use crate::app::tables::{self, Table};

/// The pane's title: its registry title, or for the kind browser the kind (and namespace).
fn title(state: &State, pane_entry: &Pane) -> String {
    match (&state.browse.target, pane_entry.id) {
        (Some(t), PaneId::BROWSE) => {
            let mut title = t.kind.qualified();
            if let Some(about) = &t.about {
                title.push_str(&format!(" {about}"));
            }
            if let Some(ns) = &t.namespace {
                title.push_str(&format!(" in {ns}"));
            }
            title
        }
        _ => pane_entry.title.to_string(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, pane_entry: &Pane, table: &Table) {
    let title = title(state, pane_entry);
    let rows = tables::shown(state, table);
    let stores = state.pane_sources(pane_entry);
    if stores.is_empty() {
        // Fed by the cockpit itself (the operations it sent): nothing to be stale.
        let theme = &state.theme;
        let block = Block::bordered()
            .border_style(theme.style("border"))
            .title(Span::styled(
                format!(" {title} ({}) ", rows.len()),
                theme.style("title"),
            ));
        table::draw_rows(frame, area, block, state, table, &rows, pane_entry.empty);
        return;
    }
    let sources = Sources::of(&stores).with_malformed(state.pane_malformed(pane_entry));
    let block = pane(state, &title, rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| pane_entry.empty.to_string());
    table::draw_rows(frame, area, block, state, table, &rows, &empty);
}
