//! Moving between screens: what a screen being left must stop, and replacing the view stack.

use super::ids::PaneId;
use super::msg::Command;
use super::state::{Screen, State};

/// Commands that stop what a screen being left had running.
pub fn leave(screen: &Screen) -> Vec<Command> {
    match screen {
        Screen::SyncWaves(_) => vec![Command::StopAppDetail],
        Screen::TalosNode(_) => vec![Command::StopNodeText],
        Screen::Logs(_) => vec![Command::StopPodLog],
        Screen::Pane(PaneId::BROWSE) => vec![Command::StopBrowse],
        _ => Vec::new(),
    }
}

/// Open a screen on top of the current one, with a filter of its own (`filters` keeps one per
/// screen in the stack).
pub fn push(state: &mut State, screen: Screen) {
    state.stack.push(screen);
    state.filters.push(String::new());
}

/// Replace the whole view stack with one root view.
pub fn switch_root(state: &mut State, screen: Screen) -> Vec<Command> {
    let commands = state.stack.iter().flat_map(leave).collect();
    state.stack = vec![screen];
    state.filters = vec![String::new()];
    commands
}
