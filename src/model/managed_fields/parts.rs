//! A list's text as it arrives: the members that start in a part are cut from it before it is
//! copied, so their bytes are looked at once and never held. Copying each part whole into the
//! page and cutting there moved 300 MB through memory at 100k objects, a twentieth of the
//! cockpit's CPU while it loaded; the kept bytes are an eighth of that.

use super::{KEY, Scan, Stripper, after_spaces, finder, first_in_object, last_non_space};

impl Stripper {
    /// Go on with what came before `part`: a value being passed over (nothing of it is
    /// kept), then the spaces and comma after a member that was first in its object. What
    /// follows them is returned.
    pub(super) fn pass_over<'p>(&mut self, text: &mut Vec<u8>, mut part: &'p [u8]) -> &'p [u8] {
        if let Some((scan, first)) = &mut self.passing {
            let Some(end) = scan.through(part) else {
                return &[];
            };
            if *first {
                self.after_first = Some(Vec::new());
            }
            self.passing = None;
            part = &part[end..];
        }
        if let Some(spaces) = &mut self.after_first {
            let Some(next) = after_spaces(part, 0) else {
                spaces.extend_from_slice(part);
                return &[];
            };
            // A comma goes with the member; before anything else the spaces stay.
            if part[next] == b',' {
                part = &part[next + 1..];
            } else {
                text.extend_from_slice(spaces);
            }
            self.after_first = None;
            self.settled = text.len();
        }
        part
    }

    /// Copy `part` into `text` without the members that start in it, each cut as `member`
    /// cuts it; a member whose value goes on past the part is passed over as the next parts
    /// come. What cannot be told from this part alone — a key that may have begun in the text
    /// before it, or a key with nothing after it yet — is returned, from there on, for
    /// `settle` to follow in the text kept.
    pub(super) fn cut_whole<'p>(&mut self, text: &mut Vec<u8>, part: &'p [u8]) -> &'p [u8] {
        if !self.nothing_across(text, part) {
            return part;
        }
        let mut from = 0;
        while let Some(found) = finder().find(&part[from..]).map(|at| from + at) {
            let after_key = found + KEY.len();
            let Some(value) = after_spaces(part, after_key) else {
                break;
            };
            let before_here = last_non_space(&part[from..found]).map(|at| from + at);
            let before = match before_here {
                Some(at) => Some(part[at]),
                None => last_non_space(text).map(|at| text[at]),
            };
            let Some(first) = before.and_then(|before| first_in_object(before, part[value])) else {
                text.extend_from_slice(&part[from..after_key]);
                self.settled = text.len();
                from = after_key;
                continue;
            };
            // Kept: up to the comma before the member (taken back if it was kept already),
            // or, first in its object, up to its key.
            match (first, before_here) {
                (false, None) => {
                    let comma = last_non_space(text).unwrap_or(0);
                    text.truncate(comma);
                }
                (false, Some(comma)) => text.extend_from_slice(&part[from..comma]),
                (true, _) => text.extend_from_slice(&part[from..found]),
            }
            self.settled = text.len();
            let mut scan = Scan::default();
            let Some(end) = scan.through(&part[value..]).map(|len| value + len) else {
                self.passing = Some((scan, first));
                return &[];
            };
            from = end;
            if first {
                match after_spaces(part, end) {
                    Some(comma) if part[comma] == b',' => from = comma + 1,
                    Some(_) => {}
                    None => {
                        self.after_first = Some(part[end..].to_vec());
                        return &[];
                    }
                }
            }
        }
        &part[from..]
    }

    /// Whether no key begins in the text's unsettled last bytes and ends in `part` — then
    /// they are settled — or the part is too short to say (false).
    fn nothing_across(&mut self, text: &[u8], part: &[u8]) -> bool {
        let tail = &text[self.settled..];
        if tail.is_empty() {
            return true;
        }
        if tail.len() >= KEY.len() || part.len() < KEY.len() - 1 {
            return false;
        }
        let mut joint = [0u8; 2 * KEY.len()];
        let head = &part[..KEY.len() - 1];
        joint[..tail.len()].copy_from_slice(tail);
        joint[tail.len()..tail.len() + head.len()].copy_from_slice(head);
        let across = finder().find(&joint[..tail.len() + head.len()]).is_some();
        if !across {
            self.settled = text.len();
        }
        !across
    }
}
