//! `:talos` — Talos nodes from the Machine API (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::state::State;
use crate::app::tables::{self, TableId};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let rows = tables::shown(state, TableId::Talos);
    let sources = Sources::of(&[state.talos.sources()]);
    let block = pane(state, "Talos nodes", rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| "no Talos nodes match".into());
    table::draw_rows(frame, area, block, state, TableId::Talos, &rows, &empty);
}
