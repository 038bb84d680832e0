//! `:secrets` — ExternalSecrets of every cluster: Ready, reason, message, store and its health,
//! refresh interval, last refresh, *overdue* when the last refresh is older than twice the
//! interval, and the target Secret. Secret values are never fetched.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

use super::chrome::{Sources, pane, source_notice};
use super::table::{self, col};
use crate::app::state::{State, store_of, visible_secrets};
use crate::model::text::age_opt;

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    // TARGET usually repeats NAME; it gives way first on narrower terminals.
    let wide = area.width >= 220;
    let mut columns = vec![
        col("CLUSTER", Constraint::Length(19)),
        col("NAMESPACE", Constraint::Length(12)),
        col("NAME", Constraint::Length(22)),
        col("READY", Constraint::Length(6)),
        col("REASON", Constraint::Length(18)),
        col("STORE", Constraint::Length(31)),
        col("STORE HEALTH", Constraint::Length(28)),
        col("REFRESH", Constraint::Length(8)),
        col("LAST SYNC", Constraint::Length(16)),
        col("TARGET", Constraint::Length(20)),
        col("MESSAGE", Constraint::Min(10)),
    ];
    if !wide {
        columns.retain(|c| c.title != "TARGET");
    }
    let mut cursor = state.secrets_cursor;
    {
        let state: &State = state;
        let theme = &state.theme;
        let rows = visible_secrets(state);
        let sources = Sources::of(&[state.external_secrets.sources()]);
        let source = sources.worst.clone();
        let block = pane(state, "External Secrets", rows.len(), &sources);
        let inner = block.inner(area);
        let spec = table::Spec {
            block,
            columns: &columns,
            len: rows.len(),
        };
        table::draw(frame, area, spec, &mut cursor, theme, |i| {
            let e = rows[i];
            let word = e.ready.status_word();
            let (store_health, store_style) = match store_of(state, e) {
                Some(s) if s.ready.ok == Some(true) => {
                    (s.ready.reason.clone(), theme.style("status.ok"))
                }
                Some(s) => (
                    format!("{} {}", s.ready.status_word(), s.ready.reason),
                    theme.style("status.degraded"),
                ),
                None => ("not found".to_string(), theme.style("status.warning")),
            };
            let overdue = e.overdue(state.now);
            let last = age_opt(e.refreshed, state.now);
            let mut cells = vec![
                Cell::from(e.key.cluster.clone()),
                Cell::from(e.key.namespace.clone()),
                Cell::from(e.key.name.clone()),
                Cell::from(Span::styled(word, theme.status(word))),
                Cell::from(Span::styled(e.ready.reason.clone(), theme.status(word))),
                Cell::from(format!("{}/{}", e.store_kind, e.store_name)),
                Cell::from(Span::styled(store_health, store_style)),
                Cell::from(e.refresh_text.clone()),
                Cell::from(if overdue {
                    Span::styled(format!("{last} OVERDUE"), theme.style("status.degraded"))
                } else {
                    Span::raw(last)
                }),
                Cell::from(e.target.clone()),
                Cell::from(Span::styled(
                    if e.ready.ok == Some(true) {
                        String::new()
                    } else {
                        e.ready.message.clone()
                    },
                    theme.style("dim"),
                )),
            ];
            if !wide {
                cells.remove(9);
            }
            Row::new(cells)
        });
        if rows.is_empty() {
            let text = source_notice(&source).unwrap_or_else(|| "no ExternalSecrets match".into());
            table::empty_message(frame, inner, &text, theme);
        }
    }
    state.secrets_cursor = cursor;
}
