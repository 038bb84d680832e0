//! Table rows kept between changes. A list of 100,000 objects is built once; after that each
//! watch event rebuilds the one row it touched, so a frame under a steady stream of events
//! costs what the events changed, not what the list holds. Alongside each row: the lowercase
//! text the `/` filter searches, and a running widest cell per column.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::shown::{content_widths, grow_widths};
use super::store::ObjRef;
use super::table::TableRow;

/// A row as built, and whether its cells depend on the clock beyond its age cells (a pod
/// pending for too long turns from progressing to a warning): those are rebuilt as it moves.
pub struct Built {
    pub row: TableRow,
    pub timed: bool,
}

#[derive(Debug)]
enum Pending {
    /// Every row (the first build, a relist, new columns).
    All,
    /// The rows of these objects: rebuilt, inserted, or gone. Noted as they come (an object
    /// changed twice is here twice), sorted once when the rows are brought up to date: a
    /// sorted set cost each of a list's 60,000 rows a search on arrival.
    Keys(Vec<ObjRef>),
}

#[derive(Debug)]
pub struct KeptRows {
    /// In key order, as the store holds them.
    rows: Arc<Vec<TableRow>>,
    /// Each row's filter text, lowercase.
    texts: Vec<Box<str>>,
    /// The widest cell of each column: grows with each row built, measured anew on a rebuild.
    widths: Arc<Vec<usize>>,
    pending: Pending,
    timed: BTreeSet<ObjRef>,
    /// The second the timed rows were built at.
    clock: i64,
    /// Moves whenever a row changed.
    version: u64,
}

impl Default for KeptRows {
    fn default() -> Self {
        KeptRows {
            rows: Arc::default(),
            texts: Vec::new(),
            widths: Arc::default(),
            pending: Pending::All,
            timed: BTreeSet::new(),
            clock: 0,
            version: 0,
        }
    }
}

impl KeptRows {
    /// The object's row is to be rebuilt (or dropped, when the object is gone).
    pub fn changed(&mut self, key: &ObjRef) {
        if let Pending::Keys(keys) = &mut self.pending {
            keys.push(key.clone());
            // More changes than rows (a first page, a burst as big as the list): building
            // all of them costs no more. Fewer are patched in, each built once and the rest
            // moved in one pass; at a quarter, as before, a list's pages arriving a few to a
            // frame rebuilt every row held each time, and built 60,000 pods twice over.
            if keys.len() > self.rows.len() + 64 {
                self.pending = Pending::All;
            }
        }
    }

    /// Every row is to be rebuilt.
    pub fn changed_all(&mut self) {
        self.pending = Pending::All;
    }

    /// Bring the rows up to date at `now` (a Unix second): all of them from `all` after
    /// `changed_all`, else each changed one from `one` (`None`: the object is gone), and the
    /// timed ones when the clock moved. `all` returns the rows in key order.
    pub fn sync(
        &mut self,
        now: i64,
        all: impl FnOnce() -> Vec<Built>,
        mut one: impl FnMut(&ObjRef) -> Option<Built>,
    ) {
        let pending = std::mem::replace(&mut self.pending, Pending::Keys(Vec::new()));
        let mut keys = match pending {
            Pending::All => {
                // The old rows go before the new are built: both at once were the peak of a
                // 100k start (two copies of 60,000 rows).
                self.rows = Arc::default();
                self.texts = Vec::new();
                self.rebuild(all());
                self.clock = now;
                return;
            }
            Pending::Keys(keys) => keys,
        };
        if now != self.clock {
            keys.extend(self.timed.iter().cloned());
            self.clock = now;
        }
        if keys.is_empty() {
            return;
        }
        // Mostly runs in order already (a list's pages, then the timed rows): a merge of runs.
        keys.sort();
        keys.dedup();
        let built: Vec<(ObjRef, Option<Built>)> = keys
            .into_iter()
            .map(|key| {
                let row = one(&key);
                (key, row)
            })
            .collect();
        self.patch(built);
        self.version += 1;
    }

