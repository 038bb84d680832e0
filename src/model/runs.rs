//! Rows in key order, held in runs of at most `RUN` rows: the ordered set a store needs, where
//! a row that goes after every other — each row of a list's pages, which come in key order — is
//! placed with one comparison.
//!
//! The stores were `BTreeSet`s before. A B-tree node is searched from its left end, so a row
//! going after every other was compared with every key on the tree's rightmost path: some
//! fifty comparisons for a pod of 60,000, and as many again when the table looked up the row
//! just placed, each touching another row's memory — a tenth of the cockpit's CPU in a 100k
//! load. Here a search is two binary searches (the runs by their last rows, then one run), and
//! rows placed in order fill their runs to the brim, where the tree's nodes were left half
//! empty and had to be rebuilt to give the memory back.

use std::cmp::Ordering;

use super::key::{KeyParts, Keyed, key_order};

/// Rows a run holds at most. A row placed inside a run moves the rows after it: half a run of
/// 400-byte Machine rows is 25 KB, a few microseconds; a 60,000-row store is 470 runs, nine
/// steps of the first binary search.
pub(super) const RUN: usize = 128;

/// A run below this many rows is merged into a neighbour that has room, so deletions do not
/// leave the store a list of near-empty runs.
const SPARSE: usize = RUN / 4;

#[derive(Debug)]
pub(super) struct Runs<R> {
    runs: Vec<Vec<R>>,
    len: usize,
}

impl<R> Default for Runs<R> {
    fn default() -> Self {
        Runs {
            runs: Vec::new(),
            len: 0,
        }
    }
}

fn order<R: Keyed>(row: &R, key: KeyParts<'_>) -> Ordering {
    key_order(row.key().parts(), key)
}

impl<R: Keyed> Runs<R> {
    /// Rows in any order; of rows with the same key, the last is kept.
    pub fn from_rows(mut rows: Vec<R>) -> Self {
        if !rows.is_sorted_by(|a, b| a.key() < b.key()) {
            // Stable, so equal keys stay in their order and the later one can win.
            rows.sort_by(|a, b| a.key().cmp(b.key()));
            rows.dedup_by(|later, earlier| {
                let same = later.key() == earlier.key();
                if same {
                    std::mem::swap(later, earlier);
                }
                same
            });
        }
        let len = rows.len();
        let mut runs = Vec::with_capacity(len.div_ceil(RUN));
        let mut rows = rows.into_iter();
        while rows.len() > 0 {
            // `Take` of a vector's iterator knows its length: each run is allocated to size.
            runs.push(rows.by_ref().take(RUN).collect::<Vec<R>>());
        }
        Runs { runs, len }
    }

    /// Every row, leaving the set empty.
    pub fn take_rows(&mut self) -> Vec<R> {
        let mut all = Vec::with_capacity(self.len);
        for run in std::mem::take(&mut self.runs) {
            all.extend(run);
        }
        self.len = 0;
        all
    }

    /// The run `key` is in or would go in, and its place there. A key after every row goes at
    /// the end of the last run.
    fn find(&self, key: KeyParts<'_>) -> (usize, Result<usize, usize>) {
        let run = self.runs.partition_point(|run| {
            run.last()
                .is_some_and(|last| order(last, key) == Ordering::Less)
        });
        match self.runs.get(run) {
            Some(rows) => (run, rows.binary_search_by(|r| order(r, key))),
            None => self.end(),
        }
    }

    /// The place after every row: the end of the last run.
    fn end(&self) -> (usize, Result<usize, usize>) {
        let last = self.runs.len().saturating_sub(1);
        (last, Err(self.runs.get(last).map_or(0, Vec::len)))
    }

    pub fn get(&self, key: KeyParts<'_>) -> Option<&R> {
        match self.find(key) {
            (run, Ok(at)) => Some(&self.runs[run][at]),
            _ => None,
        }
    }

    /// Place `row`, replacing the row with its key.
    pub fn upsert(&mut self, row: R) {
        let after_all = self
            .runs
            .last()
            .and_then(|run| run.last())
            .is_none_or(|last| last.key() < row.key());
        let (run, at) = if after_all {
            self.end()
        } else {
            self.find(row.key().parts())
        };
        match at {
            Ok(at) => self.runs[run][at] = row,
            Err(at) => {
                self.insert(run, at, row);
                self.len += 1;
            }
        }
    }

    /// A new row at `at` of run `run`. The start of a run is also the end of the run before
    /// it, which takes the row if it has room (rows placed in order: one cluster's list before
    /// another's rows). A full run takes it in a new run beside it when it goes at either end,
    /// else gives its upper half to a new run first.
    fn insert(&mut self, run: usize, at: usize, row: R) {
        if at == 0
            && let Some(before) = run.checked_sub(1).and_then(|r| self.runs.get_mut(r))
            && before.len() < RUN
        {
            before.push(row);
            return;
        }
        let Some(rows) = self.runs.get_mut(run) else {
            self.runs.push(new_run(row, self.len));
            return;
        };
        if rows.len() < RUN {
            rows.insert(at, row);
        } else if at == RUN {
            self.runs.insert(run + 1, new_run(row, self.len));
        } else if at == 0 {
            self.runs.insert(run, new_run(row, self.len));
        } else {
            let mut upper = Vec::with_capacity(RUN);
            upper.extend(rows.drain(RUN / 2..));
            if at <= RUN / 2 {
                rows.insert(at, row);
            } else {
                upper.insert(at - RUN / 2, row);
            }
            self.runs.insert(run + 1, upper);
        }
    }

