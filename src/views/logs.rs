//! A pod container's log: which pod and container, the run (current or previous), and the
//! lines as the filter leaves them.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::followed::{self, Followed};
use crate::app::logs::shown_lines;
use crate::app::state::State;
use crate::model::store::ObjRef;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let logs = &state.logs;
    let container = logs.reading.as_deref().unwrap_or("…");
    let run = if logs.ask.previous {
        " (previous run)"
    } else {
        ""
    };
    let filter = state.filter();
    let filtered = if filter.is_empty() {
        String::new()
    } else {
        format!(" /{filter}")
    };
    let mut hints = Vec::new();
    if logs.containers.len() > 1 {
        let at = logs
            .containers
            .iter()
            .position(|c| Some(c) == logs.reading.as_ref())
            .map_or(0, |i| i + 1);
        hints.push(format!("Tab: container {at} of {}", logs.containers.len()));
    }
    hints.push(format!(
        "p: {}",
        if logs.ask.previous {
            "current run"
        } else {
            "previous run"
        }
    ));
    hints.push(format!(
        "t: timestamps {}",
        if logs.ask.timestamps { "off" } else { "on" }
    ));
    hints.push(format!("w: wrap {}", if logs.wrap { "off" } else { "on" }));
    let closing = match (&logs.error, logs.ended) {
        (Some(e), _) => Some((e.clone(), "status.degraded")),
        (None, true) => Some(("end of log".to_string(), "dim")),
        (None, false) => None,
    };
    let text = Followed {
        title: format!(
            "logs {}/{} [{container}]{run} on {}{filtered}",
            key.namespace, key.name, key.cluster
        ),
        hints: hints.join(" · "),
        lines: shown_lines(state),
        scroll_back: logs.scroll_back,
        closing,
        waiting: "waiting for the log…",
        wrap: logs.wrap,
    };
    followed::draw(frame, area, &state.theme, text);
}
