//! Pure render: read `State`, draw a frame. Tables and lists take their cursor and scroll from
//! `State`; the one exception left is the cluster tree, whose widget keeps its scroll offset
//! in the `TreeState` it is handed.

pub mod apps;
pub mod chrome;
pub mod clusters;
pub mod dialog;
pub mod help;
pub mod hosts;
pub mod inspector;
pub mod ops;
pub mod secrets;
pub mod syncwaves;
pub mod table;
pub mod talos;
pub mod vms;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use crate::app::state::{Screen, State};

pub fn draw(frame: &mut Frame, state: &mut State) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    chrome::header(frame, header, state);
    match state.screen().clone() {
        Screen::Clusters => clusters::draw(frame, body, state),
        Screen::Apps => apps::draw(frame, body, state),
        Screen::SyncWaves(key) => syncwaves::draw(frame, body, state, &key),
        Screen::Talos => talos::draw(frame, body, state),
        Screen::TalosNode(key) => inspector::draw(frame, body, state, &key),
        Screen::Secrets => secrets::draw(frame, body, state),
        Screen::Vms => vms::draw(frame, body, state),
        Screen::Hosts => hosts::draw(frame, body, state),
        Screen::Ops => ops::draw(frame, body, state),
    }
    chrome::footer(frame, footer, state);
    if state.dialog.is_some() {
        dialog::draw(frame, state);
    }
    if state.show_help {
        help::draw(frame, state);
    }
}
