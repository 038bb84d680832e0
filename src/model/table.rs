//! The shared table's data, with no terminal in sight: columns as data, cells with a style
//! meaning, how rows compare when sorted by a column, and how column widths follow the content.

use jiff::Timestamp;
use smol_str::SmolStr;
use std::borrow::Cow;
use std::cmp::Ordering;

use unicode_width::UnicodeWidthStr;

use super::store::ObjRef;
use super::text::age;

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

/// One cell: its text, the theme style its meaning asks for (`""` for plain), an optional
/// second part in another style, and what it sorts by when the text would sort wrongly
/// (ages, sizes). 48 bytes: a table of 60,000 rows holds 420,000 of them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: SmolStr,
    /// The number it sorts by, or the Unix second its age counts from (see `sort`).
    value: i64,
    /// Boxed: few cells have one.
    tail: Option<Box<(String, &'static str)>>,
    style: StyleId,
    sort: SortKey,
}

/// What a cell sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum SortKey {
    /// Its text, in natural order.
    #[default]
    Text,
    /// Its value: a size, a count, a duration in seconds.
    Number,
    /// An age counted from its value, a Unix second. The text is written when the cell is
    /// drawn, so a row kept between changes shows its age moving without being rebuilt.
    /// Younger rows sort first, as smaller ages do.
    Since,
}

/// A theme style's name as a small number: the names are few (`status.ok`, `hint` …) and
/// each is registered once for the life of the process; 0 is plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct StyleId(u32);

static STYLES: std::sync::RwLock<Vec<&'static str>> = std::sync::RwLock::new(Vec::new());

impl StyleId {
    fn of(name: &'static str) -> StyleId {
        if name.is_empty() {
            return StyleId(0);
        }
        let known = |styles: &[&'static str]| {
            // Mostly the same literal: its address answers before its bytes are compared.
            let same = |s: &&str| std::ptr::eq(*s, name) || *s == name;
            styles
                .iter()
                .position(same)
                .map(|at| StyleId(at as u32 + 1))
        };
        if let Some(id) = known(&STYLES.read().unwrap_or_else(|p| p.into_inner())) {
            return id;
        }
        let mut styles = STYLES.write().unwrap_or_else(|p| p.into_inner());
        known(&styles).unwrap_or_else(|| {
            styles.push(name);
            StyleId(styles.len() as u32)
        })
    }

    fn name(self) -> &'static str {
        match self.0 {
            0 => "",
            at => STYLES
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(at as usize - 1)
                .copied()
                .unwrap_or(""),
        }
    }
}

impl Cell {
    pub fn plain(text: impl Into<SmolStr>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub fn styled(text: impl Into<SmolStr>, style: &'static str) -> Cell {
        Cell {
            text: text.into(),
            style: StyleId::of(style),
            ..Cell::default()
        }
    }

    /// A status word styled by what it means (`Healthy`, `OutOfSync`, `Failed` …).
    pub fn status(word: impl Into<SmolStr>) -> Cell {
        let text = word.into();
        let style = status_style(&text);
        Cell::styled(text, style)
    }

    /// Sort by this number rather than by the text.
    pub fn sorted_by(self, value: i64) -> Cell {
        Cell {
            value,
            sort: SortKey::Number,
            ..self
        }
    }

    /// The age of something created at `since`, written out when drawn (`45s`, `3d`).
    pub fn since(since: Timestamp) -> Cell {
        Cell {
            value: since.as_second(),
            sort: SortKey::Since,
            ..Cell::default()
        }
    }

    /// The theme style of its text (`""`: plain).
    pub fn style(&self) -> &'static str {
        self.style.name()
    }

    pub fn set_style(&mut self, style: &'static str) {
        self.style = StyleId::of(style);
    }

    /// The second part and its style.
    pub fn tail(&self) -> Option<(&str, &'static str)> {
        self.tail
            .as_deref()
            .map(|(text, style)| (text.as_str(), *style))
    }

