//! Everything the cockpit knows and shows. Owned by the loop; changed only by `update`.

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::domains::{
    Actions, Argo, Browse, Eso, Harvester, Infra, InspectorTab, Metal, PodLogs, Talos, TextView,
    YamlView,
};
use super::ids::PaneId;
use super::keymap::{Keymap, Scope};
use super::registry::{Feed, Pane, Registry};
use super::table::Tables;
use super::theme::Theme;
use super::tree::TreeView;
use crate::model::argo::{AppDetail, Wave, WaveResource, WaveState};
use crate::model::catalog::Catalog;
use crate::model::eso::{ExternalSecretRow, StoreRow};
use crate::model::hosts::{BmcRow, HardwareRow, WorkflowRow};
use crate::model::source::SourceState;
use crate::model::store::ObjRef;
use crate::model::talos::TextSource;
use crate::model::tree::{CapiStores, TreeNode, cluster_tree, filter_tree};
use crate::model::vms::{HostRow, VmRow, VmiRow};
use crate::model::yaml::ObjectRef;

/// Where the user is: a pane opened from the `:` line or its key, or a pane that shows one
/// object (the sync waves of an app, a Talos node) opened from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Pane(PaneId),
    SyncWaves(ObjRef),
    TalosNode(ObjRef),
    Yaml(ObjectRef),
    /// A pod's log (the container is in `State::logs`).
    Logs(ObjRef),
    Describe(ObjectRef),
}

impl Screen {
    /// The registered pane this screen shows.
    pub fn pane(&self) -> PaneId {
        match self {
            Screen::Pane(id) => *id,
            Screen::SyncWaves(_) => PaneId::SYNC_WAVES,
            Screen::TalosNode(_) => PaneId::TALOS_NODE,
            Screen::Yaml(_) => PaneId::YAML,
            Screen::Logs(_) => PaneId::LOGS,
            Screen::Describe(_) => PaneId::DESCRIBE,
        }
    }

    /// The keymap section its keys come from.
    pub fn scope(&self) -> Scope {
        Scope::Pane(self.pane())
    }
}

/// A line of text being typed at the bottom of the screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    Command(String),
    Filter(String),
    /// A value an action needs before its confirm dialog can open.
    Value {
        asks: Asks,
        text: String,
    },
    /// The namespace the kind browser narrows to (empty: all).
    Namespace(String),
}

/// What a value prompt is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Asks {
    /// The new replica count of a MachineDeployment.
    Replicas(ObjRef),
    /// The new replica count of a workload the kind browser shows.
    WorkloadReplicas(ObjRef),
    /// The Kubernetes version a cluster (its control plane) moves to.
    KubernetesVersion(ObjRef),
    /// The installer image for these Talos nodes.
    TalosImage(Vec<ObjRef>),
}

impl Asks {
    pub fn label(&self) -> String {
        match self {
            Asks::Replicas(key) | Asks::WorkloadReplicas(key) => {
                format!("replicas for {}", key.name)
            }
            Asks::KubernetesVersion(key) => format!("Kubernetes version for {}", key.name),
            Asks::TalosImage(nodes) => match nodes.as_slice() {
                [one] => format!("installer image for {}", one.name),
                many => format!("installer image for {} nodes", many.len()),
            },
        }
    }
}

/// The rows a table showed in one generation of the state, and for kept rows what they were
/// picked by.
pub struct ShownMemo {
    pub generation: u64,
    pub table: super::table::TableId,
    pub rows: crate::model::shown::Shown,
    pub picked: Option<crate::model::shown::Picked>,
}

pub struct State {
    pub context: String,
    pub readonly: bool,
    /// Contexts the user's config marks read-only: no action may target them.
    pub readonly_contexts: BTreeSet<String>,
    pub now: Timestamp,

    pub capi: CapiStores,
    pub argo: Argo,
    pub talos: Talos,
    pub eso: Eso,
    pub harvester: Harvester,
    pub metal: Metal,
    pub actions: Actions,
    /// The kube context of a CAPI cluster's own API server, where it is not named after the
    /// cluster (config.toml `capi_cluster`); discovered clusters are named after theirs.
    pub cluster_contexts: std::collections::BTreeMap<String, String>,
    /// Where etcd snapshots are written.
    pub snapshot_dir: Option<std::path::PathBuf>,
    /// Everything not well, grouped by root cause (worked out at most once a second).
    pub attention: crate::model::attention::Attention,
    /// The other systems' objects, judged by their kinds' health rules (for the feed).
    pub platform_health: crate::model::platform_health::PlatformHealth,
    /// argocd-server's diff of the app last asked for.
    pub diff: super::domains::DiffView,
    /// Desired against actual, with first sightings.
    pub drift: crate::model::drift::Drift,
    /// Every change seen, bounded (the timeline).
    pub history: crate::model::history::History,
    /// The Machine the trace view shows.
    pub trace: Option<ObjRef>,
    /// `:trace NAME` given before the Machines loaded: resolved when they have.
    pub trace_name: Option<String>,
    /// The cross-layer links, kept in step with the stores.
    pub links: crate::model::links::Links,
    /// Every kind the clusters serve, from their discovery.
    pub catalog: Catalog,
    pub browse: Browse,
    pub infra: Infra,
    pub yaml: YamlView,
    pub logs: PodLogs,
    /// What the describe view shows, once fetched, and its scroll.
    pub describe: TextView,
    /// Terminal sequences for the loop to write (an OSC 52 copy), then forget.
    pub terminal_output: Vec<String>,
    /// A `-c` command waiting for discovery to know its kind.
    pub pending_command: Option<String>,

