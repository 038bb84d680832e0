//! Rows of one kind, keyed by namespace/name, fed by a watch.
//!
//! A relist arrives whole (the watcher buffers `Init`..`InitDone`) and replaces the rows at once,
//! so a table never shows half a list and rows deleted while disconnected disappear.

use std::collections::BTreeMap;

pub use super::key::{Keyed, ObjRef};
use super::runs::Runs;
use super::source::SourceState;

/// What a watch tells its store. Relists and states are per cluster: one cluster's watch
/// never replaces or marks another cluster's rows.
#[derive(Debug, Clone)]
pub enum WatchUpdate<R> {
    Relisted(String, Vec<R>),
    Upsert(R),
    Delete(ObjRef),
    State(String, SourceState),
    /// The API version the cluster serves the kind at, as discovery chose it: requests about
    /// these rows use it.
    Served(String, String),
    /// The row just listed or upserted was read with fields of another type than its kind's
    /// schema gives them, read as empty (`wire::Slim::malformed` says which).
    Malformed(Malformed),
}

/// An object read with some fields left empty, and which.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    pub key: ObjRef,
    pub group: &'static str,
    pub kind: &'static str,
    pub fields: Box<str>,
}

#[derive(Debug)]
pub struct RowStore<R> {
    rows: Runs<R>,
    states: BTreeMap<String, SourceState>,
    /// Per cluster, the version discovery chose for the kind.
    served: BTreeMap<String, String>,
    /// Rows read with fields left empty, until an update reads them whole.
    malformed: BTreeMap<ObjRef, Malformed>,
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        RowStore {
            rows: Runs::default(),
            states: BTreeMap::new(),
            served: BTreeMap::new(),
            malformed: BTreeMap::new(),
        }
    }
}

impl<R> RowStore<R> {
    /// The version a cluster serves this kind at, once its watch has found it.
    pub fn served_version(&self, cluster: &str) -> Option<&str> {
        self.served.get(cluster).map(String::as_str)
    }

    /// Rows read with fields left empty, by key.
    pub fn malformed(&self) -> &BTreeMap<ObjRef, Malformed> {
        &self.malformed
    }
}

/// What a pane asks of a store that feeds it, whatever its rows.
pub trait Feeding {
    /// Each cluster feeding the store, with the state of its watch.
    fn sources(&self) -> Vec<(String, SourceState)>;
    /// Rows read with fields left empty.
    fn malformed(&self) -> &BTreeMap<ObjRef, Malformed>;
}

impl<R: Keyed> Feeding for RowStore<R> {
    fn sources(&self) -> Vec<(String, SourceState)> {
        RowStore::sources(self)
    }

    fn malformed(&self) -> &BTreeMap<ObjRef, Malformed> {
        RowStore::malformed(self)
    }
}

impl<R: Keyed> RowStore<R> {
    pub fn apply(&mut self, update: WatchUpdate<R>) {
        match update {
            WatchUpdate::Relisted(cluster, rows) => {
                self.malformed.retain(|k, _| k.cluster != cluster);
                // The other clusters' rows and the new ones sorted together and cut into runs
                // at once.
                let mut all = self.rows.take_rows();
                all.retain(|r| r.key().cluster != cluster);
                all.extend(rows);
                self.rows = Runs::from_rows(all);
                self.states.insert(cluster, SourceState::Live);
            }
            WatchUpdate::Upsert(row) => {
                self.malformed.remove(row.key());
                self.rows.upsert(row);
            }
            WatchUpdate::Delete(key) => {
                self.malformed.remove(&key);
                self.rows.remove(key.parts());
            }
            WatchUpdate::Malformed(m) => {
                self.malformed.insert(m.key.clone(), m);
            }
            WatchUpdate::State(cluster, state) => {
                self.states.insert(cluster, state);
            }
            WatchUpdate::Served(cluster, version) => {
                self.served.insert(cluster, version);
            }
        }
    }

