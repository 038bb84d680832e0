//! `:clusters` — the live CAPI tree, drawn as the shared table with an indented NAME column
//! (rows and columns in `app::tables::clusters`, open/selected state in `app::tree`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::chrome::{Sources, pane, source_notice};
use super::table::{Grid, draw_grid};
use crate::app::panes;
use crate::app::state::State;
use crate::app::tables::clusters;
use crate::model::shown::Shown;
use crate::model::tree::visible_lines;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let entry = &panes::CLUSTERS;
    let nodes = state.shown_tree();
    let lines = visible_lines(&nodes, &state.tree.opened);
    let rows = Shown::new(clusters::rows(state, &lines));
    let sources =
        Sources::of(&state.pane_sources(entry)).with_malformed(state.pane_malformed(entry));
    let block = pane(state, entry.title, state.capi.clusters.len(), &sources);
    let page = block.inner(area).height.saturating_sub(1) as usize;
    let selected = state.tree.selected_index(&lines);
    let grid = Grid {
        columns: clusters::COLUMNS,
        rows: &rows,
        selected,
        offset: state.tree.offset_for(selected, rows.len(), page),
        sort: None,
        now: state.now,
    };
    let empty = source_notice(&sources.worst).unwrap_or_else(|| entry.empty.to_string());
    draw_grid(frame, area, block, grid, &state.theme, &empty);
}
