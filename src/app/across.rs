//! The cross-layer views' share of `update`: the keys of the trace, the attention feed and the
//! jumps between layers, and what each second of the clock recomputes for them.

use super::action::Action;
use super::ids::PaneId;
use super::msg::Command;
use super::navigation::switch_root;
use super::state::{Screen, State};
use super::{attention, drift, trace};

/// The action, if it is one of the cross-layer views'.
pub fn act(state: &mut State, action: Action) -> Option<Vec<Command>> {
    let screen = state.screen().clone();
    Some(match action {
        Action::Enter if screen == Screen::Pane(PaneId::TRACE) => trace::enter(state),
        Action::Enter if screen == Screen::Pane(PaneId::ATTENTION) => attention::enter(state),
        Action::Trace | Action::Show(PaneId::TRACE) => trace::open(state),
        Action::Show(PaneId::ATTENTION) => {
            attention::refresh(state);
            switch_root(state, Screen::Pane(PaneId::ATTENTION))
        }
        Action::LayerDown => trace::step(state, false),
        Action::LayerUp => trace::step(state, true),
        _ => return None,
    })
}

/// Once a second: the drift again, and the attention feed if a store it reads changed (and,
/// the first time there is something, the feed as the start pane).
pub fn on_tick(state: &mut State) {
    if drift::refresh(state) && state.screen() == &Screen::Pane(PaneId::DRIFT) {
        state.dirty = true;
    }
    if state.attention.stale {
        attention::refresh(state);
        attention::maybe_start_here(state);
        state.dirty = true;
    }
}
