//! The simulator's object database: objects, resource versions and the watch-cache window.
//!
//! Objects are stored in their storage version as JSON. Every write bumps one cluster-wide
//! resourceVersion and appends an event to a bounded window; watchers replay from that window and
//! then follow a broadcast channel. A watch from an rv older than the window gets `410 Expired`,
//! exactly as a real API server's watch cache answers.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::kinds::{KINDS, KindId};
use super::stored::take_managed_fields;
pub use super::stored::{Stored, with_managed_fields};
use crate::json_at::At;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

#[derive(Debug)]
pub struct StoredEvent {
    pub rv: u64,
    pub kind: KindId,
    pub kind_event: EventType,
    /// The object without its managed fields (see `Stored`).
    pub object: Value,
    /// The whole object encoded (storage version).
    pub json: Bytes,
    /// Its managed fields, encoded.
    pub managed: Bytes,
    /// `metadata.labels` before a modification, so a selector watch can tell an object that
    /// left the selection (DELETED) from one that never matched.
    pub prev_labels: Option<Value>,
}

/// `(kind, namespace, name)`; namespace is empty for cluster-scoped kinds.
pub type ObjKey = (KindId, String, String);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    AlreadyExists,
    #[error(
        "the object has been modified; please apply your changes to the latest version and try again"
    )]
    Conflict,
}

pub struct Db {
    rv: u64,
    objects: BTreeMap<ObjKey, Stored>,
    window: VecDeque<Arc<StoredEvent>>,
    window_capacity: usize,
    /// Oldest rv a watch may resume from; older ones get 410.
    oldest_rv: u64,
    events: broadcast::Sender<Arc<StoredEvent>>,
    uid_counter: u64,
    /// The objects being deleted (a `deletionTimestamp` set): a controller finishing their
    /// deletion each tick reads these instead of every pod.
    terminating: BTreeSet<ObjKey>,
    /// Per kind and namespace, the resourceVersion of its last change: a controller skips a
    /// namespace where nothing it reads changed since its last pass.
    changed: HashMap<KindId, HashMap<String, u64>>,
    /// Per kind and namespace, how many objects there are: a paged list's
    /// `remainingItemCount` without walking the rest of the kind for every page.
    counts: HashMap<KindId, HashMap<String, usize>>,
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|meta| meta.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

impl Db {
    pub fn new(window_capacity: usize) -> Self {
        let (events, _) = broadcast::channel(16 * 1024);
        Db {
            rv: 1000,
            objects: BTreeMap::new(),
            window: VecDeque::new(),
            window_capacity,
            oldest_rv: 1000,
            events,
            uid_counter: 0,
            terminating: BTreeSet::new(),
            changed: HashMap::new(),
            counts: HashMap::new(),
        }
    }

    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    pub fn oldest_rv(&self) -> u64 {
        self.oldest_rv
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<StoredEvent>> {
        self.events.subscribe()
    }

    /// Events after `rv` still held in the window, oldest first.
    pub fn events_since(&self, rv: u64) -> Vec<Arc<StoredEvent>> {
        self.window.iter().filter(|e| e.rv > rv).cloned().collect()
    }

    /// Forget the watch-cache window, as etcd compaction plus a cache restart would: every rv
    /// handed out so far becomes too old to watch from.
    pub fn compact(&mut self) {
        self.window.clear();
        self.oldest_rv = self.rv;
    }

    /// The object as the simulator's logic reads it: without managed fields.
    pub fn get(&self, key: &ObjKey) -> Option<&Value> {
        self.objects.get(key).map(|s| &s.value)
    }

    /// The object as a client gets it.
    pub fn get_full(&self, key: &ObjKey) -> Option<Value> {
        self.objects.get(key).map(Stored::full)
    }

    /// Objects of a kind (optionally one namespace), in key order, starting after `after`.
    pub fn list<'a>(
        &'a self,
        kind: KindId,
        namespace: Option<&'a str>,
        after: Option<&'a (String, String)>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.list_stored(kind, namespace, after).map(|s| &s.value)
    }

    /// Like `list`, with each object's encoding.
    /// How many objects of `kind` there are, in one namespace or in all.
    pub fn count(&self, kind: KindId, namespace: Option<&str>) -> usize {
        let Some(counts) = self.counts.get(&kind) else {
            return 0;
        };
        match namespace {
            Some(ns) => counts.get(ns).copied().unwrap_or(0),
            None => counts.values().sum(),
        }
    }

