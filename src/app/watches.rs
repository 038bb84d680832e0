//! The watches the panes need, in one plain list: kind, versions, projection, and the message
//! each update arrives in. The kube client watches and projects; this is where its reports
//! become the app's messages.

use kube::Client;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::msg::Msg;
use crate::clients::Sink;
use crate::clients::kube::sources::{KubeSources, Role};
use crate::clients::kube::watch::{WatchSpec, spawn_watch};
use crate::model::argo::{AppDetailW, AppSummaryW, app_detail, app_row};
use crate::model::capi::{
    ClusterW, ControlPlaneW, DeploymentW, MachineW, cluster_row, control_plane_row, deployment_row,
    machine_row,
};
use crate::model::eso::{ExternalSecretW, StoreW, external_secret_row, store_row};
use crate::model::hosts::{
    BmcJobW, BmcW, HardwareW, WorkflowW, bmc_job_row, bmc_row, hardware_row, workflow_row,
};
use crate::model::pods::{PodW, pod_row};
use crate::model::store::ObjRef;
use crate::model::vms::{ImageW, NodeW, VmW, VmiW, host_row, image_row, vm_row, vmi_row};

const CAPI: &str = "cluster.x-k8s.io";
const CAPI_VERSIONS: &[&str] = &["v1beta2", "v1beta1"];

pub const CLUSTERS: WatchSpec = WatchSpec::new(CAPI, CAPI_VERSIONS, "Cluster", "clusters");
pub const CONTROL_PLANES: WatchSpec = WatchSpec::new(
    "controlplane.cluster.x-k8s.io",
    &["v1alpha3"],
    "TalosControlPlane",
    "taloscontrolplanes",
);
pub const DEPLOYMENTS: WatchSpec = WatchSpec::new(
    CAPI,
    CAPI_VERSIONS,
    "MachineDeployment",
    "machinedeployments",
);
pub const MACHINES: WatchSpec = WatchSpec::new(CAPI, CAPI_VERSIONS, "Machine", "machines");
pub const APPLICATIONS: WatchSpec =
    WatchSpec::new("argoproj.io", &["v1alpha1"], "Application", "applications");

/// A sink that wraps each update in its message and queues it for the loop.
fn sender<U: 'static>(
    tx: &UnboundedSender<Msg>,
    wrap: fn(U) -> Msg,
) -> impl Fn(U) + Send + 'static {
    let sink = sink(tx, wrap);
    move |u| {
        sink.send(u);
    }
}

/// A client's report sink that wraps each report in its message for the loop.
pub fn sink<U: 'static>(
    tx: &UnboundedSender<Msg>,
    wrap: impl Fn(U) -> Msg + Send + Sync + 'static,
) -> Sink<U> {
    let tx = tx.clone();
    // A closed channel means the cockpit is shutting down: the client stops.
    Sink::new(move |u| tx.send(wrap(u)).is_ok())
}

/// Start every pane's watch; each sends its updates into the loop's channel.
pub const EXTERNAL_SECRETS: WatchSpec =
    WatchSpec::new(ESO, &["v1", "v1beta1"], "ExternalSecret", "externalsecrets");
pub const SECRET_STORES: WatchSpec =
    WatchSpec::new(ESO, &["v1", "v1beta1"], "SecretStore", "secretstores");
pub const CLUSTER_SECRET_STORES: WatchSpec = WatchSpec::new(
    ESO,
    &["v1", "v1beta1"],
    "ClusterSecretStore",
    "clustersecretstores",
);
const ESO: &str = "external-secrets.io";

pub fn start_pane_watches(sources: &KubeSources, tx: &UnboundedSender<Msg>) -> Vec<JoinHandle<()>> {
    let mut watches: Vec<JoinHandle<()>> = sources
        .with_role(Role::Management)
        .flat_map(|s| management_watches(&s.client, &s.context, tx))
        .collect();
    watches.extend(
        sources
            .with_role(Role::Harvester)
            .flat_map(|s| harvester_watches(&s.client, &s.context, tx)),
    );
    // The workload clusters' Nodes (the layer between a Machine and its Talos node) and
    // their pods, slim (the attention feed's crash loops).
    for s in sources.with_role(Role::Workload) {
        watches.push(spawn_watch::<NodeW, _, _, _>(
            s.client.clone(),
            s.context.clone(),
            NODES,
            host_row,
            sender(tx, Msg::WorkloadNodes),
        ));
        watches.push(spawn_watch::<PodW, _, _, _>(
            s.client.clone(),
            s.context.clone(),
            PODS,
            pod_row,
            sender(tx, Msg::WorkloadPods),
        ));
    }
    // External Secrets may run in any cluster; where its CRDs are absent the pane says so.
    for s in &sources.0 {
        watches.extend(secret_watches(&s.client, &s.context, tx));
    }
    watches
}

pub const VMS: WatchSpec =
    WatchSpec::new("kubevirt.io", &["v1"], "VirtualMachine", "virtualmachines");
pub const VMIS: WatchSpec = WatchSpec::new(
    "kubevirt.io",
    &["v1"],
    "VirtualMachineInstance",
    "virtualmachineinstances",
);
pub const VM_IMAGES: WatchSpec = WatchSpec::new(
    "harvesterhci.io",
    &["v1beta1"],
    "VirtualMachineImage",
    "virtualmachineimages",
);
pub const NODES: WatchSpec = WatchSpec::new("", &["v1"], "Node", "nodes");
pub const PODS: WatchSpec = WatchSpec::new("", &["v1"], "Pod", "pods");

