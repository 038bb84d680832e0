//! `update(&mut State, Msg) -> Vec<Command>`: the only place state changes. Pure: no I/O, no
//! awaiting, time comes in with the message.

use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};

use super::action::Action;
use super::keys::Key;
use super::msg::{Command, Msg};
use super::state::{Prompt, Screen, State, visible_apps};
use crate::model::source::SourceState;
use crate::model::store::WatchUpdate;
use crate::model::tree::{branch_ids, cluster_tree};

/// `:` commands: name, aliases, and what they open.
pub const COMMANDS: &[(&str, &[&str])] = &[
    ("clusters", &["cl", "cluster", "capi", "tree"]),
    ("apps", &["app", "applications", "argo"]),
    ("help", &["h"]),
    ("quit", &["q", "q!", "exit"]),
];

/// Completion for a partly typed command: the first command name it starts.
pub fn complete(input: &str) -> Option<&'static str> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    COMMANDS
        .iter()
        .map(|(name, _)| *name)
        .find(|name| name.starts_with(input) && *name != input)
}

fn resolve_command(input: &str) -> Option<&'static str> {
    let input = input.trim();
    COMMANDS
        .iter()
        .find(|(name, aliases)| *name == input || aliases.contains(&input))
        .map(|(name, _)| *name)
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Command> {
    // Every arm that returns early decides about redrawing itself; the data arms that fall
    // through all change what is shown.
    match msg {
        Msg::Tick(now) => {
            let stale = [
                &state.clusters.state,
                &state.machines.state,
                &state.apps.state,
            ]
            .iter()
            .any(|s| matches!(s, SourceState::Stale { .. }));
            let bucket = if stale { 1 } else { 10 };
            if now.as_second() / bucket != state.now.as_second() / bucket {
                state.dirty = true;
            }
            state.now = now;
            return Vec::new();
        }
        Msg::Clusters(u) => state.clusters.apply(u),
        Msg::ControlPlanes(u) => state.control_planes.apply(u),
        Msg::Deployments(u) => state.deployments.apply(u),
        Msg::Machines(u) => state.machines.apply(u),
        Msg::Apps(u) => state.apps.apply(u),
        Msg::AppDetail(u) => {
            let u = match u {
                WatchUpdate::Upsert(mut detail) => {
                    if let Some(previous) = state.app_detail.get(&detail.key) {
                        detail.inherit_hook_types(previous);
                    }
                    WatchUpdate::Upsert(detail)
                }
                other => other,
            };
            state.app_detail.apply(u);
        }
        Msg::Input(Event::Resize(_, _)) => {}
        Msg::Input(Event::Key(key)) if key.kind != KeyEventKind::Release => {
            state.dirty = true;
            return key_input(state, key.code, key.modifiers, Key::from_event(&key));
        }
        Msg::Input(_) => return Vec::new(),
    }
    state.dirty = true;
    Vec::new()
}

fn key_input(state: &mut State, code: KeyCode, mods: KeyModifiers, key: Key) -> Vec<Command> {
    if state.prompt.is_some() {
        return prompt_key(state, code, mods);
    }
    if state.show_help {
        // The usual "close" keys close help; others are ignored.
        if matches!(
            code,
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter
        ) {
            state.show_help = false;
        }
        return Vec::new();
    }
    state.notice = None;
    let scope = state.screen().scope();
    match state.keymap.resolve(scope, key) {
        Some(action) => act(state, action),
        None => Vec::new(),
    }
}

