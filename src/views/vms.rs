//! `:vms` — Harvester VMs and, below, the Harvester hosts (columns and cells in `app::tables`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::Block;

use super::table;
use crate::app::panes;
use crate::app::state::State;
use crate::app::tables::{self, harvester_hosts_height};

pub fn draw(frame: &mut Frame, area: Rect, state: &State) {
    let [top, bottom] = Layout::vertical([
        Constraint::Min(5),
        Constraint::Length(harvester_hosts_height(state)),
    ])
    .areas(area);
    super::pane::draw(frame, top, state, &panes::VMS, &tables::VMS);

    let theme = &state.theme;
    let hosts = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            format!(" Harvester hosts ({}) ", state.harvester.hosts.len()),
            theme.style("title"),
        ));
    table::draw(frame, bottom, hosts, state, &tables::HARVESTER_HOSTS, "");
}
