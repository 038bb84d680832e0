//! The built-in panes, each declared once (the machinery is in `registry`).
//!
//! Adding a table pane: a projection (a `tables::Table`: columns and rows), one entry here, and
//! keymap entries for its own keys. A custom pane also adds a view in `views/`. Panes can also
//! be added at run time (`State::add_pane`), which is how a test proves the first sentence.

use super::action::Action;
use super::config::ConfigError;
use super::ids::PaneId;
use super::keymap::{DEFAULT_KEYMAP, Keymap};
use super::state::State;
use super::tables;

pub use super::registry::{BuiltinPanes, Feed, Registry};

/// A built-in pane's entry: its table reads the cockpit's `State`.
pub type Pane = super::registry::Pane<State>;

/// What an Application offers, from its row or its sync-wave view.
const ARGO_ACTIONS: &[Action] = &[
    Action::Sync,
    Action::Refresh,
    Action::HardRefresh,
    Action::Terminate,
];

/// The built-in panes, in help order.
pub const PANES: &[Pane] = &[
    CLUSTERS, APPS, SYNC_WAVES, TALOS, TALOS_NODE, SECRETS, VMS, HOSTS, OPS, BROWSE, LOGS,
    DESCRIBE, YAML, OUTPUT, TRACE, ATTENTION, TIMELINE, DRIFT, DIFF,
];

pub const CLUSTERS: Pane = Pane {
    id: PaneId::CLUSTERS,
    names: &["clusters", "cl", "cluster", "capi", "tree"],
    key: Some('1'),
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
};

pub const APPS: Pane = Pane {
    id: PaneId::APPS,
    names: &["apps", "app", "applications", "argo"],
    key: Some('2'),
    title: "Applications",
    about: "Argo CD applications",
    feeds: &[Feed::Apps],
    table: Some(&tables::APPS),
    empty: "no applications match",
    actions: ARGO_ACTIONS,
};

pub const SYNC_WAVES: Pane = Pane {
    id: PaneId::SYNC_WAVES,
    names: &[],
    key: None,
    title: "Sync waves",
    about: "One application's resources by hook phase and wave",
    feeds: &[Feed::AppDetail],
    table: Some(&tables::WAVES),
    empty: "",
    actions: ARGO_ACTIONS,
};

pub const TALOS: Pane = Pane {
    id: PaneId::TALOS,
    names: &["talos", "tn"],
    key: Some('3'),
    title: "Talos nodes",
    about: "Talos nodes",
    feeds: &[Feed::TalosNodes],
    table: Some(&tables::TALOS),
    empty: "no Talos nodes match",
    actions: &[Action::UpgradeTalos, Action::UpgradeTalosAll],
};

pub const TALOS_NODE: Pane = Pane {
    id: PaneId::TALOS_NODE,
    names: &[],
    key: None,
    title: "Talos node",
    about: "One node: services, metrics, processes, mounts, disks, machine status, events, config, logs, dmesg, etcd",
    feeds: &[Feed::TalosNodes],
    table: None,
    empty: "",
    actions: &[
        Action::UpgradeTalos,
        Action::ServiceRestart,
        Action::RebootNode,
        Action::Uncordon,
        Action::EtcdSnapshot,
        Action::EtcdDefragment,
        Action::EtcdAlarmDisarm,
        Action::EtcdForfeitLeadership,
    ],
};

pub const SECRETS: Pane = Pane {
    id: PaneId::SECRETS,
    names: &["secrets", "es", "externalsecrets", "eso"],
    key: Some('4'),
    title: "External Secrets",
    about: "External Secrets",
    feeds: &[Feed::ExternalSecrets],
    table: Some(&tables::SECRETS),
    empty: "no ExternalSecrets match",
    actions: &[Action::ForceSync],
};

pub const VMS: Pane = Pane {
    id: PaneId::VMS,
    names: &["vms", "vm", "virtualmachines", "harvester"],
    key: Some('5'),
    title: "Harvester VMs",
    about: "Harvester VMs and hosts",
    feeds: &[Feed::Vms, Feed::Vmis],
    table: Some(&tables::VMS),
    empty: "no VMs match",
    actions: &[
        Action::VmStart,
        Action::VmStop,
        Action::VmRestart,
        Action::VmMigrate,
    ],
};