    /// Views opened, the current one last; never empty.
    pub stack: Vec<Screen>,
    /// Filter per screen in the stack (same index).
    pub filters: Vec<String>,
    pub prompt: Option<Prompt>,
    pub show_help: bool,
    /// How far the help is scrolled (its first line shown).
    pub help_scroll: u16,
    pub tree: TreeView,
    /// Cursor, scroll and sort of every table.
    pub tables: Tables,
    /// The terminal's size (columns, rows), from resize messages.
    pub viewport: (u16, u16),

    /// Every pane: what `:` opens, what help lists, what a screen draws.
    pub panes: Registry<State>,
    pub keymap: Keymap,
    pub theme: Theme,
    /// The user's short names for `:` commands (aliases.toml).
    pub aliases: super::aliases::Aliases,
    /// The user's commands bound to keys (plugins.toml).
    pub plugins: super::plugin_file::Plugins,
    /// The kubeconfig file in use, when there is one (plugins get it as `$KUBECONFIG`).
    pub kubeconfig: Option<std::path::PathBuf>,
    /// Contexts reached without verifying the server's certificate: said in the footer always.
    pub unverified_contexts: Vec<String>,
    /// Where the log goes and at what level (help says it).
    pub log: Option<super::config::LogSetup>,
    /// Problems to show in the footer (bad config files, an unknown command…).
    pub notice: Option<String>,
    pub dirty: bool,
    /// Bumped by every message but a cursor move: the rows a table shows are built once per
    /// generation (`tables::shown`), not once per call — a key on 60,000 rows used to build
    /// them twice, and a frame once more.
    pub generation: u64,
    pub shown_memo: std::cell::RefCell<Option<ShownMemo>>,
    pub quit: bool,
    /// The user has gone somewhere (a key, a `-c` command): the cockpit no longer picks the
    /// start pane.
    pub moved: bool,
    /// Quit was asked for while a rollout runs: the next quit really quits.
    pub quit_armed: bool,
}

impl State {
    pub fn new(
        context: String,
        readonly: bool,
        keymap: Keymap,
        theme: Theme,
        now: Timestamp,
    ) -> Self {
        State {
            context,
            readonly,
            readonly_contexts: BTreeSet::new(),
            now,
            capi: CapiStores::default(),
            argo: Argo::default(),
            talos: Talos::default(),
            eso: Eso::default(),
            harvester: Harvester::default(),
            metal: Metal::default(),
            actions: Actions::default(),
            cluster_contexts: Default::default(),
            attention: Default::default(),
            snapshot_dir: super::config::snapshot_dir(),
            platform_health: Default::default(),
            history: Default::default(),
            drift: Default::default(),
            diff: Default::default(),
            trace: None,
            trace_name: None,
            links: Default::default(),
            catalog: Catalog::default(),
            browse: Browse::default(),
            infra: Infra::default(),
            yaml: YamlView::default(),
            logs: PodLogs::default(),
            describe: TextView::default(),
            pending_command: None,
            terminal_output: Vec::new(),
            stack: vec![Screen::Pane(PaneId::CLUSTERS)],
            filters: vec![String::new()],
            prompt: None,
            show_help: false,
            help_scroll: 0,
            tree: TreeView::default(),
            tables: Tables::default(),
            viewport: (120, 40),
            panes: Registry::default(),
            keymap,
            theme,
            log: None,
            aliases: Default::default(),
            plugins: Default::default(),
            kubeconfig: None,
            unverified_contexts: Vec::new(),
            notice: None,
            dirty: true,
            generation: 0,
            shown_memo: Default::default(),
            quit: false,
            quit_armed: false,
            moved: false,
        }
    }

    /// How many kube clusters the cockpit watches (the header names them).
    pub fn cluster_count(&self) -> usize {
        self.context.split(", ").filter(|c| !c.is_empty()).count()
    }