    fn rebuild(&mut self, mut built: Vec<Built>) {
        if !built.is_sorted_by(|a, b| a.row.key <= b.row.key) {
            built.sort_by(|a, b| a.row.key.cmp(&b.row.key));
        }
        self.timed = built
            .iter()
            .filter(|b| b.timed)
            .map(|b| b.row.key.clone())
            .collect();
        let rows: Vec<TableRow> = built.into_iter().map(|b| b.row).collect();
        self.texts = rows.iter().map(filter_text).collect();
        self.widths = Arc::new(content_widths(&rows));
        self.rows = Arc::new(rows);
        self.version += 1;
    }

    /// Apply rebuilt rows (in key order; `None`: the object is gone). A row replaced keeps its
    /// place; the rows removed and inserted are each closed up and opened in one pass, as
    /// inserting each alone moved every row after it: pods created at the head of 60,000 rows
    /// moved all of them once per pod, several times a frame under a stream of events.
    fn patch(&mut self, built: Vec<(ObjRef, Option<Built>)>) {
        // Nobody else holds the rows while they are patched (the last frame's are dropped
        // first), so this copies nothing.
        let rows = Arc::make_mut(&mut self.rows);
        let widths = Arc::make_mut(&mut self.widths);
        let (mut gone, mut added) = (Vec::new(), Vec::new());
        for (key, built) in built {
            // A list's pages come after every row held: found without a search.
            let at = match rows.last() {
                Some(last) if last.key < key => Err(rows.len()),
                _ => rows.binary_search_by(|r| r.key.cmp(&key)),
            };
            let Some(Built { row, timed }) = built else {
                self.timed.remove(&key);
                if at.is_ok() {
                    gone.push(key);
                }
                continue;
            };
            if timed {
                self.timed.insert(key);
            } else {
                self.timed.remove(&key);
            }
            grow_widths(widths, &row);
            let text = filter_text(&row);
            match at {
                Ok(at) => {
                    rows[at] = row;
                    self.texts[at] = text;
                }
                Err(_) => added.push((row, text)),
            }
        }
        remove_sorted(rows, &mut self.texts, &gone);
        insert_sorted(rows, &mut self.texts, added);
    }

    pub fn rows(&self) -> &Arc<Vec<TableRow>> {
        &self.rows
    }

    /// Each row's filter text, lowercase, in the rows' order.
    pub fn texts(&self) -> &[Box<str>] {
        &self.texts
    }

