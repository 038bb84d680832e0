//! Rows of one kind, keyed by namespace/name, fed by a watch.
//!
//! A relist arrives whole (the watcher buffers `Init`..`InitDone`) and replaces the rows at once,
//! so a table never shows half a list and rows deleted while disconnected disappear.

use std::collections::BTreeMap;

use super::source::SourceState;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjRef {
    pub namespace: String,
    pub name: String,
}

impl ObjRef {
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        ObjRef {
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
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
}

#[derive(Debug, Clone)]
pub enum WatchUpdate<R> {
    Relisted(Vec<R>),
    Upsert(R),
    Delete(ObjRef),
    State(SourceState),
}

#[derive(Debug)]
pub struct RowStore<R> {
    rows: BTreeMap<ObjRef, R>,
    pub state: SourceState,
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        RowStore {
            rows: BTreeMap::new(),
            state: SourceState::Loading,
        }
    }
}

impl<R: Keyed> RowStore<R> {
    pub fn apply(&mut self, update: WatchUpdate<R>) {
        match update {
            WatchUpdate::Relisted(rows) => {
                self.rows = rows.into_iter().map(|r| (r.key().clone(), r)).collect();
                self.state = SourceState::Live;
            }
            WatchUpdate::Upsert(row) => {
                self.rows.insert(row.key().clone(), row);
            }
            WatchUpdate::Delete(key) => {
                self.rows.remove(&key);
            }
            WatchUpdate::State(state) => self.state = state,
        }
    }

    pub fn get_mut(&mut self, key: &ObjRef) -> Option<&mut R> {
        self.rows.get_mut(key)
    }

    pub fn get(&self, key: &ObjRef) -> Option<&R> {
        self.rows.get(key)
    }

    pub fn iter(&self) -> impl Iterator<Item = &R> {
        self.rows.values()
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
    }

    #[test]
    fn relist_replaces_and_goes_live() {
        let mut s = RowStore::default();
        s.apply(WatchUpdate::Upsert(Row(ObjRef::new("a", "old"), 1)));
        assert_eq!(s.state, SourceState::Loading);
        s.apply(WatchUpdate::Relisted(vec![Row(ObjRef::new("a", "new"), 2)]));
        assert_eq!(s.state, SourceState::Live);
        assert!(s.get(&ObjRef::new("a", "old")).is_none());
        s.apply(WatchUpdate::Upsert(Row(ObjRef::new("a", "new"), 3)));
        assert_eq!(s.get(&ObjRef::new("a", "new")).map(|r| r.1), Some(3));
        s.apply(WatchUpdate::Delete(ObjRef::new("a", "new")));
        assert!(s.is_empty());
    }
}
