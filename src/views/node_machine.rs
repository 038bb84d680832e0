//! The node inspector's Machine, Events and Config tabs: what the node says of itself over the
//! resource API and its event stream (`talosctl get machinestatus / members / addresses`,
//! `talosctl events`, `talosctl get machineconfig` with the secrets taken out).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::table;
use crate::app::state::State;
use crate::app::tables;
use crate::model::store::ObjRef;

/// Stage, readiness and what it waits for; the address sets; the members it knows.
pub fn machine(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let theme = &state.theme;
    let node = state.talos.machine.get(key);
    let mut lines = Vec::new();
    match node.and_then(|n| n.status.as_ref()) {
        None => lines.push(Line::from(" machine status: waiting for the node…")),
        Some(Err(e)) => lines.push(Line::from(vec![
            Span::raw(" machine status: "),
            Span::styled(e.clone(), theme.style("status.degraded")),
        ])),
        Some(Ok(s)) => {
            let (ready, style) = if s.ready {
                ("ready", "status.ok")
            } else {
                ("not ready", "status.degraded")
            };
            lines.push(Line::from(vec![
                Span::raw(" stage "),
                Span::styled(s.stage.clone(), theme.style("title")),
                Span::raw("  "),
                Span::styled(ready, theme.style(style)),
            ]));
            for (name, reason) in &s.unmet {
                lines.push(Line::from(vec![
                    Span::raw("   waiting for "),
                    Span::styled(name.clone(), theme.style("status.degraded")),
                    Span::raw(format!(": {reason}")),
                ]));
            }
        }
    }
    match &state.talos.inspector.details {
        None => lines.push(Line::from(" addresses: reading…")),
        Some(Err(e)) => lines.push(Line::from(vec![
            Span::raw(" addresses and members: "),
            Span::styled(e.clone(), theme.style("status.degraded")),
        ])),
        Some(Ok(d)) => {
            // The preferred address first, then the wider sets, as Talos lists them.
            let order = ["default", "current", "routed", "accumulative"];
            let rank = |set: &str| order.iter().position(|o| *o == set).unwrap_or(order.len());
            let mut sets: Vec<_> = d.addresses.iter().collect();
            sets.sort_by_key(|(set, _)| (rank(set), set.as_str()));
            for (set, addresses) in sets {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {set:<13}"), theme.style("dim")),
                    Span::raw(addresses.join("  ")),
                ]));
            }
        }
    }
    let head_rows = (lines.len() as u16 + 2).min(area.height.saturating_sub(4));
    let [head, members] =
        Layout::vertical([Constraint::Length(head_rows), Constraint::Min(3)]).areas(area);
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            " MachineStatus · NodeAddresses (watched) ",
            theme.style("hint"),
        ));
    frame.render_widget(Paragraph::new(lines).block(block), head);
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            " cluster members this node knows (discovery) ",
            theme.style("hint"),
        ));
    let empty = match &state.talos.inspector.details {
        Some(Ok(_)) => "no members: cluster discovery is off",
        _ => "reading…",
    };
    table::draw(frame, members, block, state, &tables::MEMBERS, empty);
}

/// The node's own events, newest first.
pub fn events(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let theme = &state.theme;
    let node = state.talos.machine.get(key);
    let mut block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            " MachineService.Events · newest first ",
            theme.style("hint"),
        ));
    // Why the stream is down goes along the bottom edge, where it has the whole width.
    if let Some(why) = node.and_then(|n| n.events.problem.as_ref()) {
        block = block.title_bottom(Span::styled(
            format!(" stream stopped, reopening: {why} "),
            theme.style("status.degraded"),
        ));
    }
    table::draw(
        frame,
        area,
        block,
        state,
        &tables::NODE_EVENTS,
        "waiting for the node's events…",
    );
}

/// The machine config, secrets redacted, read from its top.
pub fn config(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let ins = &state.talos.inspector;
    let lines: Vec<&String> = ins.text.lines().collect();
    let block = Block::bordered().border_style(theme.style("border"));
    let inner = block.inner(area);
    let height = inner.height as usize;
    let top = ins.config_top.min(lines.len().saturating_sub(height));
    let title = if lines.is_empty() {
        " machine config (v1alpha1) ".to_string()
    } else {
        format!(
            " machine config (v1alpha1) · secrets redacted · lines {}–{} of {} ",
            top + 1,
            (top + height).min(lines.len()),
            lines.len()
        )
    };
    let block = block.title(Span::styled(title, theme.style("title")));
    frame.render_widget(block, area);
    if let Some(e) = &ins.config_error {
        return table::empty_message(frame, inner, e, theme);
    }
    if lines.is_empty() {
        return table::empty_message(frame, inner, "reading…", theme);
    }
    let shown: Vec<Line> = lines
        .iter()
        .skip(top)
        .take(height)
        .map(|l| {
            if l.contains(crate::model::talos_machine::REDACTED) {
                Line::from(Span::styled(l.to_string(), theme.style("dim")))
            } else {
                Line::from(l.as_str())
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown), inner);
}
