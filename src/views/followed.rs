//! Followed text (a Talos service's log, dmesg, a pod container's log): the last lines that
//! fit, or the lines scrolled back to, under a title that says which; the stream's end or
//! error as the last line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::theme::Theme;

/// What one followed stream shows.
pub struct Followed<'a> {
    pub title: String,
    /// Said in the title after the mode, e.g. `t timestamps`.
    pub hints: String,
    pub lines: Vec<&'a String>,
    /// Lines back from the end; 0 follows.
    pub scroll_back: usize,
    /// The last line when the stream is over: why, or that it ended.
    pub closing: Option<(String, &'static str)>,
    /// Shown when there is nothing yet.
    pub waiting: &'static str,
    /// Long lines continue on the next rows instead of being cut at the edge.
    pub wrap: bool,
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, text: Followed) {
    // A stream that is over follows nothing; the closing line says why.
    let mode = match (text.scroll_back, &text.closing) {
        (0, Some(_)) => None,
        (0, None) => Some("following".to_string()),
        (back, _) => Some(format!("{back} lines back — G to the end")),
    };
    let mut title = vec![Span::styled(
        format!(" {} ", text.title),
        theme.style("title"),
    )];
    if let Some(mode) = mode {
        title.push(Span::styled(format!("[{mode}] "), theme.style("hint")));
    }
    if !text.hints.is_empty() {
        title.push(Span::styled(format!("{} ", text.hints), theme.style("dim")));
    }
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    let width = usize::from(inner.width).max(1);
    // The rows a line takes: one, or as many as it wraps to.
    let rows = |line: &str| {
        if text.wrap {
            line.width().div_ceil(width).max(1)
        } else {
            1
        }
    };
    let end = text.lines.len().saturating_sub(text.scroll_back);
    let last = usize::from(text.closing.is_some() || text.lines.is_empty());
    let mut start = end;
    let mut used = last;
    while start > 0 && used + rows(text.lines[start - 1]) <= height {
        used += rows(text.lines[start - 1]);
        start -= 1;
    }
    // A line taller than the screen still shows its end.
    if start == end && end > 0 {
        start = end - 1;
        used += rows(text.lines[start]);
    }
    let mut lines: Vec<Line> = text.lines[start..end]
        .iter()
        .map(|l| Line::from(l.as_str()))
        .collect();
    match text.closing {
        Some((message, style)) => {
            lines.push(Line::from(Span::styled(
                format!("-- {message} --"),
                theme.style(style),
            )));
        }
        None if text.lines.is_empty() => {
            lines.push(Line::from(Span::styled(text.waiting, theme.style("dim"))));
        }
        None => {}
    }
    // What does not fit pushes the first rows out rather than the last being cut.
    let overflow = used.saturating_sub(height) as u16;
    let paragraph = Paragraph::new(lines).scroll((overflow, 0));
    let paragraph = if text.wrap {
        paragraph.wrap(Wrap { trim: false })
    } else {
        paragraph
    };
    frame.render_widget(paragraph, inner);
}