    pub fn remove(&mut self, key: KeyParts<'_>) -> Option<R> {
        let (run, Ok(at)) = self.find(key) else {
            return None;
        };
        let removed = self.runs[run].remove(at);
        self.len -= 1;
        self.close_up(run);
        Some(removed)
    }

    /// After a removal from `run`: an empty run goes, a sparse one joins a neighbour with room.
    fn close_up(&mut self, run: usize) {
        let len = self.runs[run].len();
        if len == 0 {
            self.runs.remove(run);
            return;
        }
        if len >= SPARSE {
            return;
        }
        let fits = |other: Option<&Vec<R>>| other.is_some_and(|o| o.len() + len <= RUN);
        if fits(self.runs.get(run + 1)) {
            let mut next = self.runs.remove(run + 1);
            self.runs[run].append(&mut next);
        } else if run > 0 && fits(self.runs.get(run - 1)) {
            let mut this = self.runs.remove(run);
            self.runs[run - 1].append(&mut this);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &R> {
        self.runs.iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A run holding `row`, in a store of `held` rows: a whole run's room once the store has
/// filled one (a list's pages will fill it), else room that grows as rows come (most kinds
/// have a handful of objects, and a run of 400-byte rows is 50 KB).
fn new_run<R>(row: R, held: usize) -> Vec<R> {
    let mut run = Vec::with_capacity(if held >= RUN { RUN } else { 1 });
    run.push(row);
    run
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::model::key::ObjRef;
    use crate::model::key::tests::Row;

    fn key(cluster: u8, name: u16) -> ObjRef {
        ObjRef::in_cluster(format!("c{cluster}"), "ns", format!("r-{name:04}"))
    }

    #[derive(Debug, Clone)]
    enum Op {
        Upsert(u8, u16, u32),
        Remove(u8, u16),
        /// A cluster's rows from `from`, `count` of them in key order (a list's pages).
        InOrder(u8, u16, u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..3u8, 0..700u16, any::<u32>()).prop_map(|(c, n, v)| Op::Upsert(c, n, v)),
            3 => (0..3u8, 0..700u16).prop_map(|(c, n)| Op::Remove(c, n)),
            1 => (0..3u8, 0..700u16, 0..300u16).prop_map(|(c, f, n)| Op::InOrder(c, f, n)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any mix of placing and removing rows keeps what an ordered map of the same keys
        /// keeps, in its order, and no run outgrows `RUN`.
        #[test]
        fn runs_hold_what_an_ordered_map_holds(
            start in prop::collection::vec((0..3u8, 0..700u16, any::<u32>()), 0..600),
            ops in prop::collection::vec(op(), 0..150),
        ) {
            let mut model = BTreeMap::new();
            let first: Vec<Row> = start.iter().map(|(c, n, v)| Row(key(*c, *n), *v)).collect();
            for row in &first {
                model.insert(row.0.clone(), row.1);
            }
            let mut runs = Runs::from_rows(first);
            for op in ops {
                match op {
                    Op::Upsert(c, n, v) => {
                        model.insert(key(c, n), v);
                        runs.upsert(Row(key(c, n), v));
                    }
                    Op::Remove(c, n) => {
                        let k = key(c, n);
                        prop_assert_eq!(runs.remove(k.parts()).map(|r| r.1), model.remove(&k));
                    }
                    Op::InOrder(c, from, count) => {
                        for n in from..(from + count).min(700) {
                            model.insert(key(c, n), u32::from(n));
                            runs.upsert(Row(key(c, n), u32::from(n)));
                        }
                    }
                }
                prop_assert_eq!(runs.len(), model.len());
            }
            let held: Vec<(ObjRef, u32)> = runs.iter().map(|r| (r.0.clone(), r.1)).collect();
            let expected: Vec<(ObjRef, u32)> = model.iter().map(|(k, v)| (k.clone(), *v)).collect();
            prop_assert_eq!(held, expected);
            for (k, v) in &model {
                prop_assert_eq!(runs.get(k.parts()).map(|r| r.1), Some(*v));
            }
            prop_assert!(runs.get(key(9, 0).parts()).is_none());
            prop_assert!(runs.runs.iter().all(|r| !r.is_empty() && r.len() <= RUN));
        }
    }

    #[test]
    fn rows_placed_in_order_fill_their_runs() {
        let mut runs = Runs::default();
        // Cluster 2's list first, then cluster 1's in order before it: both fill whole runs.
        for cluster in [2, 1] {
            for n in 0..RUN as u16 * 3 {
                runs.upsert(Row(key(cluster, n), 0));
            }
        }
        assert_eq!(runs.len(), RUN * 6);
        assert_eq!(runs.runs.len(), 6, "every run full");
        assert!(runs.iter().map(|r| &r.0).is_sorted());
    }

    #[test]
    fn of_rows_listed_twice_the_last_is_kept() {
        let rows = vec![Row(key(0, 2), 1), Row(key(0, 1), 1), Row(key(0, 2), 2)];
        let runs = Runs::from_rows(rows);
        let held: Vec<u32> = runs.iter().map(|r| r.1).collect();
        assert_eq!(held, [1, 2]);
        assert_eq!(runs.len(), 2);
    }

    #[test]
    fn removing_most_rows_merges_the_runs_left() {
        let mut runs = Runs::from_rows((0..RUN as u16 * 8).map(|n| Row(key(0, n), 0)).collect());
        for n in 0..RUN as u16 * 8 {
            if n % 16 != 0 {
                runs.remove(key(0, n).parts());
            }
        }
        assert_eq!(runs.len(), RUN / 2);
        assert!(runs.runs.len() <= 2, "{} runs", runs.runs.len());
    }
}
