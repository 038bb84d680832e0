//! The footer's key hints, from the keymap: the pane's own keys (its section, in file order),
//! then the few that work everywhere. When the line is too short the pane's last keys give way;
//! the way to help never does.

use ratatui::text::{Line, Span};

use crate::app::action::Action;
use crate::app::keymap::Scope;
use crate::app::keys::Key;
use crate::app::object_actions;
use crate::app::state::State;

/// Cursor keys every list has: not worth a hint.
const MOVES: &[Action] = &[
    Action::Up,
    Action::Down,
    Action::Top,
    Action::Bottom,
    Action::PageUp,
    Action::PageDown,
    Action::Back,
];

/// The hints for the screen, at most `width` columns.
pub fn line(state: &State, width: u16) -> Line<'static> {
    let scope = state.screen().scope();
    let mut everywhere = vec![Action::CommandLine, Action::Filter];
    if state.stack.len() > 1 {
        everywhere.push(Action::Back);
    }
    everywhere.extend([Action::Help, Action::Quit]);
    let tail: Vec<(Key, Action)> = everywhere
        .into_iter()
        .filter_map(|a| Some((state.keymap.key_for(scope, a)?, a)))
        .collect();
    let mut room = usize::from(width).saturating_sub(tail.iter().map(|h| hint_width(*h)).sum());
    let mut own: Vec<(Key, Action)> = Vec::new();
    if let Scope::Pane(_) = scope {
        for binding in state.keymap.bindings(scope) {
            let hint = (binding.key, binding.action);
            if MOVES.contains(&binding.action)
                || !object_actions::applies(state, binding.action)
                || own.iter().any(|(_, a)| *a == binding.action)
            {
                continue;
            }
            if hint_width(hint) > room {
                break;
            }
            room -= hint_width(hint);
            own.push(hint);
        }
    }
    let theme = &state.theme;
    let spans = own.into_iter().chain(tail).flat_map(|(key, action)| {
        [
            Span::styled(format!(" {}", key.display()), theme.style("hint.key")),
            Span::styled(format!(" {} ", label(action)), theme.style("hint")),
        ]
    });
    Line::from(spans.collect::<Vec<_>>())
}

fn hint_width((key, action): (Key, Action)) -> usize {
    key.display().chars().count() + label(action).chars().count() + 3
}

/// An action's word in the footer: its keymap name, spaced.
fn label(action: Action) -> String {
    match action {
        Action::Enter => "open".to_string(),
        other => other.name().replace('_', " "),
    }
}
