//! The rows and per-domain state the cockpit keeps, one group per layer of the platform. `State`
//! holds one of each.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::clients::kube::logs::LogAsk;
use crate::model::actions::SyncOptions;
use crate::model::argo::{AppDetail, AppRow, ResourceRef};
use crate::model::argo_rest::ResourceHealth;
use crate::model::browse::{BrowseRow, ServerColumn};
use crate::model::catalog::ApiKind;
use crate::model::eso::{ExternalSecretRow, StoreRow};
use crate::model::hosts::{BmcJobRow, BmcRow, HardwareRow, WorkflowRow};
use crate::model::lines::LineBuffer;
use crate::model::rollout::Plan;
use crate::model::store::{ObjRef, RowStore, WatchUpdate};
use crate::model::talos::TalosNodeRow;
use crate::model::vms::{HostRow, ImageRow, VmRow, VmiRow};

/// Argo CD: the Applications, and the one the sync-wave view follows.
#[derive(Debug, Default)]
pub struct Argo {
    pub apps: RowStore<AppRow>,
    /// The one Application the sync-wave view watches in full.
    pub app_detail: RowStore<AppDetail>,
    /// argocd-server, when the REST transport is configured: Argo CD actions go there and the
    /// sync-wave view reads per-resource health from its resource tree.
    pub server: Option<String>,
    /// That resource tree's health for the app the sync-wave view shows.
    pub tree_health: Option<(ObjRef, Result<ResourceHealth, String>)>,
    /// Resources marked in the sync-wave view for a selective sync.
    pub wave_marks: BTreeSet<ResourceRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InspectorTab {
    Services,
    Metrics,
    Processes,
    Mounts,
    Disks,
    Machine,
    Events,
    Config,
    Logs,
    Dmesg,
    Etcd,
}

impl InspectorTab {
    pub const ALL: [InspectorTab; 11] = [
        InspectorTab::Services,
        InspectorTab::Metrics,
        InspectorTab::Processes,
        InspectorTab::Mounts,
        InspectorTab::Disks,
        InspectorTab::Machine,
        InspectorTab::Events,
        InspectorTab::Config,
        InspectorTab::Logs,
        InspectorTab::Dmesg,
        InspectorTab::Etcd,
    ];

    pub fn title(self) -> &'static str {
        match self {
            InspectorTab::Services => "Services",
            InspectorTab::Metrics => "Metrics",
            InspectorTab::Processes => "Processes",
            InspectorTab::Mounts => "Mounts",
            InspectorTab::Disks => "Disks",
            InspectorTab::Machine => "Machine",
            InspectorTab::Events => "Events",
            InspectorTab::Config => "Config",
            InspectorTab::Logs => "Logs",
            InspectorTab::Dmesg => "Dmesg",
            InspectorTab::Etcd => "Etcd",
        }
    }
}

/// The node inspector's own state: which tab, which service's log, and the text followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspector {
    pub tab: InspectorTab,
    pub service: String,
    pub text: LineBuffer,
    /// Why the text stream stopped, if it did.
    pub text_error: Option<String>,
    /// Lines scrolled back from the end; 0 follows new lines.
    pub scroll_back: usize,
    /// The Processes tab's last two reads (CPU % from their difference), or why none came.
    pub processes: Option<Result<crate::model::node_tables::ProcessSample, String>>,
    /// The Mounts tab's last read.
    pub mounts: Option<Result<Vec<crate::model::node_tables::MountRow>, String>>,
    /// The Disks tab's last read.
    pub disks: Option<Result<Vec<crate::model::node_tables::DiskRow>, String>>,
    /// The Machine tab's members and addresses, as watched.
    pub details: Option<Result<crate::model::talos_machine::MachineDetails, String>>,
    /// The Config tab's read failed (its lines, redacted, are in `text`).
    pub config_error: Option<String>,
    /// The first config line shown.
    pub config_top: usize,
}

/// Lines of log text kept per stream.
pub const LOG_LINES: usize = 5000;

