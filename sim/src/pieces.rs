//! A response chunk made of pieces: bytes written for it, and encodings the database holds,
//! shared rather than copied.
//!
//! A page of 500 pods is about 3 MB, most of it their metadata as the database keeps it
//! encoded. Copied into chunk buffers, the copies and the fresh pages the kernel zeroed for
//! the buffers were a third of what serving a 100k load cost the simulator (which shares the
//! benchmark's cores with the cockpit it measures). Shared, a chunk is a list of pieces that
//! hyper hands to the socket in one vectored write — the TLS layer's own copy, which encrypts,
//! is the only one left.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::{Buf, Bytes};

/// Pieces of a body, in order; what `hyper` writes.
#[derive(Debug, Default)]
pub struct Pieces {
    parts: VecDeque<Bytes>,
    remaining: usize,
}

impl From<Bytes> for Pieces {
    fn from(bytes: Bytes) -> Self {
        let remaining = bytes.len();
        let parts = if remaining == 0 {
            VecDeque::new()
        } else {
            VecDeque::from([bytes])
        };
        Pieces { parts, remaining }
    }
}

impl From<Vec<u8>> for Pieces {
    fn from(bytes: Vec<u8>) -> Self {
        Pieces::from(Bytes::from(bytes))
    }
}

impl From<String> for Pieces {
    fn from(text: String) -> Self {
        Pieces::from(Bytes::from(text))
    }
}

impl From<&'static str> for Pieces {
    fn from(text: &'static str) -> Self {
        Pieces::from(Bytes::from_static(text.as_bytes()))
    }
}

impl Buf for Pieces {
    fn remaining(&self) -> usize {
        self.remaining
    }

    fn chunk(&self) -> &[u8] {
        self.parts.front().map_or(&[], |b| b.as_ref())
    }

    fn advance(&mut self, mut count: usize) {
        assert!(
            count <= self.remaining,
            "advanced past the end of the pieces"
        );
        self.remaining -= count;
        while count > 0 {
            let Some(front) = self.parts.front_mut() else {
                return;
            };
            if count < front.len() {
                front.advance(count);
                return;
            }
            count -= front.len();
            self.parts.pop_front();
        }
    }

    fn chunks_vectored<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        let mut filled = 0;
        for (slot, part) in dst.iter_mut().zip(&self.parts) {
            *slot = IoSlice::new(part);
            filled += 1;
        }
        filled
    }
}

/// Where a row is written: bytes made for it, and stored encodings it splices in.
pub trait RowSink {
    /// The bytes being written.
    fn bytes(&mut self) -> &mut Vec<u8>;
    /// A stored encoding, spliced in as it is.
    fn splice_stored(&mut self, stored: &Bytes, part: &[u8]);
}

impl RowSink for Vec<u8> {
    fn bytes(&mut self) -> &mut Vec<u8> {
        self
    }

    fn splice_stored(&mut self, _stored: &Bytes, part: &[u8]) {
        self.extend_from_slice(part);
    }
}

/// Below this a stored encoding is copied: a piece of its own costs more than a few bytes do.
const SHARE_FROM: usize = 256;

/// Builds a body's chunks: written bytes gather in a small buffer, stored encodings go in as
/// pieces of their own.
#[derive(Debug, Default)]
pub struct PieceWriter {
    done: Pieces,
    written: Vec<u8>,
}

impl PieceWriter {
    /// Bytes held so far.
    pub fn len(&self) -> usize {
        self.done.remaining + self.written.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What was written, as one chunk; the writer starts again empty.
    pub fn take(&mut self) -> Pieces {
        self.seal();
        std::mem::take(&mut self.done)
    }

    fn seal(&mut self) {
        if !self.written.is_empty() {
            // A row's cells and the words around its metadata: a few hundred bytes.
            let written = std::mem::replace(&mut self.written, Vec::with_capacity(512));
            self.done.remaining += written.len();
            self.done.parts.push_back(Bytes::from(written));
        }
    }
}

impl RowSink for PieceWriter {
    fn bytes(&mut self) -> &mut Vec<u8> {
        &mut self.written
    }

    fn splice_stored(&mut self, stored: &Bytes, part: &[u8]) {
        if part.len() < SHARE_FROM {
            self.written.extend_from_slice(part);
            return;
        }
        self.seal();
        self.done.remaining += part.len();
        self.done.parts.push_back(stored.slice_ref(part));
    }
}

/// Send what `body` holds onto `out` once it is a chunk's worth.
pub fn send_if_full(body: &mut PieceWriter, chunk: usize, out: &mut dyn FnMut(Pieces)) {
    if body.len() >= chunk {
        out(body.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gathered(mut pieces: Pieces) -> Vec<u8> {
        let mut out = Vec::new();
        while pieces.has_remaining() {
            let mut slices = [IoSlice::new(&[]); 3];
            let n = pieces.chunks_vectored(&mut slices);
            // As a writer that takes part of what it is offered: all but the last 5 bytes.
            let offered: usize = slices[..n].iter().map(|s| s.len()).sum();
            let taken = offered.saturating_sub(5).max(1).min(pieces.remaining());
            let mut left = taken;
            for s in &slices[..n] {
                let part = &s[..s.len().min(left)];
                out.extend_from_slice(part);
                left -= part.len();
            }
            pieces.advance(taken);
        }
        out
    }

    #[test]
    fn written_and_spliced_pieces_read_back_in_order() {
        let stored = Bytes::from(format!("{{\"metadata\":{}}}", "x".repeat(1000)).into_bytes());
        let metadata = &stored[12..stored.len() - 1];
        let small = Bytes::from_static(b"0123456789");
        let mut writer = PieceWriter::default();
        let mut expected = Vec::new();
        for row in 0..4 {
            let head = format!("{{\"row\":{row},\"object\":");
            writer.bytes().extend_from_slice(head.as_bytes());
            writer.splice_stored(&stored, metadata);
            writer.splice_stored(&small, &small[2..5]);
            writer.bytes().push(b'}');
            expected.extend_from_slice(head.as_bytes());
            expected.extend_from_slice(metadata);
            expected.extend_from_slice(b"234}");
        }
        assert_eq!(writer.len(), expected.len());
        let pieces = writer.take();
        assert!(writer.is_empty());
        // The long encoding shared, not copied: one piece a row for it, one for what was
        // written around it.
        assert_eq!(pieces.parts.len(), 9);
        assert_eq!(pieces.remaining(), expected.len());
        assert_eq!(gathered(pieces), expected);
    }

    #[test]
    fn a_row_written_to_a_vector_copies_what_it_splices() {
        let stored = Bytes::from_static(b"abcdef");
        let mut out = b"[".to_vec();
        out.splice_stored(&stored, &stored[1..4]);
        assert_eq!(out, b"[bcd");
    }
}
