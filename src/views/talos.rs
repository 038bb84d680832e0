//! `:talos` — Talos nodes from the Machine API: hostname, cluster, role, Talos and Kubernetes
//! versions, unhealthy services, memory, load, uptime, and etcd for control planes. Role and
//! Kubernetes version come from the node's CAPI Machine when there is one (the layers joined).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table::{self, col};
use crate::app::state::{State, visible_talos};
use crate::model::capi::MachineRow;
use crate::model::talos::TalosNodeRow;
use crate::model::text::age_opt;

/// The CAPI Machine whose Node is this Talos node.
pub fn machine_of<'a>(state: &'a State, node: &TalosNodeRow) -> Option<&'a MachineRow> {
    let name = node.hostname.as_deref().unwrap_or(&node.key.name);
    state
        .machines
        .iter()
        .find(|m| m.node == name || m.key.name == name)
}

pub fn role(state: &State, node: &TalosNodeRow) -> &'static str {
    match machine_of(state, node) {
        Some(m) if m.control_plane => "controlplane",
        Some(_) => "worker",
        None if node.is_control_plane() => "controlplane",
        None if node.services.is_some() => "worker",
        None => "-",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let columns = [
        col("NODE", Constraint::Length(27)),
        col("CLUSTER", Constraint::Length(8)),
        col("ROLE", Constraint::Length(12)),
        col("TALOS", Constraint::Length(8)),
        col("K8S", Constraint::Length(8)),
        col("UNHEALTHY", Constraint::Length(16)),
        col("MEM", Constraint::Length(5)),
        col("LOAD", Constraint::Length(5)),
        col("UPTIME", Constraint::Length(7)),
        col("ETCD", Constraint::Length(20)),
        col("STATUS", Constraint::Min(10)),
    ];
    let mut cursor = state.talos_cursor;
    {
        let state: &State = state;
        let theme = &state.theme;
        let rows = visible_talos(state);
        let sources = Sources::of(&[state.talos.sources()]);
        let block = pane(state, "Talos nodes", rows.len(), &sources);
        let inner = block.inner(area);
        let spec = table::Spec {
            block,
            columns: &columns,
            len: rows.len(),
        };
        table::draw(frame, area, spec, &mut cursor, theme, |i| {
            let n = rows[i];
            let unhealthy = n.unhealthy_services();
            let (status, status_style) = match &n.error {
                Some(e) if n.services.is_none() => (e.clone(), theme.style("status.degraded")),
                Some(e) => (format!("partial: {e}"), theme.style("status.warning")),
                None => ("Ready".to_string(), theme.style("status.ok")),
            };
            let dash = || "-".to_string();
            Row::new(vec![
                Cell::from(n.hostname.clone().unwrap_or_else(|| n.key.name.clone())),
                Cell::from(n.key.cluster.clone()),
                Cell::from(role(state, n)),
                Cell::from(n.talos_version.clone().unwrap_or_else(dash)),
                Cell::from(
                    machine_of(state, n)
                        .map(|m| m.version.clone())
                        .unwrap_or_else(dash),
                ),
                Cell::from(Span::styled(
                    if unhealthy.is_empty() {
                        dash()
                    } else {
                        unhealthy.join(",")
                    },
                    theme.style(if unhealthy.is_empty() {
                        "dim"
                    } else {
                        "status.degraded"
                    }),
                )),
                Cell::from(n.memory_used_pct.map_or_else(dash, |m| format!("{m:.0}%"))),
                Cell::from(n.load1.map_or_else(dash, |l| format!("{l:.2}"))),
                Cell::from(age_opt(n.boot_time, state.now)),
                Cell::from(n.etcd.as_ref().map_or_else(dash, |e| e.summary())),
                Cell::from(Span::styled(status, status_style)),
            ])
        });
        if rows.is_empty() {
            let text = source_notice(&state.talos.state())
                .unwrap_or_else(|| "no Talos nodes match".into());
            table::empty_message(frame, inner, &text, theme);
        }
    }
    state.talos_cursor = cursor;
}
