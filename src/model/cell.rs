//! A table cell: its text, the theme style its meaning asks for, an optional second part in
//! another style, and what it sorts by when the text would sort wrongly (ages, sizes) — in 32
//! bytes, as a table of 60,000 pods holds 420,000 of them: its text, and one word for the rest.

use jiff::Timestamp;
use smol_str::SmolStr;
use std::borrow::Cow;
use std::cmp::Ordering;

use unicode_width::UnicodeWidthStr;

use super::text::{age, natural_cmp};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    /// Its text, followed by its tail's when it has one (`meta` says where that starts).
    text: SmolStr,
    meta: Meta,
}

/// What a cell sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    /// Its text, in natural order.
    Text = 0,
    /// Its value: a size, a count, a duration in seconds.
    Number = 1,
    /// An age counted from its value, a Unix second. The text is written when the cell is
    /// drawn, so a row kept between changes shows its age moving without being rebuilt.
    /// Younger rows sort first, as smaller ages do.
    Since = 2,
    /// Its text, in natural order, followed when drawn by how long ago its value (a Unix
    /// second) was: `7 (3m ago)`, a pod's restarts and when the last one was.
    TextSince = 3,
}

/// A cell's sort key (bits 0–1), its style (bits 2–11) and, in bits 12–63, either the value it
/// sorts by (a number or a Unix second, 52 bits with the sign) or, for a cell sorted by its
/// text, its tail: whether it has one (bit 12), its style (bits 13–22), and where it starts
/// in the text (bits 23–54).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Meta(u64);

const STYLE_BITS: u32 = 10;
const STYLE_MASK: u64 = (1 << STYLE_BITS) - 1;
const PAYLOAD_AT: u32 = 12;
const HAS_TAIL: u64 = 1 << PAYLOAD_AT;
const TAIL_STYLE_AT: u32 = PAYLOAD_AT + 1;
const TAIL_AT: u32 = TAIL_STYLE_AT + STYLE_BITS;
/// Values past these sort as these (sizes of 2 PiB and more, ages of 70 million years).
const VALUE_MAX: i64 = (1 << (63 - PAYLOAD_AT)) - 1;
const VALUE_MIN: i64 = -VALUE_MAX - 1;

impl Meta {
    fn sort(self) -> SortKey {
        match self.0 & 0b11 {
            1 => SortKey::Number,
            2 => SortKey::Since,
            3 => SortKey::TextSince,
            _ => SortKey::Text,
        }
    }

    fn style(self) -> StyleId {
        StyleId(((self.0 >> 2) & STYLE_MASK) as u16)
    }

    fn with_style(self, style: StyleId) -> Meta {
        Meta(self.0 & !(STYLE_MASK << 2) | u64::from(style.0) << 2)
    }

    /// Sorted by `value` as `sort` says (a tail, if any, goes: the two share their bits).
    fn with_value(self, sort: SortKey, value: i64) -> Meta {
        let value = value.clamp(VALUE_MIN, VALUE_MAX);
        let low = self.0 & (STYLE_MASK << 2);
        Meta(low | sort as u64 | (value << PAYLOAD_AT) as u64)
    }

    fn value(self) -> i64 {
        match self.sort() {
            SortKey::Text => 0,
            _ => (self.0 as i64) >> PAYLOAD_AT,
        }
    }

    /// Where the tail starts in the text, and its style.
    fn tail(self) -> Option<(usize, StyleId)> {
        (self.sort() == SortKey::Text && self.0 & HAS_TAIL != 0).then(|| {
            let style = StyleId(((self.0 >> TAIL_STYLE_AT) & STYLE_MASK) as u16);
            ((self.0 >> TAIL_AT) as u32 as usize, style)
        })
    }

    fn with_tail(self, at: u32, style: StyleId) -> Meta {
        let bare = self.without_tail().0;
        Meta(bare | HAS_TAIL | u64::from(style.0) << TAIL_STYLE_AT | u64::from(at) << TAIL_AT)
    }

    fn without_tail(self) -> Meta {
        match self.sort() {
            SortKey::Text => Meta(self.0 & ((STYLE_MASK << 2) | 0b11)),
            _ => self,
        }
    }
}

