//! The Talos node inspector: services, metrics over time, a followed service log, the kernel
//! log, and etcd — all over the Machine API, no SSH.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::chrome::{Sources, pane};
use super::followed::{self, Followed};
use super::table;
use crate::app::domains::InspectorTab;
use crate::app::layout::INSPECTOR_HEAD_ROWS;
use crate::app::state::State;
use crate::app::tables;
use crate::app::tables::{machine_of, role};
use crate::model::store::ObjRef;
use crate::model::talos::TalosNodeRow;
use crate::model::text::age_opt;

fn tab_bar(state: &State) -> Line<'static> {
    let theme = &state.theme;
    let mut spans = vec![Span::raw(" ")];
    for tab in InspectorTab::ALL {
        let style = if tab == state.talos.inspector.tab {
            theme.style("row.selected")
        } else {
            theme.style("hint")
        };
        spans.push(Span::styled(format!(" {} ", tab.title()), style));
        spans.push(Span::raw(" "));
    }
    if let Some(key) = state
        .keymap
        .key_for(state.screen().scope(), crate::app::action::Action::NextTab)
    {
        spans.push(Span::styled(
            format!("  {} next tab", key.display()),
            theme.style("hint"),
        ));
    }
    Line::from(spans)
}

fn summary(state: &State, node: &TalosNodeRow) -> Line<'static> {
    let theme = &state.theme;
    let k8s = machine_of(state, node)
        .map(|m| m.version.clone())
        .unwrap_or_else(|| "-".into());
    let mut spans = vec![
        Span::raw(format!(
            " {} ",
            node.hostname
                .clone()
                .unwrap_or_else(|| node.key.name.to_string())
        )),
        Span::styled(
            format!("{} · {} ", node.key.cluster, role(state, node)),
            theme.style("dim"),
        ),
        Span::raw(format!(
            " Talos {}  Kubernetes {k8s}  up {}  mem {}  load {}",
            node.talos_version.as_deref().unwrap_or("-"),
            age_opt(node.boot_time, state.now),
            node.memory_used_pct
                .map_or("-".into(), |m| format!("{m:.0}%")),
            node.load1.map_or("-".into(), |l| format!("{l:.2}")),
        )),
    ];
    if let Some(e) = &node.error {
        spans.push(Span::styled(
            format!("  {e}"),
            theme.style("status.degraded"),
        ));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let [head, body] =
        Layout::vertical([Constraint::Length(INSPECTOR_HEAD_ROWS), Constraint::Min(3)]).areas(area);
    let title = format!("Talos node — {}", key.name);
    {
        let block = pane(
            state,
            &title,
            state
                .talos
                .nodes
                .get(key)
                .and_then(|n| n.services.as_ref())
                .map_or(0, Vec::len),
            &Sources::of(&[state.talos.nodes.sources()]),
        );
        let inner = block.inner(head);
        frame.render_widget(block, head);
        let node_line = match state.talos.nodes.get(key) {
            Some(node) => summary(state, node),
            None => Line::from(" waiting for the first poll of this node…"),
        };
        frame.render_widget(Paragraph::new(vec![node_line, tab_bar(state)]), inner);
    }
    match state.talos.inspector.tab {
        InspectorTab::Services => services(frame, body, state),
        InspectorTab::Metrics => super::node_metrics::draw(frame, body, state, key),
        InspectorTab::Processes => node_table(
            frame,
            body,
            state,
            &tables::PROCESSES,
            &state
                .talos
                .inspector
                .processes
                .as_ref()
                .map(|r| r.as_ref().map(|_| ())),
            " busiest first · > < ~ sort (CPU%, MEM% …) · read every 2 s ",
        ),
        InspectorTab::Mounts => node_table(
            frame,
            body,
            state,
            &tables::MOUNTS,
            &state
                .talos
                .inspector
                .mounts
                .as_ref()
                .map(|r| r.as_ref().map(|_| ())),
            " machined's mounts · read every 2 s ",
        ),
        InspectorTab::Disks => node_table(
            frame,
            body,
            state,
            &tables::DISKS,
            &state
                .talos
                .inspector
                .disks
                .as_ref()
                .map(|r| r.as_ref().map(|_| ())),
            " StorageService.Disks · read every 2 s ",
        ),
        InspectorTab::Machine => super::node_machine::machine(frame, body, state, key),
        InspectorTab::Events => super::node_machine::events(frame, body, state, key),
        InspectorTab::Config => super::node_machine::config(frame, body, state),
        InspectorTab::Logs | InspectorTab::Dmesg => text(frame, body, state),
        InspectorTab::Etcd => etcd(frame, body, state, key),
    }
}

/// A node table tab: the rows, or that they are coming, or why they do not.
fn node_table(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    table: &tables::Table,
    read: &Option<Result<(), &String>>,
    title: &str,
) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(title.to_string(), theme.style("hint")));
    let empty = match read {
        None => "reading…".to_string(),
        Some(Err(e)) => e.to_string(),
        Some(Ok(())) => "nothing reported".to_string(),
    };
    table::draw(frame, area, block, state, table, &empty);
}

fn services(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            " Enter: follow the service's log ",
            theme.style("hint"),
        ));
    table::draw(
        frame,
        area,
        block,
        state,
        &tables::SERVICES,
        "waiting for the node's services…",
    );
}

fn text(frame: &mut Frame, area: Rect, state: &State) {
    let ins = &state.talos.inspector;
    let text = Followed {
        title: state.text_source().map(|s| s.title()).unwrap_or_default(),
        hints: String::new(),
        lines: ins.text.lines().collect(),
        scroll_back: ins.scroll_back,
        closing: ins.text_error.clone().map(|e| (e, "status.degraded")),
        waiting: "waiting for the stream…",
        wrap: false,
    };
    followed::draw(frame, area, &state.theme, text);
}

fn etcd(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let theme = &state.theme;
    let Some(view) = state.talos.nodes.get(key).and_then(|n| n.etcd.as_ref()) else {
        let block = Block::bordered().border_style(theme.style("border"));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        table::empty_message(
            frame,
            inner,
            "no etcd on this node (workers do not run etcd)",
            theme,
        );
        return;
    };
    let title = format!(
        " {} · this member {:x} · db {:.1} MiB · raft index {}{} ",
        view.summary(),
        view.member_id,
        view.db_size as f64 / 1024.0 / 1024.0,
        view.raft_index,
        if view.errors.is_empty() {
            String::new()
        } else {
            format!(" · alarms: {}", view.errors.join(", "))
        }
    );
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(title, theme.style("title")));
    table::draw(
        frame,
        area,
        block,
        state,
        &tables::ETCD_MEMBERS,
        "no members reported",
    );
}
