//! The cross-layer links, kept as indexes that follow the watches: each store's update changes
//! only the entries of the rows it names, so resolving a chain is a few map lookups, never a
//! scan of every row per frame.
//!
//! The links, bottom to top: a Tinkerbell Hardware is the Harvester host with its hostname; a
//! host runs the VMIs whose `status.nodeName` names it; a VM (and its VMI, same name) is the
//! CAPI Machine whose `providerID` is `harvester://<VM uid>`; a Machine's `nodeRef` is the
//! workload cluster's Node, which is the Talos node of that name; a Machine belongs to its
//! MachineDeployment or control plane and to its Cluster; the Argo CD Applications whose
//! destination is that cluster, and the ExternalSecrets in it, sit on top. A link that cannot
//! be resolved is missing, never guessed.

use std::collections::HashMap;

use smallvec::SmallVec;

use super::capi::MachineRow;
use super::hosts::HardwareRow;
use super::store::{Keyed, ObjRef, WatchUpdate};
use super::talos::TalosNodeRow;
use super::vms::{VmRow, VmiRow};

/// Rows by a value they carry (a VM's uid, a Machine's node), kept in step with a store.
#[derive(Debug, Default, Clone)]
pub struct BiIndex {
    values: HashMap<ObjRef, Vec<String>>,
    /// The rows carrying each value, in key order. Almost always one: held inline (a
    /// `BTreeSet` per value allocated a node of eleven keys for it, 16 MB at 20,000 Machines).
    keys: HashMap<String, SmallVec<[ObjRef; 1]>>,
}

impl BiIndex {
    /// Set the values a row carries (replacing what it carried before).
    pub fn put(&mut self, key: ObjRef, values: Vec<String>) {
        self.remove(&key);
        for v in &values {
            let keys = self.keys.entry(v.clone()).or_default();
            if let Err(at) = keys.binary_search(&key) {
                keys.insert(at, key.clone());
            }
        }
        if !values.is_empty() {
            self.values.insert(key, values);
        }
    }

    pub fn remove(&mut self, key: &ObjRef) {
        for v in self.values.remove(key).unwrap_or_default() {
            if let Some(keys) = self.keys.get_mut(&v) {
                keys.retain(|k| k != key);
                if keys.is_empty() {
                    self.keys.remove(&v);
                }
            }
        }
    }

    /// Forget one cluster's rows (before its relist replaces them).
    fn clear_cluster(&mut self, cluster: &str) {
        let gone: Vec<ObjRef> = self
            .values
            .keys()
            .filter(|k| k.cluster == cluster)
            .cloned()
            .collect();
        for key in gone {
            self.remove(&key);
        }
    }

    /// Follow a store's update: `values` says what a row carries.
    pub fn observe<R: Keyed>(
        &mut self,
        update: &WatchUpdate<R>,
        values: impl Fn(&R) -> Vec<String>,
    ) {
        match update {
            WatchUpdate::Relisted(cluster, rows) => {
                self.clear_cluster(cluster);
                for row in rows {
                    self.put(row.key().clone(), values(row));
                }
            }
            WatchUpdate::Upsert(row) => self.put(row.key().clone(), values(row)),
            WatchUpdate::Delete(key) => self.remove(key),
            WatchUpdate::State(..) | WatchUpdate::Served(..) => {}
        }
    }

    /// The rows that carry `value`.
    pub fn keys_for(&self, value: &str) -> impl Iterator<Item = &ObjRef> {
        self.keys.get(value).into_iter().flatten()
    }

    /// The one row that carries `value`; None if none or several (a link is never guessed).
    pub fn only(&self, value: &str) -> Option<&ObjRef> {
        let mut keys = self.keys_for(value);
        match (keys.next(), keys.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    }
}

/// The VM uid a Harvester providerID names (`harvester://<uid>`).
pub fn harvester_uid(provider_id: &str) -> Option<&str> {
    provider_id
        .strip_prefix("harvester://")
        .filter(|uid| !uid.is_empty())
}

/// The Hardware (namespace, name) a Tinkerbell providerID names (`tinkerbell://<ns>/<name>`,
/// as the Cluster API provider for Tinkerbell writes it).
pub fn tinkerbell_hardware(provider_id: &str) -> Option<(&str, &str)> {
    provider_id
        .strip_prefix("tinkerbell://")?
        .split_once('/')
        .filter(|(ns, name)| !ns.is_empty() && !name.is_empty() && !name.contains('/'))
}

/// A node in a cluster, as a link value (`media/media-cp-877b9`).
pub fn node_in(cluster: &str, node: &str) -> String {
    format!("{cluster}/{node}")
}

/// A Hardware object as a link value (`<context>/<namespace>/<name>`).
pub fn hardware_in(context: &str, namespace: &str, name: &str) -> String {
    format!("{context}/{namespace}/{name}")
}

/// Every index the chain reads.
#[derive(Debug, Default, Clone)]
pub struct Links {
    /// Machines by the VM uid of their providerID.
    pub machine_by_vm_uid: BiIndex,
    /// Machines by `<context>/<namespace>/<name>` of the Hardware their providerID names.
    pub machine_by_hardware: BiIndex,
    /// Machines by `<cluster>/<node>` of their nodeRef.
    pub machine_by_node: BiIndex,
    /// VMs by uid.
    pub vm_by_uid: BiIndex,
    /// VMIs by the host they run on.
    pub vmi_by_host: BiIndex,
    /// Hardware by hostname (and name).
    pub hardware_by_host: BiIndex,
    /// Talos nodes by the name they answer to (as addressed, and their hostname).
    pub talos_by_name: BiIndex,
}

impl Links {
    pub fn machines(&mut self, u: &WatchUpdate<MachineRow>) {
        self.machine_by_vm_uid.observe(u, |m| {
            harvester_uid(&m.provider_id)
                .map(str::to_string)
                .into_iter()
                .collect()
        });
        self.machine_by_hardware.observe(u, |m| {
            tinkerbell_hardware(&m.provider_id)
                .map(|(ns, name)| hardware_in(&m.key.cluster, ns, name))
                .into_iter()
                .collect()
        });
        self.machine_by_node
            .observe(u, |m| match m.node.is_empty() {
                true => Vec::new(),
                false => vec![node_in(&m.cluster, &m.node)],
            });
    }

