//! `:secrets` — ExternalSecrets of every cluster (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::Rect;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::state::State;
use crate::app::tables::{self, TableId};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let rows = tables::shown(state, TableId::Secrets);
    let sources = Sources::of(&[state.external_secrets.sources()]);
    let block = pane(state, "External Secrets", rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| "no ExternalSecrets match".into());
    table::draw_rows(frame, area, block, state, TableId::Secrets, &rows, &empty);
}
