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
        Action::Enter if screen == Screen::Pane(PaneId::DRIFT) => drift::open_diff(state),
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

/// Drift that is only time passing (an overdue refresh) is looked for this often when no
/// store changed.
const DRIFT_AT_LEAST_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

/// Once a second, when a store they read changed: the drift and the attention feed again
/// (and, the first time there is something, the feed as the start pane). An idle cockpit
/// recomputes only these two, every half minute.
pub fn on_tick(state: &mut State) {
    let due = state
        .drift
        .computed_at
        .is_none_or(|at| state.now.duration_since(at) >= DRIFT_AT_LEAST_EVERY);
    if (state.attention.stale || due)
        && drift::refresh(state)
        && state.screen() == &Screen::Pane(PaneId::DRIFT)
    {
        state.dirty = true;
    }
    // Some verdicts change with time alone (a certificate nearing its end): the feed is
    // worked out again as often as the drift, and drawn only if it changed.
    if (state.attention.stale || due) && attention::refresh(state) {
        attention::maybe_start_here(state);
        state.dirty = true;
    }
}
