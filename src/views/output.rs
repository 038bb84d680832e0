//! `:output`: what the last background plugin printed, its command line in the title and how
//! it ended at the bottom; scrolled and searched like describe.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::table::empty_message;
use crate::app::state::State;

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let output = state.actions.output.as_ref();
    let mut heading = vec![Span::styled(" plugin output ", theme.style("title"))];
    if let Some(output) = output {
        heading.push(Span::styled(
            format!("{} ", output.command_line),
            theme.style("dim"),
        ));
        let status = match &output.ended {
            Some(how) => format!("[{how}] "),
            None => "[running] ".to_string(),
        };
        heading.push(Span::styled(status, theme.style("title")));
        heading.extend(super::search::title(state, &output.lines));
    }
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Line::from(heading));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(output) = output else {
        return empty_message(
            frame,
            inner,
            "no background plugin has run yet (plugins.toml: background = true)",
            theme,
        );
    };
    if output.lines.is_empty() {
        let said = if output.ended.is_some() {
            "it printed nothing"
        } else {
            "nothing printed yet"
        };
        return empty_message(frame, inner, said, theme);
    }
    let height = inner.height as usize;
    let start = output.scroll.min(output.lines.len().saturating_sub(height));
    let shown: Vec<Line> = output
        .lines
        .iter()
        .skip(start)
        .take(height)
        .map(|l| super::search::line(state, l, ratatui::style::Style::default()))
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
