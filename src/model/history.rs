//! What the cockpit has seen change: one entry per field that moved (a BMC's power, a host's
//! readiness, a VM's status, a Machine's phase, a Node's readiness, a Talos node answering or
//! not, an app's health or sync, an ExternalSecret's readiness), old → new, in the order it
//! was seen. Kept in memory and bounded: the newest entries, never more than `CAPACITY`.

use std::collections::VecDeque;

use jiff::Timestamp;

use super::store::{Keyed, ObjRef, RowStore, WatchUpdate};

/// Entries kept; the oldest go first.
pub const CAPACITY: usize = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The order it was seen in (times have one-second resolution).
    pub seq: u64,
    pub at: Timestamp,
    /// `BMC`, `Harvester host`, `VM` …
    pub kind: &'static str,
    pub key: ObjRef,
    pub field: &'static str,
    pub old: String,
    pub new: String,
    /// For something that happened (a note, no old value): whether it says something went
    /// wrong. Field changes are judged by where they went.
    pub went_wrong: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct History {
    entries: VecDeque<Transition>,
    next: u64,
}

/// The fields of a row the history follows, by name.
pub type Fields<R> = fn(&R) -> Vec<(&'static str, String)>;

impl History {
    /// Keep an entry, numbered in the order seen.
    fn push(&mut self, mut entry: Transition) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.next += 1;
        entry.seq = self.next;
        self.entries.push_back(entry);
    }

    /// A field of `key` that moved from `old` to `new` (`went_wrong`: see `Transition`).
    fn record(
        &mut self,
        at: Timestamp,
        kind: &'static str,
        key: &ObjRef,
        field: &'static str,
        (old, new): (String, String),
        went_wrong: Option<bool>,
    ) {
        self.push(Transition {
            seq: 0,
            at,
            kind,
            key: key.clone(),
            field,
            old,
            new,
            went_wrong,
        });
    }

    fn compare<R>(
        &mut self,
        at: Timestamp,
        kind: &'static str,
        key: &ObjRef,
        old: &R,
        new: &R,
        fields: Fields<R>,
    ) {
        for ((field, before), (_, after)) in fields(old).into_iter().zip(fields(new)) {
            if before != after {
                self.record(at, kind, key, field, (before, after), None);
            }
        }
    }

    /// Record what an update changes in a store, before it is applied. Objects seen for the
    /// first time (a list) are not changes; an object deleted is.
    pub fn observe<R: Keyed>(
        &mut self,
        at: Timestamp,
        kind: &'static str,
        store: &RowStore<R>,
        update: &WatchUpdate<R>,
        fields: Fields<R>,
    ) {
        match update {
            WatchUpdate::Upsert(row) => {
                if let Some(old) = store.get(row.key()) {
                    self.compare(at, kind, row.key(), old, row, fields);
                }
            }
            WatchUpdate::Relisted(_, rows) => {
                for row in rows {
                    if let Some(old) = store.get(row.key()) {
                        self.compare(at, kind, row.key(), old, row, fields);
                    }
                }
            }
            WatchUpdate::Delete(key) => {
                if store.get(key).is_some() {
                    let gone = ("present".into(), "deleted".into());
                    self.record(at, kind, key, "object", gone, None);
                }
            }
            WatchUpdate::State(..) | WatchUpdate::Served(..) | WatchUpdate::Malformed(..) => {}
        }
    }

    /// Record something that happened rather than a field that moved (a node's own event):
    /// an entry with no old value.
    pub fn note(
        &mut self,
        at: Timestamp,
        kind: &'static str,
        key: &ObjRef,
        field: &'static str,
        what: String,
        went_wrong: bool,
    ) {
        let what = (String::new(), what);
        self.record(at, kind, key, field, what, Some(went_wrong));
    }

    /// Newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Transition> {
        self.entries.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct Row(ObjRef, &'static str, &'static str);
    impl Keyed for Row {
        fn key(&self) -> &ObjRef {
            &self.0
        }
        fn key_mut(&mut self) -> &mut ObjRef {
            &mut self.0
        }
    }

    fn fields(r: &Row) -> Vec<(&'static str, String)> {
        vec![("status", r.1.to_string()), ("power", r.2.to_string())]
    }

    #[test]
    fn changes_are_recorded_in_order_and_first_sightings_are_not() {
        let key = ObjRef::new("ns", "vm-1");
        let mut store = RowStore::default();
        let mut h = History::default();
        let at = Timestamp::UNIX_EPOCH;
        let first = WatchUpdate::Relisted("c".into(), vec![Row(key.clone(), "Running", "on")]);
        h.observe(at, "VM", &store, &first, fields);
        store.apply(first);
        assert!(h.is_empty(), "a first list is not a change");
        let down = WatchUpdate::Upsert(Row(key.clone(), "Unknown", "off"));
        h.observe(at, "VM", &store, &down, fields);
        store.apply(down);
        let same = WatchUpdate::Upsert(Row(key.clone(), "Unknown", "off"));
        h.observe(at, "VM", &store, &same, fields);
        store.apply(same);
        let gone = WatchUpdate::Delete(key.clone());
        h.observe(at, "VM", &store, &gone, fields);
        let seen: Vec<(u64, &str, String, String)> = h
            .newest_first()
            .map(|t| (t.seq, t.field, t.old.clone(), t.new.clone()))
            .collect();
        assert_eq!(
            seen,
            [
                (3, "object", "present".into(), "deleted".into()),
                (2, "power", "on".into(), "off".into()),
                (1, "status", "Running".into(), "Unknown".into()),
            ]
        );
    }

    #[test]
    fn the_history_keeps_the_newest_entries_only() {
        let mut h = History::default();
        for i in 0..CAPACITY + 10 {
            h.record(
                Timestamp::UNIX_EPOCH,
                "VM",
                &ObjRef::new("", "x"),
                "status",
                (i.to_string(), String::new()),
                None,
            );
        }
        assert_eq!(h.len(), CAPACITY);
        assert_eq!(h.newest_first().last().map(|t| t.old.as_str()), Some("10"));
    }
}
