//! Watch updates into their stores: each message of a watched kind lands in its store, with the
//! link indexes and the tree's open nodes that follow the rows. Pure state changes; nothing is
//! sent.

use super::msg::Msg;
use super::state::State;
use crate::model::tree::NodeId;

/// Apply a row update to its store; any other message is handed back.
pub fn apply(state: &mut State, msg: Msg) -> Option<Msg> {
    match msg {
        Msg::Clusters(u) => {
            state.capi.clusters.apply(u);
            let ids = state
                .capi
                .clusters
                .iter()
                .map(|c| NodeId::Cluster(c.key.clone()));
            state.tree.open_new(ids.collect::<Vec<_>>());
        }
        Msg::ControlPlanes(u) => {
            state.capi.control_planes.apply(u);
            let ids = state.capi.control_planes.iter();
            let ids = ids.map(|c| NodeId::ControlPlane(c.key.clone()));
            state.tree.open_new(ids.collect::<Vec<_>>());
        }
        Msg::Deployments(u) => {
            state.capi.deployments.apply(u);
            let ids = state.capi.deployments.iter();
            let ids = ids.map(|d| NodeId::Deployment(d.key.clone()));
            state.tree.open_new(ids.collect::<Vec<_>>());
        }
        Msg::Machines(u) => {
            state.links.machines(&u, &state.capi.machines);
            state.capi.machines.apply(u);
        }
        Msg::Apps(u) => state.argo.apps.apply(u),
        Msg::Talos(u) => {
            state.links.talos(&u, &state.talos.nodes);
            state.talos.observe(&u);
            state.talos.nodes.apply(u);
        }
        Msg::ExternalSecrets(u) => state.eso.external_secrets.apply(u),
        Msg::SecretStores(u) => state.eso.secret_stores.apply(u),
        Msg::ClusterSecretStores(u) => state.eso.cluster_secret_stores.apply(u),
        Msg::Vms(u) => {
            state.links.vms(&u, &state.harvester.vms);
            state.harvester.vms.apply(u);
        }
        Msg::Vmis(u) => {
            state.links.vmis(&u, &state.harvester.vmis);
            state.harvester.vmis.apply(u);
        }
        Msg::VmImages(u) => state.harvester.vm_images.apply(u),
        Msg::Hosts(u) => state.harvester.hosts.apply(u),
        Msg::WorkloadNodes(u) => state.harvester.workload_nodes.apply(u),
        Msg::WorkloadPods(u) => state.harvester.workload_pods.apply(u),
        Msg::TalosRoles(roles) => state.talos.roles = roles,
        Msg::TalosFeed { key, feed } => super::talos_feed::apply(state, key, feed),
        Msg::TalosContexts(contexts) => {
            // What is polled first: the talosconfig's own nodes.
            state.talos.targets = contexts
                .iter()
                .flat_map(|(c, nodes)| {
                    nodes
                        .iter()
                        .map(|n| crate::model::store::ObjRef::in_cluster(c.clone(), "", n.clone()))
                })
                .collect();
            state.talos.contexts = contexts;
        }
        Msg::PlatformHealth(kind, u) => state
            .platform_health
            .kinds
            .entry(kind)
            .or_default()
            .apply(u),
        Msg::Hardware(u) => {
            state.links.hardware(&u, &state.metal.hardware);
            state.metal.hardware.apply(u);
        }
        Msg::Workflows(u) => state.metal.workflows.apply(u),
        Msg::Bmcs(u) => state.metal.bmcs.apply(u),
        Msg::BmcJobs(u) => state.metal.bmc_jobs.apply(u),
        other => return Some(other),
    }
    None
}
