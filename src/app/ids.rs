//! The panes by name, apart from their registry entries (`panes.rs`), so the types that name a
//! pane (actions, screens, keymap scopes) need not depend on the registry.

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaneId {
    Clusters,
    Apps,
    SyncWaves,
    Talos,
    TalosNode,
    Secrets,
    Vms,
    Hosts,
    Ops,
    /// Any kind the clusters serve, through the server's own columns (`:pods`, `:certificates` …).
    Browse,
    /// One object as YAML (`y` on a row).
    Yaml,
    /// A pod container's log, followed (`l` on a pod).
    Logs,
    /// One object as `kubectl describe` prints it (`d` on a row).
    Describe,
}
