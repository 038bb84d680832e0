//! The describe view: one object as `kubectl describe` prints it, with its events, scrolled
//! with the usual keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::table::empty_message;
use crate::app::state::State;
use crate::model::yaml::ObjectRef;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, target: &ObjectRef) {
    let theme = &state.theme;
    let key = &target.key;
    let name = key.namespaced_name();
    let mut heading = vec![
        Span::styled(
            format!(" describe {} {name} ", target.kind),
            theme.style("title"),
        ),
        Span::styled(format!("{} ", key.cluster), theme.style("dim")),
    ];
    if let Some(Ok(lines)) = &state.describe.lines {
        heading.extend(super::search::title(state, lines));
    }
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Line::from(heading));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &state.describe.lines {
        None => return empty_message(frame, inner, "loading…", theme),
        Some(Err(e)) => return empty_message(frame, inner, e, theme),
        Some(Ok(lines)) => lines,
    };
    let height = inner.height as usize;
    let start = state
        .describe
        .scroll
        .min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines
        .iter()
        .skip(start)
        .take(height)
        .map(|l| {
            // Section headings (`Spec:`, `Events:`) stand out as describe's do in a terminal.
            let base = if !l.starts_with(' ') && l.ends_with(':') {
                theme.style("title")
            } else {
                ratatui::style::Style::default()
            };
            super::search::line(state, l, base)
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
