//! A drawn frame as text for a file or a pipe: plain (trailing blanks trimmed) or with ANSI
//! SGR colours, for `opsdeck snapshot`. Cell symbols are what the views drew, already
//! neutralised; only the styles are turned into escape sequences here.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier, Style};

/// Each row of the buffer as a line, trailing blanks trimmed.
pub fn plain(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(buffer.area.x + x, buffer.area.y + y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Each row with the colours and attributes the cockpit draws, reset at the end of each line
/// so a pager or a chat client never carries a colour over.
pub fn colored(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut current = Style::reset();
        for x in 0..buffer.area.width {
            let cell = &buffer[(buffer.area.x + x, buffer.area.y + y)];
            let style = cell.style();
            if style != current {
                out.push_str(&sgr(style));
                current = style;
            }
            out.push_str(cell.symbol());
        }
        out.push_str("\x1b[0m\n");
    }
    out
}

/// One SGR sequence that sets exactly this style (from a reset).
fn sgr(style: Style) -> String {
    let mut codes = vec!["0".to_string()];
    let m = style.add_modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            codes.push(code.into());
        }
    }
    if let Some(fg) = style.fg.and_then(|c| color(c, 30)) {
        codes.push(fg);
    }
    if let Some(bg) = style.bg.and_then(|c| color(c, 40)) {
        codes.push(bg);
    }
    let mut out = String::from("\x1b[");
    let _ = write!(out, "{}m", codes.join(";"));
    out
}

/// The SGR parameters of a colour; `base` is 30 for foreground, 40 for background.
fn color(color: Color, base: u8) -> Option<String> {
    let basic = |n: u8| Some((base + n).to_string());
    let bright = |n: u8| Some((base + 60 + n).to_string());
    match color {
        Color::Reset => None,
        Color::Black => basic(0),
        Color::Red => basic(1),
        Color::Green => basic(2),
        Color::Yellow => basic(3),
        Color::Blue => basic(4),
        Color::Magenta => basic(5),
        Color::Cyan => basic(6),
        Color::Gray => basic(7),
        Color::DarkGray => bright(0),
        Color::LightRed => bright(1),
        Color::LightGreen => bright(2),
        Color::LightYellow => bright(3),
        Color::LightBlue => bright(4),
        Color::LightMagenta => bright(5),
        Color::LightCyan => bright(6),
        Color::White => bright(7),
        Color::Indexed(i) => Some(format!("{};5;{i}", base + 8)),
        Color::Rgb(r, g, b) => Some(format!("{};2;{r};{g};{b}", base + 8)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn buffer() -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 8, 2));
        b.set_string(0, 0, "ok", Style::default());
        b.set_string(
            3,
            0,
            "bad",
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        );
        b.set_string(0, 1, "x", Style::default().bg(Color::Rgb(1, 2, 3)));
        b
    }

    #[test]
    fn plain_text_is_the_symbols_with_trailing_blanks_trimmed() {
        assert_eq!(plain(&buffer()), "ok bad\nx\n");
    }

    #[test]
    fn colours_become_sgr_sequences_reset_at_each_line_end() {
        let text = colored(&buffer());
        assert!(text.contains("\x1b[0;1;31mbad"), "{text:?}");
        assert!(text.contains("\x1b[0;48;2;1;2;3mx"), "{text:?}");
        assert_eq!(text.matches("\x1b[0m\n").count(), 2, "{text:?}");
        // Back to the default style after the red word.
        assert!(text.contains("bad\x1b[0m  \x1b[0m\n"), "{text:?}");
    }
}
