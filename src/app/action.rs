//! What a key can ask for. Keymap files name these by their `run` string.

use super::panes::{self, PaneId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    CommandLine,
    Filter,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    SortNext,
    SortPrev,
    SortReverse,
    Enter,
    Back,
    Expand,
    Collapse,
    ExpandAll,
    CollapseAll,
    /// Open a pane as the root of the view stack (`view_<section>` in keymap files).
    Show(PaneId),
    Sync,
    Refresh,
    HardRefresh,
    ForceSync,
    Scale,
    Terminate,
    VmStart,
    VmStop,
    VmRestart,
    VmMigrate,
    Mark,
    UpgradeKubernetes,
    UpgradeTalos,
    UpgradeTalosAll,
    PowerOn,
    PowerOff,
    PowerCycle,
    NextTab,
    PrevTab,
    TabServices,
    TabLogs,
    TabDmesg,
    TabEtcd,
}

/// Every action but `Show` with its `run` name, in help order.
pub const ALL: &[(Action, &str)] = &[
    (Action::Quit, "quit"),
    (Action::Help, "help"),
    (Action::CommandLine, "command"),
    (Action::Filter, "filter"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::Top, "top"),
    (Action::Bottom, "bottom"),
    (Action::PageUp, "page_up"),
    (Action::PageDown, "page_down"),
    (Action::SortNext, "sort_next"),
    (Action::SortPrev, "sort_prev"),
    (Action::SortReverse, "sort_reverse"),
    (Action::Enter, "enter"),
    (Action::Back, "back"),
    (Action::Expand, "expand"),
    (Action::Collapse, "collapse"),
    (Action::ExpandAll, "expand_all"),
    (Action::CollapseAll, "collapse_all"),
    (Action::Sync, "sync"),
    (Action::Refresh, "refresh"),
    (Action::HardRefresh, "hard_refresh"),
    (Action::ForceSync, "force_sync"),
    (Action::Scale, "scale"),
    (Action::Terminate, "terminate"),
    (Action::VmStart, "vm_start"),
    (Action::VmStop, "vm_stop"),
    (Action::VmRestart, "vm_restart"),
    (Action::VmMigrate, "vm_migrate"),
    (Action::Mark, "mark"),
    (Action::UpgradeKubernetes, "upgrade_kubernetes"),
    (Action::UpgradeTalos, "upgrade_talos"),
    (Action::UpgradeTalosAll, "upgrade_talos_all"),
    (Action::PowerOn, "power_on"),
    (Action::PowerOff, "power_off"),
    (Action::PowerCycle, "power_cycle"),
    (Action::NextTab, "next_tab"),
    (Action::PrevTab, "prev_tab"),
    (Action::TabServices, "tab_services"),
    (Action::TabLogs, "tab_logs"),
    (Action::TabDmesg, "tab_dmesg"),
    (Action::TabEtcd, "tab_etcd"),
];

/// The `run` name prefix of `Show`: `view_` and the pane's keymap section.
const SHOW_PREFIX: &str = "view_";

impl Action {
    pub fn parse(name: &str) -> Option<Action> {
        if let Some(section) = name.strip_prefix(SHOW_PREFIX) {
            return panes::by_section(section).map(|p| Action::Show(p.id));
        }
        ALL.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }

    pub fn name(self) -> String {
        match self {
            Action::Show(id) => format!("{SHOW_PREFIX}{}", id.pane().section),
            other => ALL
                .iter()
                .find(|(a, _)| *a == other)
                .map_or("?", |(_, n)| *n)
                .to_string(),
        }
    }

    /// Whether it changes the platform (and so needs a pane that offers it, a confirm, and
    /// is refused in read-only mode).
    pub fn is_mutating(self) -> bool {
        panes::PANES.iter().any(|p| p.actions.contains(&self))
    }
}
