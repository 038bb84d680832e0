//! What a key can ask for. Keymap files name these by their `run` string.

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
    Enter,
    Back,
    Expand,
    Collapse,
    ExpandAll,
    CollapseAll,
    ShowClusters,
    ShowApps,
    ShowTalos,
    ShowSecrets,
    ShowVms,
    ShowHosts,
    ShowOps,
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

/// Every action with its `run` name, in help order.
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
    (Action::Enter, "enter"),
    (Action::Back, "back"),
    (Action::Expand, "expand"),
    (Action::Collapse, "collapse"),
    (Action::ExpandAll, "expand_all"),
    (Action::CollapseAll, "collapse_all"),
    (Action::ShowClusters, "view_clusters"),
    (Action::ShowApps, "view_apps"),
    (Action::ShowTalos, "view_talos"),
    (Action::ShowSecrets, "view_secrets"),
    (Action::ShowVms, "view_vms"),
    (Action::ShowHosts, "view_hosts"),
    (Action::ShowOps, "view_ops"),
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

impl Action {
    pub fn parse(name: &str) -> Option<Action> {
        ALL.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }

    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }
}
