//! A bounded buffer of text lines that arrive in chunks: a followed log (a Talos service's, the
//! kernel's, a pod container's). Lines are sanitized as they complete, so a server's escape
//! sequences never reach the terminal.

/// A bounded buffer of lines that arrive in chunks (a chunk may end mid-line).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineBuffer {
    lines: std::collections::VecDeque<String>,
    partial: String,
    cap: usize,
}

impl LineBuffer {
    pub fn new(cap: usize) -> Self {
        LineBuffer {
            lines: std::collections::VecDeque::new(),
            partial: String::new(),
            cap,
        }
    }

    /// Add a chunk; complete lines are sanitized and kept, the oldest dropped past `cap`.
    pub fn push(&mut self, chunk: &str) {
        self.partial.push_str(chunk);
        while let Some(i) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=i).collect();
            self.lines
                .push_back(super::text::sanitize(line.trim_end_matches(['\n', '\r'])));
            if self.lines.len() > self.cap {
                self.lines.pop_front();
            }
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn lines(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.lines.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_joined_across_chunks_sanitized_and_bounded() {
        let mut b = LineBuffer::new(3);
        b.push("one\ntw");
        assert_eq!(b.len(), 1);
        b.push("o\nthree \u{1b}[31mred\u{1b}[0m\nfour\n");
        let lines: Vec<&String> = b.lines().collect();
        assert_eq!(lines, vec!["two", "three red", "four"]);
    }
}
