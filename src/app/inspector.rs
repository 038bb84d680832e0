//! The Talos node inspector's tabs: which one shows, and the text stream it needs.

use super::domains::{InspectorTab, LOG_LINES};
use super::msg::Command;
use super::state::{Screen, State};
use crate::model::lines::LineBuffer;
use crate::model::store::ObjRef;
use crate::model::talos::TextSource;

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
    match state.text_source() {
        Some(source) => vec![Command::StreamNodeText(key, source)],
        None => vec![Command::StopNodeText],
    }
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
