//! `:ops` — actions sent from this cockpit (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::table;
use crate::app::state::State;
use crate::app::tables::TableId;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            format!(" Operations ({}) ", state.operations.len()),
            theme.style("title"),
        ));
    table::draw(
        frame,
        area,
        block,
        state,
        TableId::Ops,
        "no actions sent yet",
    );
}
