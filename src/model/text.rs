//! Text that came from a server: strip what could drive the terminal, and format ages.

use jiff::Timestamp;

/// Remove terminal control sequences and control characters from untrusted text.
/// Escape sequences (CSI, OSC, and two-byte ESC forms) are dropped whole; other control
/// characters become a space so words do not run together. Newlines and tabs become spaces too:
/// a table cell is one line.
pub fn sanitize(s: &str) -> String {
    if !s.chars().any(|c| c.is_control()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
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
        total += number.parse::<i64>().ok()? * unit;
        number.clear();
    }
    number.is_empty().then_some(total)
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
    }

    #[test]
    fn strips_escape_sequences() {
        assert_eq!(sanitize("plain"), "plain");
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
