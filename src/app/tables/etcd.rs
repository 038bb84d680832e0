//! The node inspector's Etcd tab: the members the node's etcd knows, with the leader marked.

use crate::app::state::{Screen, State};
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};

pub const COLUMNS: &[Column] = &[
    Column::new("MEMBER ID", 16),
    Column::new("HOSTNAME", 40).min(8),
    Column::new("ROLE", 8),
    Column::new("PEER URLS", 120).min(10).flex(),
];

pub fn rows(state: &State) -> Vec<TableRow> {
    let Screen::TalosNode(node) = state.screen() else {
        return Vec::new();
    };
    let Some(view) = state.talos.nodes.get(node).and_then(|n| n.etcd.as_ref()) else {
        return Vec::new();
    };
    view.members
        .iter()
        .map(|m| {
            let role = if m.id == view.leader {
                "leader"
            } else if m.learner {
                "learner"
            } else {
                "follower"
            };
            let id = format!("{:x}", m.id);
            TableRow::new(
                ObjRef::new("", id.clone()),
                vec![
                    Cell::plain(id),
                    Cell::plain(m.hostname.clone()),
                    Cell::plain(role),
                    Cell::plain(m.peer_urls.join(",")),
                ],
            )
        })
        .collect()
}
