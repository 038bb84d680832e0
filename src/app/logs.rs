//! `l` on a pod: its container's log, followed, as `kubectl logs -f --tail` shows it; keys
//! switch the container, the previous run and timestamps, each by restarting the stream.

use super::domains::PodLogs;
use super::ids::PaneId;
use super::msg::Command;
use super::navigation::push;
use super::state::{Screen, State, filter_matches};
use super::tables;
use crate::clients::kube::logs::{LogAsk, LogReport};
use crate::model::store::ObjRef;

/// What the log view may change about the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogToggle {
    NextContainer,
    Previous,
    Timestamps,
}

/// Open the log of the pod under the cursor (the kind browser on pods).
pub fn open(state: &mut State) -> Vec<Command> {
    if state.screen() != &Screen::Pane(PaneId::BROWSE) || !state.browse.shows_core("Pod") {
        state.notice = Some("logs are a pod's: open :pods and pick one".into());
        return Vec::new();
    }
    let Some(key) = tables::selected(state, &tables::BROWSE) else {
        state.notice = Some("no pod selected".into());
        return Vec::new();
    };
    push(state, Screen::Logs(key.clone()));
    start(state, key, LogAsk::default())
}

/// A new stream for the pod: the old one's reports are ignored from here on.
fn start(state: &mut State, key: ObjRef, ask: LogAsk) -> Vec<Command> {
    state.actions.next_id += 1;
    let id = state.actions.next_id;
    let containers = std::mem::take(&mut state.logs.containers);
    state.logs = PodLogs {
        id,
        ask: ask.clone(),
        containers,
        wrap: state.logs.wrap,
        ..PodLogs::default()
    };
    vec![Command::StreamPodLog { id, key, ask }]
}

/// A report of the stream `id`, if it is still the one shown.
pub fn on_report(state: &mut State, id: u64, report: LogReport) {
    let logs = &mut state.logs;
    if id != logs.id {
        return;
    }
    match report {
        LogReport::Containers { names, reading } => {
            logs.containers = names;
            logs.reading = Some(reading);
        }
        LogReport::Text(text) => {
            // Scrolled back, the view stays on the same lines while new ones arrive: it moves
            // back by the new lines the filter shows.
            if logs.scroll_back == 0 {
                logs.text.push(&text);
                return;
            }
            let filter = state.filters.last().map_or("", String::as_str);
            let new = text.lines().filter(|l| filter_matches(filter, l)).count();
            let logs = &mut state.logs;
            logs.text.push(&text);
            logs.scroll_back += new;
        }
        LogReport::Ended => logs.ended = true,
        LogReport::Failed(e) => logs.error = Some(e.to_string()),
    }
}

/// Switch the container, the previous run or timestamps, and read again.
pub fn toggle(state: &mut State, what: LogToggle) -> Vec<Command> {
    let Screen::Logs(key) = state.screen().clone() else {
        return Vec::new();
    };
    let mut ask = state.logs.ask.clone();
    match what {
        LogToggle::Timestamps => ask.timestamps = !ask.timestamps,
        LogToggle::Previous => ask.previous = !ask.previous,
        LogToggle::NextContainer => {
            let names = &state.logs.containers;
            if names.len() < 2 {
                state.notice = Some("the pod has one container".into());
                return Vec::new();
            }
            let at = state
                .logs
                .reading
                .as_ref()
                .and_then(|r| names.iter().position(|n| n == r))
                .unwrap_or(0);
            ask.container = Some(names[(at + 1) % names.len()].clone());
        }
    }
    let container = ask.container.clone().or(state.logs.reading.clone());
    start(state, key, LogAsk { container, ..ask })
}

/// Scroll: `delta` lines towards the end (negative: back in time); the end follows again.
pub fn scroll(state: &mut State, delta: isize) {
    let len = shown_lines(state).len() as isize;
    let back = state.logs.scroll_back as isize - delta;
    state.logs.scroll_back = back.clamp(0, len) as usize;
}

/// The lines the view shows: all, or those the `/` filter keeps.
pub fn shown_lines(state: &State) -> Vec<&String> {
    let filter = state.filter();
    state
        .logs
        .text
        .lines()
        .filter(|l| filter_matches(filter, l))
        .collect()
}
