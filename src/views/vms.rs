//! `:vms` — Harvester VMs and, below, the Harvester hosts (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::state::State;
use crate::app::tables::{self, TableId, harvester_hosts_height};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let [top, bottom] = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(harvester_hosts_height(state)),
    ])
    .areas(area);
    let rows = tables::shown(state, TableId::Vms);
    let sources = Sources::of(&[state.vms.sources(), state.vmis.sources()]);
    let block = pane(state, "Harvester VMs", rows.len(), &sources);
    let empty = source_notice(&sources.worst).unwrap_or_else(|| "no VMs match".into());
    table::draw_rows(frame, top, block, state, TableId::Vms, &rows, &empty);

    let theme = &state.theme;
    let hosts = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            format!(" Harvester hosts ({}) ", state.hosts.len()),
            theme.style("title"),
        ));
    table::draw(frame, bottom, hosts, state, TableId::HarvesterHosts, "");
}
