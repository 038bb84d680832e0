//! Copying to the clipboard: an object fetched to be copied becomes its masked YAML, and what
//! the clipboard said becomes the footer's notice (with the OSC 52 sequence, when the terminal
//! is the clipboard, queued for the loop to write).

use super::msg::Command;
use super::state::State;
use crate::clients::clipboard::Copied;
use crate::clients::error::ClientError;
use crate::model::yaml::ObjectRef;

/// The object to copy arrived (or could not be read).
pub fn on_object(
    state: &mut State,
    target: ObjectRef,
    result: Result<serde_json::Value, ClientError>,
) -> Vec<Command> {
    match result {
        Ok(object) => {
            let text = crate::model::yaml::yaml_lines(&object, false).join("\n");
            let what = format!("the YAML of {} {}", target.kind, target.key.name);
            vec![Command::Copy { what, text }]
        }
        Err(e) => {
            state.notice = Some(format!("could not copy {}: {e}", target.key.name));
            Vec::new()
        }
    }
}

/// The clipboard took it: say how.
pub fn on_copied(state: &mut State, what: String, result: Copied) {
    state.notice = Some(match result {
        Copied::System => format!("copied {what} to the clipboard"),
        Copied::Osc52(sequence) => {
            state.terminal_output.push(sequence);
            format!("copied {what} through the terminal (OSC 52: no system clipboard here)")
        }
    });
}