/// KubeVirt VMs and the hosts live in the Harvester cluster.
fn harvester_watches(
    client: &Client,
    cluster: &str,
    tx: &UnboundedSender<Msg>,
) -> Vec<JoinHandle<()>> {
    let c = || cluster.to_string();
    vec![
        spawn_watch::<VmW, _, _, _>(client.clone(), c(), VMS, vm_row, sender(tx, Msg::Vms)),
        spawn_watch::<VmiW, _, _, _>(client.clone(), c(), VMIS, vmi_row, sender(tx, Msg::Vmis)),
        spawn_watch::<ImageW, _, _, _>(
            client.clone(),
            c(),
            VM_IMAGES,
            image_row,
            sender(tx, Msg::VmImages),
        ),
        spawn_watch::<NodeW, _, _, _>(client.clone(), c(), NODES, host_row, sender(tx, Msg::Hosts)),
    ]
}

fn secret_watches(
    client: &Client,
    cluster: &str,
    tx: &UnboundedSender<Msg>,
) -> Vec<JoinHandle<()>> {
    let c = || cluster.to_string();
    vec![
        spawn_watch::<ExternalSecretW, _, _, _>(
            client.clone(),
            c(),
            EXTERNAL_SECRETS,
            external_secret_row,
            sender(tx, Msg::ExternalSecrets),
        ),
        spawn_watch::<StoreW, _, _, _>(
            client.clone(),
            c(),
            SECRET_STORES,
            |o| store_row(o, false),
            sender(tx, Msg::SecretStores),
        ),
        spawn_watch::<StoreW, _, _, _>(
            client.clone(),
            c(),
            CLUSTER_SECRET_STORES,
            |o| store_row(o, true),
            sender(tx, Msg::ClusterSecretStores),
        ),
    ]
}

pub const HARDWARE: WatchSpec =
    WatchSpec::new("tinkerbell.org", &["v1alpha1"], "Hardware", "hardware");
pub const WORKFLOWS: WatchSpec =
    WatchSpec::new("tinkerbell.org", &["v1alpha1"], "Workflow", "workflows");
pub const BMC_MACHINES: WatchSpec =
    WatchSpec::new("bmc.tinkerbell.org", &["v1alpha1"], "Machine", "machines");

pub const BMC_JOBS: WatchSpec = WatchSpec::new("bmc.tinkerbell.org", &["v1alpha1"], "Job", "jobs");

/// The kinds the panes watch on a cluster in this role (what `opsdeck check` looks for).
pub fn kinds_for(role: Role) -> Vec<WatchSpec> {
    let mut kinds = match role {
        Role::Management => vec![
            CLUSTERS,
            CONTROL_PLANES,
            DEPLOYMENTS,
            MACHINES,
            APPLICATIONS,
            HARDWARE,
            WORKFLOWS,
            BMC_MACHINES,
            BMC_JOBS,
        ],
        Role::Harvester => vec![VMS, VMIS, VM_IMAGES, NODES],
        Role::Workload => Vec::new(),
    };
    kinds.extend([EXTERNAL_SECRETS, SECRET_STORES, CLUSTER_SECRET_STORES]);
    kinds
}

/// Cluster API, Argo CD and Tinkerbell live in the management cluster.
fn management_watches(
    client: &Client,
    cluster: &str,
    tx: &UnboundedSender<Msg>,
) -> Vec<JoinHandle<()>> {
    let c = || cluster.to_string();
    vec![
        spawn_watch::<HardwareW, _, _, _>(
            client.clone(),
            c(),
            HARDWARE,
            hardware_row,
            sender(tx, Msg::Hardware),
        ),
        spawn_watch::<WorkflowW, _, _, _>(
            client.clone(),
            c(),
            WORKFLOWS,
            workflow_row,
            sender(tx, Msg::Workflows),
        ),
        spawn_watch::<BmcW, _, _, _>(
            client.clone(),
            c(),
            BMC_MACHINES,
            bmc_row,
            sender(tx, Msg::Bmcs),
        ),
        spawn_watch::<BmcJobW, _, _, _>(
            client.clone(),
            c(),
            BMC_JOBS,
            bmc_job_row,
            sender(tx, Msg::BmcJobs),
        ),
        spawn_watch::<ClusterW, _, _, _>(
            client.clone(),
            c(),
            CLUSTERS,
            cluster_row,
            sender(tx, Msg::Clusters),
        ),
        spawn_watch::<ControlPlaneW, _, _, _>(
            client.clone(),
            c(),
            CONTROL_PLANES,
            control_plane_row,
            sender(tx, Msg::ControlPlanes),
        ),
        spawn_watch::<DeploymentW, _, _, _>(
            client.clone(),
            c(),
            DEPLOYMENTS,
            deployment_row,
            sender(tx, Msg::Deployments),
        ),
        spawn_watch::<MachineW, _, _, _>(
            client.clone(),
            c(),
            MACHINES,
            machine_row,
            sender(tx, Msg::Machines),
        ),
        spawn_watch::<AppSummaryW, _, _, _>(
            client.clone(),
            c(),
            APPLICATIONS,
            app_row,
            sender(tx, Msg::Apps),
        ),
    ]
}

/// Watch one Application in full, for the sync-wave view.
pub fn watch_app_detail(
    client: &Client,
    key: &ObjRef,
    tx: &UnboundedSender<Msg>,
) -> JoinHandle<()> {
    let mut spec = APPLICATIONS;
    spec.namespace = Some(key.namespace.to_string());
    spec.fields = Some(format!("metadata.name={}", key.name));
    spawn_watch::<AppDetailW, _, _, _>(
        client.clone(),
        key.cluster.to_string(),
        spec,
        app_detail,
        sender(tx, Msg::AppDetail),
    )
}
