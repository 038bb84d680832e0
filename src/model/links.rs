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

use smallvec::{SmallVec, smallvec};
use smol_str::SmolStr;

use super::capi::MachineRow;
use super::hosts::HardwareRow;
use super::store::{Keyed, ObjRef, RowStore, WatchUpdate};
use super::talos::TalosNodeRow;
use super::vms::{VmRow, VmiRow};

/// Rows by a value they carry (a VM's uid, a Machine's node), kept in step with a store.
/// What a row carried before a change is read from the store's row before the store applies
/// it, so the index holds only values to rows (a map from rows back to their values doubled
/// it: ~20 MB at 20,000 Machines for the three Machine indexes).
#[derive(Debug, Default, Clone)]
pub struct BiIndex {
    /// The rows carrying each value, in key order. Almost always one: held inline (a
    /// `BTreeSet` per value allocated a node of eleven keys for it).
    keys: HashMap<SmolStr, SmallVec<[ObjRef; 1]>>,
}

/// The values a row carries: none, one or two.
pub type Values = SmallVec<[SmolStr; 2]>;

impl BiIndex {
    fn add(&mut self, key: &ObjRef, values: Values) {
        for v in values {
            let keys = self.keys.entry(v).or_default();
            if let Err(at) = keys.binary_search(key) {
                keys.insert(at, key.clone());
            }
        }
    }

    fn forget(&mut self, key: &ObjRef, values: Values) {
        for v in values {
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
        self.keys.retain(|_, keys| {
            keys.retain(|k| k.cluster != cluster);
            !keys.is_empty()
        });
    }

    /// Follow a store's update, before `store` applies it: `values` says what a row carries.
    pub fn observe<R: Keyed>(
        &mut self,
        update: &WatchUpdate<R>,
        store: &RowStore<R>,
        values: impl Fn(&R) -> Values,
    ) {
        match update {
            WatchUpdate::Relisted(cluster, rows) => {
                self.clear_cluster(cluster);
                for row in rows {
                    self.add(row.key(), values(row));
                }
            }
            WatchUpdate::Upsert(row) => {
                if let Some(before) = store.get(row.key()) {
                    self.forget(row.key(), values(before));
                }
                self.add(row.key(), values(row));
            }
            WatchUpdate::Delete(key) => {
                if let Some(before) = store.get(key) {
                    self.forget(key, values(before));
                }
            }
            WatchUpdate::State(..) | WatchUpdate::Served(..) | WatchUpdate::Malformed(..) => {}
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
    pub fn machines(&mut self, u: &WatchUpdate<MachineRow>, store: &RowStore<MachineRow>) {
        self.machine_by_vm_uid.observe(u, store, |m| {
            harvester_uid(&m.provider_id)
                .map(SmolStr::from)
                .into_iter()
                .collect()
        });
        self.machine_by_hardware.observe(u, store, |m| {
            tinkerbell_hardware(&m.provider_id)
                .map(|(ns, name)| hardware_in(&m.key.cluster, ns, name).into())
                .into_iter()
                .collect()
        });
        self.machine_by_node
            .observe(u, store, |m| match m.node.is_empty() {
                true => Values::new(),
                false => smallvec![node_in(&m.cluster, &m.node).into()],
            });
    }

    pub fn vms(&mut self, u: &WatchUpdate<VmRow>, store: &RowStore<VmRow>) {
        self.vm_by_uid
            .observe(u, store, |vm| match vm.uid.is_empty() {
                true => Values::new(),
                false => smallvec![vm.uid.as_str().into()],
            });
    }

    pub fn vmis(&mut self, u: &WatchUpdate<VmiRow>, store: &RowStore<VmiRow>) {
        self.vmi_by_host
            .observe(u, store, |vmi| match vmi.node.is_empty() {
                true => Values::new(),
                false => smallvec![vmi.node.as_str().into()],
            });
    }

    pub fn hardware(&mut self, u: &WatchUpdate<HardwareRow>, store: &RowStore<HardwareRow>) {
        self.hardware_by_host.observe(u, store, |h| {
            let mut names: Values = smallvec![h.key.name.clone()];
            if !h.hostname.is_empty() && h.hostname != h.key.name {
                names.push(h.hostname.as_str().into());
            }
            names
        });
    }

    pub fn talos(&mut self, u: &WatchUpdate<TalosNodeRow>, store: &RowStore<TalosNodeRow>) {
        self.talos_by_name.observe(u, store, |t| {
            let mut names: Values = smallvec![t.key.name.clone()];
            if let Some(h) = t.hostname.as_ref().filter(|h| **h != t.key.name) {
                names.push(h.as_str().into());
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

    fn by(r: &Row) -> Values {
        smallvec![r.1.into()]
    }

    /// The index follows the update, then the store applies it (as the cockpit does).
    fn apply(idx: &mut BiIndex, store: &mut RowStore<Row>, update: WatchUpdate<Row>) {
        idx.observe(&update, store, by);
        store.apply(update);
    }

    #[test]
    fn an_index_follows_upserts_deletes_and_one_clusters_relist() {
        let (mut idx, mut store) = (BiIndex::default(), RowStore::default());
        let upsert = |cluster, name, value| WatchUpdate::Upsert(Row(key(cluster, name), value));
        apply(&mut idx, &mut store, upsert("a", "m1", "uid-1"));
        apply(&mut idx, &mut store, upsert("b", "m2", "uid-2"));
        assert_eq!(idx.only("uid-1"), Some(&key("a", "m1")));
        // The row now carries another value: the old one no longer finds it.
        apply(&mut idx, &mut store, upsert("a", "m1", "uid-9"));
        assert_eq!(idx.only("uid-1"), None);
        assert_eq!(idx.only("uid-9"), Some(&key("a", "m1")));
        // Two rows with one value: not one link, so none.
        apply(&mut idx, &mut store, upsert("a", "m3", "uid-9"));
        assert_eq!(idx.only("uid-9"), None);
        assert_eq!(idx.keys_for("uid-9").count(), 2);
        // Cluster a relists without m3: b's row stays.
        let relist = vec![Row(key("a", "m1"), "uid-9")];
        apply(
            &mut idx,
            &mut store,
            WatchUpdate::Relisted("a".into(), relist),
        );
        assert_eq!(idx.only("uid-9"), Some(&key("a", "m1")));
        assert_eq!(idx.only("uid-2"), Some(&key("b", "m2")));
        apply(&mut idx, &mut store, WatchUpdate::Delete(key("b", "m2")));
        assert_eq!(idx.only("uid-2"), None);
        assert_eq!(idx.keys.len(), 1, "no value is left without rows");
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
