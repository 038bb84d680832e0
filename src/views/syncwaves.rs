//! The sync-wave view of one Application: resources grouped by hook phase and wave in the order
//! Argo CD runs them, per-resource sync/health/hook state, the current or last operation, and
//! which wave is running or blocking.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::layout::waves_summary_rows;
use crate::app::state::{State, WaveLine, app_detail, wave_lines};
use crate::model::argo::{SyncPhase, Wave, WaveState};
use crate::model::store::ObjRef;
use crate::model::text::age_opt;

/// Where the HEALTH column comes from, when it is not simply the CR.
fn health_source(state: &State, key: &ObjRef, in_cr: bool) -> String {
    match &state.argo.tree_health {
        Some((k, Ok(_))) if k == key => "   (per-resource health from the resource tree)".into(),
        Some((k, Err(e))) if k == key => format!("   (resource tree: {e})"),
        _ if in_cr => String::new(),
        _ => "   (per-resource health not in the CR; configure --argocd-server to read it)".into(),
    }
}

fn wave_title(w: &Wave) -> String {
    match w.phase {
        SyncPhase::Sync => format!("Wave {}", w.wave),
        SyncPhase::UnknownHook => "Hooks not run yet in this operation".to_string(),
        p => format!("{} hooks · wave {}", p.as_str(), w.wave),
    }
}

fn state_word(s: WaveState) -> &'static str {
    match s {
        WaveState::Done => "Done",
        WaveState::Running => "Running",
        WaveState::Blocked => "Blocked",
        WaveState::Pending => "Pending",
        WaveState::Idle => "",
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    {
        let theme = &state.theme;
        let sources = Sources::of(&[state.argo.app_detail.sources()]);
        let source = &sources.worst;
        let title = format!("Sync waves — {}", key.name);
        let Some(d) = app_detail(state) else {
            let block = pane(state, &title, 0, &sources);
            let inner = block.inner(area);
            frame.render_widget(block, area);
            let text =
                source_notice(source).unwrap_or_else(|| format!("application {key} not found"));
            table::empty_message(frame, inner, &text, theme);
            return;
        };
        let [summary, body] = Layout::vertical([
            Constraint::Length(waves_summary_rows(state)),
            Constraint::Min(3),
        ])
        .areas(area);
        let op_phase = if d.operation_phase.is_empty() {
            "none".to_string()
        } else {
            d.operation_phase.clone()
        };
        let when = match (d.operation_finished, d.operation_started) {
            (Some(f), _) => format!("finished {} ago", age_opt(Some(f), state.now)),
            (None, Some(s)) => format!("started {} ago", age_opt(Some(s), state.now)),
            _ => String::new(),
        };
        let text = vec![
            Line::from(vec![
                Span::raw(" Sync "),
                Span::styled(d.sync.clone(), theme.status(&d.sync)),
                Span::raw("   Health "),
                Span::styled(d.health.clone(), theme.status(&d.health)),
                Span::raw(format!("   Revision {}", d.revision)),
                Span::styled(
                    health_source(state, key, d.health_in_cr),
                    theme.style("dim"),
                ),
            ]),
            Line::from(vec![
                Span::raw(" Operation "),
                Span::styled(op_phase.clone(), theme.status(&op_phase)),
                Span::raw(format!("  {when}   ")),
                Span::styled(d.position(), theme.style("prompt")),
            ]),
            Line::from(Span::styled(
                format!(" {}", d.operation_message),
                theme.style("dim"),
            )),
        ];
        let mut text = text;
        if !state.argo.wave_marks.is_empty() {
            text.push(Line::from(Span::styled(
                format!(
                    " {} resource(s) marked: s syncs only them (Space unmarks)",
                    state.argo.wave_marks.len()
                ),
                theme.style("prompt"),
            )));
        }
        let block = pane(
            state,
            &title,
            d.waves.iter().map(|w| w.resources.len()).sum(),
            &sources,
        );
        let inner = block.inner(summary);
        frame.render_widget(block.clone(), summary);
        frame.render_widget(Paragraph::new(text), inner);

        let lines = wave_lines(state, d);
        let tree = match &state.argo.tree_health {
            Some((k, Ok(tree))) if k == key => Some(tree),
            _ => None,
        };
        let columns = [
            ("KIND", Constraint::Length(27)),
            ("NAME", Constraint::Min(24)),
            ("SYNC", Constraint::Length(10)),
            ("HEALTH", Constraint::Length(12)),
            ("HOOK", Constraint::Length(20)),
            ("RESULT", Constraint::Length(11)),
            ("MESSAGE", Constraint::Min(10)),
        ];
        let wave_block = ratatui::widgets::Block::bordered().border_style(theme.style("border"));
        table::draw_lines(
            frame,
            body,
            table::Lines {
                block: wave_block,
                columns: &columns,
                len: lines.len(),
            },
            state.argo.waves_cursor,
            theme,
            |i| match &lines[i] {
                WaveLine::Wave(w, s) => Row::new(vec![
                    Cell::from(Span::styled(
                        format!("▸ {}", wave_title(w)),
                        theme.style("row.group"),
                    )),
                    Cell::from(format!("{} resources", w.resources.len())),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(""),
                    Cell::from(Span::styled(state_word(*s), theme.status(state_word(*s)))),
                    Cell::from(""),
                ]),
                WaveLine::Resource(r) => {
                    // The kind alone: groups make the column too wide to read.
                    let kind = r.kind.clone();
                    let name = if r.namespace.is_empty() {
                        r.name.clone()
                    } else {
                        format!("{}/{}", r.namespace, r.name)
                    };
                    let reference = r.reference();
                    // argocd-server's resource tree, when read, is the live truth; the CR's
                    // copy (Argo CD 2.x, or 3.x with persistence on) otherwise.
                    let health = tree
                        .and_then(|t| t.get(&reference))
                        .map(|(status, _)| status.clone())
                        .or_else(|| r.health.clone())
                        .unwrap_or_else(|| "-".into());
                    let hook = match (r.hook, &r.hook_phase) {
                        (Some(_), _) if r.hook_type_unknown() => "hook".to_string(),
                        (Some(p), Some(hp)) => format!("{} {hp}", p.as_str()),
                        (Some(p), None) => format!("{} pending", p.as_str()),
                        (None, _) => String::new(),
                    };
                    let hook_style = theme.status(r.hook_phase.as_deref().unwrap_or(""));
                    Row::new(vec![
                        Cell::from(if state.argo.wave_marks.contains(&reference) {
                            Span::styled(format!("✓ {kind}"), theme.style("prompt"))
                        } else {
                            Span::raw(format!("  {kind}"))
                        }),
                        Cell::from(name),
                        Cell::from(Span::styled(r.sync.clone(), theme.status(&r.sync))),
                        Cell::from(Span::styled(health.clone(), theme.status(&health))),
                        Cell::from(Span::styled(hook, hook_style)),
                        Cell::from(Span::styled(
                            r.result.clone().unwrap_or_default(),
                            theme.status(r.result.as_deref().unwrap_or("")),
                        )),
                        Cell::from(Span::styled(r.result_message.clone(), theme.style("dim"))),
                    ])
                }
            },
        );
    }
}