/// A theme style's name as a small number: the names are few (`status.ok`, `hint` …) and
/// each is registered once for the life of the process; 0 is plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct StyleId(u16);

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
                .map(|at| StyleId(at as u16 + 1))
        };
        if let Some(id) = known(&STYLES.read().unwrap_or_else(|p| p.into_inner())) {
            return id;
        }
        let mut styles = STYLES.write().unwrap_or_else(|p| p.into_inner());
        known(&styles).unwrap_or_else(|| {
            // The names are the code's own, a few dozen; past what the bits hold, plain.
            if styles.len() as u64 >= STYLE_MASK {
                return StyleId(0);
            }
            styles.push(name);
            StyleId(styles.len() as u16)
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
    /// A cell that shows nothing and sorts first among texts (a missing cell in a sort).
    pub const EMPTY: Cell = Cell {
        text: SmolStr::new_static(""),
        meta: Meta(0),
    };

    pub fn plain(text: impl Into<SmolStr>) -> Cell {
        Cell {
            text: text.into(),
            meta: Meta::default(),
        }
    }

    pub fn styled(text: impl Into<SmolStr>, style: &'static str) -> Cell {
        Cell {
            text: text.into(),
            meta: Meta::default().with_style(StyleId::of(style)),
        }
    }

    /// A status word styled by what it means (`Healthy`, `OutOfSync`, `Failed` …).
    pub fn status(word: impl Into<SmolStr>) -> Cell {
        let text = word.into();
        let style = status_style(&text);
        Cell::styled(text, style)
    }

    /// Sort by this number rather than by the text (a tail becomes part of the text).
    pub fn sorted_by(self, value: i64) -> Cell {
        self.sorted(SortKey::Number, value)
    }

    /// The age of something created at `since`, written out when drawn (`45s`, `3d`).
    pub fn since(since: Timestamp) -> Cell {
        Cell::default().sorted(SortKey::Since, since.as_second())
    }

    /// `text`, followed when drawn by how long ago `at` was (`7 (3m ago)`): a server's
    /// `7 (101s ago)` read once would say 101s for as long as the row is kept. Sorted and
    /// filtered by `text` alone.
    pub fn text_since(text: impl Into<SmolStr>, at: Timestamp) -> Cell {
        Cell::plain(text).sorted(SortKey::TextSince, at.as_second())
    }

    fn sorted(self, sort: SortKey, value: i64) -> Cell {
        Cell {
            meta: self.meta.with_value(sort, value),
            ..self
        }
    }

    /// Its text (without its tail).
    pub fn text(&self) -> &str {
        match self.meta.tail() {
            Some((at, _)) => &self.text[..at],
            None => &self.text,
        }
    }

    /// Its text replaced; a tail stays.
    pub fn set_text(&mut self, text: &str) {
        let tail = self.tail().map(|(tail, style)| (tail.to_string(), style));
        let bare = Cell {
            text: text.into(),
            meta: self.meta.without_tail(),
        };
        *self = match tail {
            Some((tail, style)) => bare.with_tail(tail, style),
            None => bare,
        };
    }

    /// The theme style of its text (`""`: plain).
    pub fn style(&self) -> &'static str {
        self.meta.style().name()
    }

    pub fn set_style(&mut self, style: &'static str) {
        self.meta = self.meta.with_style(StyleId::of(style));
    }

    /// The second part and its style.
    pub fn tail(&self) -> Option<(&str, &'static str)> {
        let (at, style) = self.meta.tail()?;
        Some((&self.text[at..], style.name()))
    }

    /// A second part in another style, after the text. For a cell sorted by its text (one
    /// sorted by a value takes it into its text, in its own style).
    pub fn with_tail(self, tail: impl AsRef<str>, style: &'static str) -> Cell {
        let tail = tail.as_ref();
        let main = self.text();
        let mut text = String::with_capacity(main.len() + tail.len());
        text.push_str(main);
        text.push_str(tail);
        match u32::try_from(main.len()) {
            Ok(at) if self.meta.sort() == SortKey::Text => Cell {
                text: text.into(),
                meta: self.meta.with_tail(at, StyleId::of(style)),
            },
            _ => Cell {
                text: text.into(),
                meta: self.meta,
            },
        }
    }

    /// The text as shown at `now`: an age cell's age, any other cell's text.
    pub fn text_at(&self, now: Timestamp) -> Cow<'_, str> {
        match self.meta.sort() {
            SortKey::Since => {
                let since = Timestamp::from_second(self.meta.value()).unwrap_or(now);
                Cow::Owned(age(since, now))
            }
            SortKey::TextSince => {
                let at = Timestamp::from_second(self.meta.value()).unwrap_or(now);
                Cow::Owned(format!("{} ({} ago)", self.text, age(at, now)))
            }
            _ => Cow::Borrowed(self.text()),
        }
    }

    /// Everything it holds, its tail's text included (what the `/` filter searches).
    pub fn whole_text(&self) -> &str {
        &self.text
    }

    /// Display width of everything the cell holds (an age cell's, and the time after a
    /// text's, are known only when drawn).
    pub fn width(&self) -> usize {
        self.text.width()
    }

    /// Display width of everything the cell shows at `now`.
    pub fn width_at(&self, now: Timestamp) -> usize {
        match self.meta.sort() {
            SortKey::Since | SortKey::TextSince => self.text_at(now).width(),
            _ => self.width(),
        }
    }

    pub fn compare(&self, other: &Cell) -> Ordering {
        let (a, b) = (self.meta, other.meta);
        match (a.sort(), b.sort()) {
            (SortKey::Number, SortKey::Number) => a.value().cmp(&b.value()),
            (SortKey::Since, SortKey::Since) => b.value().cmp(&a.value()),
            _ => natural_cmp(self.text(), other.text()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_keeps_its_style_sort_and_tail_in_32_bytes() {
        assert_eq!(std::mem::size_of::<Cell>(), 32);
        let mut cell = Cell::status("Degraded").with_tail(" (3 restarts)", "hint");
        assert_eq!(cell.style(), "status.degraded");
        assert_eq!(cell.text(), "Degraded");
        assert_eq!(cell.tail(), Some((" (3 restarts)", "hint")));
        assert_eq!(cell.whole_text(), "Degraded (3 restarts)");
        assert_eq!(cell.width(), "Degraded (3 restarts)".len());
        cell.set_style("status.ok");
        assert_eq!(cell.style(), "status.ok");
        assert_eq!(cell.tail(), Some((" (3 restarts)", "hint")));
        cell.set_text("Healthy");
        assert_eq!(
            (cell.text(), cell.tail()),
            ("Healthy", Some((" (3 restarts)", "hint")))
        );
        assert_eq!(cell.style(), "status.ok");
        // A style named by a string built at run time is the same style.
        let built: &'static str = Box::leak(String::from("status.ok").into_boxed_str());
        assert_eq!(
            Cell::styled("x", built).meta.style(),
            Cell::styled("y", "status.ok").meta.style()
        );
        assert_eq!(Cell::plain("x").style(), "");
        assert_eq!(Cell::plain("x").tail(), None);
    }

    #[test]
    fn a_text_with_a_time_ago_shows_it_aging_and_sorts_and_filters_by_the_text() {
        let now = Timestamp::from_second(1_764_700_000).expect("time");
        let restarted = now - jiff::SignedDuration::from_secs(101);
        let cell = Cell::text_since("7", restarted);
        assert_eq!(cell.text_at(now), "7 (101s ago)");
        let later = now + jiff::SignedDuration::from_secs(3600);
        assert_eq!(cell.text_at(later), "7 (61m ago)");
        assert_eq!(cell.width_at(later), "7 (61m ago)".len());
        // The filter and the sort see the count: 7 restarts before 12, whenever they were.
        assert_eq!(
            (cell.text(), cell.whole_text(), cell.tail()),
            ("7", "7", None)
        );
        let twelve = Cell::text_since("12", now);
        assert_eq!(cell.compare(&twelve), Ordering::Less);
        assert_eq!(cell.compare(&Cell::plain("12")), Ordering::Less);
        // A time in the future (a server clock ahead of ours) reads as just now.
        assert_eq!(Cell::text_since("1", later).text_at(now), "1 (0s ago)");
    }

    #[test]
    fn numbers_and_ages_sort_by_their_value_whatever_its_sign_and_size() {
        let values = [
            i64::MIN,
            VALUE_MIN,
            -86_400 * 365 * 3000,
            -1,
            0,
            1,
            9,
            10,
            1 << 40,
            VALUE_MAX,
            i64::MAX,
        ];
        for pair in values.windows(2) {
            let (small, big) = (
                Cell::styled("b", "status.ok").sorted_by(pair[0]),
                Cell::plain("a").sorted_by(pair[1]),
            );
            let expected = if pair[0] < VALUE_MIN || pair[1] > VALUE_MAX {
                Ordering::Equal
            } else {
                Ordering::Less
            };
            assert_eq!(small.compare(&big), expected, "{pair:?}");
            assert_eq!(
                small.style(),
                "status.ok",
                "the style stays beside the value"
            );
        }
        assert_eq!(Cell::plain("").sorted_by(-5).meta.value(), -5);
        // Younger first; an age is written out when drawn.
        let now = Timestamp::now();
        let older = Cell::since(now - jiff::SignedDuration::from_secs(60));
        assert_eq!(Cell::since(now).compare(&older), Ordering::Less);
        assert_eq!(older.text_at(now), "60s");
        // A tail on a cell sorted by a value is part of its text.
        let cell = Cell::plain("3").sorted_by(3).with_tail(" pods", "hint");
        assert_eq!((cell.text(), cell.tail()), ("3 pods", None));
        assert_eq!(cell.meta.value(), 3);
        // Text cells sort naturally, by their text without the tail.
        let a = Cell::plain("node-9").with_tail(" zzz", "dim");
        assert_eq!(a.compare(&Cell::plain("node-10")), Ordering::Less);
    }
}
