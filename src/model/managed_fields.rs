//! Cutting `managedFields` out of a list's JSON text before it is parsed.
//!
//! Every object a server sends carries its managed fields: for a pod, about 5 KB of its 5.5 KB of
//! metadata. The cockpit never reads them, but a JSON parser has to look at each byte to find
//! where they end: at 60,000 pods that was a fifth of the cockpit's CPU while it loaded. Here
//! the end of the value is found 64 bytes at a time with bit masks (quotes, backslashes,
//! brackets), and the member is cut out of the text in place; the parser then reads only what
//! is left.

use memchr::memmem::Finder;

const KEY: &[u8] = b"\"managedFields\":";

/// Cut every `"managedFields":[…]` member out of `text`, with the comma that joined it to its
/// neighbour, and return how many bytes went. Only a member of an object is cut: the key must
/// follow `{` or `,`, and its value be an array. Text it cannot follow (a value that never
/// ends) is kept as it is from there on, for the parser to refuse in its own words.
pub fn strip(text: &mut Vec<u8>) -> usize {
    let mut stripper = Stripper {
        taken: text.len(),
        ..Stripper::default()
    };
    stripper.settle(text, true);
    stripper.taken - text.len()
}

/// Cuts the members out of a text as it arrives, part by part: each part is settled as far as
/// it can be, so what is held is the text kept plus at most a member still arriving. A page of
/// 500 pods is 2.5 MB on the wire and 0.33 MB once cut (the decode bench prints both): read
/// whole first, each page of a list passed through a buffer seven times the size it needed.
#[derive(Debug, Default)]
pub struct Stripper {
    /// The text before this is settled (cut where it had to be); after it, a member whose
    /// value has not all arrived, or the last bytes, which may start a key.
    settled: usize,
    /// Bytes given to it so far.
    taken: usize,
    /// The text's length at which to settle again.
    next_look: usize,
}

impl Stripper {
    /// Add `part` to `text` (which holds what came before, as this left it) and settle it.
    pub fn push(&mut self, text: &mut Vec<u8>, part: &[u8]) {
        text.extend_from_slice(part);
        self.taken += part.len();
        if text.len() >= self.next_look {
            self.settle(text, false);
        }
    }

    /// The text is whole: settle the rest, and say how many bytes were cut in all.
    pub fn finish(mut self, text: &mut Vec<u8>) -> usize {
        self.settle(text, true);
        self.taken - text.len()
    }

    /// Cut what can be cut after `settled`; `whole`: no more text is coming.
    fn settle(&mut self, text: &mut Vec<u8>, whole: bool) {
        static FINDER: std::sync::OnceLock<Finder<'static>> = std::sync::OnceLock::new();
        let finder = FINDER.get_or_init(|| Finder::new(KEY));
        // Kept bytes are moved down to end at `write` (never up: it trails `read`).
        let mut at = Settling {
            read: self.settled,
            write: self.settled,
        };
        let mut pending = false;
        while let Some(found) = finder.find(&text[at.read..]).map(|f| at.read + f) {
            match member(text, &at, found, whole) {
                Member::Cut(start, end) => at.cut(text, start, end),
                Member::Not => {
                    let value = found + KEY.len();
                    keep(text, &mut at.write, at.read..value);
                    at.read = value;
                }
                Member::Pending => {
                    // What comes before the key is settled; the comma before it stays the
                    // last thing kept, for the member to take with it once it is whole.
                    keep(text, &mut at.write, at.read..found);
                    at.read = found;
                    pending = true;
                    break;
                }
                // The text is whole and the value does not end: nothing after it can be
                // followed either (and looking again would cost the rest of the text each time).
                Member::Unended => break,
            }
        }
        let len = text.len();
        // Without a key in it, the rest is settled but for its last bytes, which may start
        // one (all of it, when it is whole).
        if !pending {
            let open = if whole {
                len
            } else {
                len.saturating_sub(KEY.len() - 1).max(at.read)
            };
            keep(text, &mut at.write, at.read..open);
            at.read = open;
        }
        // What is still open moves down behind the settled text.
        let open = len - at.read;
        keep(text, &mut at.write, at.read..len);
        text.truncate(at.write);
        self.settled = at.write - open;
        // A member arriving in many parts is looked at again once the text has grown by as
        // much as it holds, so a long one (or one that never ends) is not scanned from its
        // start at every part.
        self.next_look = if pending { text.len() + open } else { 0 };
    }
}

