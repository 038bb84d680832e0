//! The pane registry: every pane declared once. Screens, `:` commands and their completion,
//! number keys, keymap sections, help, the hint bar and which mutating actions a pane's rows
//! offer all come from this list.
//!
//! Adding a table pane: a projection in `app::tables` (columns + rows), one entry here, and
//! keymap entries for its own keys. A custom pane also adds a view in `views/`.

use super::action::{ALL, Action};
use super::ids::PaneId;
use super::table::TableId;

/// A store the watches (or the Talos poller) fill: what a pane's title reports the state of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Clusters,
    ControlPlanes,
    Deployments,
    Machines,
    Apps,
    AppDetail,
    TalosNodes,
    ExternalSecrets,
    SecretStores,
    ClusterSecretStores,
    Vms,
    Vmis,
    VmImages,
    HarvesterHosts,
    Hardware,
    Workflows,
    Bmcs,
    BmcJobs,
    Browse,
}

impl Feed {
    pub const ALL: [Feed; 19] = [
        Feed::Clusters,
        Feed::ControlPlanes,
        Feed::Deployments,
        Feed::Machines,
        Feed::Apps,
        Feed::AppDetail,
        Feed::TalosNodes,
        Feed::ExternalSecrets,
        Feed::SecretStores,
        Feed::ClusterSecretStores,
        Feed::Vms,
        Feed::Vmis,
        Feed::VmImages,
        Feed::HarvesterHosts,
        Feed::Hardware,
        Feed::Workflows,
        Feed::Bmcs,
        Feed::BmcJobs,
        Feed::Browse,
    ];
}

pub struct Pane {
    pub id: PaneId,
    /// The `:` name, then its aliases. Empty for panes opened from another one.
    pub names: &'static [&'static str],
    /// The key that opens it from anywhere (a default binding; keymap.toml may change it).
    pub key: Option<char>,
    /// Its section in keymap files.
    pub section: &'static str,
    pub title: &'static str,
    /// What it shows, for help and the number key's description.
    pub about: &'static str,
    /// The stores whose watches feed it; its title shows their state.
    pub feeds: &'static [Feed],
    /// The table it is, for panes that are one table.
    pub table: Option<TableId>,
    /// Said in its empty table while its sources are live.
    pub empty: &'static str,
    /// The mutating actions its rows offer. A mutating key bound elsewhere does nothing here.
    pub actions: &'static [Action],
}

/// What an Application offers, from its row or its sync-wave view.
const ARGO_ACTIONS: &[Action] = &[
    Action::Sync,
    Action::Refresh,
    Action::HardRefresh,
    Action::Terminate,
];

pub const PANES: &[Pane] = &[
    Pane {
        id: PaneId::Clusters,
        names: &["clusters", "cl", "cluster", "capi", "tree"],
        key: Some('1'),
        section: "clusters",
        title: "Clusters",
        about: "Cluster tree",
        feeds: &[
            Feed::Clusters,
            Feed::ControlPlanes,
            Feed::Deployments,
            Feed::Machines,
        ],
        table: None,
        empty: "no clusters match",
        actions: &[Action::Scale, Action::UpgradeKubernetes],
    },
    Pane {
        id: PaneId::Apps,
        names: &["apps", "app", "applications", "argo"],
        key: Some('2'),
        section: "apps",
        title: "Applications",
        about: "Argo CD applications",
        feeds: &[Feed::Apps],
        table: Some(TableId::Apps),
        empty: "no applications match",
        actions: ARGO_ACTIONS,
    },
    Pane {
        id: PaneId::SyncWaves,
        names: &[],
        key: None,
        section: "syncwaves",
        title: "Sync waves",
        about: "One application's resources by hook phase and wave",
        feeds: &[Feed::AppDetail],
        table: Some(TableId::Waves),
        empty: "",
        actions: ARGO_ACTIONS,
    },
    Pane {
        id: PaneId::Talos,
        names: &["talos", "tn"],
        key: Some('3'),
        section: "talos",
        title: "Talos nodes",
        about: "Talos nodes",
        feeds: &[Feed::TalosNodes],
        table: Some(TableId::Talos),
        empty: "no Talos nodes match",
        actions: &[Action::UpgradeTalos, Action::UpgradeTalosAll],
    },
    Pane {
        id: PaneId::TalosNode,
        names: &[],
        key: None,
        section: "talosnode",
        title: "Talos node",
        about: "One node: services, logs, dmesg, etcd",
        feeds: &[Feed::TalosNodes],
        table: None,
        empty: "",
        actions: &[Action::UpgradeTalos],
    },
    Pane {
        id: PaneId::Secrets,
        names: &["secrets", "es", "externalsecrets", "eso"],
        key: Some('4'),
        section: "secrets",
        title: "External Secrets",
        about: "External Secrets",
        feeds: &[Feed::ExternalSecrets],
        table: Some(TableId::Secrets),
        empty: "no ExternalSecrets match",
        actions: &[Action::ForceSync],
    },
    Pane {
        id: PaneId::Vms,
        names: &["vms", "vm", "virtualmachines", "harvester"],
        key: Some('5'),
        section: "vms",
        title: "Harvester VMs",
        about: "Harvester VMs and hosts",
        feeds: &[Feed::Vms, Feed::Vmis],
        table: Some(TableId::Vms),
        empty: "no VMs match",
        actions: &[
            Action::VmStart,
            Action::VmStop,
            Action::VmRestart,
            Action::VmMigrate,
        ],
    },
    Pane {
        id: PaneId::Hosts,
        names: &["hosts", "hw", "hardware", "baremetal", "bmc"],
        key: Some('6'),
        section: "hosts",
        title: "Bare-metal hosts",
        about: "Bare-metal hosts (Tinkerbell, BMC)",
        feeds: &[Feed::Hardware, Feed::Workflows, Feed::Bmcs],
        table: Some(TableId::Hosts),
        empty: "no hosts match",
        actions: &[Action::PowerOn, Action::PowerOff, Action::PowerCycle],
    },
    Pane {
        id: PaneId::Ops,
        names: &["ops", "operations", "actions", "audit"],
        key: Some('0'),
        section: "ops",
        title: "Operations",
        about: "Operations sent from this cockpit",
        feeds: &[],
        table: Some(TableId::Ops),
        empty: "no actions sent yet",
        actions: &[],
    },
    Pane {
        id: PaneId::Browse,
        // Opened by a kind's name, which discovery supplies, not by a name of its own.
        names: &[],
        key: None,
        section: "browse",
        title: "Browse",
        about: "Any kind the clusters serve, with the server's columns",
        feeds: &[Feed::Browse],
        table: Some(TableId::Browse),
        empty: "no objects match",
        actions: &[Action::Delete, Action::Cordon, Action::Uncordon],
    },
    Pane {
        id: PaneId::Logs,
        names: &[],
        key: None,
        section: "logs",
        title: "Logs",
        about: "A pod container's log, followed",
        feeds: &[],
        table: None,
        empty: "",
        actions: &[],
    },
    Pane {
        id: PaneId::Describe,
        names: &[],
        key: None,
        section: "describe",
        title: "Describe",
        about: "The object under the cursor, described, with its events",
        feeds: &[],
        table: None,
        empty: "",
        actions: &[],
    },
    Pane {
        id: PaneId::Yaml,
        names: &[],
        key: None,
        section: "yaml",
        title: "YAML",
        about: "The object under the cursor, as YAML",
        feeds: &[],
        table: None,
        empty: "",
        actions: &[],
    },
];

