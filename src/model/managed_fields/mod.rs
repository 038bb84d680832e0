//! Cutting `managedFields` out of a list's JSON text before it is parsed.
//!
//! Every object a server sends carries its managed fields: for a pod, about 5 KB of its 5.5 KB of
//! metadata. The cockpit never reads them, but a JSON parser has to look at each byte to find
//! where they end: at 60,000 pods that was a fifth of the cockpit's CPU while it loaded. Here
//! the end of the value is found 64 bytes at a time with bit masks (`scan`), and the member is
//! left out of the text kept: as a list's text arrives part by part, only what is kept is copied
//! (`parts`); the parser then reads only that.

mod parts;
mod scan;

use memchr::memmem::Finder;

use scan::Scan;

const KEY: &[u8] = b"\"managedFields\":";

fn finder() -> &'static Finder<'static> {
    static FINDER: std::sync::OnceLock<Finder<'static>> = std::sync::OnceLock::new();
    FINDER.get_or_init(|| Finder::new(KEY))
}

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

/// Cuts the members out of a text as it arrives, part by part, into the text kept: a member's
/// value is never copied (what of it is in a part is passed over, and the scan goes on in the
/// next), and what cannot be told from one part alone (a key split between two, a key whose
/// value has not begun) is settled in the text kept, which holds it only until its value
/// begins. A page of 500 pods is 2.5 MB on the wire and 0.33 MB once cut (the decode bench
/// prints both).
#[derive(Debug, Default)]
pub struct Stripper {
    /// The text before this is settled (cut where it had to be); after it, a member whose
    /// value has not begun yet, or the last bytes, which may start a key.
    settled: usize,
    /// Bytes given to it so far.
    taken: usize,
    /// The text's length at which to settle again.
    next_look: usize,
    /// A member's value being passed over as it arrives, and whether the member was first in
    /// its object.
    passing: Option<(Scan, bool)>,
    /// After a member cut that was first in its object: the spaces that came after it, held
    /// until what follows them says whether they go with the comma after them or stay.
    after_first: Option<Vec<u8>>,
}

impl Stripper {
    /// Add `part` to `text` (which holds what came before, as this left it), cut.
    pub fn push(&mut self, text: &mut Vec<u8>, part: &[u8]) {
        self.taken += part.len();
        let part = self.pass_over(text, part);
        let rest = match self.next_look {
            0 => self.cut_whole(text, part),
            _ => part,
        };
        if rest.is_empty() {
            return;
        }
        text.extend_from_slice(rest);
        if text.len() >= self.next_look {
            self.settle(text, false);
        }
    }

    /// The text is whole: settle the rest, and say how many bytes were cut in all. A value
    /// still being passed over never ended: the text stops where its member began, inside
    /// its object, for the parser to refuse.
    pub fn finish(mut self, text: &mut Vec<u8>) -> usize {
        // Spaces after a member first in its object, with nothing after them, stay.
        if let Some(spaces) = self.after_first.take() {
            text.extend_from_slice(&spaces);
        }
        self.settle(text, true);
        self.taken - text.len()
    }

    /// Cut what can be cut after `settled`; `whole`: no more text is coming.
    fn settle(&mut self, text: &mut Vec<u8>, whole: bool) {
        let finder = finder();
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
                // The rest of the text is the member's: its value is passed over as it comes.
                Member::Open(start, scan, first) => {
                    let len = text.len();
                    at.cut(text, start, len);
                    self.passing = Some((scan, first));
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

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where the first byte that is not a space is, from `from` on.
fn after_spaces(text: &[u8], from: usize) -> Option<usize> {
    text[from..]
        .iter()
        .position(|b| !is_space(*b))
        .map(|n| from + n)
}

/// Where the last byte that is not a space is.
fn last_non_space(text: &[u8]) -> Option<usize> {
    text.iter().rposition(|b| !is_space(*b))
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
    /// A member to cut from this byte on, whose value goes on past the text so far: the scan
    /// through it so far, and whether it is first in its object.
    Open(usize, Scan, bool),
    /// A member whose value does not end.
    Unended,
}

/// The bytes to cut for the key found at `found`: from the comma before it to the end of the
/// value, or, first in its object, from the key through the comma after it. What stands before
/// the key is the last byte that is not a space in the unsettled text before it, else in the
/// text kept so far (after a member cut with the comma after it, that is its object's `{`).
fn member(text: &[u8], at: &Settling, found: usize, whole: bool) -> Member {
    let Some(value) = after_spaces(text, found + KEY.len()) else {
        return if whole { Member::Not } else { Member::Pending };
    };
    let last_non_space = |range: std::ops::Range<usize>| {
        let from = range.start;
        last_non_space(&text[range]).map(|i| from + i)
    };
    let Some(before) = last_non_space(at.read..found).or_else(|| last_non_space(0..at.write))
    else {
        return Member::Not;
    };
    let Some(first) = first_in_object(text[before], text[value]) else {
        return Member::Not;
    };
    let mut scan = Scan::default();
    let Some(end) = scan.through(&text[value..]).map(|len| value + len) else {
        let start = if first { found } else { before };
        return if whole {
            Member::Unended
        } else {
            Member::Open(start, scan, first)
        };
    };
    if !first {
        return Member::Cut(before, end);
    }
    match after_spaces(text, end) {
        Some(comma) if text[comma] == b',' => Member::Cut(found, comma + 1),
        None if !whole => Member::Pending,
        _ => Member::Cut(found, end),
    }
}

/// Whether a key after `before` (the last byte before it that is not a space) whose value
/// starts with `value` is a member to cut, and if so whether it is first in its object (after
/// `{`: it goes with the comma after it) or not (after `,`: with the comma before it). After
/// anything else the quote does not open a key (an escaped quote inside a key); a value that
/// is not an array is not managed fields.
fn first_in_object(before: u8, value: u8) -> Option<bool> {
    match (before, value) {
        (b'{', b'[') => Some(true),
        (b',', b'[') => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
