//! The YAML view: one object as the server holds it (without managedFields), line numbers,
//! scrolled with the usual keys; a Secret's values stay masked until asked for.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::table::empty_message;
use crate::app::action::Action;
use crate::app::state::State;
use crate::model::yaml::{ObjectRef, has_secret_values};

fn title(state: &State, target: &ObjectRef) -> Line<'static> {
    let theme = &state.theme;
    let key = &target.key;
    let name = key.namespaced_name();
    let mut spans = vec![
        Span::styled(format!(" {} {name} ", target.kind), theme.style("title")),
        Span::styled(format!("{} ", key.cluster), theme.style("dim")),
    ];
    let masked = matches!(&state.yaml.object, Some(Ok(o)) if has_secret_values(o));
    if masked && !state.yaml.reveal {
        let hint = state
            .keymap
            .key_for(state.screen().scope(), Action::RevealSecrets)
            .map(|k| format!("values masked — {} shows them ", k.display()))
            .unwrap_or_else(|| "values masked ".into());
        spans.push(Span::styled(hint, theme.style("hint")));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, target: &ObjectRef) {
    let theme = &state.theme;
    let lines = state.yaml_lines();
    let mut heading = title(state, target);
    heading.spans.extend(super::search::title(state, &lines));
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(heading);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let message = match &state.yaml.object {
        None => Some("loading…".to_string()),
        Some(Err(e)) => Some(e.clone()),
        Some(Ok(_)) => None,
    };
    if let Some(text) = message {
        empty_message(frame, inner, &text, theme);
        return;
    }
    let height = inner.height as usize;
    let start = state.yaml.scroll.min(lines.len().saturating_sub(height));
    let width = lines.len().to_string().len();
    let shown: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, l)| {
            let mut spans = vec![Span::styled(
                format!("{:>width$} ", i + 1),
                theme.style("dim"),
            )];
            spans.extend(super::search::highlighted(
                l,
                state.filter(),
                ratatui::style::Style::default(),
                theme,
            ));
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
