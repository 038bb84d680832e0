//! Key notation in keymap files: `q`, `G`, `?`, `<Enter>`, `<Esc>`, `<C-c>`, `<PageDown>`,
//! `<S-Tab>`, `<Space>`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// A key event as the keymap sees it: Shift is folded into the character for printable keys.
    pub fn from_event(e: &KeyEvent) -> Key {
        let mut mods =
            e.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if let KeyCode::Char(_) = e.code {
            mods.remove(KeyModifiers::SHIFT);
        }
        if e.code == KeyCode::BackTab {
            mods.remove(KeyModifiers::SHIFT);
        }
        Key { code: e.code, mods }
    }

    /// A plain character key.
    pub const fn char(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::NONE,
        }
    }

    pub fn parse(s: &str) -> Result<Key, String> {
        let mut chars = s.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Key::char(c));
        }
        let inner = s
            .strip_prefix('<')
            .and_then(|s| s.strip_suffix('>'))
            .ok_or_else(|| {
                format!("unknown key {s:?}: write one character or <Name>, e.g. <Enter> or <C-d>")
            })?;
        let mut mods = KeyModifiers::NONE;
        let mut rest = inner;
        loop {
            match rest.get(..2) {
                Some("C-") => mods |= KeyModifiers::CONTROL,
                Some("A-") => mods |= KeyModifiers::ALT,
                Some("S-") => mods |= KeyModifiers::SHIFT,
                _ => break,
            }
            rest = &rest[2..];
        }
        let code = match rest {
            "Enter" => KeyCode::Enter,
            "Esc" => KeyCode::Esc,
            "Tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "Tab" => KeyCode::Tab,
            "Backspace" => KeyCode::Backspace,
            "Up" => KeyCode::Up,
            "Down" => KeyCode::Down,
            "Left" => KeyCode::Left,
            "Right" => KeyCode::Right,
            "Home" => KeyCode::Home,
            "End" => KeyCode::End,
            "PageUp" => KeyCode::PageUp,
            "PageDown" => KeyCode::PageDown,
            "Space" => KeyCode::Char(' '),
            "Delete" => KeyCode::Delete,
            f if f.starts_with('F') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            other => return Err(format!("unknown key name {other:?} in {s:?}")),
        };
        Ok(Key { code, mods })
    }

    pub fn display(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.mods.is_empty() => return c.to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "Up".into(),
            KeyCode::Down => "Down".into(),
            KeyCode::Left => "Left".into(),
            KeyCode::Right => "Right".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::F(n) => format!("F{n}"),
            _ => "?".into(),
        };
        let mut prefix = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            prefix.push_str("C-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            prefix.push_str("A-");
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            prefix.push_str("S-");
        }
        format!("<{prefix}{name}>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        for s in ["q", "G", "?", "<Enter>", "<C-c>", "<PgDn>"] {
            if s == "<PgDn>" {
                assert!(Key::parse(s).is_err());
                continue;
            }
            assert_eq!(Key::parse(s).expect(s).display(), s);
        }
        assert_eq!(
            Key::parse("<PageDown>").expect("key").code,
            KeyCode::PageDown
        );
        assert_eq!(Key::parse("<S-Tab>").expect("key").code, KeyCode::BackTab);
        assert!(Key::parse("<Bogus>").is_err());
        assert!(Key::parse("ab").is_err());
    }

    #[test]
    fn shift_is_folded_into_characters() {
        let e = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&e), Key::parse("G").expect("key"));
    }
}
