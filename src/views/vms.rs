//! `:vms` — Harvester VMs (printable status, run strategy, node, IPs, CPU/memory, image, age)
//! and, below, the Harvester hosts with their maintenance state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table::{self, col};
use crate::app::state::{State, TableCursor, image_of, visible_vms, vmi_of};
use crate::model::text::age_opt;

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let hosts_height = (state.hosts.len() as u16 + 3).clamp(4, 10);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(hosts_height)]).areas(area);
    let mut cursor = state.vms_cursor;
    vms(frame, top, state, &mut cursor);
    state.vms_cursor = cursor;
    hosts(frame, bottom, state);
}

fn vms(frame: &mut Frame, area: Rect, state: &State, cursor: &mut TableCursor) {
    let columns = [
        col("NAMESPACE", Constraint::Length(10)),
        col("NAME", Constraint::Length(27)),
        col("STATUS", Constraint::Length(13)),
        col("RUN STRATEGY", Constraint::Length(15)),
        col("NODE", Constraint::Length(7)),
        col("IP", Constraint::Length(15)),
        col("CPU", Constraint::Length(4)),
        col("MEMORY", Constraint::Length(7)),
        col("IMAGE", Constraint::Min(20)),
        col("AGE", Constraint::Length(5)),
    ];
    let theme = &state.theme;
    let rows = visible_vms(state);
    // With more than one Harvester cluster, each row says which one it is in.
    let several = state.vms.sources().len() > 1;
    let sources = Sources::of(&[state.vms.sources(), state.vmis.sources()]);
    let source = sources.worst.clone();
    let block = pane(state, "Harvester VMs", rows.len(), &sources);
    let inner = block.inner(area);
    let spec = table::Spec {
        block,
        columns: &columns,
        len: rows.len(),
    };
    table::draw(frame, area, spec, cursor, theme, |i| {
        let v = rows[i];
        let vmi = vmi_of(state, v);
        Row::new(vec![
            Cell::from(v.key.namespace.clone()),
            Cell::from(if several {
                format!("{} @{}", v.key.name, v.key.cluster)
            } else {
                v.key.name.clone()
            }),
            Cell::from(Span::styled(v.status.clone(), theme.status(&v.status))),
            Cell::from(v.run_strategy.clone()),
            Cell::from(vmi.map(|i| i.node.clone()).unwrap_or_else(|| "-".into())),
            Cell::from(
                vmi.and_then(|i| i.ips.first().cloned())
                    .unwrap_or_else(|| "-".into()),
            ),
            Cell::from(v.cpu.map_or("-".into(), |c| c.to_string())),
            Cell::from(v.memory.clone()),
            Cell::from(image_of(state, v)),
            Cell::from(age_opt(v.created, state.now)),
        ])
    });
    if rows.is_empty() {
        let text = source_notice(&source).unwrap_or_else(|| "no VMs match".into());
        table::empty_message(frame, inner, &text, theme);
    }
}

fn hosts(frame: &mut Frame, area: Rect, state: &State) {
    let columns = [
        col("HOST", Constraint::Length(16)),
        col("CLUSTER", Constraint::Length(20)),
        col("READY", Constraint::Length(7)),
        col("SCHEDULING", Constraint::Length(14)),
        col("MAINTENANCE", Constraint::Length(15)),
        col("VMS", Constraint::Length(5)),
        col("VERSION", Constraint::Min(10)),
    ];
    let theme = &state.theme;
    let hosts: Vec<_> = state.hosts.iter().collect();
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            format!(" Harvester hosts ({}) ", hosts.len()),
            theme.style("title"),
        ));
    let spec = table::Spec {
        block,
        columns: &columns,
        len: hosts.len(),
    };
    let mut cursor = TableCursor {
        selected: usize::MAX,
        offset: 0,
    };
    table::draw(frame, area, spec, &mut cursor, theme, |i| {
        let h = hosts[i];
        let vms = state
            .vmis
            .iter()
            .filter(|v| v.key.cluster == h.key.cluster && v.node == h.key.name)
            .count();
        let word = h.ready.status_word();
        let maintenance = match h.maintenance.as_deref() {
            Some("completed") => "in maintenance",
            Some("running") => "entering",
            _ => "-",
        };
        Row::new(vec![
            Cell::from(h.key.name.clone()),
            Cell::from(h.key.cluster.clone()),
            Cell::from(Span::styled(word, theme.status(word))),
            Cell::from(if h.unschedulable {
                "cordoned"
            } else {
                "schedulable"
            }),
            Cell::from(Span::styled(
                maintenance,
                theme.style(if maintenance == "-" {
                    "dim"
                } else {
                    "status.warning"
                }),
            )),
            Cell::from(vms.to_string()),
            Cell::from(format!("{} {}", h.os, h.version)),
        ])
    });
}