impl Default for Inspector {
    fn default() -> Self {
        Inspector {
            tab: InspectorTab::Services,
            service: "kubelet".into(),
            text: LineBuffer::new(LOG_LINES),
            text_error: None,
            scroll_back: 0,
            processes: None,
            mounts: None,
            disks: None,
            details: None,
            config_error: None,
            config_top: 0,
        }
    }
}

/// Text fetched once and scrolled (the describe view): the lines, or why there are none yet.
#[derive(Debug, Default)]
pub struct TextView {
    pub lines: Option<Result<Vec<String>, String>>,
    pub scroll: usize,
    /// Owners asked for so far (describe follows a chain of them).
    pub owners: usize,
}

/// A pod container's log: which stream, what it asked for, the text so far.
#[derive(Debug)]
pub struct PodLogs {
    /// Tells this stream's reports from an earlier one's still in flight.
    pub id: u64,
    pub ask: LogAsk,
    /// The pod's containers, once the pod is read; the one shown is `reading`.
    pub containers: Vec<String>,
    pub reading: Option<String>,
    pub text: LineBuffer,
    /// Lines scrolled back from the end; 0 follows new lines.
    pub scroll_back: usize,
    /// The server closed the stream (the run is over).
    pub ended: bool,
    pub error: Option<String>,
    /// Long lines wrap (a view setting: it outlives the stream).
    pub wrap: bool,
}

impl Default for PodLogs {
    fn default() -> Self {
        PodLogs {
            id: 0,
            ask: LogAsk::default(),
            containers: Vec::new(),
            reading: None,
            text: LineBuffer::new(LOG_LINES),
            scroll_back: 0,
            ended: false,
            error: None,
            wrap: false,
        }
    }
}

/// Talos: the polled nodes and the node inspector.
#[derive(Debug, Default)]
pub struct Talos {
    pub nodes: RowStore<TalosNodeRow>,
    pub inspector: Inspector,
    /// The roles each talosconfig context's client certificate carries.
    pub roles: std::collections::BTreeMap<String, Vec<String>>,
    /// The talosconfig's contexts, each with its own `nodes`.
    pub contexts: std::collections::BTreeMap<String, Vec<String>>,
    /// The nodes the pollers follow (what the platform says, else the talosconfig).
    pub targets: std::collections::BTreeSet<ObjRef>,
    /// A reboot waiting for its node's pods to be listed (for the drain).
    pub pending_reboot: Option<ObjRef>,
    /// The node last told to the pollers as on screen.
    pub focus: Option<ObjRef>,
    /// Each node's metrics over the last minutes, from the counters of successive polls.
    pub metrics: std::collections::BTreeMap<ObjRef, crate::model::talos_metrics::NodeMetrics>,
    /// Each node's machine status and events, as followed.
    pub machine: std::collections::BTreeMap<ObjRef, NodeMachine>,
}

/// What a Talos node says of itself over its streams.
#[derive(Debug, Clone, Default)]
pub struct NodeMachine {
    /// When the cockpit began following the node: its events from then on are news (the
    /// timeline's); older ones are its history.
    pub since: Option<Timestamp>,
    pub status: Option<Result<crate::model::talos_machine::MachineStatus, String>>,
    pub events: crate::model::talos_events::NodeEvents,
}

impl Talos {
    /// A poll arrived: its counters against the previous poll's make a point. Nodes gone from
    /// the list lose their points.
    pub fn observe(&mut self, u: &crate::model::store::WatchUpdate<TalosNodeRow>) {
        use crate::model::store::WatchUpdate;
        match u {
            WatchUpdate::Upsert(row) => {
                let before = self.nodes.get(&row.key).and_then(|r| r.sample.as_ref());
                if let (Some(before), Some(after)) = (before, row.sample.as_ref()) {
                    let point = crate::model::talos_metrics::point(before, after);
                    self.metrics.entry(row.key.clone()).or_default().push(point);
                }
            }
            WatchUpdate::Delete(key) => {
                self.metrics.remove(key);
                self.machine.remove(key);
            }
            WatchUpdate::Relisted(cluster, rows) => {
                let kept = |k: &ObjRef| k.cluster != *cluster || rows.iter().any(|r| &r.key == k);
                self.metrics.retain(|k, _| kept(k));
                self.machine.retain(|k, _| kept(k));
            }
            WatchUpdate::State(..) | WatchUpdate::Served(..) | WatchUpdate::Malformed(..) => {}
        }
    }
}