    /// The state the pane title shows: the worst of its clusters (loading before any). A
    /// cluster without the kind installed counts only when no cluster has it.
    pub fn state(&self) -> SourceState {
        let installed: Vec<&SourceState> = self
            .states
            .values()
            .filter(|s| **s != SourceState::NotInstalled)
            .collect();
        if installed.is_empty() && !self.states.is_empty() {
            return SourceState::NotInstalled;
        }
        SourceState::worst(installed)
    }

    /// Every cluster feeding this store, with its state.
    pub fn sources(&self) -> Vec<(String, SourceState)> {
        self.states
            .iter()
            .map(|(c, s)| (c.clone(), s.clone()))
            .collect()
    }

    /// The state of `cluster`'s source, if it feeds this store.
    pub fn state_in(&self, cluster: &str) -> Option<&SourceState> {
        self.states.get(cluster)
    }

    /// Each cluster's state, for the clusters that are not live.
    pub fn troubled(&self) -> impl Iterator<Item = (&String, &SourceState)> {
        self.states.iter().filter(|(_, s)| !s.is_healthy())
    }

    pub fn get(&self, key: &ObjRef) -> Option<&R> {
        self.rows.get(key.parts())
    }

    /// The row of `cluster`/`namespace`/`name`, found without building its key.
    pub fn get_in(&self, cluster: &str, namespace: &str, name: &str) -> Option<&R> {
        self.rows.get((cluster, namespace, name))
    }

