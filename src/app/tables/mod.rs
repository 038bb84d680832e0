//! Every tabular pane as data: its columns and how the live rows become cells. The shared
//! table view draws them; `update` moves the cursor over the same rows, so what is highlighted
//! is what an action targets.

mod apps;
mod attention;
mod browse;
pub mod clusters;
mod drift;
mod etcd;
mod hosts;
mod node_machine;
mod node_tables;
mod ops;
mod pick;
mod secrets;
mod services;
mod talos;
pub mod timeline;
pub mod trace;
mod vms;
pub mod waves;

use jiff::Timestamp;

use super::domains::InspectorTab;
use super::state::{Matcher, Screen, ShownMemo, State};
use super::table::{Columns, Rows, TableId, Use};
use crate::model::shown::Shown;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, TableRow, sort_rows};
use crate::model::text::age_opt;

pub use self::attention::selected as attention_selected;
pub use self::drift::index as drift_index;
pub use self::talos::{machine_of, role};
pub use self::vms::harvester_hosts_height;

/// A table whose rows come from the cockpit's `State`.
pub type Table = super::table::Table<State>;

pub const APPS: Table = Table::list(TableId::APPS, apps::COLUMNS, apps::rows);
pub const TALOS: Table = Table::list(TableId::TALOS, talos::COLUMNS, talos::rows);
pub const SECRETS: Table = Table::list(TableId::SECRETS, secrets::COLUMNS, secrets::rows);
pub const VMS: Table = Table::list(TableId::VMS, vms::COLUMNS, vms::rows);
pub const HOSTS: Table = Table::list(TableId::HOSTS, hosts::COLUMNS, hosts::rows);
pub const OPS: Table = Table::list(TableId::OPS, ops::COLUMNS, ops::rows);
pub const SERVICES: Table = Table::list(TableId::SERVICES, services::COLUMNS, services::rows);
pub const PROCESSES: Table = Table::list(
    TableId::PROCESSES,
    node_tables::PROCESS_COLUMNS,
    node_tables::process_rows,
);
pub const DISKS: Table = Table::list(
    TableId::DISKS,
    node_tables::DISK_COLUMNS,
    node_tables::disk_rows,
);
pub const MOUNTS: Table = Table::list(
    TableId::MOUNTS,
    node_tables::MOUNT_COLUMNS,
    node_tables::mount_rows,
);
pub const NODE_EVENTS: Table = Table::list(
    TableId::NODE_EVENTS,
    node_machine::EVENT_COLUMNS,
    node_machine::event_rows,
);
pub const MEMBERS: Table = Table {
    used_as: Use::Context,
    ..Table::list(
        TableId::MEMBERS,
        node_machine::MEMBER_COLUMNS,
        node_machine::member_rows,
    )
};
pub const HARVESTER_HOSTS: Table = Table {
    used_as: Use::Context,
    ..Table::list(TableId::HARVESTER_HOSTS, vms::HOST_COLUMNS, vms::host_rows)
};
pub const ETCD_MEMBERS: Table = Table {
    used_as: Use::Context,
    ..Table::list(TableId::ETCD_MEMBERS, etcd::COLUMNS, etcd::rows)
};
pub const WAVES: Table = Table {
    used_as: Use::Ordered,
    ..Table::list(TableId::WAVES, waves::COLUMNS, waves::rows)
};
pub const ATTENTION: Table = Table {
    used_as: Use::Ordered,
    ..Table::list(TableId::ATTENTION, attention::COLUMNS, attention::rows)
};
pub const DRIFT: Table = Table::list(TableId::DRIFT, drift::COLUMNS, drift::rows);
pub const TIMELINE: Table = Table::list(TableId::TIMELINE, timeline::COLUMNS, timeline::rows);
pub const TRACE: Table = Table {
    used_as: Use::Ordered,
    ..Table::list(TableId::TRACE, trace::COLUMNS, trace::rows)
};
pub const BROWSE: Table = Table {
    id: TableId::BROWSE,
    columns: Columns::FromState(browse::columns),
    rows: Rows::Kept(browse::kept),
    used_as: Use::List,
};

/// The table the cursor keys move on this screen, if it is one: the pane's table, or the
/// inspector's services.
pub fn on_screen(state: &State) -> Option<&'static Table> {
    match state.screen() {
        Screen::TalosNode(_) => match state.talos.inspector.tab {
            InspectorTab::Services => Some(&SERVICES),
            InspectorTab::Processes => Some(&PROCESSES),
            InspectorTab::Mounts => Some(&MOUNTS),
            InspectorTab::Disks => Some(&DISKS),
            InspectorTab::Events => Some(&NODE_EVENTS),
            _ => None,
        },
        screen => state.panes.get(screen.pane()).and_then(|p| p.table),
    }
}

/// The rows as shown: filtered, then sorted when a sort is chosen. Built once per generation
/// of the state, however many times a frame and the keys ask.
pub fn shown(state: &State, table: &Table) -> Shown {
    if let Some(memo) = state.shown_memo.borrow().as_ref()
        && memo.generation == state.generation
        && memo.table == table.id
    {
        return memo.rows.clone();
    }
    // The last generation's rows go first: kept rows are patched in place only while nobody
    // else holds them, and two copies of 60,000 built rows was most of the peak memory.
    let last = state.shown_memo.borrow_mut().take();
    let picked_before = last.filter(|m| m.table == table.id).and_then(|m| m.picked);
    let (rows, picked) = match table.rows {
        Rows::Built(build) => (Shown::new(build_shown(state, table, build)), None),
        Rows::Kept(kept) => {
            let kept = kept(state);
            let picked = pick::pick(state, table, &kept, picked_before);
            let rows = Shown::picked(
                kept.rows().clone(),
                picked.order.clone(),
                kept.widths().clone(),
            );
            (rows, Some(picked))
        }
    };
    *state.shown_memo.borrow_mut() = Some(ShownMemo {
        generation: state.generation,
        table: table.id,
        rows: rows.clone(),
        picked,
    });
    rows
}

fn build_shown(state: &State, table: &Table, build: fn(&State) -> Vec<TableRow>) -> Vec<TableRow> {
    let filter = state.filter();
    let mut rows = build(state);
    if table.sortable() && !filter.is_empty() {
        let matcher = Matcher::new(filter);
        let mut text = String::new();
        rows.retain(|r| {
            r.text_into(&mut text);
            matcher.matches(&text)
        });
    }
    if let Some(sort) = state
        .tables
        .view(table.id)
        .sort
        .filter(|_| table.sortable())
    {
        sort_rows(&mut rows, sort);
    }
    rows
}

/// The object under the cursor: what an action on this table targets.
pub fn selected(state: &State, table: &Table) -> Option<ObjRef> {
    let rows = shown(state, table);
    let at = state.tables.view(table.id).selected_index(&rows)?;
    rows.get(at).map(|r| r.key.clone())
}

/// A name, with the cluster it is in when rows come from several.
fn name_in(name: &str, cluster: &str, several: bool) -> String {
    if several {
        format!("{name} @{cluster}")
    } else {
        name.to_string()
    }
}

/// An age cell that sorts by the time, not the text.
fn age_cell(since: Option<Timestamp>, now: Timestamp) -> Cell {
    let cell = Cell::plain(age_opt(since, now));
    match since {
        Some(t) => cell.sorted_by(now.as_second() - t.as_second()),
        None => cell.sorted_by(-1),
    }
}

fn dash() -> String {
    "-".to_string()
}
