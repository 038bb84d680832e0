//! `:ops` — actions sent from this cockpit, newest first, with their outcome.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Cell, Row};

use super::table::{self, col};
use crate::app::state::{OpStatus, State};
use crate::model::text::age;

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let columns = [
        col("AGE", Constraint::Length(5)),
        col("ACTION", Constraint::Length(26)),
        col("CLUSTER", Constraint::Length(19)),
        col("TARGET", Constraint::Length(32)),
        col("OUTCOME", Constraint::Min(20)),
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
            let (outcome, style) = match &op.status {
                OpStatus::Sent => ("sent…".to_string(), theme.style("status.progressing")),
                OpStatus::Succeeded(m) => (m.clone(), theme.style("status.ok")),
                OpStatus::Failed(e) => (e.clone(), theme.style("status.degraded")),
            };
            Row::new(vec![
                Cell::from(age(op.at, state.now)),
                Cell::from(op.plan.action),
                Cell::from(op.plan.target.cluster.clone()),
                Cell::from(format!(
                    "{} {}/{}",
                    op.plan.kind, op.plan.target.namespace, op.plan.target.name
                )),
                Cell::from(Span::styled(outcome, style)),
            ])
        });
        if state.operations.is_empty() {
            table::empty_message(frame, inner, "no actions sent yet", theme);
        }
    }
    state.ops_cursor = cursor;
}
