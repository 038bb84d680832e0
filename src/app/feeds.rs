//! The stores behind each feed a pane names (`registry::Feed`), and what panes ask of them:
//! their sources' states and the rows read with fields left empty.

use super::registry::{Feed, Pane};
use super::state::State;
use crate::model::source::SourceState;
use crate::model::store::{Feeding, Malformed, ObjRef};

impl State {
    pub fn feed(&self, feed: Feed) -> &dyn Feeding {
        match feed {
            Feed::Clusters => &self.capi.clusters,
            Feed::ControlPlanes => &self.capi.control_planes,
            Feed::Deployments => &self.capi.deployments,
            Feed::Machines => &self.capi.machines,
            Feed::Apps => &self.argo.apps,
            Feed::AppDetail => &self.argo.app_detail,
            Feed::TalosNodes => &self.talos.nodes,
            Feed::ExternalSecrets => &self.eso.external_secrets,
            Feed::SecretStores => &self.eso.secret_stores,
            Feed::ClusterSecretStores => &self.eso.cluster_secret_stores,
            Feed::Vms => &self.harvester.vms,
            Feed::Vmis => &self.harvester.vmis,
            Feed::VmImages => &self.harvester.vm_images,
            Feed::HarvesterHosts => &self.harvester.hosts,
            Feed::Hardware => &self.metal.hardware,
            Feed::Workflows => &self.metal.workflows,
            Feed::Bmcs => &self.metal.bmcs,
            Feed::BmcJobs => &self.metal.bmc_jobs,
            Feed::Browse => &self.browse.rows,
        }
    }

    /// Each cluster feeding a store, with the state of its watch.
    pub fn feed_sources(&self, feed: Feed) -> Vec<(String, SourceState)> {
        self.feed(feed).sources()
    }

    /// The stores that feed a pane, each with its clusters' states.
    pub fn pane_sources(&self, pane: &Pane<State>) -> Vec<Vec<(String, SourceState)>> {
        pane.feeds.iter().map(|f| self.feed_sources(*f)).collect()
    }

    /// How many of a pane's rows were read with fields left empty.
    pub fn pane_malformed(&self, pane: &Pane<State>) -> usize {
        pane.feeds
            .iter()
            .map(|f| self.feed(*f).malformed().len())
            .sum()
    }

    /// What was left empty reading this object, if any watched store holds it so.
    pub fn malformed(&self, group: &str, kind: &str, key: &ObjRef) -> Option<&Malformed> {
        let workload: [&dyn Feeding; 2] = [
            &self.harvester.workload_nodes,
            &self.harvester.workload_pods,
        ];
        Feed::ALL
            .iter()
            .map(|f| self.feed(*f))
            .chain(workload)
            .filter_map(|store| store.malformed().get(key))
            .find(|m| m.group == group && m.kind == kind)
    }
}
