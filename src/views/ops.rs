//! `:ops` — actions sent from this cockpit, newest first: the outcome of each request, where
//! each rollout is (step, gate, progress), and what the target looks like now.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row};

use super::table::{self, col};
use crate::app::progress;
use crate::app::state::{OpStatus, State};
use crate::model::text::age;

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let columns = [
        col("AGE", Constraint::Length(5)),
        col("ACTION", Constraint::Length(26)),
        col("CONTEXT", Constraint::Length(18)),
        col("TARGET", Constraint::Length(30)),
        col("STATUS", Constraint::Length(8)),
        col("PROGRESS / OUTCOME · NOW", Constraint::Min(20)),
    ];
    let mut cursor = state.ops_cursor;
    {
        let state: &State = state;
        let theme = &state.theme;
        let block = Block::bordered()
            .border_style(theme.style("border"))
            .title(Span::styled(
                format!(" Operations ({}) ", state.operations.len()),
                theme.style("title"),
            ));
        let inner = block.inner(area);
        let spec = table::Spec {
            block,
            columns: &columns,
            len: state.operations.len(),
        };
        table::draw(frame, area, spec, &mut cursor, theme, |i| {
            let op = &state.operations[i];
            let (status, text, style) = match &op.status {
                OpStatus::Sent => ("sending", String::new(), "status.progressing"),
                OpStatus::Running(p) => ("running", p.clone(), "status.progressing"),
                OpStatus::Succeeded(m) => ("done", m.clone(), "status.ok"),
                OpStatus::Failed(e) => ("failed", e.clone(), "status.degraded"),
            };
            let mut detail = vec![Span::styled(text, theme.style(style))];
            if let Some(now) = progress::live(state, op) {
                detail.push(Span::styled(format!(" · now: {now}"), theme.style("hint")));
            }
            Row::new(vec![
                Cell::from(age(op.at, state.now)),
                Cell::from(op.plan.action()),
                Cell::from(op.plan.context().to_string()),
                Cell::from(op.plan.target()),
                Cell::from(Span::styled(status, theme.style(style))),
                Cell::from(Line::from(detail)),
            ])
        });
        if state.operations.is_empty() {
            table::empty_message(frame, inner, "no actions sent yet", theme);
        }
    }
    state.ops_cursor = cursor;
}
