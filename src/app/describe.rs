//! `d` on a row: the object and its events fetched, described as `kubectl describe` prints
//! them (`model::describe`), scrolled.

use super::domains::TextView;
use super::msg::Command;
use super::navigation::push;
use super::state::{Screen, State};
use super::yaml;
use crate::clients::error::ClientError;
use crate::model::describe::describe;
use crate::model::yaml::ObjectRef;

/// Describe the object under the cursor, if the row is a Kubernetes object.
pub fn open(state: &mut State) -> Vec<Command> {
    let Some(target) = yaml::target(state) else {
        state.notice = Some(yaml::no_object(state));
        return Vec::new();
    };
    push(state, Screen::Describe(target.clone()));
    state.describe = TextView::default();
    vec![Command::Describe(target)]
}

/// The object and its events arrived: described, if the view still shows it. Events that
/// could not be read are said, not fatal.
pub fn on_described(
    state: &mut State,
    target: ObjectRef,
    object: Result<serde_json::Value, ClientError>,
    events: Result<serde_json::Value, ClientError>,
) {
    if state.screen() != &Screen::Describe(target) {
        return;
    }
    let lines = object.map_err(|e| e.to_string()).map(|object| {
        let items = match &events {
            Ok(list) => list["items"].as_array().cloned().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let mut lines = describe(&object, &items, state.now);
        if let Err(e) = events {
            lines.push(format!("  (events could not be read: {e})"));
        }
        lines
    });
    state.describe.lines = Some(lines);
}

pub fn scroll(state: &mut State, delta: isize) {
    let count = match &state.describe.lines {
        Some(Ok(lines)) => lines.len(),
        _ => 0,
    };
    let at = (state.describe.scroll as isize).saturating_add(delta);
    state.describe.scroll = at.clamp(0, count.saturating_sub(1) as isize) as usize;
}
