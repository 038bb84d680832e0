//! `:trace`: the chain as a strip (the shared table), and under it what the timeline has seen
//! happen to the chain's objects, newest first — the story of this machine.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::pane;
use crate::app::panes::Pane;
use crate::app::state::State;
use crate::app::tables::{self, Table, timeline};
use crate::app::trace::layers;
use crate::model::store::ObjRef;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, entry: &Pane, table: &Table) {
    // The strip gets its rows, the borders and the header; the story the rest.
    let strip = tables::shown(state, table).len().max(1) as u16 + 3;
    let [top, bottom] =
        Layout::vertical([Constraint::Length(strip), Constraint::Min(0)]).areas(area);
    pane::draw(frame, top, state, entry, table);
    if bottom.height < 3 {
        return;
    }
    let keys: Vec<ObjRef> = layers(state)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| l.key)
        .collect();
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(" what happened to it ", theme.style("title")));
    let inner = block.inner(bottom);
    frame.render_widget(block, bottom);
    let lines: Vec<Line> = state
        .history
        .newest_first()
        .filter(|t| keys.contains(&t.key))
        .take(inner.height as usize)
        .map(|t| {
            let change = timeline::change(t);
            Line::from(vec![
                Span::raw(format!("{}  ", timeline::clock(t))),
                Span::styled(format!("{:<15}", t.kind), theme.style("dim")),
                Span::raw(format!("{:<30} ", t.key.name)),
                Span::styled(change.text().to_string(), theme.style(change.style())),
            ])
        })
        .collect();
    if lines.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "no change seen since the cockpit started",
                theme.style("dim"),
            )),
            inner,
        );
    } else {
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
