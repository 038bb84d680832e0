//! The frame around the panes: header line, pane titles with their source state, footer with
//! hints, the prompt, or a notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::app::state::{Prompt, State};
use crate::model::attention::{Area, Severity};
use crate::model::source::SourceState;

/// The header line: the name, READ-ONLY when it is, what needs attention, the contexts and
/// the platform's counts. Each part is shown whole, shorter, or not at all: a narrower
/// terminal drops the counts first, then shortens the contexts (`ctx: mgmt +2`) and the
/// attention summary (`⚠ 28`); READ-ONLY comes right after the name, where nothing cuts it.
pub fn header(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let mut fixed = vec![Span::styled(" opsdeck ", theme.style("header.context"))];
    if state.readonly {
        fixed.push(Span::styled(" READ-ONLY ", theme.style("header.context")));
    }
    let style = |text: String| Span::styled(text, theme.style("header"));
    let (all_contexts, few_contexts) = contexts(&state.context);
    let counts = format!(
        "│ clusters {} · machines {} · apps {} · talos nodes {} ",
        state.capi.clusters.len(),
        state.capi.machines.len(),
        state.argo.apps.len(),
        state.talos.nodes.len()
    );
    let attention = |full: bool| {
        attention_text(state, full)
            .map(|text| Span::styled(text, theme.style(attention_style(state))))
    };
    let (attention_full, attention_short) = (attention(true), attention(false));
    // From the most to the least that is shown; the first that fits is drawn.
    let choices: [Vec<Option<Span>>; 5] = [
        vec![
            attention_full.clone(),
            Some(style(all_contexts.clone())),
            Some(style(counts)),
        ],
        vec![attention_full.clone(), Some(style(all_contexts))],
        vec![attention_full, Some(style(few_contexts.clone()))],
        vec![attention_short.clone(), Some(style(few_contexts))],
        vec![attention_short],
    ];
    let room = usize::from(area.width).saturating_sub(fixed.iter().map(Span::width).sum());
    // The last, the least, is drawn when none fits (cut at the edge, as it must be).
    let mut parts: Vec<Span> = Vec::new();
    for choice in choices {
        parts = choice.into_iter().flatten().collect();
        if parts.iter().map(Span::width).sum::<usize>() <= room {
            break;
        }
    }
    let mut spans = fixed;
    spans.extend(parts);
    let used: usize = spans.iter().map(Span::width).sum();
    spans.push(style(
        " ".repeat(usize::from(area.width).saturating_sub(used)),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// ` ctx: a, b, c ` and its short form ` ctx: a +2 `. The cockpit's contexts come joined
/// with ", " (`KubeSources::names`).
fn contexts(joined: &str) -> (String, String) {
    let all = format!(" ctx: {joined} ");
    let mut names = joined.split(", ");
    let first = names.next().unwrap_or_default();
    let more = names.count();
    let few = if more == 0 {
        all.clone()
    } else {
        format!(" ctx: {first} +{more} ")
    };
    (all, few)
}

/// ` ⚠ 9: metal 1 · vms 2 · apps 4 ` — what needs attention, per area (`:attention` lists it);
/// ` ⚠ 9 ` short. None when nothing does.
fn attention_text(state: &State, full: bool) -> Option<String> {
    let a = &state.attention;
    if a.total() == 0 {
        return None;
    }
    if !full {
        return Some(format!(" ⚠ {} ", a.total()));
    }
    let parts: Vec<String> = Area::ALL
        .iter()
        .filter_map(|area| {
            let n = a.counts.get(area).copied().unwrap_or(0);
            (n > 0).then(|| format!("{} {n}", area.name()))
        })
        .collect();
    Some(format!(" ⚠ {}: {} ", a.total(), parts.join(" · ")))
}

/// Red when any root problem is critical, yellow otherwise.
fn attention_style(state: &State) -> &'static str {
    let critical = state
        .attention
        .groups
        .iter()
        .any(|g| g.root.severity == Severity::Critical);
    if critical {
        "message.error"
    } else {
        "status.warning"
    }
}

fn source_style(state: &State, source: &SourceState) -> Style {
    state.theme.style(match source {
        SourceState::Live => "source.live",
        SourceState::Loading | SourceState::Stale { .. } => "source.stale",
        _ => "source.error",
    })
}

/// The sources behind a pane: one or more stores, each fed by one or more clusters.
pub struct Sources {
    pub worst: SourceState,
    /// Clusters that have the kind, with their state (a cluster without the CRD is left out
    /// while another has it).
    pub clusters: Vec<(String, SourceState)>,
    /// Rows read with fields left empty (a field of another type than the schema's).
    pub malformed: usize,
}

impl Sources {
    pub fn of(stores: &[Vec<(String, SourceState)>]) -> Self {
        let mut clusters: Vec<(String, SourceState)> = Vec::new();
        for (cluster, st) in stores.iter().flatten() {
            match clusters.iter_mut().find(|(c, _)| c == cluster) {
                Some((_, existing)) => *existing = SourceState::worst([&*existing, st]),
                None => clusters.push((cluster.clone(), st.clone())),
            }
        }
        let installed: Vec<(String, SourceState)> = clusters
            .iter()
            .filter(|(_, s)| *s != SourceState::NotInstalled)
            .cloned()
            .collect();
        let clusters = if installed.is_empty() {
            clusters
        } else {
            installed
        };
        let worst = if clusters.is_empty() {
            SourceState::Loading
        } else {
            SourceState::worst(clusters.iter().map(|(_, s)| s))
        };
        Sources {
            worst,
            clusters,
            malformed: 0,
        }
    }

    pub fn with_malformed(self, malformed: usize) -> Self {
        Sources { malformed, ..self }
    }
}

/// A bordered pane whose title names it, counts its rows, shows the state of its sources (per
/// cluster when they differ) and the filter.
pub fn pane<'a>(state: &State, title: &str, count: usize, sources: &Sources) -> Block<'a> {
    let theme = &state.theme;
    let source = &sources.worst;
    let mut spans = vec![
        Span::styled(format!(" {title}"), theme.style("title")),
        Span::styled(format!(" ({count}) "), theme.style("title")),
        Span::styled(
            format!("[{}]", source.label(state.now)),
            source_style(state, source),
        ),
    ];
    let all_same = sources.clusters.iter().all(|(_, s)| s == source);
    if all_same {
        let names: Vec<&str> = sources.clusters.iter().map(|(c, _)| c.as_str()).collect();
        if !names.is_empty() {
            spans.push(Span::styled(
                format!(" {}", names.join(", ")),
                theme.style("dim"),
            ));
        }
    } else {
        for (cluster, st) in &sources.clusters {
            spans.push(Span::styled(format!(" · {cluster} "), theme.style("dim")));
            spans.push(Span::styled(st.label(state.now), source_style(state, st)));
        }
    }
    if sources.malformed > 0 {
        spans.push(Span::styled(
            format!(" · {} malformed (d says which fields)", sources.malformed),
            theme.style("source.stale"),
        ));
    }
    if !state.filter().is_empty() {
        spans.push(Span::styled(
            format!(" /{}", state.filter()),
            theme.style("prompt"),
        ));
    }
    spans.push(Span::raw(" "));
    Block::bordered()
        .border_type(BorderType::Plain)
        .border_style(theme.style("border"))
        .title(Line::from(spans))
}

/// The explanation for a source that is not live, to show inside an empty or stale pane.
pub fn source_notice(source: &SourceState) -> Option<String> {
    match source {
        SourceState::Live => None,
        SourceState::Loading => Some("loading…".into()),
        SourceState::NotInstalled => {
            Some("not installed: the API server does not serve this kind (CRD missing?)".into())
        }
        other => other.detail().map(|d| {
            format!(
                "{}: {d}",
                match other {
                    SourceState::Forbidden(_) => "forbidden",
                    SourceState::Stale { .. } => "watch broken, retrying",
                    _ => "error",
                }
            )
        }),
    }
}

pub fn footer(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let line = match &state.prompt {
        Some(Prompt::Command(text)) => {
            let mut spans = vec![Span::styled(format!(":{text}"), theme.style("prompt"))];
            if let Some(done) = state
                .panes
                .complete(text)
                .or_else(|| state.catalog.complete(text))
            {
                spans.push(Span::styled(
                    done[text.trim().len()..].to_string(),
                    theme.style("completion"),
                ));
            }
            spans.push(Span::styled("█", theme.style("prompt")));
            Line::from(spans)
        }
        Some(Prompt::Namespace(text)) => Line::from(vec![
            Span::styled(format!("namespace: {text}"), theme.style("prompt")),
            Span::styled("█", theme.style("prompt")),
            Span::styled(
                "  Enter: show it (empty: all) · Tab completes · Esc: cancel",
                theme.style("hint"),
            ),
        ]),
        Some(Prompt::Value { asks, text }) => Line::from(vec![
            Span::styled(format!("{}: {text}", asks.label()), theme.style("prompt")),
            Span::styled("█", theme.style("prompt")),
            Span::styled(
                "  Enter: review the request · Esc: cancel",
                theme.style("hint"),
            ),
        ]),
        Some(Prompt::Filter(text)) => Line::from(vec![
            Span::styled(format!("/{text}"), theme.style("prompt")),
            Span::styled("█", theme.style("prompt")),
        ]),
        None => {
            // Always said, ahead of anything else: a server that is not verified may not be
            // the one it claims.
            let warning = (!state.unverified_contexts.is_empty()).then(|| {
                Span::styled(
                    format!(
                        " ⚠ TLS not verified: {} ",
                        state.unverified_contexts.join(", ")
                    ),
                    theme.style("message.error"),
                )
            });
            let room = area
                .width
                .saturating_sub(warning.as_ref().map_or(0, |w| w.width() as u16));
            let mut line = match &state.notice {
                Some(notice) => Line::from(Span::styled(
                    format!(" {notice} "),
                    theme.style("message.error"),
                )),
                None => super::hints::line(state, room),
            };
            if let Some(warning) = warning {
                line.spans.insert(0, warning);
            }
            line
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A centred popup of at most `max_width` × `height`, cleared and ready to draw into.
pub fn popup_area(frame: &mut Frame, max_width: u16, height: u16) -> Rect {
    let popup = centered(frame.area(), max_width, height);
    frame.render_widget(ratatui::widgets::Clear, popup);
    popup
}

/// A `width` × `height` rectangle in the middle of `area`, no larger than it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = area.width.min(width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::app::theme::{DEFAULT_THEME, Theme};
    use jiff::Timestamp;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// Three contexts, 27 problems in three areas, read-only or not.
    fn state(readonly: bool) -> State {
        let theme = Theme::parse("default", DEFAULT_THEME).expect("theme");
        let mut s = State::new(
            "opsdeck-management, opsdeck-harvester, media".into(),
            readonly,
            Keymap::defaults(),
            theme,
            Timestamp::UNIX_EPOCH,
        );
        s.attention.counts = [(Area::Metal, 2), (Area::Apps, 12), (Area::Platform, 13)]
            .into_iter()
            .collect();
        s
    }

    fn header_at(state: &State, width: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, 1)).expect("terminal");
        terminal.draw(|f| header(f, f.area(), state)).expect("draw");
        let cells = terminal.backend().buffer().content();
        cells.iter().map(|c| c.symbol()).collect()
    }

    #[test]
    fn a_wide_header_shows_every_part_whole() {
        let line = header_at(&state(false), 200);
        assert!(
            line.contains(" ⚠ 27: metal 2 · apps 12 · platform 13 "),
            "{line}"
        );
        assert!(
            line.contains(" ctx: opsdeck-management, opsdeck-harvester, media "),
            "{line}"
        );
        assert!(
            line.contains("│ clusters 0 · machines 0 · apps 0 · talos nodes 0 "),
            "{line}"
        );
        assert!(!line.contains("READ-ONLY"), "{line}");
    }

    #[test]
    fn a_narrower_header_drops_and_shortens_parts_whole_and_keeps_read_only() {
        let s = state(true);
        // Each width shows one of the forms whole; nothing is cut inside a word.
        let cases: [(u16, &[&str], &[&str]); 4] = [
            (
                150,
                &[
                    " ctx: opsdeck-management, opsdeck-harvester, media ",
                    "platform 13 ",
                ],
                &["clusters"],
            ),
            (
                100,
                &[" ctx: opsdeck-management +2 ", "platform 13 "],
                &["harvester"],
            ),
            (60, &[" ⚠ 27  ctx: opsdeck-management +2 "], &["platform"]),
            (30, &[" ⚠ 27 "], &["ctx"]),
        ];
        for (width, shown, gone) in cases {
            let line = header_at(&s, width);
            assert!(line.starts_with(" opsdeck  READ-ONLY "), "{width}: {line}");
            for part in shown {
                assert!(line.contains(part), "{width}: {part:?} in {line:?}");
            }
            for part in gone {
                assert!(!line.contains(part), "{width}: no {part:?} in {line:?}");
            }
        }
        // Narrower than the name and the mark, what fits of them.
        assert_eq!(header_at(&s, 12), " opsdeck  RE");
    }
}
