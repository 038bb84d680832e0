//! The Talos node inspector's tabs: which one shows, and the text stream it needs.

use super::domains::{InspectorTab, LOG_LINES};
use super::msg::{Command, Msg};
use super::state::{Screen, State};
use crate::model::lines::LineBuffer;
use crate::model::node_tables::{NodeTable, NodeTableKind, ProcessSample};
use crate::model::store::ObjRef;
use crate::model::talos::TextSource;
use crate::model::talos_roles::sensitive_refusal;

/// Whether the inspector is showing this node's text from this source.
pub fn showing_text(state: &State, key: &ObjRef, source: &TextSource) -> bool {
    state.screen() == &Screen::TalosNode(key.clone())
        && state.text_source().as_ref() == Some(source)
}

/// Switch the inspector to a tab, starting or stopping the text stream it needs.
pub fn switch_tab(state: &mut State, tab: InspectorTab) -> Vec<Command> {
    let Screen::TalosNode(key) = state.screen().clone() else {
        return Vec::new();
    };
    state.talos.inspector.tab = tab;
    state.talos.inspector.text = LineBuffer::new(LOG_LINES);
    state.talos.inspector.text_error = None;
    state.talos.inspector.scroll_back = 0;
    state.talos.inspector.processes = None;
    state.talos.inspector.mounts = None;
    state.talos.inspector.disks = None;
    state.talos.inspector.details = None;
    state.talos.inspector.config_error = None;
    state.talos.inspector.config_top = 0;
    match (state.text_source(), tab) {
        (Some(source), _) => vec![Command::StreamNodeText(key, source)],
        (None, InspectorTab::Processes) => {
            vec![Command::PollNodeTable(key, NodeTableKind::Processes)]
        }
        (None, InspectorTab::Mounts) => vec![Command::PollNodeTable(key, NodeTableKind::Mounts)],
        (None, InspectorTab::Disks) => vec![Command::PollNodeTable(key, NodeTableKind::Disks)],
        (None, InspectorTab::Machine) => vec![Command::FollowMachineDetails(key)],
        (None, InspectorTab::Config) => {
            // Only os:admin may read the config: say so rather than ask.
            let roles = state
                .talos
                .roles
                .get(key.cluster.as_str())
                .cloned()
                .unwrap_or_default();
            match sensitive_refusal(&roles, "the machine config") {
                Some(why) => {
                    state.talos.inspector.config_error = Some(why);
                    vec![Command::StopNodeText]
                }
                None => vec![Command::ReadMachineConfig(key)],
            }
        }
        (None, _) => vec![Command::StopNodeText],
    }
}

/// What a tab's work sent: kept (and drawn) if that node and tab are on screen.
pub fn on_tab_msg(state: &mut State, msg: Msg) {
    match msg {
        Msg::NodeTable { key, result } => on_table(state, &key, result),
        Msg::NodeText { key, source, text } if showing_text(state, &key, &source) => {
            match text {
                Ok(chunk) => state.talos.inspector.text.push(&chunk),
                Err(e) => state.talos.inspector.text_error = Some(e),
            }
            state.dirty = true;
        }
        Msg::MachineDetails { key, details } if showing(state, &key, InspectorTab::Machine) => {
            state.talos.inspector.details = Some(details);
            state.dirty = true;
        }
        Msg::MachineConfig { key, config } if showing(state, &key, InspectorTab::Config) => {
            let ins = &mut state.talos.inspector;
            match config {
                Ok(lines) => {
                    for line in &lines {
                        ins.text.push(&format!("{line}\n"));
                    }
                    ins.config_top = 0;
                }
                Err(e) => ins.config_error = Some(e),
            }
            state.dirty = true;
        }
        _ => {}
    }
}

fn showing(state: &State, key: &ObjRef, tab: InspectorTab) -> bool {
    state.screen() == &Screen::TalosNode(key.clone()) && state.talos.inspector.tab == tab
}

/// A read of the node's processes or mounts arrived: kept if that node is on screen.
fn on_table(state: &mut State, key: &ObjRef, result: Result<NodeTable, String>) {
    if state.screen() != &Screen::TalosNode(key.clone()) {
        return;
    }
    let ins = &mut state.talos.inspector;
    match result {
        Ok(NodeTable::Processes(rows)) => {
            let before = ins.processes.as_ref().and_then(|p| p.as_ref().ok());
            ins.processes = Some(Ok(ProcessSample::next(
                before,
                rows,
                jiff::Timestamp::now(),
            )));
        }
        Ok(NodeTable::Mounts(rows)) => ins.mounts = Some(Ok(rows)),
        Ok(NodeTable::Disks(rows)) => ins.disks = Some(Ok(rows)),
        Err(e) if ins.tab == InspectorTab::Mounts => ins.mounts = Some(Err(e)),
        Err(e) if ins.tab == InspectorTab::Disks => ins.disks = Some(Err(e)),
        Err(e) => ins.processes = Some(Err(e)),
    }
    state.dirty = true;
}

pub fn cycle_tab(state: &mut State, step: isize) -> Vec<Command> {
    let tabs = InspectorTab::ALL;
    let at = tabs
        .iter()
        .position(|t| *t == state.talos.inspector.tab)
        .unwrap_or(0) as isize;
    let next = tabs[(at + step).rem_euclid(tabs.len() as isize) as usize];
    switch_tab(state, next)
}
