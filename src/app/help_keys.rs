//! Keys while the help is open: the usual close keys close it, the keys that move a cursor
//! scroll it (as far as its last line), the rest do nothing.

use crossterm::event::KeyCode;

use super::action::Action;
use super::keymap::Scope;
use super::keys::Key;
use super::state::State;

pub fn on_key(state: &mut State, code: KeyCode, key: Key) {
    if matches!(
        code,
        KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
    ) {
        state.show_help = false;
        return;
    }
    let most = crate::views::help::max_scroll(state, state.viewport);
    // A page is the popup's height less its borders and a line kept in view.
    let page = state.viewport.1.saturating_sub(3).max(1);
    let at = state.help_scroll;
    state.help_scroll = match state.keymap.resolve(Scope::Global, key) {
        Some(Action::Down) => at.saturating_add(1),
        Some(Action::Up) => at.saturating_sub(1),
        Some(Action::PageDown) => at.saturating_add(page),
        Some(Action::PageUp) => at.saturating_sub(page),
        Some(Action::Top) => 0,
        Some(Action::Bottom) => most,
        _ => at,
    }
    .min(most);
}