    pub fn list_stored<'a>(
        &'a self,
        kind: KindId,
        namespace: Option<&'a str>,
        after: Option<&'a (String, String)>,
    ) -> impl Iterator<Item = &'a Stored> + 'a {
        use std::ops::Bound::{Excluded, Included, Unbounded};
        // A namespace's objects are one range of the map: a namespaced list (a controller's,
        // each tick) costs what the namespace holds, not what the kind holds.
        let first = (
            kind,
            namespace.unwrap_or_default().to_string(),
            String::new(),
        );
        let start = match after {
            Some((ns, name)) if (ns.as_str(), name.as_str()) >= (&first.1, "") => {
                Excluded((kind, ns.clone(), name.clone()))
            }
            _ => Included(first),
        };
        self.objects
            .range((start, Unbounded))
            .take_while(move |(k, _)| k.0 == kind && namespace.is_none_or(|ns| k.1 == ns))
            .map(|(_, v)| v)
    }

    /// The resourceVersion of the last change to an object of `kind` in `namespace` (0: none
    /// since the start).
    pub fn changed_at(&self, kind: KindId, namespace: &str) -> u64 {
        self.changed
            .get(&kind)
            .and_then(|by_namespace| by_namespace.get(namespace))
            .copied()
            .unwrap_or(0)
    }

    /// The resourceVersion of the last change to any object of `kind` (0: none since the start).
    pub fn kind_changed_at(&self, kind: KindId) -> u64 {
        self.changed
            .get(&kind)
            .and_then(|by_namespace| by_namespace.values().max())
            .copied()
            .unwrap_or(0)
    }

