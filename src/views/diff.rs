//! `Enter` on an app's drift: argocd-server's diff of its modified resources, live (`-`) to git
//! (`+`), coloured as a diff, scrolled and searched like describe.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::table::empty_message;
use crate::app::state::State;

fn style(state: &State, line: &str) -> Style {
    let theme = &state.theme;
    if line.starts_with("── ") {
        theme.style("title")
    } else if line.starts_with("+++") || line.starts_with("---") || line.starts_with("@@") {
        theme.style("dim")
    } else if line.starts_with('+') {
        theme.style("status.ok")
    } else if line.starts_with('-') {
        theme.style("status.degraded")
    } else {
        Style::default()
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let view = &state.diff;
    let mut heading = vec![Span::styled(" diff against git ", theme.style("title"))];
    if let Some(app) = &view.app {
        heading.push(Span::styled(
            format!("Application {} ", app.namespaced_name()),
            theme.style("dim"),
        ));
    }
    if let Some(Ok(lines)) = &view.lines {
        heading.extend(super::search::title(state, lines));
    }
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Line::from(heading));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match &view.lines {
        None if view.app.is_none() => {
            return empty_message(frame, inner, "Enter on an app's row in :drift", theme);
        }
        None => return empty_message(frame, inner, "asking argocd-server…", theme),
        Some(Err(e)) => return empty_message(frame, inner, e, theme),
        Some(Ok(lines)) => lines,
    };
    let height = inner.height as usize;
    let start = view.scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines
        .iter()
        .skip(start)
        .take(height)
        .map(|l| super::search::line(state, l, style(state, l)))
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
