//! The sync-wave view of one Application: resources grouped by hook phase and wave in the order
//! Argo CD runs them, per-resource sync/health/hook state, the current or last operation, and
//! which wave is running or blocking (the list's rows are in `app::tables::waves`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use super::chrome::{Sources, pane, source_notice};
use super::table;
use crate::app::layout::waves_summary_rows;
use crate::app::state::{State, app_detail};
use crate::app::tables;
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

        let wave_block = Block::bordered().border_style(theme.style("border"));
        table::draw(
            frame,
            body,
            wave_block,
            state,
            &tables::WAVES,
            "no resource matches",
        );
    }
}