    pub fn vms(&mut self, u: &WatchUpdate<VmRow>) {
        self.vm_by_uid.observe(u, |vm| match vm.uid.is_empty() {
            true => Vec::new(),
            false => vec![vm.uid.clone()],
        });
    }

    pub fn vmis(&mut self, u: &WatchUpdate<VmiRow>) {
        self.vmi_by_host
            .observe(u, |vmi| match vmi.node.is_empty() {
                true => Vec::new(),
                false => vec![vmi.node.clone()],
            });
    }

    pub fn hardware(&mut self, u: &WatchUpdate<HardwareRow>) {
        self.hardware_by_host.observe(u, |h| {
            let mut names = vec![h.key.name.to_string()];
            if !h.hostname.is_empty() && h.hostname != h.key.name {
                names.push(h.hostname.clone());
            }
            names
        });
    }

    pub fn talos(&mut self, u: &WatchUpdate<TalosNodeRow>) {
        self.talos_by_name.observe(u, |t| {
            let mut names = vec![t.key.name.to_string()];
            if let Some(h) = t.hostname.as_ref().filter(|h| **h != t.key.name) {
                names.push(h.clone());
            }
            names
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(cluster: &str, name: &str) -> ObjRef {
        ObjRef::in_cluster(cluster, "ns", name)
    }

    #[derive(Debug, Clone)]
    struct Row(ObjRef, &'static str);
    impl Keyed for Row {
        fn key(&self) -> &ObjRef {
            &self.0
        }
        fn key_mut(&mut self) -> &mut ObjRef {
            &mut self.0
        }
    }

    fn by(r: &Row) -> Vec<String> {
        vec![r.1.to_string()]
    }

    #[test]
    fn an_index_follows_upserts_deletes_and_one_clusters_relist() {
        let mut idx = BiIndex::default();
        idx.observe(&WatchUpdate::Upsert(Row(key("a", "m1"), "uid-1")), by);
        idx.observe(&WatchUpdate::Upsert(Row(key("b", "m2"), "uid-2")), by);
        assert_eq!(idx.only("uid-1"), Some(&key("a", "m1")));
        // The row now carries another value: the old one no longer finds it.
        idx.observe(&WatchUpdate::Upsert(Row(key("a", "m1"), "uid-9")), by);
        assert_eq!(idx.only("uid-1"), None);
        assert_eq!(idx.only("uid-9"), Some(&key("a", "m1")));
        // Two rows with one value: not one link, so none.
        idx.observe(&WatchUpdate::Upsert(Row(key("a", "m3"), "uid-9")), by);
        assert_eq!(idx.only("uid-9"), None);
        assert_eq!(idx.keys_for("uid-9").count(), 2);
        // Cluster a relists without m3: b's row stays.
        idx.observe(
            &WatchUpdate::Relisted("a".into(), vec![Row(key("a", "m1"), "uid-9")]),
            by,
        );
        assert_eq!(idx.only("uid-9"), Some(&key("a", "m1")));
        assert_eq!(idx.only("uid-2"), Some(&key("b", "m2")));
        idx.observe(&WatchUpdate::<Row>::Delete(key("b", "m2")), by);
        assert_eq!(idx.only("uid-2"), None);
    }

    #[test]
    fn provider_ids_name_vm_uids_only_for_harvester() {
        assert_eq!(harvester_uid("harvester://3f2a"), Some("3f2a"));
        assert_eq!(harvester_uid("harvester://"), None);
        assert_eq!(harvester_uid("talos://node-1"), None);
    }

    #[test]
    fn tinkerbell_provider_ids_name_one_hardware() {
        assert_eq!(
            tinkerbell_hardware("tinkerbell://tink-system/hv-01"),
            Some(("tink-system", "hv-01"))
        );
        assert_eq!(tinkerbell_hardware("tinkerbell://hv-01"), None);
        assert_eq!(tinkerbell_hardware("tinkerbell://a/b/c"), None);
        assert_eq!(tinkerbell_hardware("tinkerbell:///hv-01"), None);
        assert_eq!(tinkerbell_hardware("harvester://3f2a"), None);
    }
}
