//! Text that came from a server: strip what could drive the terminal, format ages, and order
//! names as people read them.

use jiff::Timestamp;
use std::cmp::Ordering;

/// Longest text kept from a server string (in characters): past it the rest is cut, so a
/// megabyte of annotation costs no more than a screen of it to lay out on every frame.
pub const LONGEST: usize = 8 * 1024;

/// Bidirectional-text controls (embeddings, overrides, isolates and marks): drawn as is they
/// reorder what the user sees (a name shown as something it is not), so each is shown as `�`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether a string can hold anything `sanitize` changes, by its bytes (most server strings
/// are plain: this keeps them to one fast scan): C0 controls and DEL, the lead byte of C1
/// controls (U+0080–U+00BF) and of U+2000–U+2FFF, where the bidi controls are; or too long.
fn may_need_cleaning(s: &str) -> bool {
    s.len() > LONGEST
        || s.bytes()
            .any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2)
}

/// Remove terminal control sequences and control characters from untrusted text.
/// Escape sequences (CSI, OSC, and two-byte ESC forms) are dropped whole; other control
/// characters become a space so words do not run together. Newlines and tabs become spaces too:
/// a table cell is one line. Bidi controls become `�`, and text past `LONGEST` characters is
/// cut with an `…`.
pub fn sanitize(s: &str) -> String {
    sanitize_cow(s).into_owned()
}

/// `sanitize` into a `SmolStr`: inline when short (most are), so no allocation.
pub fn sanitize_inline(s: &str) -> smol_str::SmolStr {
    smol_str::SmolStr::new(sanitize_cow(s))
}

/// `sanitize`, borrowing the text when it is clean already (most is): no copy to make.
pub fn sanitize_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if !may_need_cleaning(s) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(clean(s))
}

fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(LONGEST * 4));
    let mut kept = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if kept == LONGEST {
            out.push('…');
            break;
        }
        kept += 1;
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: parameters and intermediates up to a final byte in @..~
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, APC, PM, SOS: up to BEL or ST (ESC \)
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            // C1 CSI
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            c if c.is_control() => out.push(' '),
            c if is_bidi_control(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// A byte count in binary units: `512 B`, `1.5 KiB`, `3.0 MiB` (what `talosctl` and `df -h`
/// readers expect).
pub fn binary_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{v:.0} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A kubectl-style age: `45s`, `12m`, `5h`, `3d`.
pub fn age(since: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second().saturating_sub(since.as_second()).max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 120 * 60 => format!("{}m", s / 60),
        s if s < 48 * 3600 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86400),
    }
}

pub fn age_opt(since: Option<Timestamp>, now: Timestamp) -> String {
    since.map_or_else(|| "-".to_string(), |t| age(t, now))
}

/// A server's short duration (`95s`, `7m30s`, `2d4h`, `1y20d`) in seconds; `None` for anything
/// else, so such cells can sort by time.
pub fn parse_age(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || !text.ends_with(['s', 'm', 'h', 'd', 'y']) {
        return None;
    }
    let mut total = 0i64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'y' => 365 * 86400,
            _ => return None,
        };
        // A server's number past what fits is not a duration (rather than an overflow).
        let part = number.parse::<i64>().ok()?.checked_mul(unit)?;
        total = total.checked_add(part)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