pub const HOSTS: Pane = Pane {
    id: PaneId::HOSTS,
    names: &["hosts", "hw", "hardware", "baremetal", "bmc"],
    key: Some('6'),
    title: "Bare-metal hosts",
    about: "Bare-metal hosts (Tinkerbell, BMC)",
    feeds: &[Feed::Hardware, Feed::Workflows, Feed::Bmcs],
    table: Some(&tables::HOSTS),
    empty: "no hosts match",
    actions: &[Action::PowerOn, Action::PowerOff, Action::PowerCycle],
};

pub const OPS: Pane = Pane {
    id: PaneId::OPS,
    names: &["ops", "operations", "actions", "audit"],
    key: Some('0'),
    title: "Operations",
    about: "Operations sent from this cockpit",
    feeds: &[],
    table: Some(&tables::OPS),
    empty: "no actions sent yet",
    actions: &[],
};

pub const BROWSE: Pane = Pane {
    id: PaneId::BROWSE,
    // Opened by a kind's name, which discovery supplies, not by a name of its own.
    names: &[],
    key: None,
    title: "Browse",
    about: "Any kind the clusters serve, with the server's columns",
    feeds: &[Feed::Browse],
    table: Some(&tables::BROWSE),
    empty: "no objects match",
    actions: &[
        Action::Delete,
        Action::Cordon,
        Action::Uncordon,
        Action::Restart,
        Action::Scale,
        Action::Drain,
    ],
};

pub const ATTENTION: Pane = Pane {
    id: PaneId::ATTENTION,
    names: &["attention", "att", "problems"],
    key: Some('8'),
    title: "Attention",
    about: "Everything not well across the layers, each root cause first with what it explains",
    feeds: &[
        Feed::Machines,
        Feed::Vms,
        Feed::HarvesterHosts,
        Feed::Hardware,
        Feed::TalosNodes,
        Feed::Apps,
        Feed::ExternalSecrets,
    ],
    table: Some(&tables::ATTENTION),
    empty: "nothing needs attention",
    actions: &[],
};

pub const DRIFT: Pane = Pane {
    id: PaneId::DRIFT,
    names: &["drift"],
    key: None,
    title: "Drift",
    about: "Desired against actual: versions, replicas, VMs, refreshes, OutOfSync resources",
    feeds: &[
        Feed::ControlPlanes,
        Feed::Deployments,
        Feed::Machines,
        Feed::Vms,
        Feed::TalosNodes,
        Feed::Apps,
        Feed::ExternalSecrets,
    ],
    table: Some(&tables::DRIFT),
    empty: "everything runs as asked",
    actions: &[],
};

pub const DIFF: Pane = Pane {
    id: PaneId::DIFF,
    names: &[],
    key: None,
    title: "Diff",
    about: "An app's live resources against git, as argocd-server tells them (Enter in :drift)",
    feeds: &[],
    table: None,
    empty: "",
    actions: &[],
};

pub const TIMELINE: Pane = Pane {
    id: PaneId::TIMELINE,
    names: &["timeline", "history"],
    key: None,
    title: "Timeline",
    about: "Every change seen across the layers, newest first (old → new)",
    feeds: &[],
    table: Some(&tables::TIMELINE),
    empty: "nothing has changed since the cockpit started",
    actions: &[],
};

pub const TRACE: Pane = Pane {
    id: PaneId::TRACE,
    names: &["trace"],
    key: None,
    title: "Trace",
    about: "The chain of the Machine behind the row: BMC, host, VM, Machine, Node, Talos, cluster, apps",
    feeds: &[
        Feed::Machines,
        Feed::Vms,
        Feed::HarvesterHosts,
        Feed::Hardware,
        Feed::TalosNodes,
    ],
    table: Some(&tables::TRACE),
    empty: "nothing traced yet: t on a Machine, VM, node or host",
    actions: &[],
};