    pub fn iter(&self) -> impl Iterator<Item = &R> {
        self.rows.iter()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::key::tests::Row;

    fn key(cluster: &str, name: &str) -> ObjRef {
        ObjRef::in_cluster(cluster, "ns", name)
    }

    #[test]
    fn a_row_is_found_by_its_borrowed_parts_as_by_its_key() {
        let mut s = RowStore::default();
        let names = [
            "a",
            "a-b",
            "ab",
            "a-much-longer-name-than-smolstr-inlines",
            "b",
            "",
        ];
        for (i, cluster) in ["", "c1", "c1-with-a-long-context-name"].iter().enumerate() {
            for (j, name) in names.iter().enumerate() {
                for ns in ["", "ns", "ns-2"] {
                    let row = Row(
                        ObjRef::in_cluster(*cluster, ns, *name),
                        (i * 100 + j) as u32,
                    );
                    s.apply(WatchUpdate::Upsert(row));
                }
            }
        }
        for cluster in ["", "c1", "c1-with-a-long-context-name", "c0", "c2"] {
            for ns in ["", "ns", "ns-2", "ns-3"] {
                for name in names.iter().chain(&["a-", "zz"]) {
                    let by_key = s.get(&ObjRef::in_cluster(cluster, ns, *name));
                    assert_eq!(s.get_in(cluster, ns, name), by_key, "{cluster}/{ns}/{name}");
                }
            }
        }
        assert!(
            s.get_in("c1", "ns", "a-much-longer-name-than-smolstr-inlines")
                .is_some()
        );
        assert!(
            s.get_in("c1", "ns", "a-much-longer-name-than-smolstr-inline")
                .is_none()
        );
    }

    #[test]
    fn a_list_shown_page_by_page_keeps_every_row_when_it_goes_live() {
        let mut s = RowStore::default();
        s.apply(WatchUpdate::Upsert(Row(key("b", "other"), 0)));
        for i in 0..200 {
            s.apply(WatchUpdate::Upsert(Row(
                key("a", &format!("pod-{i:03}")),
                i,
            )));
        }
        s.apply(WatchUpdate::State("a".into(), SourceState::Live));
        assert_eq!(s.len(), 201);
        assert_eq!(s.get(&key("a", "pod-123")).map(|r| r.1), Some(123));
        assert!(s.iter().map(|r| &r.0).is_sorted(), "still in key order");
        assert_eq!(s.state(), SourceState::Live);
    }

    #[test]
    fn relist_replaces_its_cluster_only_and_goes_live() {
        let mut s = RowStore::default();
        s.apply(WatchUpdate::Upsert(Row(key("a", "old"), 1)));
        s.apply(WatchUpdate::Relisted(
            "b".into(),
            vec![Row(key("b", "keep"), 1)],
        ));
        assert_eq!(s.state(), SourceState::Live);
        s.apply(WatchUpdate::State("a".into(), SourceState::Loading));
        assert_eq!(s.state(), SourceState::Loading, "the worst cluster wins");
        s.apply(WatchUpdate::Relisted(
            "a".into(),
            vec![Row(key("a", "new"), 2)],
        ));
        assert_eq!(s.state(), SourceState::Live);
        assert!(s.get(&key("a", "old")).is_none());
        assert!(
            s.get(&key("b", "keep")).is_some(),
            "another cluster's rows stay"
        );
        s.apply(WatchUpdate::Upsert(Row(key("a", "new"), 3)));
        assert_eq!(s.get(&key("a", "new")).map(|r| r.1), Some(3));
        s.apply(WatchUpdate::Delete(key("a", "new")));
        assert_eq!(s.len(), 1);
        s.apply(WatchUpdate::State(
            "b".into(),
            SourceState::Error("x".into()),
        ));
        assert_eq!(s.troubled().count(), 1);
    }

    #[test]
    fn a_relist_in_any_order_lands_among_the_other_clusters_rows_in_key_order() {
        let mut s = RowStore::default();
        for cluster in ["a", "c"] {
            let rows = (0..50)
                .map(|i| Row(key(cluster, &format!("r-{i:02}")), 0))
                .collect();
            s.apply(WatchUpdate::Relisted(cluster.into(), rows));
        }
        // Cluster b's rows sort between a's and c's; they come shuffled, and replace b's
        // earlier ones.
        s.apply(WatchUpdate::Upsert(Row(key("b", "gone"), 0)));
        let shuffled = (0..50)
            .map(|i| (i * 17) % 50)
            .map(|i| Row(key("b", &format!("r-{i:02}")), 1));
        s.apply(WatchUpdate::Relisted("b".into(), shuffled.collect()));
        assert_eq!(s.len(), 150);
        assert!(s.iter().map(|r| &r.0).is_sorted(), "in key order");
        assert!(s.get(&key("b", "gone")).is_none());
        for cluster in ["a", "b", "c"] {
            for i in [0, 17, 49] {
                let row = s.get_in(cluster, "ns", &format!("r-{i:02}"));
                assert!(row.is_some(), "{cluster} {i}");
            }
        }
        assert_eq!(s.get(&key("b", "r-33")).map(|r| r.1), Some(1));
    }

    #[test]
    fn a_malformed_note_lasts_until_its_row_is_read_whole_again() {
        let note = |cluster, name| {
            WatchUpdate::Malformed(Malformed {
                key: key(cluster, name),
                group: "cluster.x-k8s.io",
                kind: "Machine",
                fields: "status.phase: a list where a string belongs".into(),
            })
        };
        let mut s = RowStore::default();
        s.apply(WatchUpdate::Relisted(
            "a".into(),
            vec![Row(key("a", "m1"), 1), Row(key("a", "m2"), 1)],
        ));
        s.apply(note("a", "m1"));
        s.apply(note("a", "m2"));
        s.apply(WatchUpdate::Upsert(Row(key("b", "m1"), 1)));
        s.apply(note("b", "m1"));
        assert_eq!(s.malformed().len(), 3);
        s.apply(WatchUpdate::Upsert(Row(key("a", "m1"), 2)));
        assert!(!s.malformed().contains_key(&key("a", "m1")), "read whole");
        s.apply(WatchUpdate::Delete(key("a", "m2")));
        assert!(!s.malformed().contains_key(&key("a", "m2")), "gone");
        s.apply(WatchUpdate::Relisted(
            "b".into(),
            vec![Row(key("b", "m1"), 2)],
        ));
        assert!(s.malformed().is_empty(), "a relist says anew what it found");
        assert_eq!(s.len(), 2, "the notes never cost a row");
    }
}
