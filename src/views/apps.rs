//! `:apps` — Argo CD Applications: name, project, sync, health, revision, last sync, destination.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table::{self, col};
use crate::app::state::{State, visible_apps};
use crate::model::text::age_opt;

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let columns = [
        col("NAME", Constraint::Length(24)),
        col("PROJECT", Constraint::Length(10)),
        col("SYNC", Constraint::Length(22)),
        col("HEALTH", Constraint::Length(12)),
        col("REVISION", Constraint::Length(8)),
        col("LAST SYNC", Constraint::Length(9)),
        col("DESTINATION", Constraint::Min(20)),
    ];
    let mut cursor = state.apps_cursor;
    {
        let state: &State = state;
        let rows = visible_apps(state);
        // With more than one management cluster, each row says which one it is in.
        let several = state.apps.sources().len() > 1;
        let sources = Sources::of(&[state.apps.sources()]);
        let block = pane(state, "Applications", rows.len(), &sources);
        let inner = block.inner(area);
        let theme = &state.theme;
        table::draw(
            frame,
            area,
            table::Spec {
                block,
                columns: &columns,
                len: rows.len(),
            },
            &mut cursor,
            theme,
            |i| {
                let a = rows[i];
                let sync = match (&a.operation, a.out_of_sync) {
                    (Some(op), _) => format!("{} ({op})", a.sync),
                    (None, n) if n > 0 => format!("{} ({n})", a.sync),
                    _ => a.sync.clone(),
                };
                Row::new(vec![
                    Cell::from(if several {
                        format!("{} @{}", a.key.name, a.key.cluster)
                    } else {
                        a.key.name.clone()
                    }),
                    Cell::from(a.project.clone()),
                    Cell::from(Line::from(Span::styled(sync, theme.status(&a.sync)))),
                    Cell::from(Line::from(Span::styled(
                        a.health.clone(),
                        theme.status(&a.health),
                    ))),
                    Cell::from(a.revision.clone()),
                    Cell::from(age_opt(a.last_sync, state.now)),
                    Cell::from(a.destination.clone()),
                ])
            },
        );
        if rows.is_empty() {
            let text = source_notice(&state.apps.state())
                .unwrap_or_else(|| "no applications match".into());
            table::empty_message(frame, inner, &text, theme);
        }
    }
    state.apps_cursor = cursor;
}
