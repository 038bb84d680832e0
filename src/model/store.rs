//! Rows of one kind, keyed by namespace/name, fed by a watch.
//!
//! A relist arrives whole (the watcher buffers `Init`..`InitDone`) and replaces the rows at once,
//! so a table never shows half a list and rows deleted while disconnected disappear.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use smol_str::SmolStr;

use super::source::SourceState;

/// Which object a row is: the cluster (kube context or talosconfig context) it came from,
/// its namespace (empty for cluster-scoped objects) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ObjRef {
    pub cluster: SmolStr,
    pub namespace: SmolStr,
    pub name: SmolStr,
}

impl ObjRef {
    /// A key whose cluster the watch fills in.
    pub fn new(namespace: impl Into<SmolStr>, name: impl Into<SmolStr>) -> Self {
        ObjRef {
            cluster: SmolStr::default(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    pub fn in_cluster(
        cluster: impl Into<SmolStr>,
        namespace: impl Into<SmolStr>,
        name: impl Into<SmolStr>,
    ) -> Self {
        ObjRef {
            cluster: cluster.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// `namespace/name`, or the name alone for a cluster-scoped object.
    pub fn namespaced_name(&self) -> String {
        match self.namespace.as_str() {
            "" => self.name.to_string(),
            ns => format!("{ns}/{}", self.name),
        }
    }
}

/// Cluster, then namespace, then name, each in `str`'s order.
impl Ord for ObjRef {
    fn cmp(&self, other: &Self) -> Ordering {
        key_order(self.parts(), other.parts())
    }
}

impl PartialOrd for ObjRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Two keys' parts in turn. Every insert into a store and every search of one compares keys
/// some sixteen times: at 60,000 pods they were a twentieth of the load, most of it three
/// calls into the C library's `memcmp` a comparison for strings of a few bytes.
fn key_order(a: (&str, &str, &str), b: (&str, &str, &str)) -> Ordering {
    str_order(a.0, b.0)
        .then_with(|| str_order(a.1, b.1))
        .then_with(|| str_order(a.2, b.2))
}

/// `str`'s order (its bytes', then its length's), eight bytes a step without a call.
#[inline]
fn str_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let (a_words, a_rest) = a[..common].as_chunks::<8>();
    let (b_words, b_rest) = b[..common].as_chunks::<8>();
    for (x, y) in a_words.iter().zip(b_words) {
        if x != y {
            return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.cluster.is_empty() {
            write!(f, "{}:", self.cluster)?;
        }
        if self.namespace.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Every row type has a key.
pub trait Keyed {
    fn key(&self) -> &ObjRef;
    fn key_mut(&mut self) -> &mut ObjRef;
}

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

/// A row ordered, and found, by its key: the store holds each key once, in its row (a map
/// beside it held a second copy of every key: 7 MB at 100,000 objects).
#[derive(Debug)]
struct ByKey<R>(R);

impl<R: Keyed> PartialEq for ByKey<R> {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl<R: Keyed> Eq for ByKey<R> {}

impl<R: Keyed> PartialOrd for ByKey<R> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<R: Keyed> Ord for ByKey<R> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.key().cmp(other.0.key())
    }
}

impl<R: Keyed> Borrow<ObjRef> for ByKey<R> {
    fn borrow(&self) -> &ObjRef {
        self.0.key()
    }
}

/// A key as its three parts, so a store can be searched with borrowed strings (`get_in`):
/// building an `ObjRef` to look up copies every name longer than `SmolStr` holds inline,
/// and the chains look up several per Machine at each recompute.
trait KeyParts {
    fn parts(&self) -> (&str, &str, &str);
}

impl KeyParts for ObjRef {
    fn parts(&self) -> (&str, &str, &str) {
        (&self.cluster, &self.namespace, &self.name)
    }
}

impl KeyParts for (&str, &str, &str) {
    fn parts(&self) -> (&str, &str, &str) {
        *self
    }
}

// Ordered as `ObjRef`'s derived order (cluster, namespace, name, each as a string), which
// the set's order must agree with.
impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> Ordering {
        key_order(self.parts(), other.parts())
    }
}

impl<'a, R: Keyed> Borrow<dyn KeyParts + 'a> for ByKey<R> {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self.0.key()
    }
}

#[derive(Debug)]
pub struct RowStore<R> {
    rows: BTreeSet<ByKey<R>>,
    states: BTreeMap<String, SourceState>,
    /// Per cluster, the version discovery chose for the kind.
    served: BTreeMap<String, String>,
    /// Rows read with fields left empty, until an update reads them whole.
    malformed: BTreeMap<ObjRef, Malformed>,
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        RowStore {
            rows: BTreeSet::new(),
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
                // The other clusters' rows and the new ones built into a tree at once (sorted,
                // then full nodes bottom up): inserted one by one, 20,000 Machines were the
                // larger part of applying their list, and left the nodes half empty.
                let mut all: Vec<ByKey<R>> = std::mem::take(&mut self.rows)
                    .into_iter()
                    .filter(|r| r.0.key().cluster != cluster)
                    .collect();
                all.extend(rows.into_iter().map(ByKey));
                self.rows = all.into_iter().collect();
                self.states.insert(cluster, SourceState::Live);
            }
            WatchUpdate::Upsert(row) => {
                self.malformed.remove(row.key());
                self.rows.replace(ByKey(row));
            }
            WatchUpdate::Delete(key) => {
                self.malformed.remove(&key);
                self.rows.remove(&key);
            }
            WatchUpdate::Malformed(m) => {
                self.malformed.insert(m.key.clone(), m);
            }
            WatchUpdate::State(cluster, state) => {
                // A first list shown page by page (upserts) ends in `Live`.
                if state == SourceState::Live && self.states.get(&cluster) != Some(&state) {
                    self.compact();
                }
                self.states.insert(cluster, state);
            }
            WatchUpdate::Served(cluster, version) => {
                self.served.insert(cluster, version);
            }
        }
    }

    /// The rows again in full nodes. Rows inserted in key order (a list, its pages) leave a
    /// B-tree's nodes little more than half full: 60,000 pods took 13 MB of nodes for 7 MB of
    /// entries. They are merged into a tree holding the first row (`append` builds full nodes
    /// from the two trees in order, freeing the old nodes as it goes, which the new ones take
    /// again); collecting them built the tree from a sorted copy of every row, sorted again
    /// with a scratch copy: 14 MB more at the moment the last page came in, the peak of a start.
    fn compact(&mut self) {
        let mut rest = std::mem::take(&mut self.rows);
        if let Some(first) = rest.pop_first() {
            self.rows.insert(first);
            self.rows.append(&mut rest);
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

    /// Each cluster's state, for the clusters that are not live.
    pub fn troubled(&self) -> impl Iterator<Item = (&String, &SourceState)> {
        self.states.iter().filter(|(_, s)| !s.is_healthy())
    }

    pub fn get(&self, key: &ObjRef) -> Option<&R> {
        self.rows.get(key).map(|r| &r.0)
    }

    /// The row of `cluster`/`namespace`/`name`, found without building its key.
    pub fn get_in(&self, cluster: &str, namespace: &str, name: &str) -> Option<&R> {
        let key: &dyn KeyParts = &(cluster, namespace, name);
        self.rows.get(key).map(|r| &r.0)
    }

    pub fn iter(&self) -> impl Iterator<Item = &R> {
        self.rows.iter().map(|r| &r.0)
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

    #[derive(Debug, Clone, PartialEq)]
    struct Row(ObjRef, u32);
    impl Keyed for Row {
        fn key(&self) -> &ObjRef {
            &self.0
        }
        fn key_mut(&mut self) -> &mut ObjRef {
            &mut self.0
        }
    }

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

    /// Parts made of a few letters that sort around each other (and one that is two bytes
    /// long), so keys share prefixes of every length, eight-byte words included.
    fn part() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("[a-c/é-]{0,20}").expect("a pattern")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        #[test]
        fn keys_sort_as_their_parts_do_as_strings(
            a in (part(), part(), part()),
            b in (part(), part(), part()),
        ) {
            let key = |(c, n, m): &(String, String, String)| ObjRef::in_cluster(c.as_str(), n.as_str(), m.as_str());
            let as_strings = (a.0.as_str(), a.1.as_str(), a.2.as_str()).cmp(&(b.0.as_str(), b.1.as_str(), b.2.as_str()));
            proptest::prop_assert_eq!(key(&a).cmp(&key(&b)), as_strings);
            proptest::prop_assert_eq!(key(&a) == key(&b), as_strings.is_eq());
        }
    }
}
