//! The footer's key hints, from the keymap: the pane's own keys (its section, in file order),
//! then the few that work everywhere. When the line is too short the pane's last keys give way;
//! the way to help never does.

use ratatui::text::{Line, Span};

use crate::app::action::Action;
use crate::app::keymap::Scope;
use crate::app::keys::Key;
use crate::app::object_actions;
use crate::app::plugins;
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
    let tail: Vec<(Key, String)> = everywhere
        .into_iter()
        .filter_map(|a| Some((state.keymap.key_for(scope, a)?, label(a))))
        .collect();
    let mut room = usize::from(width).saturating_sub(tail.iter().map(hint_width).sum());
    let mut own: Vec<(Key, String)> = Vec::new();
    if let Scope::Pane(_) = scope {
        let mut seen: Vec<Action> = Vec::new();
        let bindings = state.keymap.bindings(scope).iter().filter(|b| {
            let shown = !MOVES.contains(&b.action)
                && object_actions::applies(state, b.action)
                && !seen.contains(&b.action);
            seen.push(b.action);
            shown
        });
        // The pane's own keys, then the user's plugins for it, while there is room.
        let hints = bindings.map(|b| (b.key, label(b.action))).chain(
            plugins::offered(state)
                .into_iter()
                .map(|p| (p.key, p.name.clone())),
        );
        for hint in hints {
            if hint_width(&hint) > room {
                break;
            }
            room -= hint_width(&hint);
            own.push(hint);
        }
    }
    let theme = &state.theme;
    let spans = own.into_iter().chain(tail).flat_map(|(key, word)| {
        [
            Span::styled(format!(" {}", key.display()), theme.style("hint.key")),
            Span::styled(format!(" {word} "), theme.style("hint")),
        ]
    });
    Line::from(spans.collect::<Vec<_>>())
}

fn hint_width((key, word): &(Key, String)) -> usize {
    key.display().chars().count() + word.chars().count() + 3
}

/// An action's word in the footer: its keymap name, spaced.
fn label(action: Action) -> String {
    match action {
        Action::Enter => "open".to_string(),
        other => other.name().replace('_', " "),
    }
}
