//! Finding where a JSON array or object ends, 64 bytes at a time: a block's quotes,
//! backslashes and brackets become bit masks, the strings are masked out, and the brackets
//! left are counted. A scan can stop at the end of one part of the text and go on with the
//! next, so a value arriving in many parts is followed without being held.

/// How far a scan through a value has got: the depth of its brackets, and whether the text so
/// far ended inside a string or with a backslash that escapes the next byte.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scan {
    depth: u32,
    /// All ones when the text so far ended inside a string.
    in_string: u64,
    /// The text so far ended with a backslash that escapes the next byte.
    escapes_first: bool,
}

impl Scan {
    /// Follow `bytes`, the value's next bytes (its first: the `[` or `{` that opens it), and
    /// say where in them it ends (just past its closing bracket), if it does.
    pub fn through(&mut self, bytes: &[u8]) -> Option<usize> {
        // Counting a block's brackets is one instruction with POPCNT, a dozen without: x86-64
        // leaves it out of its baseline, though every processor of the last fifteen years has it.
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("popcnt") {
            // SAFETY: the processor has just said it has POPCNT.
            return unsafe { self.through_popcnt(bytes) };
        }
        self.blocks(bytes)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt")]
    fn through_popcnt(&mut self, bytes: &[u8]) -> Option<usize> {
        self.blocks(bytes)
    }

    #[inline(always)]
    fn blocks(&mut self, bytes: &[u8]) -> Option<usize> {
        for (n, block) in bytes.chunks(64).enumerate() {
            let marks = Marks::of(block);
            let last = block.len() as u32 - 1;
            let escaped = escaped_bits(marks.backslashes, last, &mut self.escapes_first);
            let inside = prefix_xor(marks.quotes & !escaped) ^ self.in_string;
            // A short block is padded with spaces, which leave the last byte's state as it is.
            self.in_string = 0u64.wrapping_sub(inside >> 63);
            let opens = marks.opens & !inside;
            let closes = marks.closes & !inside;
            // `{}` and `[]` side by side cannot bring the depth below where it was.
            let empty = opens & (closes >> 1);
            let (lone_opens, lone_closes) = (opens & !empty, closes & !(empty << 1));
            if lone_closes.count_ones() < self.depth {
                self.depth = self.depth + lone_opens.count_ones() - lone_closes.count_ones();
            } else if let Some(end) = walk(opens | closes, opens, &mut self.depth) {
                return Some(n * 64 + end + 1);
            }
        }
        None
    }
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

/// Bits of the bytes a backslash escapes. A backslash escaped itself escapes nothing; one on
/// the block's `last` byte escapes the first byte of whatever comes next (`escapes_first`, in
/// and out).
fn escaped_bits(backslashes: u64, last: u32, escapes_first: &mut bool) -> u64 {
    let mut escaped = u64::from(*escapes_first);
    *escapes_first = false;
    let mut rest = backslashes;
    while rest != 0 {
        let at = rest.trailing_zeros();
        rest &= rest - 1;
        if escaped & (1 << at) != 0 {
            continue;
        }
        if at == last {
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
