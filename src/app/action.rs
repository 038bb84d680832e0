//! What a key can ask for. Keymap files name these by their `run` string.

use super::domains::InspectorTab;
use super::ids::PaneId;

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
    /// Show one of the node inspector's tabs.
    Tab(InspectorTab),
    ServiceRestart,
    RebootNode,
    EtcdSnapshot,
    EtcdDefragment,
    EtcdAlarmDisarm,
    EtcdForfeitLeadership,
    Yaml,
    CopyName,
    CopyYaml,
    Events,
    RevealSecrets,
    /// Delete the object under the cursor (the kind browser).
    Delete,
    /// The kind browser on nodes: no new pods on the node, or again.
    Cordon,
    Uncordon,
    /// The object under the cursor as `kubectl describe` prints it.
    Describe,
    /// A pod's log; in the log view, the next container, the previous run, timestamps.
    Logs,
    LogContainer,
    LogPrevious,
    LogTimestamps,
    LogWrap,
    /// In YAML and describe: the next or previous line with the `/` term.
    NextMatch,
    PrevMatch,
    /// A workload's pods replaced by a new revision (`kubectl rollout restart`).
    Restart,
    /// A node cordoned and its pods evicted (`kubectl drain`).
    Drain,
    /// The kind browser: narrow to a namespace (or all).
    PickNamespace,
    /// The chain of the Machine behind the row (`:trace`).
    Trace,
    /// To the layer below / above the row's, in its own pane.
    LayerDown,
    LayerUp,
    /// A `:` command line bound to a key (`run = ":pods kube-system"`): the keymap's
    /// `command(i)` says which.
    RunCommand(u16),
}

/// The `run` name prefix of `Show`: `view_` and the pane's keymap section.
pub const SHOW_PREFIX: &str = "view_";

impl Action {
    /// The action a `run` name names, but `Show`: which `view_<section>` exist is the
    /// keymap's to know.
    pub fn parse(name: &str) -> Option<Action> {
        ALL.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }

    pub fn name(self) -> String {
        match self {
            Action::Show(id) => format!("{SHOW_PREFIX}{}", id.section()),
            Action::RunCommand(_) => "run_command".to_string(),
            other => ALL
                .iter()
                .find(|(a, _)| *a == other)
                .map_or("?", |(_, n)| *n)
                .to_string(),
        }
    }
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
    (Action::Tab(InspectorTab::Services), "tab_services"),
    (Action::Tab(InspectorTab::Metrics), "tab_metrics"),
    (Action::Tab(InspectorTab::Processes), "tab_processes"),
    (Action::Tab(InspectorTab::Mounts), "tab_mounts"),
    (Action::Tab(InspectorTab::Disks), "tab_disks"),
    (Action::Tab(InspectorTab::Machine), "tab_machine"),
    (Action::Tab(InspectorTab::Events), "tab_events"),
    (Action::Tab(InspectorTab::Config), "tab_config"),
    (Action::ServiceRestart, "service_restart"),
    (Action::RebootNode, "reboot_node"),
    (Action::EtcdSnapshot, "etcd_snapshot"),
    (Action::EtcdDefragment, "etcd_defragment"),
    (Action::EtcdAlarmDisarm, "etcd_alarm_disarm"),
    (Action::EtcdForfeitLeadership, "etcd_forfeit_leadership"),
    (Action::Tab(InspectorTab::Logs), "tab_logs"),
    (Action::Tab(InspectorTab::Dmesg), "tab_dmesg"),
    (Action::Tab(InspectorTab::Etcd), "tab_etcd"),
    (Action::Yaml, "yaml"),
    (Action::CopyName, "copy_name"),
    (Action::CopyYaml, "copy_yaml"),
    (Action::Events, "events"),
    (Action::RevealSecrets, "reveal_secrets"),
    (Action::Delete, "delete"),
    (Action::Cordon, "cordon"),
    (Action::Uncordon, "uncordon"),
    (Action::Describe, "describe"),
    (Action::Logs, "logs"),
    (Action::LogContainer, "log_container"),
    (Action::LogPrevious, "log_previous"),
    (Action::LogTimestamps, "log_timestamps"),
    (Action::LogWrap, "log_wrap"),
    (Action::NextMatch, "next_match"),
    (Action::PrevMatch, "prev_match"),
    (Action::Restart, "restart"),
    (Action::Drain, "drain"),
    (Action::PickNamespace, "namespace"),
    (Action::Trace, "trace"),
    (Action::LayerDown, "layer_down"),
    (Action::LayerUp, "layer_up"),
];
