//! `:hosts` — bare-metal hosts: Hardware name, MAC/IP, netboot allowPXE/allowWorkflow, disks,
//! the latest Workflow's state and current action, BMC power and reachability, and the
//! Harvester node the machine became.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table::{self, col};
use crate::app::state::{State, bmc_of, latest_workflow, node_of, visible_hardware};

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let columns = [
        col("HOST", Constraint::Length(8)),
        col("MAC", Constraint::Length(18)),
        col("IP", Constraint::Length(11)),
        col("PXE", Constraint::Length(4)),
        col("WF OK", Constraint::Length(6)),
        col("DISKS", Constraint::Length(26)),
        col("WORKFLOW", Constraint::Length(9)),
        col("ACTION", Constraint::Length(23)),
        col("POWER", Constraint::Length(8)),
        col("BMC", Constraint::Length(24)),
        col("HARVESTER NODE", Constraint::Min(16)),
    ];
    let mut cursor = state.hosts_cursor;
    {
        let state: &State = state;
        let theme = &state.theme;
        let rows = visible_hardware(state);
        // With more than one management cluster, each row says which one it is in.
        let several = state.hardware.sources().len() > 1;
        let sources = Sources::of(&[
            state.hardware.sources(),
            state.workflows.sources(),
            state.bmcs.sources(),
        ]);
        let source = sources.worst.clone();
        let block = pane(state, "Bare-metal hosts", rows.len(), &sources);
        let inner = block.inner(area);
        let spec = table::Spec {
            block,
            columns: &columns,
            len: rows.len(),
        };
        table::draw(frame, area, spec, &mut cursor, theme, |i| {
            let h = rows[i];
            let wf = latest_workflow(state, h);
            let bmc = bmc_of(state, h);
            let wf_state = wf.map_or("-".to_string(), |w| w.state.clone());
            let wf_style = theme.status(match wf_state.as_str() {
                "SUCCESS" => "Succeeded",
                "RUNNING" | "PENDING" | "PREPARING" | "POST" => "Progressing",
                "FAILED" | "TIMEOUT" => "Failed",
                _ => "",
            });
            let (bmc_text, bmc_style) = match bmc {
                Some(b) if b.contactable == Some(false) => (
                    format!("unreachable {}", b.address),
                    theme.style("status.degraded"),
                ),
                Some(b) => (format!("ok {}", b.address), theme.style("status.ok")),
                None => ("no BMC".to_string(), theme.style("dim")),
            };
            let node = match node_of(state, h) {
                Some(n) if n.maintenance.is_some() => format!("{} (maintenance)", n.key.name),
                Some(n) => format!("{} {}", n.key.name, n.ready.status_word()),
                None => "-".into(),
            };
            Row::new(vec![
                Cell::from(if several {
                    format!("{} @{}", h.key.name, h.key.cluster)
                } else {
                    h.key.name.clone()
                }),
                Cell::from(h.mac.clone()),
                Cell::from(h.ip.clone()),
                Cell::from(yes_no(h.allow_pxe)),
                Cell::from(yes_no(h.allow_workflow)),
                Cell::from(h.disks.join(",")),
                Cell::from(Span::styled(wf_state, wf_style)),
                Cell::from(wf.map_or("-".to_string(), |w| w.action.clone())),
                Cell::from(Span::styled(
                    bmc.map_or("-".into(), |b| b.power.clone()),
                    theme.status(match bmc.map(|b| b.power.as_str()) {
                        Some("on") => "Running",
                        Some("off") => "Paused",
                        _ => "",
                    }),
                )),
                Cell::from(Span::styled(bmc_text, bmc_style)),
                Cell::from(node),
            ])
        });
        if rows.is_empty() {
            let text = source_notice(&source).unwrap_or_else(|| "no hosts match".into());
            table::empty_message(frame, inner, &text, theme);
        }
    }
    state.hosts_cursor = cursor;
}