fn prompt_key(state: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Command> {
    let Some(prompt) = state.prompt.as_mut() else {
        return Vec::new();
    };
    let text = match prompt {
        Prompt::Command(t) | Prompt::Filter(t) => t,
    };
    match code {
        KeyCode::Esc => {
            state.prompt = None;
        }
        KeyCode::Char('c') if mods.contains(KeyModifiers::CONTROL) => {
            state.prompt = None;
        }
        KeyCode::Backspace => {
            text.pop();
            if let Some(Prompt::Filter(t)) = &state.prompt {
                set_filter(state, t.clone());
            }
        }
        KeyCode::Tab => {
            if let Some(Prompt::Command(t)) = &mut state.prompt
                && let Some(done) = complete(t)
            {
                *t = done.to_string();
            }
        }
        KeyCode::Enter => {
            let prompt = state.prompt.take();
            match prompt {
                Some(Prompt::Filter(t)) => set_filter(state, t),
                Some(Prompt::Command(t)) => return run_command(state, &t),
                None => {}
            }
        }
        KeyCode::Char(c) if !mods.contains(KeyModifiers::CONTROL) => {
            text.push(c);
            // The filter applies as you type, like k9s.
            if let Some(Prompt::Filter(t)) = &state.prompt {
                set_filter(state, t.clone());
            }
        }
        _ => {}
    }
    Vec::new()
}

fn set_filter(state: &mut State, filter: String) {
    if let Some(f) = state.filters.last_mut() {
        *f = filter;
    }
    state.apps_cursor = Default::default();
    state.waves_cursor = Default::default();
}

fn run_command(state: &mut State, input: &str) -> Vec<Command> {
    match resolve_command(input) {
        Some("clusters") => act(state, Action::ShowClusters),
        Some("apps") => act(state, Action::ShowApps),
        Some("help") => act(state, Action::Help),
        Some("quit") => act(state, Action::Quit),
        _ => {
            state.notice = Some(format!(
                "unknown command {:?} — try :clusters or :apps",
                input.trim()
            ));
            Vec::new()
        }
    }
}

/// Replace the whole view stack with one root view.
fn switch_root(state: &mut State, screen: Screen) -> Vec<Command> {
    let leaving_detail = state
        .stack
        .iter()
        .any(|s| matches!(s, Screen::SyncWaves(_)));
    state.stack = vec![screen];
    state.filters = vec![String::new()];
    if leaving_detail {
        vec![Command::StopAppDetail]
    } else {
        Vec::new()
    }
}

fn rows_in_view(state: &State) -> usize {
    match state.screen() {
        Screen::Apps => visible_apps(state).len(),
        Screen::SyncWaves(_) => super::super::views::syncwaves::row_count(state),
        Screen::Clusters => 0,
    }
}

fn move_cursor(state: &mut State, delta: isize) {
    let len = rows_in_view(state);
    match state.screen() {
        Screen::Clusters => {
            state.tree.select_relative(|current| {
                current.map_or(0, |c| (c as isize + delta).max(0) as usize)
            });
        }
        Screen::Apps => state.apps_cursor.move_by(delta, len),
        Screen::SyncWaves(_) => state.waves_cursor.move_by(delta, len),
    }
}

fn act(state: &mut State, action: Action) -> Vec<Command> {
    let page = state.page_rows.max(1) as isize;
    match action {
        Action::Quit => state.quit = true,
        Action::Help => state.show_help = !state.show_help,
        Action::CommandLine => state.prompt = Some(Prompt::Command(String::new())),
        Action::Filter => state.prompt = Some(Prompt::Filter(state.filter().to_string())),
        Action::Up => move_cursor(state, -1),
        Action::Down => move_cursor(state, 1),
        Action::PageUp => move_cursor(state, -page),
        Action::PageDown => move_cursor(state, page),
        Action::Top => match state.screen() {
            Screen::Clusters => {
                state.tree.select_first();
            }
            _ => move_cursor(state, isize::MIN / 2),
        },
        Action::Bottom => match state.screen() {
            Screen::Clusters => {
                state.tree.select_last();
            }
            _ => move_cursor(state, isize::MAX / 2),
        },
        Action::Expand => {
            state.tree.toggle_selected();
        }
        Action::Collapse => {
            state.tree.key_left();
        }
        Action::ExpandAll => {
            let mut ids = Vec::new();
            branch_ids(&cluster_tree(&state.capi()), &mut Vec::new(), &mut ids);
            for id in ids {
                state.tree.open(id);
            }
        }
        Action::CollapseAll => {
            state.tree.close_all();
        }
        Action::Enter => {
            if let Screen::Apps = state.screen() {
                let selected = visible_apps(state)
                    .get(state.apps_cursor.selected)
                    .map(|a| a.key.clone());
                if let Some(key) = selected {
                    state.stack.push(Screen::SyncWaves(key.clone()));
                    state.filters.push(String::new());
                    state.app_detail = Default::default();
                    state.waves_cursor = Default::default();
                    return vec![Command::WatchAppDetail(key)];
                }
            }
        }
        Action::Back => {
            if !state.filter().is_empty() {
                set_filter(state, String::new());
            } else if state.stack.len() > 1 {
                let left = state.stack.pop();
                state.filters.pop();
                if let Some(Screen::SyncWaves(_)) = left {
                    state.app_detail = Default::default();
                    return vec![Command::StopAppDetail];
                }
            }
        }
        Action::ShowClusters => return switch_root(state, Screen::Clusters),
        Action::ShowApps => return switch_root(state, Screen::Apps),
    }
    Vec::new()
}
