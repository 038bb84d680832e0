//! The `/` term in the text views: each occurrence highlighted, and the title's count.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::search::{matching_lines, occurrences};
use crate::app::state::State;
use crate::app::theme::Theme;

/// `line` as spans in `base`, the term's occurrences in the theme's `search.match`.
pub fn highlighted(line: &str, term: &str, base: Style, theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut at = 0;
    for hit in occurrences(line, term) {
        if hit.start > at {
            spans.push(Span::styled(line[at..hit.start].to_string(), base));
        }
        spans.push(Span::styled(
            line[hit.clone()].to_string(),
            theme.style("search.match"),
        ));
        at = hit.end;
    }
    if at < line.len() || spans.is_empty() {
        spans.push(Span::styled(line[at..].to_string(), base));
    }
    spans
}

/// `/term: 3 lines — n, N`, or `/term: not found`, for the title; nothing without a term.
pub fn title(state: &State, lines: &[String]) -> Option<Span<'static>> {
    let term = state.filter();
    if term.is_empty() {
        return None;
    }
    let text = match matching_lines(lines, term).len() {
        0 => format!("/{term}: not found "),
        1 => format!("/{term}: 1 line "),
        n => format!("/{term}: {n} lines — n, N "),
    };
    Some(Span::styled(text, state.theme.style("prompt")))
}

/// A text view's line: the term highlighted.
pub fn line(state: &State, text: &str, base: Style) -> Line<'static> {
    Line::from(highlighted(text, state.filter(), base, &state.theme))
}
