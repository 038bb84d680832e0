//! Kubernetes timestamps read fast. The API server writes every `metav1.Time` the same way,
//! `2026-12-02T00:59:03Z` (UTC, whole seconds), and a Machine carries seven of them: read
//! digit by digit here, anything else (fractions, offsets, odd values) through jiff's parser,
//! which has the last word on what is a time.

use jiff::Timestamp;

/// The instant `text` names, if it is an RFC 3339 time.
pub fn parse(text: &str) -> Option<Timestamp> {
    whole_seconds_utc(text.as_bytes()).or_else(|| text.parse().ok())
}

/// `YYYY-MM-DDTHH:MM:SSZ` as the server writes it; None for anything else, left to jiff.
fn whole_seconds_utc(b: &[u8]) -> Option<Timestamp> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        i0,
        i1,
        b':',
        s0,
        s1,
        b'Z',
    ] = *b
    else {
        return None;
    };
    let digits = |ds: &[u8]| {
        ds.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let year = digits(&[y0, y1, y2, y3])?;
    let (month, day) = (digits(&[m0, m1])?, digits(&[d0, d1])?);
    let (hour, minute, second) = (digits(&[h0, h1])?, digits(&[i0, i1])?, digits(&[s0, s1])?);
    // A leap second (`:60`) and year 0 are jiff's to judge.
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
        || year == 0
    {
        return None;
    }
    let seconds = days_since_epoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Timestamp::from_second(seconds).ok()
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar: whole 400-year eras
/// of 146,097 days from 0000-03-01, the year counted from March so the leap day comes last.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn jiff(text: &str) -> Option<Timestamp> {
        text.parse().ok()
    }

    #[test]
    fn server_times_read_as_jiff_reads_them() {
        for text in [
            "2026-12-02T00:59:03Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2000-02-29T12:00:00Z",
            "2024-02-29T23:59:59Z",
            "2100-03-01T00:00:00Z",
            "0001-01-01T00:00:00Z",
            "9999-12-30T00:00:00Z",
        ] {
            assert_eq!(whole_seconds_utc(text.as_bytes()), jiff(text), "{text}");
            assert!(whole_seconds_utc(text.as_bytes()).is_some(), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_jiff() {
        for text in [
            "2026-12-02T00:59:03.123456Z",
            "2026-12-02T01:59:03+01:00",
            "2026-12-02t00:59:03z",
            "2016-12-31T23:59:60Z",
            "2023-02-29T00:00:00Z",
            "2026-13-02T00:59:03Z",
            "2026-12-32T00:59:03Z",
            "2026-12-02T24:00:00Z",
            "0000-01-01T00:00:00Z",
            "2026-1a-02T00:59:03Z",
            "+2026-12-02T00:59:03Z",
            "",
        ] {
            assert_eq!(whole_seconds_utc(text.as_bytes()), None, "{text}");
            assert_eq!(parse(text), jiff(text), "{text}");
        }
        assert!(parse("2026-12-02T01:59:03+01:00").is_some());
        assert_eq!(parse("not a time"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any date and time of the server's shape, valid or not: the same instant as jiff's,
        /// or none where jiff has none.
        #[test]
        fn the_fast_path_agrees_with_jiff(
            year in 0i64..10_000, month in 0i64..14, day in 0i64..33,
            hour in 0i64..26, minute in 0i64..62, second in 0i64..62,
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z");
            let fast = whole_seconds_utc(text.as_bytes());
            if fast.is_some() {
                prop_assert_eq!(fast, jiff(&text), "{}", text);
            }
            prop_assert_eq!(parse(&text), jiff(&text), "{}", text);
        }

        /// Strings of the right length from digits and the separators: never a panic, and
        /// never an instant jiff would not read the same.
        #[test]
        fn odd_strings_never_disagree(text in "[0-9TZ:\\-]{20}") {
            if let Some(fast) = whole_seconds_utc(text.as_bytes()) {
                prop_assert_eq!(Some(fast), jiff(&text), "{}", text);
            }
        }
    }
}
