//! How the screen is divided, in rows: the numbers `update` needs to page and scroll by what
//! fits, and the views draw with. Kept here, in one place, so the two always agree.

use super::domains::InspectorTab;
use super::ids::PaneId;
use super::state::{Screen, State};
use super::tables::harvester_hosts_height;

/// The header line and the footer line around the pane.
pub const CHROME_ROWS: u16 = 2;
/// The node inspector's head: frame, the node's summary line and the tab bar.
pub const INSPECTOR_HEAD_ROWS: u16 = 4;
/// A table's frame (two borders) and its column header.
const TABLE_FRAME_ROWS: u16 = 3;

/// Rows of the sync-wave view's summary: one more while resources are marked.
pub fn waves_summary_rows(state: &State) -> u16 {
    if state.argo.wave_marks.is_empty() {
        5
    } else {
        6
    }
}

/// Height of the pane area between header and footer.
pub fn pane_height(state: &State) -> u16 {
    state.viewport.1.saturating_sub(CHROME_ROWS)
}

/// Rows a page key moves on the current screen: the rows its list shows at once.
pub fn page_rows(state: &State) -> usize {
    let pane = pane_height(state);
    let list_area = match state.screen() {
        Screen::Pane(PaneId::VMS) => pane.saturating_sub(harvester_hosts_height(state)),
        Screen::SyncWaves(_) => pane.saturating_sub(waves_summary_rows(state)),
        Screen::TalosNode(_) => {
            let body = pane.saturating_sub(INSPECTOR_HEAD_ROWS);
            match state.talos.inspector.tab {
                InspectorTab::Services
                | InspectorTab::Processes
                | InspectorTab::Mounts
                | InspectorTab::Disks
                | InspectorTab::Events => body,
                // Text tabs have a frame but no column header.
                _ => body + 1,
            }
        }
        _ => pane,
    };
    list_area.saturating_sub(TABLE_FRAME_ROWS).max(1) as usize
}
