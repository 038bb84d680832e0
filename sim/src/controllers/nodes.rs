//! The workload cluster's Nodes follow its Machines: a Machine that reaches Running has joined
//! (its Node appears, as the kubelet would register it), a Machine deleted takes its Node with
//! it (as CAPI's Machine controller drains and deletes it).

use super::Controllers;
use crate::argo_objects;
use crate::capi_objects::CONTROL_PLANE_LABEL;
use crate::kinds::kind_id;
use crate::scenario::ClusterSpec;

impl Controllers {
    /// The workload cluster of this name, if it has an API server of its own.
    fn workload_db(&self, cluster: &str) -> Option<std::sync::MutexGuard<'_, crate::db::Db>> {
        self.workload_clusters
            .iter()
            .find(|(name, _)| name == cluster)
            .map(|(_, db)| db.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// A Machine reached Running: its Node registers.
    pub(super) fn node_joined(&self, c: &ClusterSpec, machine: &serde_json::Value) {
        let name = machine["metadata"]["name"].as_str().unwrap_or_default();
        let control_plane = machine["metadata"]["labels"]
            .get(CONTROL_PLANE_LABEL)
            .is_some();
        if let Some(mut db) = self.workload_db(&c.name) {
            let _ = db.create(
                kind_id("Node").unwrap_or_default(),
                argo_objects::node(name, control_plane),
            );
        }
    }

    /// A Machine was deleted: so is its Node.
    pub(super) fn node_left(&self, c: &ClusterSpec, name: &str) {
        if let Some(mut db) = self.workload_db(&c.name) {
            let _ = db.delete(&(
                kind_id("Node").unwrap_or_default(),
                String::new(),
                name.to_string(),
            ));
        }
    }
}
