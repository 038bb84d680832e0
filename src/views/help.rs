//! `?` — help generated from the keymap: the current view's keys, then the global ones, and
//! the `:` commands. It scrolls (the keys that move a cursor move it) where the screen is
//! shorter than it, and a description wider than the screen wraps under its own column.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::chrome::centered;
use crate::app::action::Action;
use crate::app::keymap::{Binding, Scope};
use crate::app::plugins;
use crate::app::state::State;

/// Where descriptions start: two spaces and a 20-column key.
const KEY_COLUMN: usize = 22;

/// One line of help before it is laid out.
enum Entry {
    Title(String),
    /// A key (or command) and what it does; `keyed`: drawn in the key style.
    Key {
        key: String,
        text: String,
        keyed: bool,
    },
    Blank,
}

/// Bindings with the same action and description share one line: `j <Down>  Move down`.
fn section(title: &str, bindings: &[Binding], out: &mut Vec<Entry>) {
    out.push(Entry::Title(title.to_string()));
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for b in bindings {
        let desc = if b.desc.is_empty() {
            b.action.name().to_string()
        } else {
            b.desc.clone()
        };
        match seen.iter_mut().find(|(d, _)| *d == desc) {
            Some((_, keys)) => keys.push(b.key.display()),
            None => seen.push((desc, vec![b.key.display()])),
        }
    }
    for (text, keys) in seen {
        out.push(Entry::Key {
            key: keys.join(" "),
            text,
            keyed: true,
        });
    }
    out.push(Entry::Blank);
}

/// The title of the pane on screen, for its section of keys.
fn screen_title(state: &State) -> &'static str {
    let id = state.screen().pane();
    state.panes.get(id).map_or(id.section(), |p| p.title)
}

fn entries(state: &State) -> Vec<Entry> {
    let scope = state.screen().scope();
    let mut out = Vec::new();
    if scope != Scope::Global {
        let title = format!("{} view", screen_title(state));
        section(&title, state.keymap.bindings(scope), &mut out);
    }
    let plugins = plugins::offered(state);
    if !plugins.is_empty() {
        out.push(Entry::Title("plugins here (plugins.toml)".into()));
        for p in plugins {
            let about = if p.description.is_empty() {
                p.name.clone()
            } else {
                format!("{}: {}", p.name, p.description)
            };
            let how = match (p.background, p.dangerous || p.confirm) {
                (true, true) => " (background, asks first)",
                (true, false) => " (background)",
                (false, true) => " (asks first)",
                (false, false) => "",
            };
            out.push(Entry::Key {
                key: p.key.display(),
                text: format!("{about}{how}"),
                keyed: true,
            });
        }
        out.push(Entry::Blank);
    }
    section("everywhere", state.keymap.bindings(Scope::Global), &mut out);
    out.push(Entry::Title("commands (after :)".into()));
    for (name, aliases) in state.panes.commands() {
        out.push(Entry::Key {
            key: format!(":{name}"),
            text: aliases.join(" "),
            keyed: false,
        });
    }
    for (alias, meant) in &state.aliases.0 {
        out.push(Entry::Key {
            key: format!(":{alias}"),
            text: format!("= :{meant} (aliases.toml)"),
            keyed: false,
        });
    }
    if let Some(log) = &state.log {
        out.push(Entry::Title("files".into()));
        out.push(Entry::Key {
            key: "log".into(),
            text: log.describe(),
            keyed: false,
        });
    }
    out
}

/// The help's lines, each description on one line however long.
pub fn lines(state: &State) -> Vec<Line<'static>> {
    render(state, &entries(state), usize::MAX)
}

