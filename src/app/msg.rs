//! Messages into `update`, and the commands it hands back for the loop to execute.

use crossterm::event::Event;
use jiff::Timestamp;

use super::domains::BrowseTarget;
use crate::clients::clipboard::Copied;
use crate::clients::error::ClientError;
use crate::clients::kube::browse::BrowseUpdate;
use crate::clients::kube::logs::{LogAsk, LogReport};
use crate::model::actions::ActionPlan;
use crate::model::argo::{AppDetail, AppRow};
use crate::model::argo_rest::{ArgoRequest, ResourceHealth};
use crate::model::capi::{ClusterRow, ControlPlaneRow, DeploymentRow, MachineRow};
use crate::model::catalog::ApiKind;
use crate::model::eso::{ExternalSecretRow, StoreRow};
use crate::model::hosts::{BmcJobRow, BmcRow, HardwareRow, WorkflowRow};
use crate::model::plugin::PluginRun;
use crate::model::store::{ObjRef, WatchUpdate};
use crate::model::talos::{TalosNodeRow, TextSource};
use crate::model::upgrade::TalosUpgrade;
use crate::model::vms::{HostRow, ImageRow, VmRow, VmiRow};
use crate::model::yaml::ObjectRef;

#[derive(Debug)]
pub enum Msg {
    Input(Event),
    /// Wall-clock time passed; ages and "stale since" labels move.
    Tick(Timestamp),
    Clusters(WatchUpdate<ClusterRow>),
    ControlPlanes(WatchUpdate<ControlPlaneRow>),
    Deployments(WatchUpdate<DeploymentRow>),
    Machines(WatchUpdate<MachineRow>),
    Apps(WatchUpdate<AppRow>),
    AppDetail(WatchUpdate<AppDetail>),
    Talos(WatchUpdate<TalosNodeRow>),
    ExternalSecrets(WatchUpdate<ExternalSecretRow>),
    SecretStores(WatchUpdate<StoreRow>),
    ClusterSecretStores(WatchUpdate<StoreRow>),
    Vms(WatchUpdate<VmRow>),
    Vmis(WatchUpdate<VmiRow>),
    VmImages(WatchUpdate<ImageRow>),
    Hosts(WatchUpdate<HostRow>),
    /// A workload cluster's Nodes.
    WorkloadNodes(WatchUpdate<HostRow>),
    /// A workload cluster's pods.
    WorkloadPods(WatchUpdate<crate::model::pods::PodRow>),
    /// The roles of each talosconfig context's client certificate.
    TalosRoles(std::collections::BTreeMap<String, Vec<String>>),
    /// The talosconfig's contexts, each with its own `nodes` (the fallback targets).
    TalosContexts(std::collections::BTreeMap<String, Vec<String>>),
    /// The verdicts of one kind of the platform's other systems (cert-manager, Velero …).
    PlatformHealth(
        crate::model::platform_health::FollowedKind,
        WatchUpdate<crate::model::platform_health::PlatformHealthRow>,
    ),
    Hardware(WatchUpdate<HardwareRow>),
    Workflows(WatchUpdate<WorkflowRow>),
    Bmcs(WatchUpdate<BmcRow>),
    BmcJobs(WatchUpdate<BmcJobRow>),
    /// The answer of the SelfSubjectAccessReviews for the action in the dialog: `None` when
    /// everything is allowed, else why not.
    AccessChecked {
        id: u64,
        result: Result<Option<String>, ClientError>,
    },
    /// argocd-server's diff of an app's resources against git.
    Diff {
        app: ObjRef,
        result: Result<Vec<crate::model::argo_diff::ResourceDiff>, ClientError>,
    },
    /// A line a background plugin printed.
    PluginLine {
        id: u64,
        line: String,
    },
    /// How far an action in flight has come (an etcd snapshot's bytes so far).
    ActionProgress {
        id: u64,
        note: String,
    },
    /// An action was sent: what the server said.
    ActionDone {
        id: u64,
        result: Result<String, ClientError>,
    },
    /// Per-resource health of the app the sync-wave view shows, from argocd-server's
    /// resource tree, or why it could not be read.
    ResourceTree {
        key: ObjRef,
        result: Result<ResourceHealth, String>,
    },
    /// What kinds a cluster serves, from its discovery documents.
    Catalog {
        cluster: String,
        result: Result<Vec<ApiKind>, ClientError>,
        /// The cluster's whole answer (or its failure), not the core group sent ahead of it.
        complete: bool,
    },
    /// The object the YAML view asked for, or why it could not be read.
    Yaml {
        target: ObjectRef,
        result: Result<serde_json::Value, ClientError>,
    },
    /// An object and its events, for the describe view.
    Described {
        target: ObjectRef,
        object: Result<serde_json::Value, ClientError>,
        events: Result<serde_json::Value, ClientError>,
    },
    /// A provider machine kind's rows (the watch `WatchInfra` started).
    Infra(BrowseUpdate),
    /// An owner of the object described (`target`), fetched to follow the chain.
    Owner {
        target: ObjectRef,
        owner: ObjectRef,
        result: Result<serde_json::Value, ClientError>,
    },
    /// One cluster's usage for the kind browser (browse `id`).
    Metrics {
        id: u64,
        cluster: String,
        result: Result<crate::model::metrics::Report, ClientError>,
    },
    /// The pods on a node a drain was asked for (a `PodList`).
    NodePods {
        node: ObjRef,
        version: String,
        result: Result<serde_json::Value, ClientError>,
    },
    /// An object fetched to be copied as YAML.
    ObjectToCopy {
        target: ObjectRef,
        result: Result<serde_json::Value, ClientError>,
    },
    /// A copy reached a clipboard (or did not).
    Copied {
        what: String,
        result: Copied,
    },
    /// An update of the kind browser's watch `id`.
    Browse {
        id: u64,
        update: BrowseUpdate,
    },
    /// What the pod-log stream `id` read: the containers, text, its end, or why it stopped.
    PodLog {
        id: u64,
        report: LogReport,
    },
    /// A chunk of a node's log or kernel log, or why the stream stopped.
    NodeText {
        key: ObjRef,
        source: TextSource,
        text: Result<String, String>,
    },
    /// A read of a node's processes or mounts, for the inspector.
    NodeTable {
        key: ObjRef,
        result: Result<crate::model::node_tables::NodeTable, String>,
    },
    /// A followed Talos node's machine status or events.
    TalosFeed {
        key: ObjRef,
        feed: crate::model::talos_machine::NodeFeed,
    },
    /// The Machine tab's members and addresses, as watched.
    MachineDetails {
        key: ObjRef,
        details: Result<crate::model::talos_machine::MachineDetails, String>,
    },
    /// The Config tab's machine config, secrets redacted.
    MachineConfig {
        key: ObjRef,
        config: Result<Vec<String>, String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Ask argocd-server for an app's diff against git.
    FetchDiff(ObjRef),
    /// Run a plugin: in the background, or in the terminal once the loop has handed it over.
    RunPlugin {
        id: u64,
        run: PluginRun,
    },
    /// Start watching one Application in full (the sync-wave view).
    WatchAppDetail(ObjRef),
    StopAppDetail,
    /// Watch a kind with the server's columns on the clusters that serve it.
    Browse(BrowseTarget),
    StopBrowse,
    /// Fetch one object for the YAML view.
    FetchYaml(ObjectRef),
    /// Fetch one object and its events to describe it.
    Describe(ObjectRef),
    /// Fetch one object to copy it as YAML.
    FetchToCopy(ObjectRef),
    /// Watch a provider machine kind on a cluster for the cluster tree, for the session.
    WatchInfra {
        cluster: String,
        kind: ApiKind,
    },
    /// Watch the followed kinds of the platform's other systems on a cluster, for the
    /// attention feed, for the session.
    WatchPlatformHealth {
        cluster: String,
        kinds: Vec<crate::model::platform_health::FollowedKind>,
    },
    /// Fetch an owner of the object described.
    FetchOwner {
        target: ObjectRef,
        owner: ObjectRef,
    },
    /// Poll the Metrics API of these clusters for the kind browser (browse `id`) until the
    /// browse ends.
    PollMetrics {
        id: u64,
        of: crate::model::metrics::MetricsOf,
        clusters: Vec<String>,
        namespace: Option<String>,
    },
    /// List the pods on a node (to plan its drain); `version` is the node's, for the cordon.
    FetchNodePods {
        node: ObjRef,
        version: String,
    },
    /// Put text on the clipboard; `what` names it in the footer.
    Copy {
        what: String,
        text: String,
    },
    /// Follow a node's service log or dmesg (replacing any stream already open).
    StreamNodeText(ObjRef, TextSource),
    StopNodeText,
    /// Read a node's processes or mounts every two seconds (until StopNodeText or another).
    PollNodeTable(ObjRef, crate::model::node_tables::NodeTableKind),
    /// Watch a node's members and addresses for the Machine tab (until another tab's stream).
    FollowMachineDetails(ObjRef),
    /// Read a node's machine config, secrets redacted, for the Config tab.
    ReadMachineConfig(ObjRef),
    /// The Talos node on screen (polled faster), or none.
    FocusTalos(Option<ObjRef>),
    /// Poll exactly these Talos nodes.
    TalosTargets(std::collections::BTreeSet<ObjRef>),
    /// Follow a pod container's log (replacing any pod log already open).
    StreamPodLog {
        id: u64,
        key: ObjRef,
        ask: LogAsk,
    },
    StopPodLog,
    /// Ask the API server whether every one of these requests would be allowed.
    CheckAccess {
        id: u64,
        plans: Vec<ActionPlan>,
    },
    /// Send the plan, exactly as shown, and record it in the audit log.
    Execute {
        id: u64,
        plan: ActionPlan,
    },
    /// Send an Argo CD REST request, exactly as shown, and record it in the audit log.
    ArgoExecute {
        id: u64,
        request: ArgoRequest,
    },
    /// Ask argocd-server (`can-i`) whether the token may send this request.
    CheckArgoAccess {
        id: u64,
        request: ArgoRequest,
    },
    /// Upgrade one Talos node with the calls shown, and record it in the audit log.
    /// One Machine API call to a node, an operation's step.
    TalosCall {
        id: u64,
        call: crate::model::talos_calls::TalosCall,
    },
    TalosUpgrade {
        id: u64,
        request: TalosUpgrade,
    },
}