/// `:` commands that are not panes.
pub const BUILTIN_COMMANDS: &[(&str, &[&str], Action)] = &[
    ("help", &["h"], Action::Help),
    ("quit", &["q", "q!", "exit"], Action::Quit),
];

impl PaneId {
    pub fn pane(self) -> &'static Pane {
        // Every id has its entry; a test checks the list.
        PANES
            .iter()
            .find(|p| p.id == self)
            .unwrap_or_else(|| unreachable!("pane {self:?} is registered"))
    }

    /// Whether its rows offer this mutating action.
    pub fn offers(self, action: Action) -> bool {
        self.pane().actions.contains(&action)
    }
}

/// The pane whose keymap section has this name.
pub fn by_section(section: &str) -> Option<&'static Pane> {
    PANES.iter().find(|p| p.section == section)
}

/// What a `:` command opens or does: a pane by name or alias, or a built-in.
pub fn resolve_command(input: &str) -> Option<Action> {
    let input = input.trim();
    PANES
        .iter()
        .find(|p| p.names.contains(&input))
        .map(|p| Action::Show(p.id))
        .or_else(|| {
            BUILTIN_COMMANDS
                .iter()
                .find(|(name, aliases, _)| *name == input || aliases.contains(&input))
                .map(|(_, _, action)| *action)
        })
}

/// Every `:` command with its aliases, in help order.
pub fn commands() -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
    PANES
        .iter()
        .filter_map(|p| {
            p.names
                .split_first()
                .map(|(name, aliases)| (*name, aliases))
        })
        .chain(BUILTIN_COMMANDS.iter().map(|(n, a, _)| (*n, *a)))
}

/// Completion for a partly typed command: the first command name it starts.
pub fn complete(input: &str) -> Option<&'static str> {
    let input = input.trim();
    if input.is_empty() {
        return None;
    }
    commands()
        .map(|(name, _)| name)
        .find(|name| name.starts_with(input) && *name != input)
}

/// The `run` name prefix of `Show`: `view_` and the pane's keymap section.
pub const SHOW_PREFIX: &str = "view_";

/// `Show` actions are named after the registry's keymap sections, so names and the mutating
/// test live with the registry.
impl Action {
    pub fn parse(name: &str) -> Option<Action> {
        if let Some(section) = name.strip_prefix(SHOW_PREFIX) {
            return by_section(section).map(|p| Action::Show(p.id));
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
        PANES.iter().any(|p| p.actions.contains(&self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pane_is_registered_once_with_unique_names_keys_and_sections() {
        let ids = [
            PaneId::Clusters,
            PaneId::Apps,
            PaneId::SyncWaves,
            PaneId::Talos,
            PaneId::TalosNode,
            PaneId::Secrets,
            PaneId::Vms,
            PaneId::Hosts,
            PaneId::Ops,
            PaneId::Browse,
            PaneId::Yaml,
            PaneId::Logs,
            PaneId::Describe,
        ];
        for id in ids {
            assert_eq!(PANES.iter().filter(|p| p.id == id).count(), 1, "{id:?}");
        }
        let mut names: Vec<&str> = commands()
            .flat_map(|(n, a)| std::iter::once(n).chain(a.iter().copied()))
            .collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all, "a : name is used twice");
        let mut keys: Vec<char> = PANES.iter().filter_map(|p| p.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), PANES.iter().filter(|p| p.key.is_some()).count());
        assert!(by_section("global").is_none(), "global is not a pane");
    }

    #[test]
    fn commands_resolve_and_complete() {
        assert_eq!(resolve_command(" es "), Some(Action::Show(PaneId::Secrets)));
        assert_eq!(resolve_command("q!"), Some(Action::Quit));
        assert_eq!(resolve_command("pods"), None);
        assert_eq!(complete("ap"), Some("apps"));
        assert_eq!(complete("apps"), None);
    }
}
