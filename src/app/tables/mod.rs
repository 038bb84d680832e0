//! Every tabular pane as data: its columns and how the live rows become cells. The shared
//! table view draws them; `update` moves the cursor over the same rows, so what is highlighted
//! is what an action targets.

mod apps;
mod browse;
pub mod clusters;
mod etcd;
mod hosts;
mod ops;
mod secrets;
mod services;
mod talos;
mod vms;
pub mod waves;

use std::borrow::Cow;

use jiff::Timestamp;

use super::state::{State, filter_matches};
use super::table::TableId;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow, sort_rows};
use crate::model::text::age_opt;

pub use self::talos::{machine_of, role};
pub use self::vms::harvester_hosts_height;

/// A table's columns: fixed for the panes', the server's for the kind browser.
enum Columns {
    Fixed(&'static [Column]),
    FromState(fn(&State) -> Cow<'static, [Column]>),
}

/// A table as data: its columns, and every row in the pane's own order, before the filter.
type Projection = (Columns, fn(&State) -> Vec<TableRow>);

impl TableId {
    fn projection(self) -> Projection {
        use Columns::Fixed;
        match self {
            TableId::Apps => (Fixed(apps::COLUMNS), apps::rows),
            TableId::Talos => (Fixed(talos::COLUMNS), talos::rows),
            TableId::Secrets => (Fixed(secrets::COLUMNS), secrets::rows),
            TableId::Vms => (Fixed(vms::COLUMNS), vms::rows),
            TableId::HarvesterHosts => (Fixed(vms::HOST_COLUMNS), vms::host_rows),
            TableId::Hosts => (Fixed(hosts::COLUMNS), hosts::rows),
            TableId::Ops => (Fixed(ops::COLUMNS), ops::rows),
            TableId::Services => (Fixed(services::COLUMNS), services::rows),
            TableId::EtcdMembers => (Fixed(etcd::COLUMNS), etcd::rows),
            TableId::Waves => (Fixed(waves::COLUMNS), waves::rows),
            TableId::Browse => (Columns::FromState(browse::columns), browse::rows),
        }
    }

    pub fn columns(self, state: &State) -> Cow<'static, [Column]> {
        match self.projection().0 {
            Columns::Fixed(columns) => Cow::Borrowed(columns),
            Columns::FromState(columns) => columns(state),
        }
    }

    /// Whether it is the list the cursor and the `/` filter work on; the Harvester hosts under
    /// the VMs and the etcd members are context, not a list to act on.
    pub fn selectable(self) -> bool {
        !matches!(self, TableId::HarvesterHosts | TableId::EtcdMembers)
    }

    /// Whether `shown` applies the `/` filter to its rows (the sync-wave list filters its
    /// resources itself, keeping a wave while any of them match).
    fn filtered_here(self) -> bool {
        self.selectable() && self != TableId::Waves
    }

    /// Whether the rows may be re-ordered by a column (the sync-wave list is in run order).
    pub fn sortable(self) -> bool {
        self.selectable() && self != TableId::Waves
    }
}

/// The rows as shown: filtered, then sorted when a sort is chosen.
pub fn shown(state: &State, id: TableId) -> Vec<TableRow> {
    let filter = state.filter();
    let mut rows = (id.projection().1)(state);
    if id.filtered_here() && !filter.is_empty() {
        rows.retain(|r| filter_matches(filter, &r.text()));
    }
    if let Some(sort) = state.tables.view(id).sort.filter(|_| id.sortable()) {
        sort_rows(&mut rows, sort);
    }
    rows
}

/// The object under the cursor: what an action on this table targets.
pub fn selected(state: &State, id: TableId) -> Option<ObjRef> {
    let rows = shown(state, id);
    let at = state.tables.view(id).selected_index(&rows)?;
    rows.into_iter().nth(at).map(|r| r.key)
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
