//! `:hosts` — bare-metal hosts (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::state::State;
use crate::app::tables::{self, TableId};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let rows = tables::shown(state, TableId::Hosts);
    let sources = Sources::of(&[
        state.hardware.sources(),
        state.workflows.sources(),
        state.bmcs.sources(),
    ]);
    let block = pane(state, "Bare-metal hosts", rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| "no hosts match".into());
    table::draw_rows(frame, area, block, state, TableId::Hosts, &rows, &empty);
}
