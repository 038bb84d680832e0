//! The names of panes and tables, apart from their registry entries (`panes.rs`), so the types
//! that name a pane (actions, screens, keymap scopes) need not depend on the registry.
//!
//! An id is a name, not a closed list: a pane registered at run time (a test's, a later
//! plugin's) gets one without an edit here.

/// A pane, by its keymap section name (unique in the registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaneId(&'static str);

impl PaneId {
    pub const CLUSTERS: PaneId = PaneId("clusters");
    pub const APPS: PaneId = PaneId("apps");
    pub const SYNC_WAVES: PaneId = PaneId("syncwaves");
    pub const TALOS: PaneId = PaneId("talos");
    pub const TALOS_NODE: PaneId = PaneId("talosnode");
    pub const SECRETS: PaneId = PaneId("secrets");
    pub const VMS: PaneId = PaneId("vms");
    pub const HOSTS: PaneId = PaneId("hosts");
    pub const OPS: PaneId = PaneId("ops");
    /// Any kind the clusters serve, through the server's own columns (`:pods`, `:certificates` …).
    pub const BROWSE: PaneId = PaneId("browse");
    /// One object as YAML (`y` on a row).
    pub const YAML: PaneId = PaneId("yaml");
    /// A pod container's log, followed (`l` on a pod).
    pub const LOGS: PaneId = PaneId("logs");
    /// One object as `kubectl describe` prints it (`d` on a row).
    pub const DESCRIBE: PaneId = PaneId("describe");
    /// Everything not well across the layers, grouped under the root cause.
    pub const ATTENTION: PaneId = PaneId("attention");
    /// An app's live resources against git, from argocd-server.
    pub const DIFF: PaneId = PaneId("diff");
    /// Desired against actual across the layers.
    pub const DRIFT: PaneId = PaneId("drift");
    /// Every change the cockpit has seen, newest first.
    pub const TIMELINE: PaneId = PaneId("timeline");
    /// One Machine's chain through every layer (`t` on a row, `:trace`).
    pub const TRACE: PaneId = PaneId("trace");
    /// What the last background plugin printed.
    pub const OUTPUT: PaneId = PaneId("output");

    /// The id of a pane whose keymap section is `section`.
    pub const fn new(section: &'static str) -> PaneId {
        PaneId(section)
    }

    /// Its section in keymap files, and the `view_<section>` action that opens it.
    pub fn section(self) -> &'static str {
        self.0
    }
}

/// A table, the key of its cursor, scroll and sort (`app::table::Tables`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableId(&'static str);

impl TableId {
    pub const APPS: TableId = TableId("apps");
    pub const TALOS: TableId = TableId("talos");
    pub const SECRETS: TableId = TableId("secrets");
    pub const VMS: TableId = TableId("vms");
    /// The Harvester hosts under the VMs.
    pub const HARVESTER_HOSTS: TableId = TableId("harvester-hosts");
    pub const HOSTS: TableId = TableId("hosts");
    pub const OPS: TableId = TableId("ops");
    /// The node inspector's services.
    pub const SERVICES: TableId = TableId("services");
    pub const PROCESSES: TableId = TableId("processes");
    pub const MOUNTS: TableId = TableId("mounts");
    pub const DISKS: TableId = TableId("disks");
    /// The inspected node's own events.
    pub const NODE_EVENTS: TableId = TableId("node-events");
    /// The cluster members the inspected node knows.
    pub const MEMBERS: TableId = TableId("members");
    /// The inspected node's etcd members.
    pub const ETCD_MEMBERS: TableId = TableId("etcd-members");
    /// The sync-wave view's waves and resources.
    pub const WAVES: TableId = TableId("waves");
    /// The kind browser's rows.
    pub const BROWSE: TableId = TableId("browse");
    /// Everything not well, grouped by root cause.
    pub const ATTENTION: TableId = TableId("attention");
    /// Desired against actual.
    pub const DRIFT: TableId = TableId("drift");
    /// Every change seen, newest first.
    pub const TIMELINE: TableId = TableId("timeline");
    /// One Machine's chain through the layers.
    pub const TRACE: TableId = TableId("trace");

    pub const fn new(name: &'static str) -> TableId {
        TableId(name)
    }
}
