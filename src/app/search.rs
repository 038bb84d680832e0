//! Search in the text views (YAML, describe): the screen's `/` term is highlighted where it
//! occurs, typing it moves to the first line that has it, and `n` / `N` go to the next and the
//! previous one. Case does not matter (ASCII), as in k9s.

use super::ids::PaneId;
use super::state::{Screen, State};

/// Lines of the text view on screen, if it is one that searches.
pub fn searched_lines(state: &State) -> Option<Vec<String>> {
    match state.screen() {
        Screen::Yaml(_) => Some(state.yaml_lines()),
        Screen::Describe(_) => match &state.describe.lines {
            Some(Ok(lines)) => Some(lines.clone()),
            _ => Some(Vec::new()),
        },
        Screen::Pane(PaneId::DIFF) => match &state.diff.lines {
            Some(Ok(lines)) => Some(lines.clone()),
            _ => Some(Vec::new()),
        },
        Screen::Pane(PaneId::OUTPUT) => Some(
            state
                .actions
                .output
                .as_ref()
                .map(|o| o.lines.clone())
                .unwrap_or_default(),
        ),
        _ => None,
    }
}

/// Where `term` occurs in `line`: byte ranges, case-insensitively (ASCII), never overlapping.
pub fn occurrences(line: &str, term: &str) -> Vec<std::ops::Range<usize>> {
    if term.is_empty() {
        return Vec::new();
    }
    let (hay, needle) = (line.to_ascii_lowercase(), term.to_ascii_lowercase());
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = hay[from..].find(&needle) {
        let start = from + at;
        out.push(start..start + needle.len());
        from = start + needle.len();
    }
    out
}

/// The lines that have the term.
pub fn matching_lines(lines: &[String], term: &str) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !occurrences(l, term).is_empty())
        .map(|(i, _)| i)
        .collect()
}

fn scroll_mut(state: &mut State) -> Option<&mut usize> {
    match state.screen() {
        Screen::Yaml(_) => Some(&mut state.yaml.scroll),
        Screen::Describe(_) => Some(&mut state.describe.scroll),
        Screen::Pane(PaneId::OUTPUT) => state.actions.output.as_mut().map(|o| &mut o.scroll),
        Screen::Pane(PaneId::DIFF) => Some(&mut state.diff.scroll),
        _ => None,
    }
}

/// Which match to go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jump {
    /// The first at or below the top line (while the term is typed).
    Here,
    Next,
    Previous,
}

/// Scroll the text view so the chosen match is the top line; say so when there is none.
pub fn jump(state: &mut State, to: Jump) {
    let Some(lines) = searched_lines(state) else {
        return;
    };
    let term = state.filter().to_string();
    if term.is_empty() {
        return;
    }
    let found = matching_lines(&lines, &term);
    let Some(top) = scroll_mut(state).map(|s| *s) else {
        return;
    };
    let target = match to {
        Jump::Here => found.iter().find(|&&l| l >= top),
        Jump::Next => found.iter().find(|&&l| l > top).or(found.first()),
        Jump::Previous => found.iter().rev().find(|&&l| l < top).or(found.last()),
    };
    match target {
        Some(&line) => {
            if let Some(scroll) = scroll_mut(state) {
                *scroll = line;
            }
        }
        None => state.notice = Some(format!("{term:?} not found")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrences_ignore_case_and_never_overlap() {
        assert_eq!(
            occurrences("Ready: True, ready", "READY"),
            vec![0..5, 13..18]
        );
        assert_eq!(occurrences("aaaa", "aa"), vec![0..2, 2..4]);
        assert!(occurrences("abc", "").is_empty());
        let lines = vec!["a".to_string(), "b".into(), "ab".into()];
        assert_eq!(matching_lines(&lines, "a"), vec![0, 2]);
    }
}