/// The lines at `width` columns: a description that does not fit goes on under its own column.
fn render(state: &State, entries: &[Entry], width: usize) -> Vec<Line<'static>> {
    let theme = &state.theme;
    let room = width.saturating_sub(KEY_COLUMN).max(1);
    let mut lines = Vec::new();
    for entry in entries {
        match entry {
            Entry::Title(title) => {
                lines.push(Line::from(Span::styled(
                    title.clone(),
                    theme.style("title"),
                )));
            }
            Entry::Blank => lines.push(Line::from("")),
            Entry::Key { key, text, keyed } => {
                let style = if *keyed {
                    theme.style("hint.key")
                } else {
                    Style::default()
                };
                // A key wider than its column pushes its text to the next line.
                let head = format!("  {key:<20}");
                let mut pieces = wrap(text, room).into_iter();
                if head.width() > KEY_COLUMN {
                    lines.push(Line::from(Span::styled(head, style)));
                } else {
                    let first = pieces.next().unwrap_or_default();
                    lines.push(Line::from(vec![
                        Span::styled(head, style),
                        Span::raw(first),
                    ]));
                }
                for piece in pieces {
                    lines.push(Line::from(format!("{:KEY_COLUMN$}{piece}", "")));
                }
            }
        }
    }
    lines
}

/// `text` in pieces of at most `width` columns, broken between words (a word wider than that
/// is broken inside).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let gap = usize::from(!current.is_empty());
        if current.width() + gap + word.width() <= width {
            if gap == 1 {
                current.push(' ');
            }
            current.push_str(word);
            continue;
        }
        if !current.is_empty() {
            pieces.push(std::mem::take(&mut current));
        }
        for c in word.chars() {
            if !current.is_empty() && current.width() + c.width().unwrap_or(0) > width {
                pieces.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
    }
    pieces.push(current);
    pieces
}

/// The help laid out on a screen of `area`: the popup and the lines in it.
fn lay_out(state: &State, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let entries = entries(state);
    let whole = render(state, &entries, usize::MAX);
    // As wide as the longest line while the screen has room (borders included).
    let widest = whole.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let width = widest.max(40).min(area.width);
    let lines = if width < widest {
        render(state, &entries, usize::from(width.saturating_sub(2)))
    } else {
        whole
    };
    let popup = centered(area, width, lines.len() as u16 + 2);
    (popup, lines)
}

/// How far the help scrolls on a screen of `viewport` (width, height): its lines past the
/// popup's inner height.
pub fn max_scroll(state: &State, (width, height): (u16, u16)) -> u16 {
    let (popup, lines) = lay_out(state, Rect::new(0, 0, width, height));
    (lines.len() as u16).saturating_sub(popup.height.saturating_sub(2))
}

/// The keys that scroll the help, as the keymap binds them: the shortest key for down and
/// for up (`j k` by default).
fn scroll_keys(state: &State) -> String {
    let shortest = |action: Action| {
        state
            .keymap
            .bindings(Scope::Global)
            .iter()
            .filter(|b| b.action == action)
            .map(|b| b.key.display())
            .min_by_key(|k| k.width())
    };
    match (shortest(Action::Down), shortest(Action::Up)) {
        (Some(down), Some(up)) => format!("{down} {up}"),
        _ => "the cursor keys".to_string(),
    }
}

pub fn draw(frame: &mut Frame, state: &State) {
    let area = frame.area();
    let (popup, lines) = lay_out(state, area);
    let total = lines.len() as u16;
    let shown = popup.height.saturating_sub(2);
    let scroll = state.help_scroll.min(total.saturating_sub(shown));
    let title = if total > shown {
        format!(
            " Help — Esc or ? to close · {} to scroll ({}–{} of {total}) ",
            scroll_keys(state),
            scroll + 1,
            scroll + shown
        )
    } else {
        " Help — Esc or ? to close ".to_string()
    };
    let block = Block::bordered()
        .title(Span::styled(title, state.theme.style("title")))
        .border_style(state.theme.style("border"));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
}

#[cfg(test)]
mod tests {
    use super::wrap;
    use proptest::prelude::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn text_wraps_between_words_and_inside_a_word_wider_than_a_line() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij x", 4), ["abcd", "efgh", "ij x"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("日本語の説明", 5), ["日本", "語の", "説明"]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn wrapped_text_fits_and_keeps_every_character(
            words in proptest::collection::vec("[a-z日é]{0,12}", 0..12),
            width in 2usize..30,
        ) {
            let text = words.join(" ");
            let pieces = wrap(&text, width);
            for piece in &pieces {
                prop_assert!(piece.width() <= width, "{piece:?} wider than {width}");
            }
            let kept: String = pieces.concat().chars().filter(|c| *c != ' ').collect();
            let all: String = text.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(kept, all);
        }
    }
}
