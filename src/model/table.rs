//! The shared table's data, with no terminal in sight: columns as data, cells with a style
//! meaning, how rows compare when sorted by a column, and how column widths follow the content.

use std::cmp::Ordering;

use unicode_width::UnicodeWidthStr;

pub use super::cell::{Cell, status_style};
use super::store::ObjRef;
pub use super::text::natural_cmp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One column: its title and how its width may move. Widths follow the content between `min`
/// and `max`; a `flex` column also takes the room left over; on a narrow terminal the columns
/// with the highest `drop` go first (0: never dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    pub flex: bool,
    pub drop: u8,
    pub align: Align,
}

impl Column {
    /// A column sized by its content up to `max`, never dropped.
    pub const fn new(title: &'static str, max: u16) -> Column {
        Column {
            title,
            min: 1,
            max,
            flex: false,
            drop: 0,
            align: Align::Left,
        }
    }

    /// At least this wide (so a short header does not squeeze its values).
    pub const fn min(self, min: u16) -> Column {
        Column { min, ..self }
    }

    /// Takes the room the other columns leave.
    pub const fn flex(self) -> Column {
        Column { flex: true, ..self }
    }

    /// Gives way on narrow terminals; higher goes first.
    pub const fn drop(self, order: u8) -> Column {
        Column {
            drop: order,
            ..self
        }
    }

    pub const fn right(self) -> Column {
        Column {
            align: Align::Right,
            ..self
        }
    }
}

/// A column title (or a kind's name) that came from a server, as the `&'static str` a `Column`
/// (or an action plan) holds. Each distinct string is kept once for the life of the process:
/// they are few (the printer columns and names of the kinds a user browses) and a table is
/// rebuilt on every frame, so interning them is cheaper than owning them per frame.
pub fn interned(title: &str) -> &'static str {
    use std::collections::BTreeSet;
    use std::sync::{Mutex, OnceLock};
    static TITLES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut titles = TITLES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if let Some(known) = titles.get(title) {
        return known;
    }
    let leaked: &'static str = Box::leak(title.to_string().into_boxed_str());
    titles.insert(leaked);
    leaked
}

/// One row: the object it shows (the selection follows it, whatever the order) and its cells,
/// one per column.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRow {
    pub key: ObjRef,
    pub cells: Vec<Cell>,
}

impl TableRow {
    pub fn new(key: ObjRef, cells: Vec<Cell>) -> TableRow {
        TableRow { key, cells }
    }

    /// Everything the row shows, for the `/` filter (ages aside: they move every second).
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.text_into(&mut out);
        out
    }

    /// How long `text` is, in bytes.
    pub fn text_len(&self) -> usize {
        self.cells.iter().map(|c| c.whole_text().len() + 1).sum()
    }

    /// `text`, written into `out` (cleared first): a filter over many rows reuses one buffer.
    pub fn text_into(&self, out: &mut String) {
        out.clear();
        for c in &self.cells {
            out.push_str(c.whole_text());
            out.push(' ');
        }
    }
}

/// Which column the rows are sorted by, and which way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

/// Sort rows by a column (stable: rows equal in that column keep the pane's own order).
pub fn sort_rows(rows: &mut [TableRow], sort: Sort) {
    rows.sort_by(|a, b| compare_rows(a, b, sort));
}

/// How two rows compare in a sort.
pub fn compare_rows(a: &TableRow, b: &TableRow, sort: Sort) -> Ordering {
    const EMPTY: &Cell = &Cell::EMPTY;
    let ca = a.cells.get(sort.column).unwrap_or(EMPTY);
    let cb = b.cells.get(sort.column).unwrap_or(EMPTY);
    let order = ca.compare(cb);
    if sort.descending {
        order.reverse()
    } else {
        order
    }
}