    pub fn widths(&self) -> &Arc<Vec<usize>> {
        &self.widths
    }

    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Drop the rows of `gone` (keys held, in key order) and their texts, closing up the rows
/// after the first in one pass.
fn remove_sorted(rows: &mut Vec<TableRow>, texts: &mut Vec<Box<str>>, gone: &[ObjRef]) {
    let Some(first) = gone.first() else {
        return;
    };
    let from = rows.partition_point(|r| r.key < *first);
    let mut kept = from;
    let mut gone = gone.iter().peekable();
    for at in from..rows.len() {
        while gone.next_if(|key| **key < rows[at].key).is_some() {}
        if gone.next_if(|key| **key == rows[at].key).is_some() {
            continue;
        }
        rows.swap(kept, at);
        texts.swap(kept, at);
        kept += 1;
    }
    rows.truncate(kept);
    texts.truncate(kept);
}

/// Insert `added` (rows not held, in key order) with their texts: the rows grow at the end,
/// and are merged from the back, each row after the first insertion moved once.
fn insert_sorted(
    rows: &mut Vec<TableRow>,
    texts: &mut Vec<Box<str>>,
    mut added: Vec<(TableRow, Box<str>)>,
) {
    let Some((first, _)) = added.first() else {
        return;
    };
    let from = rows.partition_point(|r| r.key < first.key);
    let mut old = rows.len();
    // Empty rows and texts (no allocation) hold the new places until filled.
    rows.resize_with(old + added.len(), TableRow::default);
    texts.resize_with(old + added.len(), Box::default);
    for at in (from..rows.len()).rev() {
        let take_added = match added.last() {
            None => break,
            Some((row, _)) => old == from || row.key > rows[old - 1].key,
        };
        if take_added {
            let (row, text) = added.pop().expect("looked at");
            rows[at] = row;
            texts[at] = text;
        } else {
            old -= 1;
            rows.swap(at, old);
            texts.swap(at, old);
        }
    }
}

/// The row's text, lowercase. Sized exactly and lowered in place when it is ASCII (nearly
/// always): one allocation a row, where lowering a copy and boxing it took three.
fn filter_text(row: &TableRow) -> Box<str> {
    let mut text = String::with_capacity(row.text_len());
    row.text_into(&mut text);
    if text.is_ascii() {
        text.make_ascii_lowercase();
        text.into_boxed_str()
    } else {
        text.to_lowercase().into_boxed_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::Cell;
    use std::collections::BTreeMap;

    fn built(name: &str, status: &str, timed: bool) -> Built {
        Built {
            row: TableRow::new(
                ObjRef::new("ns", name),
                vec![Cell::plain(name), Cell::plain(status)],
            ),
            timed,
        }
    }

    /// A store of `name -> status` and the rows kept from it.
    fn sync(kept: &mut KeptRows, store: &BTreeMap<String, String>, now: i64, calls: &mut usize) {
        kept.sync(
            now,
            || {
                store
                    .iter()
                    .map(|(n, s)| built(n, s, s == "Pending"))
                    .collect()
            },
            |key| {
                *calls += 1;
                store
                    .get(key.name.as_str())
                    .map(|s| built(&key.name, s, s == "Pending"))
            },
        );
    }

    fn shown(kept: &KeptRows) -> Vec<String> {
        kept.rows()
            .iter()
            .map(|r| format!("{}={}", r.cells[0].text(), r.cells[1].text()))
            .collect()
    }

    #[test]
    fn changes_patch_the_rows_they_touched_in_key_order() {
        let mut store: BTreeMap<String, String> = [("b", "Running"), ("d", "Running")]
            .map(|(n, s)| (n.into(), s.into()))
            .into();
        let (mut kept, mut calls) = (KeptRows::default(), 0);
        sync(&mut kept, &store, 100, &mut calls);
        assert_eq!(shown(&kept), ["b=Running", "d=Running"]);
        let version = kept.version();

        store.insert("a".into(), "Pending".into());
        store.insert("c".into(), "Running-with-a-long-status".into());
        store.remove("d");
        for name in ["a", "c", "d"] {
            kept.changed(&ObjRef::new("ns", name));
        }
        sync(&mut kept, &store, 100, &mut calls);
        assert_eq!(calls, 3, "only the changed rows are built");
        assert_eq!(
            shown(&kept),
            ["a=Pending", "b=Running", "c=Running-with-a-long-status"]
        );
        assert_eq!(kept.texts()[2].as_ref(), "c running-with-a-long-status ");
        assert_eq!(kept.widths()[1], "Running-with-a-long-status".len());
        assert!(kept.version() > version);

        // The clock moves: only the timed row (the pending pod) is built again.
        calls = 0;
        sync(&mut kept, &store, 101, &mut calls);
        assert_eq!(calls, 1);
        // Nothing changed and the clock stands: nothing is built, the version stays.
        let version = kept.version();
        sync(&mut kept, &store, 101, &mut calls);
        assert_eq!((calls, kept.version()), (1, version));

        // A relist rebuilds every row and measures the columns anew.
        store.remove("c");
        kept.changed_all();
        sync(&mut kept, &store, 101, &mut calls);
        assert_eq!(shown(&kept), ["a=Pending", "b=Running"]);
        assert_eq!(kept.widths()[1], "Running".len());
        assert_eq!(kept.texts().len(), 2);
    }

    #[test]
    fn rows_inserted_and_removed_together_land_where_a_full_build_puts_them() {
        let mut store = BTreeMap::new();
        for i in (0..400).step_by(2) {
            store.insert(format!("pod-{i:03}"), "Running".to_string());
        }
        let (mut kept, mut calls) = (KeptRows::default(), 0);
        sync(&mut kept, &store, 100, &mut calls);
        // Rounds of a few changes each, as frames see them under a stream of events: new rows
        // at the head, the middle and the tail, rows gone, rows changed in place.
        let mut seed = 7u64;
        for round in 0..50 {
            for _ in 0..1 + round % 9 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let name = format!("pod-{:03}", (seed >> 33) % 410);
                match (seed >> 20) % 3 {
                    0 => store.remove(&name),
                    1 => store.insert(name.clone(), "Pending".to_string()),
                    _ => store.insert(name.clone(), format!("Running-{round}")),
                };
                kept.changed(&ObjRef::new("ns", &name));
            }
            sync(&mut kept, &store, 100, &mut calls);
            let mut whole = KeptRows::default();
            sync(&mut whole, &store, 100, &mut calls);
            assert_eq!(shown(&kept), shown(&whole), "round {round}");
            assert_eq!(kept.texts(), whole.texts(), "round {round}");
        }
    }

    #[test]
    fn filter_texts_are_the_rows_text_lowercase_ascii_or_not() {
        for (cells, lower) in [
            (["Web-1", "CrashLoopBackOff"], "web-1 crashloopbackoff "),
            (["ÄRGER-Pod", "Läuft"], "ärger-pod läuft "),
            (["", "İ"], " i\u{307} "),
        ] {
            let row = TableRow::new(ObjRef::new("ns", cells[0]), cells.map(Cell::plain).to_vec());
            assert_eq!(row.text_len(), row.text().len());
            let text = filter_text(&row);
            assert_eq!(&*text, lower);
            assert_eq!(&*text, row.text().to_lowercase());
        }
    }

    #[test]
    fn a_list_arriving_a_few_pages_a_frame_builds_each_row_once() {
        let mut store = BTreeMap::new();
        let (mut kept, builds) = (KeptRows::default(), std::cell::Cell::new(0));
        let mut next = 0;
        // Frames that see one to four pages of 100 each, as a list arrives.
        for pages in [1, 1, 2, 4, 3, 1, 4, 2, 4, 4] {
            for _ in 0..pages * 100 {
                let name = format!("pod-{next:05}");
                next += 1;
                store.insert(name.clone(), "Running".to_string());
                kept.changed(&ObjRef::new("ns", &name));
            }
            kept.sync(
                100,
                || {
                    builds.set(builds.get() + store.len());
                    store.iter().map(|(n, s)| built(n, s, false)).collect()
                },
                |key| {
                    builds.set(builds.get() + 1);
                    store
                        .get(key.name.as_str())
                        .map(|s| built(&key.name, s, false))
                },
            );
        }
        assert_eq!(kept.rows().len(), next);
        assert_eq!(builds.get(), next, "every row built once");
    }

    #[test]
    fn a_list_arriving_page_by_page_is_built_whole_not_inserted_row_by_row() {
        let mut store = BTreeMap::new();
        let (mut kept, mut calls) = (KeptRows::default(), 0);
        sync(&mut kept, &store, 100, &mut calls);
        for i in 0..500 {
            let name = format!("pod-{i:03}");
            store.insert(name.clone(), "Running".to_string());
            kept.changed(&ObjRef::new("ns", &name));
        }
        sync(&mut kept, &store, 100, &mut calls);
        assert_eq!(calls, 0, "built from the store in one pass");
        assert_eq!(kept.rows().len(), 500);
        assert_eq!(kept.texts().len(), 500);
    }
}