/// A server's text with a time relative to when it printed it, `7 (101s ago)` (kubectl's
/// RESTARTS): the text before it and how long ago, in seconds.
pub fn ago_suffix(text: &str) -> Option<(&str, i64)> {
    let inside = text.strip_suffix(" ago)")?;
    let (before, duration) = inside.rsplit_once(" (")?;
    Some((before, parse_age(duration)?))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_durations_parse_back() {
        assert_eq!(parse_age("95s"), Some(95));
        assert_eq!(parse_age("7m30s"), Some(450));
        assert_eq!(parse_age("2d4h"), Some(187_200));
        assert_eq!(parse_age("Running"), None);
        assert_eq!(parse_age("3 (2m ago)"), None);
        assert_eq!(parse_age("12"), None);
        assert_eq!(parse_age("99999999999999999y"), None);
        assert_eq!(parse_age("9223372036854775807s1s"), None);
    }

    #[test]
    fn a_time_ago_after_a_text_is_read_as_seconds() {
        assert_eq!(ago_suffix("7 (101s ago)"), Some(("7", 101)));
        assert_eq!(ago_suffix("14 (2m25s ago)"), Some(("14", 145)));
        assert_eq!(ago_suffix("3 (5d ago)"), Some(("3", 432_000)));
        // The last parenthesis is the time; what comes before it is the text, whatever it is.
        assert_eq!(ago_suffix("a (b) (1h ago)"), Some(("a (b)", 3600)));
        for not in [
            "7",
            "7 (ago)",
            "7 (soon ago)",
            "7 (101s ago",
            "(101s ago)",
            "7 (101s)",
        ] {
            assert_eq!(ago_suffix(not), None, "{not}");
        }
    }

    #[test]
    fn strips_escape_sequences() {
        assert_eq!(sanitize("plain"), "plain");
        // Text whose bytes only look suspect comes through whole.
        assert_eq!(sanitize("a — b © “c” …"), "a — b © “c” …");
        assert_eq!(sanitize("red\u{1b}[31mtext\u{1b}[0m"), "redtext");
        assert_eq!(sanitize("title\u{1b}]0;pwned\u{7}!"), "title!");
        assert_eq!(sanitize("a\u{1b}]8;;http://x\u{1b}\\b"), "ab");
        assert_eq!(sanitize("line1\nline2\r"), "line1 line2 ");
        assert_eq!(sanitize("c1\u{9b}2Jx"), "c1x");
    }

    #[test]
    fn ages_like_kubectl() {
        let now = Timestamp::from_second(1_000_000).expect("ts");
        let at = |s: i64| Timestamp::from_second(1_000_000 - s).expect("ts");
        assert_eq!(age(at(5), now), "5s");
        assert_eq!(age(at(600), now), "10m");
        assert_eq!(age(at(3 * 3600), now), "3h");
        assert_eq!(age(at(5 * 86400), now), "5d");
        assert_eq!(age(now, at(10)), "0s");
    }
}

#[cfg(test)]
mod hostile {
    use proptest::prelude::*;

    use super::*;

    /// Strings made of what a hostile server would send: escape sequences of every kind, C1
    /// controls, bidi overrides, zero-width characters, and ordinary text.
    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("\u{1b}[2J".to_string()),
            Just("\u{1b}]52;c;cHduZWQ=\u{7}".to_string()),
            Just("\u{1b}]0;title\u{1b}\\".to_string()),
            Just("\u{1b}Pq#0;2;0;0;0\u{1b}\\".to_string()),
            Just("\u{1b}".to_string()),
            Just("\u{9b}31m".to_string()),
            Just("\u{202e}".to_string()),
            Just("\u{2066}".to_string()),
            Just("\u{200b}".to_string()),
            Just("\r\n\t\u{0}".to_string()),
            "[a-z ]{0,12}",
            any::<String>(),
        ];
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn nothing_that_drives_a_terminal_survives(s in hostile()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
            prop_assert!(!out.chars().any(is_bidi_control), "{out:?}");
            prop_assert!(out.chars().count() <= LONGEST + 1);
        }

        /// A server's durations, of any digits and units (past what an i64 holds too), and
        /// any other text: read as seconds that add up, or as none, never an overflow.
        #[test]
        fn a_duration_of_any_size_reads_or_is_refused(
            parts in prop::collection::vec(("[0-9]{1,20}", "[smhdy]"), 1..5),
            text in hostile(),
        ) {
            let duration: String = parts.iter().map(|(n, u)| format!("{n}{u}")).collect();
            let unit = |u: &str| match u { "s" => 1, "m" => 60, "h" => 3600, "d" => 86400, _ => 365 * 86400 };
            let expected = parts.iter().try_fold(0i64, |total, (n, u)| {
                total.checked_add(n.parse::<i64>().ok()?.checked_mul(unit(u))?)
            });
            prop_assert_eq!(parse_age(&duration), expected);
            let line = format!("{text} ({duration} ago)");
            prop_assert_eq!(ago_suffix(&line), expected.map(|s| (text.as_str(), s)));
            let _ = (parse_age(&text), ago_suffix(&text));
        }
    }

    #[test]
    fn long_text_is_cut_and_bidi_controls_shown() {
        let long = "x".repeat(LONGEST * 3);
        let out = sanitize(&long);
        assert_eq!(out.chars().count(), LONGEST + 1);
        assert!(out.ends_with('…'));
        assert_eq!(sanitize("abc\u{202e}fed"), "abc\u{fffd}fed");
        assert_eq!(sanitize("plain"), "plain");
        // Text whose bytes only look suspect comes through whole.
        assert_eq!(sanitize("a — b © “c” …"), "a — b © “c” …");
    }
}
