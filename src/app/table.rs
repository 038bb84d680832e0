//! Where each table is: which object is selected (by key, so a watch event that re-sorts or
//! inserts rows never moves the cursor to another object), the scroll offset, and the sort.
//! Changed only by `update`; views read it.

use crate::model::kept::KeptRows;
use crate::model::shown::RowList;
use crate::model::store::ObjRef;
use crate::model::table::{Sort, TableRow};

use std::borrow::Cow;

use crate::model::table::Column;

pub use super::ids::TableId;

/// A table's columns: fixed for the panes', the server's for the kind browser.
pub enum Columns<S> {
    Fixed(&'static [Column]),
    FromState(fn(&S) -> Cow<'static, [Column]>),
}

/// What the cursor, the `/` filter and the sort keys do on a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// A list to act on: cursor, filter, sort by any column.
    List,
    /// A list in an order that means something (sync waves run in order): cursor, and rows
    /// that apply the filter themselves (a wave stays while any of its resources match).
    Ordered,
    /// Context beside a list (the hosts under the VMs, the etcd members): no cursor.
    Context,
}

/// Where a table's rows come from.
pub enum Rows<S> {
    /// Built from the state anew after each change to it: the panes' tables, a few hundred
    /// rows at most.
    Built(fn(&S) -> Vec<TableRow>),
    /// Kept by the state between changes and patched per change (brought up to date by the
    /// function): the kind browser, which may list 100,000 objects.
    Kept(fn(&S) -> std::cell::Ref<'_, KeptRows>),
}

/// A table as data: the key of its cursor state, its columns, every row in its own order
/// before the filter (read from a state `S`), and what the keys do on it. A pane that is one
/// table names it in its registry entry; the shared view and `update` need nothing else.
pub struct Table<S> {
    pub id: TableId,
    pub columns: Columns<S>,
    pub rows: Rows<S>,
    pub used_as: Use,
}

impl<S> Table<S> {
    /// A list with fixed columns.
    pub const fn list(
        id: TableId,
        columns: &'static [Column],
        rows: fn(&S) -> Vec<TableRow>,
    ) -> Self {
        Table {
            id,
            columns: Columns::Fixed(columns),
            rows: Rows::Built(rows),
            used_as: Use::List,
        }
    }

    pub fn columns(&self, state: &S) -> Cow<'static, [Column]> {
        match self.columns {
            Columns::Fixed(columns) => Cow::Borrowed(columns),
            Columns::FromState(columns) => columns(state),
        }
    }

    /// Whether it is the list the cursor works on.
    pub fn selectable(&self) -> bool {
        self.used_as != Use::Context
    }

    /// Whether `shown` applies the `/` filter and a chosen sort to its rows.
    pub fn sortable(&self) -> bool {
        self.used_as == Use::List
    }
}

/// Every table's cursor, scroll and sort.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    views: std::collections::BTreeMap<TableId, TableView>,
}

/// The view of a table nobody has moved in yet.
const UNTOUCHED: TableView = TableView {
    selected: None,
    index: 0,
    offset: 0,
    sort: None,
};

impl Tables {
    pub fn view(&self, id: TableId) -> &TableView {
        self.views.get(&id).unwrap_or(&UNTOUCHED)
    }

    pub fn view_mut(&mut self, id: TableId) -> &mut TableView {
        self.views.entry(id).or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableView {
    /// The object the cursor is on.
    pub selected: Option<ObjRef>,
    /// Where the user last put the cursor: when its object goes away, the cursor falls back to
    /// this position (watch events do not update it; that would cost a pass over the rows per
    /// event).
    pub index: usize,
    /// First row shown.
    pub offset: usize,
    /// `None`: the pane's own order.
    pub sort: Option<Sort>,
}

impl TableView {
    /// The position of the cursor among `rows` (as shown: filtered and sorted).
    pub fn selected_index(&self, rows: &(impl RowList + ?Sized)) -> Option<usize> {
        if rows.count() == 0 {
            return None;
        }
        let Some(key) = &self.selected else {
            return Some(self.index.min(rows.count() - 1));
        };
        // Where it was last is where it mostly still is: no search through 100,000 rows.
        if rows.row(self.index).is_some_and(|r| &r.key == key) {
            return Some(self.index);
        }
        Some(rows.find(key).unwrap_or(self.index.min(rows.count() - 1)))
    }

    /// Move the cursor by `delta` rows and keep it within a page of `page` rows.
    pub fn move_by(&mut self, rows: &(impl RowList + ?Sized), delta: isize, page: usize) {
        let Some(at) = self.selected_index(rows) else {
            return;
        };
        let target = (at as isize)
            .saturating_add(delta)
            .clamp(0, rows.count() as isize - 1);
        self.select(rows, target as usize, page);
    }

    /// Put the cursor on row `index` and scroll so it is visible.
    pub fn select(&mut self, rows: &(impl RowList + ?Sized), index: usize, page: usize) {
        let Some(row) = rows.row(index) else {
            return;
        };
        self.selected = Some(row.key.clone());
        self.index = index;
        self.offset = scroll_to(self.offset, index, page.max(1));
    }

    /// Forget the object: the cursor goes to the first row (a new filter, a new sort).
    pub fn reset(&mut self) {
        self.selected = None;
        self.index = 0;
        self.offset = 0;
    }

    /// The first row to draw so the cursor at `selected` is on a page of `page` rows.
    pub fn offset_for(&self, selected: Option<usize>, len: usize, page: usize) -> usize {
        let page = page.max(1);
        let offset = match selected {
            Some(at) => scroll_to(self.offset, at, page),
            None => self.offset,
        };
        offset.min(len.saturating_sub(page))
    }
}

/// The first row of a page of `page` rows that shows row `at`, moving from `offset` as little
/// as possible.
pub fn scroll_to(offset: usize, at: usize, page: usize) -> usize {
    if at < offset {
        at
    } else if at >= offset + page {
        at + 1 - page
    } else {
        offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::Cell;

    fn rows(names: &[&str]) -> Vec<TableRow> {
        names
            .iter()
            .map(|n| TableRow::new(ObjRef::new("", *n), vec![Cell::plain(*n)]))
            .collect()
    }

    #[test]
    fn the_cursor_follows_its_object_when_rows_move() {
        let mut view = TableView::default();
        let before = rows(&["a", "b", "c"]);
        view.move_by(before.as_slice(), 1, 10);
        assert_eq!(view.selected_index(before.as_slice()), Some(1));
        // A row inserted above: still on b.
        let after = rows(&["0", "a", "b", "c"]);
        assert_eq!(view.selected_index(after.as_slice()), Some(2));
        // b deleted: the cursor stays at its place, on the row now there.
        let gone = rows(&["0", "a", "c"]);
        assert_eq!(view.selected_index(gone.as_slice()), Some(1));
        assert_eq!(view.selected_index(rows(&[]).as_slice()), None);
    }

    #[test]
    fn scrolling_keeps_the_cursor_on_the_page() {
        let many: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
        let names: Vec<&str> = many.iter().map(String::as_str).collect();
        let rs = rows(&names);
        let mut view = TableView::default();
        let rs = rs.as_slice();
        view.move_by(rs, 25, 10);
        assert_eq!(view.offset, 16);
        view.move_by(rs, -20, 10);
        assert_eq!((view.index, view.offset), (5, 5));
        view.move_by(rs, isize::MAX / 2, 10);
        assert_eq!((view.index, view.offset), (49, 40));
        assert_eq!(view.offset_for(Some(49), 50, 10), 40);
    }
}
