//! Pure render: read `State`, draw a frame. Every list takes its cursor and scroll from `State`;
//! nothing here writes to it.

pub mod chrome;
pub mod clusters;
pub mod describe;
pub mod dialog;
pub mod diff;
pub mod followed;
pub mod help;
pub mod hints;
pub mod inspector;
pub mod logs;
mod node_machine;
mod node_metrics;
pub mod output;
pub mod pane;
pub mod printed;
pub mod search;
pub mod syncwaves;
pub mod table;
pub mod trace;
pub mod vms;
pub mod yaml;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::ids::PaneId;
use crate::app::state::{Screen, State};

pub fn draw(frame: &mut Frame, state: &State) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    chrome::header(frame, header, state);
    // Custom panes have a view of their own; a pane that is one table is drawn from its
    // registry entry.
    match state.screen().clone() {
        Screen::Pane(PaneId::CLUSTERS) => clusters::draw(frame, body, state),
        Screen::SyncWaves(key) => syncwaves::draw(frame, body, state, &key),
        Screen::TalosNode(key) => inspector::draw(frame, body, state, &key),
        Screen::Yaml(target) => yaml::draw(frame, body, state, &target),
        Screen::Logs(key) => logs::draw(frame, body, state, &key),
        Screen::Describe(target) => describe::draw(frame, body, state, &target),
        Screen::Pane(PaneId::VMS) => vms::draw(frame, body, state),
        Screen::Pane(PaneId::OUTPUT) => output::draw(frame, body, state),
        Screen::Pane(PaneId::DIFF) => diff::draw(frame, body, state),
        Screen::Pane(PaneId::TRACE) => {
            if let Some(entry) = state.panes.get(PaneId::TRACE)
                && let Some(table) = entry.table
            {
                trace::draw(frame, body, state, entry, table);
            }
        }
        screen => {
            if let Some(entry) = state.panes.get(screen.pane())
                && let Some(table) = entry.table
            {
                pane::draw(frame, body, state, entry, table);
            }
        }
    }
    chrome::footer(frame, footer, state);
    if state.actions.dialog.is_some() {
        dialog::draw(frame, state);
    }
    if state.show_help {
        help::draw(frame, state);
    }
}
