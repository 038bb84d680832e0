//! Reading what the cockpit shows and wrote: lines of a rendered frame, the rows of a table
//! as shown, the audit log.

use opsdeck::app::state::State;
use opsdeck::app::tables::{self, Table};

use super::Cockpit;

/// The table row whose first cell is `name`.
pub fn row<'a>(frame: &'a str, name: &str) -> &'a str {
    frame
        .lines()
        .find(|l| l.trim_start_matches('│').starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no row {name:?} in frame:\n{frame}"))
}

/// The frame's last line: the footer.
pub fn footer(frame: &str) -> &str {
    frame.lines().last().unwrap_or_default()
}

/// The line of a frame that contains `needle`.
pub fn line_with<'a>(frame: &'a str, needle: &str) -> &'a str {
    frame
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in frame:\n{frame}"))
}

/// The name of the object under the cursor of the table on screen.
pub fn selected_name(state: &State) -> Option<String> {
    let table = tables::on_screen(state)?;
    tables::selected(state, table).map(|k| k.name.to_string())
}

/// The names of a table's rows as shown (filtered and sorted), in order.
pub fn shown_names(state: &State, table: &Table) -> Vec<String> {
    tables::shown(state, table)
        .iter()
        .map(|r| r.key.name.to_string())
        .collect()
}

/// The position of a named row in a table as shown.
pub fn position_of(state: &State, table: &Table, name: &str) -> usize {
    shown_names(state, table)
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no row {name:?} in {:?}", table.id))
}

/// The audit log's outcome lines (each action's line written before it was sent is left
/// out: `audit_log` has every line).
pub fn audit_lines(c: &Cockpit) -> Vec<serde_json::Value> {
    audit_log(c)
        .into_iter()
        .filter(|l| l["result"].get("pending").is_none())
        .collect()
}

/// Every line of the audit log, in order.
pub fn audit_log(c: &Cockpit) -> Vec<serde_json::Value> {
    std::fs::read_to_string(&c.audit)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("audit lines are JSON"))
        .collect()
}