    /// The objects of `kind` being deleted (a `deletionTimestamp` set).
    pub fn terminating(&self, kind: KindId) -> impl Iterator<Item = &ObjKey> + '_ {
        self.terminating.iter().filter(move |k| k.0 == kind)
    }

    fn note_terminating(&mut self, key: &ObjKey, object: &Value) {
        if object.at("/metadata/deletionTimestamp").is_some() {
            self.terminating.insert(key.clone());
        } else {
            self.terminating.remove(key);
        }
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn record(
        &mut self,
        kind: KindId,
        kind_event: EventType,
        stored: &Stored,
        prev_labels: Option<Value>,
    ) {
        let (rv, namespace) = (self.rv, meta_str(&stored.value, "namespace"));
        let by_namespace = self.changed.entry(kind).or_default();
        match by_namespace.get_mut(namespace) {
            Some(last) => *last = rv,
            None => {
                by_namespace.insert(namespace.to_string(), rv);
            }
        }
        let event = Arc::new(StoredEvent {
            rv: self.rv,
            kind,
            kind_event,
            object: stored.value.clone(),
            json: stored.json.clone(),
            managed: stored.managed.clone(),
            prev_labels,
        });
        self.window.push_back(event.clone());
        while self.window.len() > self.window_capacity {
            if let Some(old) = self.window.pop_front() {
                self.oldest_rv = old.rv;
            }
        }
        // No receivers is fine: nobody watches yet.
        let _ = self.events.send(event);
    }

    pub fn key_of(kind: KindId, obj: &Value) -> ObjKey {
        let ns = if KINDS[kind].namespaced {
            meta_str(obj, "namespace").to_string()
        } else {
            String::new()
        };
        (kind, ns, meta_str(obj, "name").to_string())
    }

    /// Create an object, filling the server-owned metadata.
    pub fn create(&mut self, kind: KindId, mut obj: Value) -> Result<Value, DbError> {
        let key = Self::key_of(kind, &obj);
        if self.objects.contains_key(&key) {
            return Err(DbError::AlreadyExists);
        }
        let rv = self.next_rv();
        self.uid_counter += 1;
        let def = &KINDS[kind];
        obj["apiVersion"] = json!(def.api_version(def.storage_version()));
        obj["kind"] = json!(def.kind);
        let meta = &mut obj["metadata"];
        meta["resourceVersion"] = json!(rv.to_string());
        if meta.get("uid").is_none() {
            meta["uid"] = json!(synthetic_uid(self.uid_counter));
        }
        if meta.get("creationTimestamp").is_none() {
            meta["creationTimestamp"] = json!(now_rfc3339());
        }
        if meta.get("generation").is_none() && !def.group.is_empty() {
            meta["generation"] = json!(1);
        }
        let stored = Stored::new(def, obj.clone());
        self.record(kind, EventType::Added, &stored, None);
        self.note_terminating(&key, &stored.value);
        *self
            .counts
            .entry(kind)
            .or_default()
            .entry(key.1.clone())
            .or_default() += 1;
        self.objects.insert(key, stored);
        Ok(obj)
    }

    /// Replace an object with `new`, bumping rv (and generation when spec changed).
    /// `expected_rv`, when given, is an optimistic-concurrency precondition.
    pub fn update(
        &mut self,
        key: &ObjKey,
        mut new: Value,
        expected_rv: Option<&str>,
    ) -> Result<Value, DbError> {
        let stored_old = self.objects.get(key).ok_or(DbError::NotFound)?;
        let old = &stored_old.value;
        // An update that leaves out managedFields keeps the ones stored, as on a real server.
        let managed = match take_managed_fields(&mut new) {
            given if given.is_empty() => stored_old.managed.clone(),
            given => given,
        };
        if let Some(expected) = expected_rv
            && expected != meta_str(old, "resourceVersion")
        {
            return Err(DbError::Conflict);
        }
        if new == *old && managed == stored_old.managed {
            // A no-op write does not bump the resourceVersion, as on a real server.
            return Ok(with_managed_fields(new, &managed));
        }
        let generation = old
            .at("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let spec_changed = old.get("spec") != new.get("spec");
        let had_generation = old.at("/metadata/generation").is_some();
        let prev_labels = old.at("/metadata/labels").cloned();
        // Identity fields are server-owned: keep them whatever the patch said.
        for field in ["uid", "creationTimestamp", "name", "namespace"] {
            if let Some(v) = old.at(&format!("/metadata/{field}")) {
                new["metadata"][field] = v.clone();
            }
        }
        let rv = self.next_rv();
        new["metadata"]["resourceVersion"] = json!(rv.to_string());
        if had_generation {
            new["metadata"]["generation"] = json!(if spec_changed {
                generation + 1
            } else {
                generation
            });
        }
        let new = with_managed_fields(new, &managed);
        let stored = Stored::new(&KINDS[key.0], new.clone());
        self.record(key.0, EventType::Modified, &stored, prev_labels);
        self.note_terminating(key, &stored.value);
        self.objects.insert(key.clone(), stored);
        Ok(new)
    }

    /// Apply `f` to a copy of the stored object and write it back.
    pub fn modify(&mut self, key: &ObjKey, f: impl FnOnce(&mut Value)) -> Result<Value, DbError> {
        let mut copy = self
            .objects
            .get(key)
            .ok_or(DbError::NotFound)?
            .value
            .clone();
        f(&mut copy);
        self.update(key, copy, None)
    }

    pub fn delete(&mut self, key: &ObjKey) -> Result<Value, DbError> {
        let mut obj = self.objects.remove(key).ok_or(DbError::NotFound)?.full();
        self.terminating.remove(key);
        if let Some(n) = self.counts.get_mut(&key.0).and_then(|c| c.get_mut(&key.1)) {
            *n -= 1;
        }
        let rv = self.next_rv();
        // DELETED carries the last state stamped with the deletion rv.
        obj["metadata"]["resourceVersion"] = json!(rv.to_string());
        let stored = Stored::new(&KINDS[key.0], obj.clone());
        self.record(key.0, EventType::Deleted, &stored, None);
        Ok(obj)
    }
}

/// A stable, unique, UUID-shaped id.
pub fn synthetic_uid(n: u64) -> String {
    let h = fnv(n.to_le_bytes().as_slice());
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h & 0xfff) as u16,
        (n & 0xfff) as u16,
        n & 0xffff_ffff_ffff
    )
}

