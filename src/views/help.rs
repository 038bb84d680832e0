//! `?` — help generated from the keymap: the current view's keys, then the global ones, and
//! the `:` commands.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::chrome::popup_area;
use crate::app::keymap::{Binding, Scope};
use crate::app::plugins;
use crate::app::state::State;

/// Bindings with the same action and description share one line: `j <Down>  Move down`.
fn section(title: &str, bindings: &[Binding], state: &State) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let mut lines = vec![Line::from(Span::styled(
        title.to_string(),
        theme.style("title"),
    ))];
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for b in bindings {
        let desc = if b.desc.is_empty() {
            b.action.name().to_string()
        } else {
            b.desc.clone()
        };
        match seen.iter_mut().find(|(d, _)| *d == desc) {
            Some((_, keys)) => keys.push(b.key.display()),
            None => seen.push((desc, vec![b.key.display()])),
        }
    }
    for (desc, keys) in seen {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<20}", keys.join(" ")), theme.style("hint.key")),
            Span::raw(desc),
        ]));
    }
    lines.push(Line::from(""));
    lines
}

/// The title of the pane on screen, for its section of keys.
fn screen_title(state: &State) -> &'static str {
    let id = state.screen().pane();
    state.panes.get(id).map_or(id.section(), |p| p.title)
}

pub fn lines(state: &State) -> Vec<Line<'static>> {
    let scope = state.screen().scope();
    let mut lines = Vec::new();
    if scope != Scope::Global {
        lines.extend(section(
            &format!("{} view", screen_title(state)),
            state.keymap.bindings(scope),
            state,
        ));
    }
    let plugins = plugins::offered(state);
    if !plugins.is_empty() {
        lines.push(Line::from(Span::styled(
            "plugins here (plugins.toml)",
            state.theme.style("title"),
        )));
        for p in plugins {
            let about = if p.description.is_empty() {
                p.name.clone()
            } else {
                format!("{}: {}", p.name, p.description)
            };
            let how = match (p.background, p.dangerous || p.confirm) {
                (true, true) => " (background, asks first)",
                (true, false) => " (background)",
                (false, true) => " (asks first)",
                (false, false) => "",
            };
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<20}", p.key.display()),
                    state.theme.style("hint.key"),
                ),
                Span::raw(format!("{about}{how}")),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.extend(section(
        "everywhere",
        state.keymap.bindings(Scope::Global),
        state,
    ));
    lines.push(Line::from(Span::styled(
        "commands (after :)",
        state.theme.style("title"),
    )));
    for (name, aliases) in state.panes.commands() {
        lines.push(Line::from(format!("  :{name:<19}{}", aliases.join(" "))));
    }
    for (alias, meant) in &state.aliases.0 {
        lines.push(Line::from(format!(
            "  :{alias:<19}= :{meant} (aliases.toml)"
        )));
    }
    if let Some(log) = &state.log {
        lines.push(Line::from(Span::styled(
            "files",
            state.theme.style("title"),
        )));
        lines.push(Line::from(format!("  log {}", log.describe())));
    }
    lines
}

pub fn draw(frame: &mut Frame, state: &State) {
    let lines = lines(state);
    // As wide as the longest line (a description is never cut while the screen has room).
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let popup = popup_area(frame, widest.max(40), lines.len() as u16 + 2);
    let block = Block::bordered()
        .title(Span::styled(
            " Help — Esc or ? to close ",
            state.theme.style("title"),
        ))
        .border_style(state.theme.style("border"));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