    /// The kube context a CAPI cluster's Nodes and ExternalSecrets are read from.
    pub fn context_of_cluster<'a>(&'a self, cluster: &'a str) -> &'a str {
        self.cluster_contexts
            .get(cluster)
            .map_or(cluster, String::as_str)
    }

    /// The CAPI cluster a kube context is the API server of.
    pub fn cluster_of_context<'a>(&'a self, context: &'a str) -> &'a str {
        self.cluster_contexts
            .iter()
            .find(|(_, ctx)| *ctx == context)
            .map_or(context, |(cluster, _)| cluster.as_str())
    }

    pub fn screen(&self) -> &Screen {
        // The stack is never empty: `back` keeps the last screen.
        self.stack.last().unwrap_or(&Screen::Pane(PaneId::CLUSTERS))
    }

    /// Register a pane (see `Registry::add`) and bind its number key, if it has one.
    pub fn add_pane(&mut self, pane: Pane<State>) -> Result<(), String> {
        self.panes.add(pane)?;
        self.keymap.add_pane(pane.id, pane.key, pane.about);
        Ok(())
    }

    /// The screen of a pane that opens on its own (one with `:` names in the registry).
    pub fn root_screen(&self, pane: PaneId) -> Option<Screen> {
        self.panes
            .get(pane)
            .filter(|p| !p.names.is_empty())
            .map(|_| Screen::Pane(pane))
    }

    /// The stream the inspector's current tab follows, if any.
    pub fn text_source(&self) -> Option<TextSource> {
        match self.talos.inspector.tab {
            InspectorTab::Logs => Some(TextSource::Logs(self.talos.inspector.service.clone())),
            InspectorTab::Dmesg => Some(TextSource::Dmesg),
            _ => None,
        }
    }

    /// What the current screen still waits for before its first complete load: a `-c` kind
    /// discovery has not named yet, and each of its pane's feeds with no answer from a
    /// cluster yet (`Machines on mgmt`). Empty once every source has answered at least once,
    /// whatever it said.
    pub fn waiting_for(&self) -> Vec<String> {
        let mut waiting: Vec<String> = self
            .pending_command
            .iter()
            .map(|c| format!("discovery for {c:?}"))
            .collect();
        let Some(pane) = self.panes.get(self.screen().pane()) else {
            return waiting;
        };
        for feed in pane.feeds {
            let sources = self.feed_sources(*feed);
            if sources.is_empty() {
                waiting.push(format!("{feed:?}"));
            }
            waiting.extend(
                sources
                    .iter()
                    .filter(|(_, s)| *s == SourceState::Loading)
                    .map(|(cluster, _)| format!("{feed:?} on {cluster}")),
            );
        }
        waiting
    }

    /// Whether any watched source is stale: then "stale 12s ago" labels move every second.
    pub fn any_stale(&self) -> bool {
        Feed::ALL.iter().any(|f| {
            self.feed_sources(*f)
                .iter()
                .any(|(_, s)| matches!(s, SourceState::Stale { .. }))
        })
    }

    /// The YAML view's lines: the object as fetched, masked unless revealed.
    pub fn yaml_lines(&self) -> Vec<String> {
        match &self.yaml.object {
            Some(Ok(object)) => crate::model::yaml::yaml_lines(object, self.yaml.reveal),
            _ => Vec::new(),
        }
    }

    pub fn yaml_line_count(&self) -> usize {
        self.yaml_lines().len()
    }

    /// The cluster tree as shown: every node the filter matches, with its ancestors.
    pub fn shown_tree(&self) -> Vec<TreeNode> {
        let filter = self.filter();
        filter_tree(cluster_tree(&self.capi), &|n| {
            filter_matches(filter, &n.haystack())
        })
    }

    pub fn filter(&self) -> &str {
        self.filters.last().map_or("", String::as_str)
    }
}

/// `/` filter semantics: case-insensitive substring; a leading `!` inverts.
pub fn filter_matches(filter: &str, haystack: &str) -> bool {
    Matcher::new(filter).matches(haystack)
}

/// A `/` filter made ready once for many haystacks: a table of 100,000 rows is filtered on
/// every change, so a row must not cost an allocation.
pub struct Matcher {
    needle: String,
    finder: memchr::memmem::Finder<'static>,
    invert: bool,
}

impl Matcher {
    pub fn new(filter: &str) -> Matcher {
        let (invert, needle) = match filter.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, filter),
        };
        let needle = needle.to_lowercase();
        Matcher {
            finder: memchr::memmem::Finder::new(needle.as_bytes()).into_owned(),
            needle,
            invert,
        }
    }

    pub fn matches(&self, haystack: &str) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let found = if haystack.is_ascii() {
            ascii_contains(haystack.as_bytes(), self.needle.as_bytes())
        } else {
            haystack.to_lowercase().contains(&self.needle)
        };
        found != self.invert
    }

    /// `matches` for a haystack already in lowercase (a kept row's filter text).
    pub fn matches_lowercase(&self, haystack: &str) -> bool {
        self.needle.is_empty() || self.finder.find(haystack.as_bytes()).is_some() != self.invert
    }
}