/// Where the settling has got to: `text[..write]` is kept, `text[read..]` not looked at yet.
struct Settling {
    read: usize,
    write: usize,
}

impl Settling {
    /// Cut `start..end`: `start` is in the unsettled text, or, for the comma before the
    /// member, the last thing kept (with only spaces after it), which is then taken back.
    fn cut(&mut self, text: &mut [u8], start: usize, end: usize) {
        if start >= self.read {
            keep(text, &mut self.write, self.read..start);
        } else {
            self.write = start;
        }
        self.read = end;
    }
}

/// Move the kept bytes `range` down to `write` (never up: `write` trails the reading).
fn keep(text: &mut [u8], write: &mut usize, range: std::ops::Range<usize>) {
    let len = range.len();
    if *write != range.start {
        text.copy_within(range, *write);
    }
    *write += len;
}

/// What a key found in the text is.
enum Member {
    /// A member to cut: these bytes.
    Cut(usize, usize),
    /// Not an object's member with an array value.
    Not,
    /// Not all here yet: what it is shows once more of the text has come.
    Pending,
    /// A member whose value does not end.
    Unended,
}

/// The bytes to cut for the key found at `found`: from the comma before it to the end of the
/// value, or, first in its object, from the key through the comma after it. What stands before
/// the key is the last byte that is not a space in the unsettled text before it, else in the
/// text kept so far (after a member cut with the comma after it, that is its object's `{`).
fn member(text: &[u8], at: &Settling, found: usize, whole: bool) -> Member {
    let value = found + KEY.len();
    let spaces = text[value..].iter().take_while(|b| is_space(**b)).count();
    let value = value + spaces;
    match text.get(value) {
        Some(b'[') => {}
        None if !whole => return Member::Pending,
        _ => return Member::Not,
    }
    let last_non_space = |range: std::ops::Range<usize>| {
        let from = range.start;
        text[range]
            .iter()
            .rposition(|b| !is_space(*b))
            .map(|i| from + i)
    };
    let Some(before) = last_non_space(at.read..found).or_else(|| last_non_space(0..at.write))
    else {
        return Member::Not;
    };
    let leading = match text[before] {
        b'{' => true,
        b',' => false,
        // After anything else the quote does not open a key (an escaped quote inside a key).
        _ => return Member::Not,
    };
    let Some(end) = value_end(text, value) else {
        return if whole {
            Member::Unended
        } else {
            Member::Pending
        };
    };
    if !leading {
        return Member::Cut(before, end);
    }
    let next = text[end..]
        .iter()
        .position(|b| !is_space(*b))
        .map(|n| end + n);
    match next {
        Some(comma) if text[comma] == b',' => Member::Cut(found, comma + 1),
        None if !whole => Member::Pending,
        _ => Member::Cut(found, end),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Index just past the array or object that opens at `open`, its strings and their escapes
/// followed; None if the text ends first.
pub fn value_end(text: &[u8], open: usize) -> Option<usize> {
    // Counting a block's brackets is one instruction with POPCNT, a dozen without: x86-64
    // leaves it out of its baseline, though every processor of the last fifteen years has it.
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor has just said it has POPCNT.
        return unsafe { value_end_popcnt(text, open) };
    }
    scan(text, open)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn value_end_popcnt(text: &[u8], open: usize) -> Option<usize> {
    scan(text, open)
}

#[inline(always)]
fn scan(text: &[u8], open: usize) -> Option<usize> {
    let mut depth: u32 = 0;
    // All ones when the block before ended inside a string.
    let mut in_string: u64 = 0;
    // The block before ended with a backslash that escapes this block's first byte.
    let mut escapes_first = false;
    let mut at = open;
    while at < text.len() {
        let block = &text[at..text.len().min(at + 64)];
        let marks = Marks::of(block);
        let escaped = escaped_bits(marks.backslashes, &mut escapes_first);
        let inside = prefix_xor(marks.quotes & !escaped) ^ in_string;
        in_string = 0u64.wrapping_sub(inside >> 63);
        let opens = marks.opens & !inside;
        let closes = marks.closes & !inside;
        // `{}` and `[]` side by side cannot bring the depth below where it was.
        let empty = opens & (closes >> 1);
        let (lone_opens, lone_closes) = (opens & !empty, closes & !(empty << 1));
        if lone_closes.count_ones() < depth {
            depth = depth + lone_opens.count_ones() - lone_closes.count_ones();
        } else if let Some(end) = walk(opens | closes, opens, &mut depth) {
            return Some(at + end + 1);
        }
        at += 64;
    }
    None
}

/// Follow the depth bracket by bracket through a block; the offset where it comes back to 0.
fn walk(brackets: u64, opens: u64, depth: &mut u32) -> Option<usize> {
    let mut rest = brackets;
    while rest != 0 {
        let at = rest.trailing_zeros();
        rest &= rest - 1;
        if opens & (1 << at) != 0 {
            *depth += 1;
        } else {
            *depth = depth.checked_sub(1)?;
            if *depth == 0 {
                return Some(at as usize);
            }
        }
    }
    None
}

/// Bit `i` set where the quote at `i` opens or is inside a string: each quote flips the bits
/// from it on.
fn prefix_xor(quotes: u64) -> u64 {
    let mut x = quotes;
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Bits of the bytes a backslash escapes. A backslash escaped itself escapes nothing; one
/// last in the block escapes the next block's first byte (`escapes_first`, in and out).
fn escaped_bits(backslashes: u64, escapes_first: &mut bool) -> u64 {
    let mut escaped = u64::from(*escapes_first);
    *escapes_first = false;
    let mut rest = backslashes;
    while rest != 0 {
        let at = rest.trailing_zeros();
        rest &= rest - 1;
        if escaped & (1 << at) != 0 {
            continue;
        }
        if at == 63 {
            *escapes_first = true;
        } else {
            escaped |= 1 << (at + 1);
        }
    }
    escaped
}

/// Where a block of up to 64 bytes has quotes, backslashes, and opening and closing brackets.
#[derive(Default)]
struct Marks {
    quotes: u64,
    backslashes: u64,
    opens: u64,
    closes: u64,
}

impl Marks {
    fn of(block: &[u8]) -> Marks {
        let mut padded = [b' '; 64];
        let bytes: &[u8; 64] = match block.try_into() {
            Ok(whole) => whole,
            Err(_) => {
                padded[..block.len()].copy_from_slice(block);
                &padded
            }
        };
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE2 is part of x86-64: every processor this code runs on has it.
        return unsafe { Marks::of_64(bytes) };
        #[cfg(not(target_arch = "x86_64"))]
        Marks::of_64(bytes)
    }

    /// SSE2, which every x86-64 processor has: 16 bytes compared at once, their matches
    /// gathered into 16 bits.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "sse2")]
    fn of_64(bytes: &[u8; 64]) -> Marks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut marks = Marks::default();
        let each = |c: u8| _mm_set1_epi8(c as i8);
        let (quote, backslash) = (each(b'"'), each(b'\\'));
        let (brace, bracket) = (each(b'{'), each(b'['));
        let (close_brace, close_bracket) = (each(b'}'), each(b']'));
        for (i, chunk) in bytes.chunks_exact(16).enumerate() {
            // SAFETY: `chunk` is 16 readable bytes; `loadu` needs no alignment.
            let v = unsafe { _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>()) };
            let bits = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16) << (16 * i);
            marks.quotes |= bits(_mm_cmpeq_epi8(v, quote));
            marks.backslashes |= bits(_mm_cmpeq_epi8(v, backslash));
            marks.opens |= bits(_mm_or_si128(
                _mm_cmpeq_epi8(v, brace),
                _mm_cmpeq_epi8(v, bracket),
            ));
            marks.closes |= bits(_mm_or_si128(
                _mm_cmpeq_epi8(v, close_brace),
                _mm_cmpeq_epi8(v, close_bracket),
            ));
        }
        marks
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn of_64(bytes: &[u8; 64]) -> Marks {
        let mut marks = Marks::default();
        for (i, b) in bytes.iter().enumerate() {
            let bit = 1u64 << i;
            match b {
                b'"' => marks.quotes |= bit,
                b'\\' => marks.backslashes |= bit,
                b'{' | b'[' => marks.opens |= bit,
                b'}' | b']' => marks.closes |= bit,
                _ => {}
            }
        }
        marks
    }
}

#[cfg(test)]
mod tests {
    use super::{Stripper, strip, value_end};
    use serde_json::{Value, json};

    fn stripped(text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        let cut = strip(&mut bytes);
        assert_eq!(cut, text.len() - bytes.len());
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn the_member_goes_with_one_comma_wherever_it_stands() {
        let mf = r#""managedFields":[{"manager":"x","fieldsV1":{"f:a":{}}}]"#;
        assert_eq!(stripped(&format!(r#"{{"a":1,{mf}}}"#)), r#"{"a":1}"#);
        assert_eq!(stripped(&format!(r#"{{{mf},"a":1}}"#)), r#"{"a":1}"#);
        assert_eq!(stripped(&format!(r#"{{{mf}}}"#)), r#"{}"#);
        assert_eq!(
            stripped(&format!(r#"{{"a":1,{mf},"b":2}}"#)),
            r#"{"a":1,"b":2}"#
        );
        assert_eq!(
            stripped(&format!(r#"[{{{mf},{mf},"a":1}},{{"b":{{{mf}}}}}]"#)),
            r#"[{"a":1},{"b":{}}]"#
        );
        assert_eq!(
            stripped(&format!("{{ \"a\" : 1 ,\n {mf} \n}}")),
            "{ \"a\" : 1  \n}"
        );
    }

    #[test]
    fn what_only_looks_like_the_member_stays() {
        for text in [
            // The key's text inside a string, escaped.
            r#"{"note":"\"managedFields\":[1]","a":1}"#,
            // A key ending in an escaped quote and the name.
            r#"{"x\"managedFields":[1],"a":1}"#,
            // Not an array.
            r#"{"managedFields":null,"a":1}"#,
            r#"{"managedFields":{"b":[]}}"#,
            // An array that never ends.
            r#"{"a":1,"managedFields":[{"b":"]"}"#,
        ] {
            assert_eq!(stripped(text), text);
        }
    }

    #[test]
    fn brackets_and_quotes_inside_strings_do_not_end_the_value() {
        let nasty = json!([
            {"k:{\"type\":\"Ready\"}": {".": {}, "f:x": {}}},
            "]]]}}}", "\\", "\\\"]", "\\\\\"", "{[", "a\\\\", "\u{1F600}\"]"
        ]);
        let text = format!(r#"{{"a":1,"managedFields":{nasty},"b":"after"}}"#);
        let parsed: Value = serde_json::from_str(&stripped(&text)).expect("JSON");
        assert_eq!(parsed, json!({"a": 1, "b": "after"}));
    }

    #[test]
    fn the_end_is_found_across_blocks_as_serde_json_finds_it() {
        // Values long enough to cross many 64-byte blocks, with escapes at block edges.
        for pad in 0..130 {
            let filler = "\\".repeat(pad % 7 * 2) + &"x".repeat(pad);
            let value = json!([{"a": [filler, {"b\"]": "}\\"}], "c": {}}, [[[]]], "\"" ]);
            let text = format!("{value} trailing");
            let end = value_end(text.as_bytes(), 0).expect("an end");
            assert_eq!(&text[..end], value.to_string(), "pad {pad}");
        }
    }

    /// Text heavy in what could mislead a scanner: quotes, backslashes, brackets, the key.
    fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                Just("\"".to_string()),
                Just("\\".to_string()),
                Just("{".to_string()),
                Just("]".to_string()),
                Just("[}".to_string()),
                Just("\"managedFields\":[".to_string()),
                Just("é".to_string()),
                "[a-z ]{0,40}",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<i32>().prop_map(|n| json!(n)),
            tricky_text().prop_map(Value::String),
        ];
        let key = prop_oneof![
            Just("managedFields".to_string()),
            Just("a".to_string()),
            Just("z".to_string()),
            tricky_text(),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// `value` without any object's `managedFields` that holds an array.
    fn without_managed_fields(value: &Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(items.iter().map(without_managed_fields).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, v)| !(k.as_str() == "managedFields" && v.is_array()))
                    .map(|(k, v)| (k.clone(), without_managed_fields(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// `text` given to a `Stripper` in parts of these sizes (the last part takes the rest).
    fn stripped_in_parts(text: &str, sizes: &[usize]) -> String {
        let (mut held, mut stripper) = (Vec::new(), Stripper::default());
        let mut rest = text.as_bytes();
        for size in sizes {
            let (part, after) = rest.split_at((*size).min(rest.len()));
            stripper.push(&mut held, part);
            rest = after;
        }
        stripper.push(&mut held, rest);
        let cut = stripper.finish(&mut held);
        assert_eq!(cut, text.len() - held.len());
        String::from_utf8(held).expect("UTF-8")
    }

    #[test]
    fn text_given_in_parts_is_cut_as_the_whole_is() {
        let mf = r#""managedFields":[{"manager":"x","fieldsV1":{"f:a":{"]":"\"}}}]"#;
        let texts = [
            format!(r#"{{"a":1,{mf}}}"#),
            format!(r#"{{{mf},"a":1}}"#),
            format!(r#"{{{mf} , {mf}}}"#),
            format!(r#"[{{{mf},{mf},"a":1}},{{"b":{{{mf}}}}}]"#),
            format!("{{ \"a\" : 1 ,\n {mf} \n}}"),
            r#"{"managedFields" : null,"a":1}"#.to_string(),
            r#"{"a":1,"managedFields":[{"b":"]"}"#.to_string(),
        ];
        for text in &texts {
            let whole = stripped(text);
            // Cut at every byte, and in parts of every size.
            for at in 0..=text.len() {
                assert_eq!(stripped_in_parts(text, &[at]), whole, "{text} cut at {at}");
            }
            for size in 1..text.len() {
                let sizes = vec![size; text.len() / size + 1];
                assert_eq!(
                    stripped_in_parts(text, &sizes),
                    whole,
                    "{text} in parts of {size}"
                );
            }
        }
    }

    #[test]
    fn text_held_while_parts_arrive_is_what_is_kept_and_the_member_arriving() {
        // A page of objects whose managed fields are most of their bytes, as pods' are.
        let object = |i: usize| {
            let fields = format!(r#"{{"f:spec":{{"f:containers":"{}"}}}}"#, "x".repeat(2000));
            format!(
                r#"{{"metadata":{{"name":"pod-{i}","managedFields":[{{"manager":"kubelet","fieldsV1":{fields}}}]}},"cells":["pod-{i}","Running"]}}"#
            )
        };
        let objects: Vec<String> = (0..200).map(object).collect();
        let text = format!(r#"{{"kind":"Table","rows":[{}]}}"#, objects.join(","));
        let (mut held, mut stripper, mut most) = (Vec::new(), Stripper::default(), 0);
        for part in text.as_bytes().chunks(1000) {
            stripper.push(&mut held, part);
            most = most.max(held.len());
        }
        stripper.finish(&mut held);
        assert_eq!(
            String::from_utf8(held.clone()).expect("UTF-8"),
            stripped(&text)
        );
        let member = object(0).len();
        assert!(
            most <= held.len() + 2 * member + 1000,
            "held {most} bytes for {} kept (a member is {member})",
            held.len()
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        #[test]
        fn stripped_text_reads_as_the_value_without_managed_fields(
            value in any_json(),
            sizes in proptest::collection::vec(0usize..40, 0..12),
        ) {
            for text in [value.to_string(), serde_json::to_string_pretty(&value).expect("JSON")] {
                let read: Value = serde_json::from_str(&stripped(&text)).expect("still JSON");
                proptest::prop_assert_eq!(read, without_managed_fields(&value));
                proptest::prop_assert_eq!(stripped_in_parts(&text, &sizes), stripped(&text));
            }
        }
    }
}
