//! Copying text out of the cockpit: the system clipboard through arboard where there is one,
//! else the terminal's own clipboard through an OSC 52 sequence (over SSH, in tmux, on a
//! console) — and always a word about which, never silently nothing.

use base64::Engine;

/// How a copy reached the user's clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    /// The system clipboard took it.
    System,
    /// No system clipboard (no display): this OSC 52 sequence asks the terminal to take it.
    Osc52(String),
}

/// The OSC 52 sequence that sets the terminal's clipboard to `text`.
pub fn osc52(text: &str) -> String {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\u{1b}]52;c;{payload}\u{7}")
}

/// Holds the system clipboard for the session: on X11 the copying process serves the text
/// to whoever pastes, so the handle must outlive the copy.
#[derive(Default)]
pub struct Clipboard {
    system: Option<arboard::Clipboard>,
    /// Set after the system clipboard failed once: no display, do not try again.
    unavailable: bool,
}

impl Clipboard {
    pub fn copy(&mut self, text: &str) -> Copied {
        if !self.unavailable {
            if self.system.is_none() {
                self.system = arboard::Clipboard::new().ok();
            }
            match self.system.as_mut().map(|c| c.set_text(text.to_string())) {
                Some(Ok(())) => return Copied::System,
                _ => {
                    self.system = None;
                    self.unavailable = true;
                }
            }
        }
        Copied::Osc52(osc52(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_base64_encoded() {
        assert_eq!(osc52("web-1"), "\u{1b}]52;c;d2ViLTE=\u{7}");
    }
}