/// Whether ASCII `haystack` holds `needle` (already lowercase), ignoring ASCII case.
fn ascii_contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if needle.len() > haystack.len() {
        return false;
    }
    (0..=haystack.len() - needle.len()).any(|at| {
        haystack[at].to_ascii_lowercase() == first
            && haystack[at + 1..at + needle.len()]
                .iter()
                .zip(rest)
                .all(|(h, n)| h.to_ascii_lowercase() == *n)
    })
}

/// The store an ExternalSecret reads from, if the cockpit sees it.
pub fn store_of<'a>(state: &'a State, es: &ExternalSecretRow) -> Option<&'a StoreRow> {
    es.store(
        state
            .eso
            .secret_stores
            .iter()
            .chain(state.eso.cluster_secret_stores.iter()),
    )
}

/// A VM's running instance, if any.
pub fn vmi_of<'a>(state: &'a State, vm: &VmRow) -> Option<&'a VmiRow> {
    state.harvester.vmis.get(&vm.key)
}

/// The display name of the image a VM boots, else its id.
pub fn image_of(state: &State, vm: &VmRow) -> String {
    let Some(id) = &vm.image_id else {
        return "-".into();
    };
    let (ns, name) = id.split_once('/').unwrap_or(("", id.as_str()));
    state
        .harvester
        .vm_images
        .get(&ObjRef::in_cluster(vm.key.cluster.clone(), ns, name))
        .map(|i| i.display_name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.clone())
}

/// The newest Workflow run on a Hardware (same cluster and namespace).
pub fn latest_workflow<'a>(state: &'a State, h: &HardwareRow) -> Option<&'a WorkflowRow> {
    state
        .metal
        .workflows
        .iter()
        .filter(|w| {
            w.key.cluster == h.key.cluster
                && w.key.namespace == h.key.namespace
                && w.hardware == h.key.name
        })
        .max_by_key(|w| w.created)
}

/// The Rufio BMC Machine a Hardware references.
pub fn bmc_of<'a>(state: &'a State, h: &HardwareRow) -> Option<&'a BmcRow> {
    let name = h.bmc.as_deref()?;
    state.metal.bmcs.get(&ObjRef::in_cluster(
        h.key.cluster.clone(),
        h.key.namespace.clone(),
        name,
    ))
}

/// The Harvester node this machine became (by hostname), in any Harvester cluster.
pub fn node_of<'a>(state: &'a State, h: &HardwareRow) -> Option<&'a HostRow> {
    let name = if h.hostname.is_empty() {
        h.key.name.as_str()
    } else {
        h.hostname.as_str()
    };
    state.harvester.hosts.iter().find(|n| n.key.name == name)
}

/// One line of the view: a wave header or a resource in it.
pub enum WaveLine<'a> {
    Wave(&'a Wave, WaveState),
    Resource(&'a WaveResource),
}

/// The one Application the sync-wave view shows.
pub fn app_detail(state: &State) -> Option<&AppDetail> {
    state.argo.app_detail.iter().next()
}

fn resource_text(r: &WaveResource) -> String {
    format!(
        "{} {} {} {} {}",
        r.kind,
        r.namespace,
        r.name,
        r.sync,
        r.health.as_deref().unwrap_or("")
    )
}

/// The flattened lines after the filter (a wave is kept if any of its resources match).
pub fn wave_lines<'a>(state: &'a State, d: &'a AppDetail) -> Vec<WaveLine<'a>> {
    let filter = state.filter();
    let mut out = Vec::new();
    for (w, s) in d.waves.iter().zip(d.wave_states()) {
        let matching: Vec<&WaveResource> = w
            .resources
            .iter()
            .filter(|r| filter_matches(filter, &resource_text(r)))
            .collect();
        if matching.is_empty() {
            continue;
        }
        out.push(WaveLine::Wave(w, s));
        out.extend(matching.into_iter().map(WaveLine::Resource));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_ignores_case_in_any_script_and_inverts_with_a_bang() {
        assert!(filter_matches("SVC-12", "team-3 svc-1234-abc Running"));
        assert!(!filter_matches("svc-99", "team-3 svc-1234-abc Running"));
        assert!(filter_matches("!svc-99", "team-3 svc-1234-abc Running"));
        assert!(filter_matches("ÄPFEL", "grüne äpfel"));
        assert!(filter_matches("run", "Ünicode RUNNING"));
        assert!(filter_matches("", "anything"));
        assert!(!filter_matches("longer than it", "short"));
    }
}