/// Column widths for a table `available` cells wide with `spacing` between columns: each
/// column as wide as its widest value (or title) between its min and max; when that does not
/// fit, the columns that give way first are dropped (`None`), then the widest are narrowed;
/// the room left over goes to the flex columns (which claim only their minimum until then).
/// `content` is the widest value of each column.
pub fn layout_widths(
    columns: &[Column],
    content: &[usize],
    available: u16,
    spacing: u16,
) -> Vec<Option<u16>> {
    // A flex column takes what is left, so it only claims its minimum (or its title) while
    // the others are fitted.
    let wanted: Vec<u16> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let title = c.title.width();
            let widest = if c.flex {
                title
            } else {
                content.get(i).copied().unwrap_or(0).max(title)
            };
            (widest.min(u16::MAX as usize) as u16).clamp(c.min, c.max.max(c.min))
        })
        .collect();
    let mut shown: Vec<bool> = vec![true; columns.len()];
    let total = |shown: &[bool], widths: &[u16]| -> u32 {
        let n = shown.iter().filter(|s| **s).count() as u32;
        let sum: u32 = widths
            .iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(w, _)| *w as u32)
            .sum();
        sum + n.saturating_sub(1) * spacing as u32
    };
    // Drop columns, highest `drop` first (the rightmost of equals first), while too wide.
    let mut order: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].drop > 0)
        .collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(columns[i].drop), std::cmp::Reverse(i)));
    for i in order {
        if total(&shown, &wanted) <= available as u32 {
            break;
        }
        shown[i] = false;
    }
    let mut widths = wanted;
    // Still too wide: narrow the widest shown column, one cell at a time, down to its min.
    while total(&shown, &widths) > available as u32 {
        let widest = (0..columns.len())
            .filter(|&i| shown[i] && widths[i] > columns[i].min)
            .max_by_key(|&i| (widths[i], i));
        match widest {
            Some(i) => widths[i] -= 1,
            None => break,
        }
    }
    // Room left: the flex columns share it.
    let used = total(&shown, &widths);
    let flex: Vec<usize> = (0..columns.len())
        .filter(|&i| shown[i] && columns[i].flex)
        .collect();
    if used < available as u32 && !flex.is_empty() {
        let spare = available as u32 - used;
        let each = spare / flex.len() as u32;
        let mut extra = spare % flex.len() as u32;
        for &i in &flex {
            let bonus = each + u32::from(extra > 0);
            extra = extra.saturating_sub(1);
            widths[i] = widths[i].saturating_add(bonus.min(u16::MAX as u32) as u16);
        }
    }
    widths
        .into_iter()
        .zip(shown)
        .map(|(w, s)| s.then_some(w))
        .collect()
}

/// Cut `text` to `width` display cells, ending in `…` when something was cut.
pub fn fit(text: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if text.width() <= width {
        return std::borrow::Cow::Borrowed(text);
    }
    if width == 0 {
        return std::borrow::Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 4] = [
        Column::new("NAME", 40),
        Column::new("STATUS", 12),
        Column::new("TARGET", 30).drop(1),
        Column::new("MESSAGE", 80).flex(),
    ];

    #[test]
    fn widths_follow_the_content_and_flex_takes_the_rest() {
        // A long name is shown whole while the columns beside it are only as wide as theirs.
        let w = layout_widths(&COLS, &[26, 6, 10, 5], 100, 1);
        assert_eq!(w[0], Some(26));
        assert_eq!(w[1], Some(6));
        assert_eq!(w[2], Some(10));
        assert_eq!(w.iter().flatten().sum::<u16>() + 3, 100, "{w:?}");
    }

    #[test]
    fn narrow_terminals_drop_then_narrow() {
        let w = layout_widths(&COLS, &[26, 6, 20, 30], 60, 1);
        assert_eq!(w[2], None, "TARGET gives way first: {w:?}");
        assert_eq!(w[0], Some(26));
        let sum: u16 = w.iter().flatten().sum();
        assert!(sum + 2 <= 60, "{w:?}");
        let tiny = layout_widths(&COLS, &[26, 6, 20, 30], 20, 1);
        assert!(tiny.iter().flatten().sum::<u16>() + 2 <= 20, "{tiny:?}");
    }

    #[test]
    fn natural_order_and_numeric_sorts() {
        let mut names = vec!["node-10", "node-9", "Node-1", "node-1"];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(names, vec!["Node-1", "node-1", "node-9", "node-10"]);
        let key = |n: &str| ObjRef::new("", n);
        let mut rows = vec![
            TableRow::new(key("a"), vec![Cell::plain("5m").sorted_by(300)]),
            TableRow::new(key("b"), vec![Cell::plain("45s").sorted_by(45)]),
            TableRow::new(key("c"), vec![Cell::plain("2h").sorted_by(7200)]),
        ];
        sort_rows(
            &mut rows,
            Sort {
                column: 0,
                descending: true,
            },
        );
        let order: Vec<&str> = rows.iter().map(|r| r.key.name.as_str()).collect();
        assert_eq!(order, vec!["c", "a", "b"]);
    }

    #[test]
    fn fitting_marks_a_cut() {
        assert_eq!(fit("kube-prometheus-stack", 10), "kube-prom…");
        assert_eq!(fit("short", 10), "short");
    }
}
