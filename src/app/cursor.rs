//! Moving in what is on screen: the cursor of a table or the cluster tree, the scroll of the
//! text views, and a table's sort.

use crossterm::event::Event;

use super::action::Action;
use super::describe;
use super::domains::InspectorTab;
use super::ids::PaneId;
use super::keys::Key;
use super::layout::page_rows;
use super::logs;
use super::msg::Msg;
use super::state::{Screen, State};
use super::tables;
use super::tree::TreeView;
use crate::model::table::Sort;
use crate::model::tree::{TreeLine, TreeNode, visible_lines};

/// Whether `msg` is a key that only moves a cursor or scrolls: what any table shows stays as it
/// was, so the rows built for it can be used again.
pub fn moves_cursor_only(state: &State, msg: &Msg) -> bool {
    let Msg::Input(Event::Key(key)) = msg else {
        return false;
    };
    if state.actions.dialog.is_some() || state.prompt.is_some() || state.show_help {
        return false;
    }
    matches!(
        state
            .keymap
            .resolve(state.screen().scope(), Key::from_event(key)),
        Some(
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
        )
    )
}

/// Move by `delta` rows or lines (negative: up).
pub fn move_cursor(state: &mut State, delta: isize) {
    let page = page_rows(state);
    if let Some(table) = tables::on_screen(state) {
        let rows = tables::shown(state, table);
        state.tables.view_mut(table.id).move_by(&rows, delta, page);
        return;
    }
    match state.screen() {
        Screen::Pane(PaneId::CLUSTERS) => {
            on_tree(state, |tree, _, lines, page| {
                tree.move_by(lines, delta, page)
            });
        }
        Screen::Yaml(_) => {
            let lines = state.yaml_line_count();
            let at = (state.yaml.scroll as isize).saturating_add(delta);
            state.yaml.scroll = at.clamp(0, lines.saturating_sub(1) as isize) as usize;
        }
        Screen::Logs(_) => logs::scroll(state, delta),
        Screen::Describe(_) => describe::scroll(state, delta),
        Screen::Pane(PaneId::DIFF) => {
            if let Some(Ok(lines)) = &state.diff.lines {
                let last = lines.len().saturating_sub(1) as isize;
                state.diff.scroll = (state.diff.scroll as isize + delta).clamp(0, last) as usize;
            }
        }
        Screen::Pane(PaneId::OUTPUT) => {
            if let Some(output) = state.actions.output.as_mut() {
                let last = output.lines.len().saturating_sub(1) as isize;
                output.scroll = (output.scroll as isize + delta).clamp(0, last) as usize;
            }
        }
        // Text scrolls from the end: moving up goes back in time.
        // The config reads from its top.
        Screen::TalosNode(_) if state.talos.inspector.tab == InspectorTab::Config => {
            let page = page_rows(state);
            let ins = &mut state.talos.inspector;
            let last = ins.text.len().saturating_sub(page) as isize;
            ins.config_top = (ins.config_top as isize)
                .saturating_add(delta)
                .clamp(0, last.max(0)) as usize;
        }
        Screen::TalosNode(_) => {
            let len = state.talos.inspector.text.len() as isize;
            let back = state.talos.inspector.scroll_back as isize - delta;
            state.talos.inspector.scroll_back = back.clamp(0, len) as usize;
        }
        _ => {}
    }
}

/// Run a tree operation over the cluster tree as shown (filtered, with its open nodes), with
/// the page size.
pub fn on_tree(state: &mut State, op: impl FnOnce(&mut TreeView, &[TreeNode], &[TreeLine], usize)) {
    let nodes = state.shown_tree();
    let opened = state.tree.opened.clone();
    let lines = visible_lines(&nodes, &opened);
    let page = page_rows(state);
    op(&mut state.tree, &nodes, &lines, page);
}

/// Sort the current table by the next (`step` 1) or previous (-1) column; from the pane's own
/// order the first step picks the first or last column, and one step past the end returns to it.
pub fn cycle_sort(state: &mut State, step: isize) {
    let Some(table) = tables::on_screen(state).filter(|t| t.sortable()) else {
        return;
    };
    let columns = table.columns(state).len() as isize;
    let view = state.tables.view_mut(table.id);
    let next = match view.sort {
        None if step > 0 => Some(0),
        None => Some(columns - 1),
        Some(s) => Some(s.column as isize + step).filter(|c| (0..columns).contains(c)),
    };
    view.sort = next.map(|c| Sort {
        column: c as usize,
        descending: false,
    });
}

pub fn reverse_sort(state: &mut State) {
    if let Some(table) = tables::on_screen(state)
        && let Some(sort) = state.tables.view_mut(table.id).sort.as_mut()
    {
        sort.descending = !sort.descending;
    }
}