/// FNV-1a; used for deterministic fake hashes (uids, commit SHAs, name suffixes).
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::kind_id;

    fn machine(name: &str) -> Value {
        json!({"metadata": {"name": name, "namespace": "ns"}, "spec": {"clusterName": "c"}})
    }

    #[test]
    fn writes_bump_rv_and_spec_changes_bump_generation() {
        let mut db = Db::new(100);
        let kind = kind_id("Machine").expect("kind");
        let created = db.create(kind, machine("a")).expect("create");
        let key = Db::key_of(kind, &created);
        let rv0 = meta_str(&created, "resourceVersion").to_string();
        let status_only = db
            .modify(&key, |o| o["status"] = json!({"phase": "Running"}))
            .expect("modify");
        assert_ne!(meta_str(&status_only, "resourceVersion"), rv0);
        assert_eq!(status_only["metadata"]["generation"], json!(1));
        let spec = db
            .modify(&key, |o| o["spec"]["version"] = json!("v1.33.1"))
            .expect("modify");
        assert_eq!(spec["metadata"]["generation"], json!(2));
        assert_eq!(
            db.update(&key, machine("a"), Some(&rv0)),
            Err(DbError::Conflict)
        );
    }

    #[test]
    fn managed_fields_are_kept_encoded_and_sent_whole() {
        let pod = kind_id("Pod").expect("Pod");
        let mut db = Db::new(100);
        let fields = json!([{"manager": "kubelet", "fieldsV1": {"f:status": {"f:phase": {}}}}]);
        let mut obj = json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": {}});
        obj["metadata"]["managedFields"] = fields.clone();
        db.create(pod, obj).expect("created");
        let key = (pod, "ns".to_string(), "p".to_string());
        let stored = db.list_stored(pod, None, None).next().expect("stored");
        assert!(stored.value.at("/metadata/managedFields").is_none());
        let sent: Value = serde_json::from_slice(&stored.json).expect("json");
        assert_eq!(sent["metadata"]["managedFields"], fields);
        assert_eq!(
            db.get_full(&key).expect("full")["metadata"]["managedFields"],
            fields
        );
        // A write that leaves them out keeps them; the event carries them encoded.
        let events = db.subscribe();
        let written = db
            .modify(&key, |p| p["spec"]["nodeName"] = json!("n1"))
            .expect("modified");
        assert_eq!(written["metadata"]["managedFields"], fields);
        assert_eq!(
            db.get_full(&key).expect("full")["metadata"]["managedFields"],
            fields
        );
        let mut events = events;
        let event = events.try_recv().expect("event");
        assert_eq!(
            serde_json::from_slice::<Value>(&event.managed).ok(),
            Some(fields.clone())
        );
        assert!(event.object.at("/metadata/managedFields").is_none());
        let deleted = db.delete(&key).expect("deleted");
        assert_eq!(deleted["metadata"]["managedFields"], fields);
    }

    #[test]
    fn changes_and_deletions_in_progress_are_indexed_per_namespace() {
        let mut db = Db::new(16);
        let kind = kind_id("Machine").expect("kind");
        assert_eq!(db.changed_at(kind, "ns"), 0);
        db.create(kind, machine("a")).expect("create");
        let created = db.current_rv();
        assert_eq!(db.changed_at(kind, "ns"), created);
        assert_eq!(db.changed_at(kind, "other"), 0);
        let key = (kind, "ns".to_string(), "a".to_string());
        db.modify(&key, |m| {
            m["metadata"]["deletionTimestamp"] = json!("2026-12-01T00:00:00Z")
        })
        .expect("modify");
        assert!(db.changed_at(kind, "ns") > created);
        assert_eq!(db.terminating(kind).collect::<Vec<_>>(), [&key]);
        db.delete(&key).expect("delete");
        assert_eq!(db.terminating(kind).count(), 0);
        assert_eq!(db.changed_at(kind, "ns"), db.current_rv());
        // Any namespace's change is the kind's; another kind's is not.
        let deleted = db.current_rv();
        assert_eq!(db.kind_changed_at(kind), deleted);
        let mut elsewhere = machine("b");
        elsewhere["metadata"]["namespace"] = json!("other");
        db.create(kind, elsewhere).expect("create");
        assert_eq!(db.kind_changed_at(kind), db.current_rv());
        let pods = kind_id("Pod").expect("kind");
        assert_eq!(db.kind_changed_at(pods), 0);
    }

    #[test]
    fn objects_are_counted_per_namespace_as_they_come_and_go() {
        let mut db = Db::new(16);
        let kind = kind_id("Machine").expect("kind");
        for name in ["a", "b", "c"] {
            db.create(kind, machine(name)).expect("create");
        }
        let mut elsewhere = machine("d");
        elsewhere["metadata"]["namespace"] = json!("other");
        db.create(kind, elsewhere).expect("create");
        assert!(db.create(kind, machine("a")).is_err(), "already there");
        let key = (kind, "ns".to_string(), "b".to_string());
        db.modify(&key, |m| m["spec"]["x"] = json!(1))
            .expect("modify");
        db.delete(&key).expect("delete");
        assert!(db.delete(&key).is_err());
        assert_eq!(db.count(kind, Some("ns")), 2);
        assert_eq!(db.count(kind, Some("other")), 1);
        assert_eq!(db.count(kind, None), 3);
        assert_eq!(db.count(kind, None), db.list(kind, None, None).count());
        assert_eq!(db.count(kind_id("Pod").expect("kind"), None), 0);
    }

    #[test]
    fn window_forgets_old_events() {
        let mut db = Db::new(2);
        let kind = kind_id("Machine").expect("kind");
        for n in ["a", "b", "c"] {
            db.create(kind, machine(n)).expect("create");
        }
        assert_eq!(db.events_since(0).len(), 2);
        assert!(db.oldest_rv() > 1000);
        db.compact();
        assert_eq!(db.oldest_rv(), db.current_rv());
    }
}