/// External Secrets and the stores they read from.
#[derive(Debug, Default)]
pub struct Eso {
    pub external_secrets: RowStore<ExternalSecretRow>,
    pub secret_stores: RowStore<StoreRow>,
    pub cluster_secret_stores: RowStore<StoreRow>,
}

/// Harvester: KubeVirt VMs and their instances, images, and the hosts.
#[derive(Debug, Default)]
pub struct Harvester {
    pub vms: RowStore<VmRow>,
    pub vmis: RowStore<VmiRow>,
    pub vm_images: RowStore<ImageRow>,
    pub hosts: RowStore<HostRow>,
    /// The workload clusters' Nodes (the layer between a Machine and its Talos node).
    pub workload_nodes: RowStore<HostRow>,
    /// The workload clusters' pods, slim: where each runs and whether it is stuck.
    pub workload_pods: RowStore<crate::model::pods::PodRow>,
}

/// Bare metal: Tinkerbell Hardware and Workflows, Rufio BMC Machines and Jobs.
#[derive(Debug, Default)]
pub struct Metal {
    pub hardware: RowStore<HardwareRow>,
    pub workflows: RowStore<WorkflowRow>,
    pub bmcs: RowStore<BmcRow>,
    pub bmc_jobs: RowStore<BmcJobRow>,
}

/// Whether the token may do what a dialog offers.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    Checking,
    Allowed,
    Denied(String),
    /// The check itself failed; the server still enforces RBAC when the request is sent.
    Unknown(String),
}

/// The confirm dialog of a mutating action.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub id: u64,
    pub plan: Plan,
    pub access: Access,
    /// For a sync: the options the plan was built with; `p`, `d`, `o` toggle them.
    pub sync: Option<SyncOptions>,
    /// Lines scrolled past, for plans taller than the screen.
    pub scroll: u16,
    /// Another way to do it that `n` switches to (a reboot without its drain), and what the
    /// key says.
    pub alternative: Option<(String, Plan)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum OpStatus {
    Sent,
    /// A rollout between steps: where it is, in words.
    Running(String),
    Succeeded(String),
    Failed(String),
    /// Sent, and no answer says whether it was done.
    Unknown(String),
}

/// One action sent from this cockpit, for the operations panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: u64,
    pub at: Timestamp,
    pub plan: Plan,
    pub status: OpStatus,
    /// For a rollout: which step it is at.
    pub run: Option<RolloutRun>,
}

/// Where a rollout is: the step, and whether its request is out or its gate is being waited on.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutRun {
    pub step: usize,
    /// When the current step's request was acknowledged; None while it is being sent.
    pub waiting_since: Option<Timestamp>,
    /// When a rebooted node first answered again (for the etcd grace period).
    pub back_since: Option<Timestamp>,
}

/// Operations kept for the panel.
pub const OPERATIONS_KEPT: usize = 100;

/// What the kind browser shows: which kind where, the server's columns, and the rows.
#[derive(Debug, Default)]
pub struct Browse {
    pub target: Option<BrowseTarget>,
    pub columns: Vec<ServerColumn>,
    /// Changed through `apply`, which tells the kept table rows what changed.
    pub rows: RowStore<BrowseRow>,
    /// CPU and memory of the pods or nodes listed, when the kind has them.
    pub metrics: crate::model::metrics::BrowseMetrics,
    /// The table rows, kept between changes (`tables::BROWSE`); whatever changes how every
    /// row looks (columns, metrics) calls `changed_all` on it.
    pub kept: std::cell::RefCell<crate::model::kept::KeptRows>,
}

