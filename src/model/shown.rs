//! The rows a table shows, as the view and the cursor read them: every row built, or the
//! ones the filter kept in the order of the sort, picked by index from rows shared with the
//! table's store — so filtering or sorting 100,000 rows copies none of them.

use std::sync::Arc;

use super::store::ObjRef;
use super::table::{Sort, TableRow};

#[derive(Debug, Clone, Default)]
pub struct Shown {
    rows: Arc<Vec<TableRow>>,
    /// Which rows, in which order; `None`: all of them as they are.
    order: Option<Arc<Vec<u32>>>,
    /// The widest cell of each column over all the rows (ages aside: see `Cell::width`).
    widths: Arc<Vec<usize>>,
}

impl Shown {
    /// All of `rows`, as they are, measured.
    pub fn new(rows: Vec<TableRow>) -> Shown {
        let widths = content_widths(&rows);
        Shown {
            rows: Arc::new(rows),
            order: None,
            widths: Arc::new(widths),
        }
    }

    /// The rows `order` picks from `rows` (all when `None`), which `widths` measured.
    pub fn picked(
        rows: Arc<Vec<TableRow>>,
        order: Option<Arc<Vec<u32>>>,
        widths: Arc<Vec<usize>>,
    ) -> Shown {
        Shown {
            rows,
            order,
            widths,
        }
    }

    pub fn len(&self) -> usize {
        match &self.order {
            Some(order) => order.len(),
            None => self.rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, at: usize) -> Option<&TableRow> {
        match &self.order {
            Some(order) => self.rows.get(*order.get(at)? as usize),
            None => self.rows.get(at),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &TableRow> + '_ {
        (0..self.len()).filter_map(|at| self.get(at))
    }

    /// The widest cell of each column over the rows measured.
    pub fn widths(&self) -> &[usize] {
        &self.widths
    }
}

/// Rows the cursor moves over: a slice of rows, or the rows a table shows.
pub trait RowList {
    fn count(&self) -> usize;
    fn row(&self, at: usize) -> Option<&TableRow>;

    /// Where the row of `key` is.
    fn find(&self, key: &ObjRef) -> Option<usize> {
        (0..self.count()).find(|&at| self.row(at).is_some_and(|r| &r.key == key))
    }
}

impl RowList for [TableRow] {
    fn count(&self) -> usize {
        self.len()
    }
    fn row(&self, at: usize) -> Option<&TableRow> {
        self.get(at)
    }
}

impl RowList for Shown {
    fn count(&self) -> usize {
        self.len()
    }
    fn row(&self, at: usize) -> Option<&TableRow> {
        self.get(at)
    }
}

/// The widest cell of each column.
pub fn content_widths(rows: &[TableRow]) -> Vec<usize> {
    let mut widths = Vec::new();
    for row in rows {
        grow_widths(&mut widths, row);
    }
    widths
}

/// Widen `widths` to hold `row`.
pub fn grow_widths(widths: &mut Vec<usize>, row: &TableRow) {
    if widths.len() < row.cells.len() {
        widths.resize(row.cells.len(), 0);
    }
    for (width, cell) in widths.iter_mut().zip(&row.cells) {
        *width = (*width).max(cell.width());
    }
}

/// What the rows a table showed last were picked by, so the next pick can start from them:
/// a filter typed one more character narrows the rows it kept instead of all of them.
#[derive(Debug, Clone)]
pub struct Picked {
    /// The version of the kept rows they were picked from.
    pub version: u64,
    pub filter: String,
    pub sort: Option<Sort>,
    pub order: Option<Arc<Vec<u32>>>,
}

impl Picked {
    /// Whether every row `filter` keeps is among those this pick's filter kept (a plain
    /// filter that grew: `svc` then `svc-1`).
    pub fn narrows_to(&self, filter: &str) -> bool {
        let plain = |f: &str| !f.is_empty() && !f.starts_with('!');
        plain(&self.filter)
            && plain(filter)
            && filter.to_lowercase().contains(&self.filter.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::table::Cell;

    fn row(name: &str) -> TableRow {
        TableRow::new(ObjRef::new("", name), vec![Cell::plain(name)])
    }

    #[test]
    fn picked_rows_are_found_by_position_and_key() {
        let rows = Arc::new(vec![row("a"), row("bb"), row("ccc")]);
        let shown = Shown::picked(rows, Some(Arc::new(vec![2, 0])), Arc::new(vec![3]));
        assert_eq!(shown.len(), 2);
        assert_eq!(shown.get(0).map(|r| r.key.name.as_str()), Some("ccc"));
        assert_eq!(shown.get(2), None);
        assert_eq!(shown.find(&ObjRef::new("", "a")), Some(1));
        assert_eq!(shown.find(&ObjRef::new("", "bb")), None);
        let names: Vec<&str> = shown.iter().map(|r| r.key.name.as_str()).collect();
        assert_eq!(names, ["ccc", "a"]);
    }

    #[test]
    fn a_filter_narrows_only_when_it_grew() {
        let picked = |filter: &str| Picked {
            version: 1,
            filter: filter.into(),
            sort: None,
            order: None,
        };
        assert!(picked("svc").narrows_to("svc-1"));
        assert!(picked("SVC").narrows_to("x-svc"));
        assert!(!picked("svc-1").narrows_to("svc"));
        assert!(!picked("").narrows_to("svc"));
        assert!(!picked("!svc").narrows_to("!svc-1"));
        assert!(!picked("svc").narrows_to("!svc"));
    }
}
