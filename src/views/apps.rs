//! `:apps` — Argo CD Applications (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::state::State;
use crate::app::tables::{self, TableId};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let rows = tables::shown(state, TableId::Apps);
    let sources = Sources::of(&[state.apps.sources()]);
    let block = pane(state, "Applications", rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| "no applications match".into());
    table::draw_rows(frame, area, block, state, TableId::Apps, &rows, &empty);
}