impl Browse {
    /// A watch event on the browsed objects, noted for the rows kept from them.
    pub fn apply(&mut self, update: WatchUpdate<BrowseRow>) {
        let kept = self.kept.get_mut();
        match &update {
            WatchUpdate::Upsert(row) => kept.changed(&row.key),
            WatchUpdate::Delete(key) => kept.changed(key),
            WatchUpdate::Relisted(..) => kept.changed_all(),
            WatchUpdate::State(..) | WatchUpdate::Served(..) | WatchUpdate::Malformed(..) => {}
        }
        self.rows.apply(update);
    }

    /// Whether the browser shows this core kind (`Pod`, `Node`): some keys act only there.
    pub fn shows_core(&self, kind: &str) -> bool {
        self.target
            .as_ref()
            .is_some_and(|t| t.kind.kind == kind && t.kind.group.is_empty())
    }
}

/// A provider kind on a cluster: (context, group, kind).
pub type InfraKey = (String, String, String);

/// The provider machines behind CAPI Machines (HarvesterMachine, VSphereMachine …), watched
/// per kind as the Machines name them, judged by their health rule.
#[derive(Debug, Default)]
pub struct Infra {
    pub rows: RowStore<BrowseRow>,
    /// The kinds watched already.
    pub watched: std::collections::BTreeSet<InfraKey>,
    /// Provider kinds waiting for the pane on screen to finish listing, and since when.
    pub waiting: Vec<InfraKey>,
    pub waiting_since: Option<jiff::Timestamp>,
}

/// A kind opened with `:<kind> [namespace]`, on the clusters that serve it.
#[derive(Debug, Clone, PartialEq)]
pub struct BrowseTarget {
    /// Tells this browse's updates from a previous one's still in flight.
    pub id: u64,
    pub kind: ApiKind,
    pub namespace: Option<String>,
    pub clusters: Vec<String>,
    /// Narrowed to one context (`@context`): clusters that answer later do not join.
    pub pinned: bool,
    /// A field selector, e.g. the events of one object.
    pub fields: Option<String>,
    /// What the selector means, for the title (`for Pod media/web-1`).
    pub about: Option<String>,
}

/// The object the YAML view shows: as fetched, whether its Secret values are shown, and the
/// scroll position.
#[derive(Debug, Default)]
pub struct YamlView {
    pub object: Option<Result<serde_json::Value, String>>,
    pub reveal: bool,
    pub scroll: usize,
}

/// argocd-server's diff of one app against git, for `:diff`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiffView {
    pub app: Option<ObjRef>,
    /// None while it is being fetched.
    pub lines: Option<Result<Vec<String>, String>>,
    pub scroll: usize,
}

/// What the last background plugin printed, for `:output`.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginOutput {
    /// The operation it belongs to.
    pub id: u64,
    pub command_line: String,
    pub lines: Vec<String>,
    /// How it ended, once it has.
    pub ended: Option<String>,
    pub scroll: usize,
}

impl PluginOutput {
    pub fn new(id: u64, command_line: String) -> Self {
        PluginOutput {
            id,
            command_line,
            lines: Vec::new(),
            ended: None,
            scroll: 0,
        }
    }
}

/// What this cockpit sends: the open confirm dialog and the operations sent.
#[derive(Debug)]
pub struct Actions {
    pub dialog: Option<Dialog>,
    pub operations: Vec<Operation>,
    /// The last background plugin's output.
    pub output: Option<PluginOutput>,
    pub next_id: u64,
    /// Who `.operation.initiatedBy.username` names.
    pub user: String,
}

impl Default for Actions {
    fn default() -> Self {
        Actions {
            dialog: None,
            operations: Vec::new(),
            output: None,
            next_id: 1,
            user: "opsdeck".into(),
        }
    }
}
