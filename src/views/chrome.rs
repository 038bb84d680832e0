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

pub fn header(frame: &mut Frame, area: Rect, state: &State) {
    let theme = &state.theme;
    let mut spans = vec![Span::styled(" opsdeck ", theme.style("header.context"))];
    spans.extend(attention(state));
    spans.extend([
        Span::styled(format!(" ctx: {} ", state.context), theme.style("header")),
        Span::styled(
            format!(
                "│ clusters {} · machines {} · apps {} · talos nodes {} ",
                state.capi.clusters.len(),
                state.capi.machines.len(),
                state.argo.apps.len(),
                state.talos.nodes.len()
            ),
            theme.style("header"),
        ),
    ]);
    if state.readonly {
        spans.push(Span::styled("│ READ-ONLY ", theme.style("header.context")));
    }
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    spans.push(Span::styled(
        " ".repeat((area.width as usize).saturating_sub(used)),
        theme.style("header"),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// ` ⚠ 9: metal 1 · vms 2 · apps 4 ` — what needs attention, per area (`:attention` lists it).
fn attention(state: &State) -> Option<Span<'static>> {
    let a = &state.attention;
    if a.total() == 0 {
        return None;
    }
    let parts: Vec<String> = Area::ALL
        .iter()
        .filter_map(|area| {
            let n = a.counts.get(area).copied().unwrap_or(0);
            (n > 0).then(|| format!("{} {n}", area.name()))
        })
        .collect();
    let critical = a
        .groups
        .iter()
        .any(|g| g.root.severity == Severity::Critical);
    let style = if critical {
        "message.error"
    } else {
        "status.warning"
    };
    Some(Span::styled(
        format!(" ⚠ {}: {} ", a.total(), parts.join(" · ")),
        state.theme.style(style),
    ))
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
    let area = frame.area();
    let width = area.width.min(max_width);
    let height = height.min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    frame.render_widget(ratatui::widgets::Clear, popup);
    popup
}