    /// The text as shown at `now`: an age cell's age, any other cell's text.
    pub fn text_at(&self, now: Timestamp) -> Cow<'_, str> {
        match self.sort {
            SortKey::Since => {
                let since = Timestamp::from_second(self.value).unwrap_or(now);
                Cow::Owned(age(since, now))
            }
            _ => Cow::Borrowed(&self.text),
        }
    }

    pub fn with_tail(self, text: impl Into<String>, style: &'static str) -> Cell {
        Cell {
            tail: Some(Box::new((text.into(), style))),
            ..self
        }
    }

    /// Display width of everything the cell holds (an age cell's is known only when drawn).
    pub fn width(&self) -> usize {
        self.text.width() + self.tail.as_ref().map_or(0, |tail| tail.0.width())
    }

    /// Display width of everything the cell shows at `now`.
    pub fn width_at(&self, now: Timestamp) -> usize {
        match self.sort {
            SortKey::Since => self.text_at(now).width(),
            _ => self.width(),
        }
    }

    pub fn compare(&self, other: &Cell) -> Ordering {
        match (self.sort, other.sort) {
            (SortKey::Number, SortKey::Number) => self.value.cmp(&other.value),
            (SortKey::Since, SortKey::Since) => other.value.cmp(&self.value),
            _ => natural_cmp(&self.text, &other.text),
        }
    }
}

/// The theme style a status word asks for, from the words Argo CD, CAPI, KubeVirt, ESO and
/// Kubernetes use.
pub fn status_style(word: &str) -> &'static str {
    match word {
        "Healthy" | "Synced" | "Running" | "Provisioned" | "True" | "Succeeded" | "Done" => {
            "status.ok"
        }
        "Progressing" | "Provisioning" | "ScalingUp" | "ScalingDown" | "Pending" | "Deleting"
        | "Terminating" | "ContainerCreating" | "PodInitializing" => "status.progressing",
        "OutOfSync" | "Suspended" | "Paused" | "Missing" | "Warning" => "status.warning",
        "Degraded" | "Failed" | "Error" | "False" | "SyncFailed" | "Blocked" | "NotReady"
        | "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "OOMKilled" => {
            "status.degraded"
        }
        _ => "status.unknown",
    }
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
        self.cells
            .iter()
            .map(|c| c.text.len() + c.tail.as_ref().map_or(0, |t| t.0.len()) + 1)
            .sum()
    }

    /// `text`, written into `out` (cleared first): a filter over many rows reuses one buffer.
    pub fn text_into(&self, out: &mut String) {
        out.clear();
        for c in &self.cells {
            out.push_str(&c.text);
            if let Some(tail) = &c.tail {
                out.push_str(&tail.0);
            }
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
    const EMPTY: &Cell = &Cell {
        text: SmolStr::new_static(""),
        value: 0,
        tail: None,
        style: StyleId(0),
        sort: SortKey::Text,
    };
    let ca = a.cells.get(sort.column).unwrap_or(EMPTY);
    let cb = b.cells.get(sort.column).unwrap_or(EMPTY);
    let order = ca.compare(cb);
    if sort.descending {
        order.reverse()
    } else {
        order
    }
}

/// Text order with runs of digits compared as numbers: `node-9` before `node-10`, `2/3`
/// before `10/12`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let db = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (na, nb) = (
                    a[..da].trim_start_matches('0'),
                    b[..db].trim_start_matches('0'),
                );
                let order = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[da..], &b[db..]);
            }
            (Some(x), Some(y)) => {
                let order = x.to_lowercase().cmp(y.to_lowercase()).then(x.cmp(&y));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
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
    fn a_cell_keeps_its_style_sort_and_tail_in_48_bytes() {
        assert_eq!(std::mem::size_of::<Cell>(), 48);
        let mut cell = Cell::status("Degraded").with_tail(" (3 restarts)", "hint");
        assert_eq!(cell.style(), "status.degraded");
        assert_eq!(cell.tail(), Some((" (3 restarts)", "hint")));
        cell.set_style("status.ok");
        assert_eq!(cell.style(), "status.ok");
        // A style named by a string built at run time is the same style.
        let built: &'static str = Box::leak(String::from("status.ok").into_boxed_str());
        assert_eq!(
            Cell::styled("x", built).style,
            Cell::styled("y", "status.ok").style
        );
        assert_eq!(Cell::plain("x").style(), "");
        // Numbers and ages sort by their value, younger first.
        let (small, big) = (
            Cell::plain("9").sorted_by(9),
            Cell::plain("10").sorted_by(10),
        );
        assert_eq!(small.compare(&big), Ordering::Less);
        let now = Timestamp::now();
        let older = Cell::since(now - jiff::SignedDuration::from_secs(60));
        assert_eq!(Cell::since(now).compare(&older), Ordering::Less);
    }

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