pub const OUTPUT: Pane = Pane {
    id: PaneId::OUTPUT,
    names: &["output"],
    key: None,
    title: "Plugin output",
    about: "What the last background plugin printed, and how it ended",
    feeds: &[],
    table: None,
    empty: "",
    actions: &[],
};

pub const LOGS: Pane = Pane {
    id: PaneId::LOGS,
    names: &[],
    key: None,
    title: "Logs",
    about: "A pod container's log, followed",
    feeds: &[],
    table: None,
    empty: "",
    actions: &[],
};

pub const DESCRIBE: Pane = Pane {
    id: PaneId::DESCRIBE,
    names: &[],
    key: None,
    title: "Describe",
    about: "The object under the cursor, described, with its events",
    feeds: &[],
    table: None,
    empty: "",
    actions: &[],
};

pub const YAML: Pane = Pane {
    id: PaneId::YAML,
    names: &[],
    key: None,
    title: "YAML",
    about: "The object under the cursor, as YAML",
    feeds: &[],
    table: None,
    empty: "",
    actions: &[],
};

/// The registry decides which actions change the platform, and the default keymap knows its
/// panes. Both live here so `action` and `keymap` need not import the registry (which names
/// tables, whose rows read `State`, which holds a keymap).
impl Action {
    /// Whether it changes the platform (and so needs a pane that offers it, a confirm, and
    /// is refused in read-only mode).
    pub fn is_mutating(self) -> bool {
        PANES.iter().any(|p| p.actions.contains(&self))
    }
}

impl BuiltinPanes for State {
    const PANES: &'static [Pane] = PANES;
}

impl Keymap {
    /// Parse a keymap file whose sections name built-in panes. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Keymap, ConfigError> {
        let mut km = Keymap::default();
        for pane in PANES {
            km.know_pane(pane.id);
        }
        km.merge(file, text)?;
        Ok(km)
    }

    /// The registry's pane keys (`1` for the cluster tree …), then the embedded default file.
    pub fn defaults() -> Keymap {
        let mut km = Keymap::default();
        for pane in PANES {
            km.add_pane(pane.id, pane.key, pane.about);
        }
        // The embedded file is tested to parse; were it not to, the pane keys still work.
        let _ = km.merge("keymaps/default.toml (embedded)", DEFAULT_KEYMAP);
        km
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pane_is_registered_once_with_unique_names_keys_and_sections() {
        let mut ids: Vec<PaneId> = PANES.iter().map(|p| p.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), PANES.len(), "an id is registered twice");
        let mut names: Vec<&str> = Registry::<State>::default()
            .commands()
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
        assert!(
            PANES.iter().all(|p| p.id.section() != "global"),
            "global is not a pane"
        );
    }

    #[test]
    fn commands_resolve_and_complete() {
        let panes = Registry::<State>::default();
        assert_eq!(
            panes.resolve_command(" es "),
            Some(Action::Show(PaneId::SECRETS))
        );
        assert_eq!(panes.resolve_command("q!"), Some(Action::Quit));
        assert_eq!(panes.resolve_command("pods"), None);
        assert_eq!(panes.complete("ap"), Some("apps"));
        assert_eq!(panes.complete("apps"), None);
    }

    #[test]
    fn a_pane_that_would_shadow_another_is_refused() {
        let mut panes = Registry::<State>::default();
        let twin = Pane {
            id: PaneId::new("apps2"),
            names: &["applications"],
            ..APPS
        };
        assert_eq!(
            panes.add(twin).expect_err("shadows :applications"),
            ":applications opens another pane"
        );
        let same_key = Pane {
            id: PaneId::new("apps2"),
            names: &["apps2"],
            ..APPS
        };
        assert_eq!(
            panes.add(same_key).expect_err("takes key 2"),
            "key 2 opens another pane"
        );
        assert!(
            panes
                .add(Pane {
                    key: None,
                    ..same_key
                })
                .is_ok()
        );
        assert_eq!(
            panes.resolve_command("apps2"),
            Some(Action::Show(PaneId::new("apps2")))
        );
    }
}
