//! The confirm dialog of a mutating action: what it is, exactly what will be sent, and whether
//! the token may do it. Nothing is sent before Enter.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::chrome::popup_area;
use crate::app::domains::Access;
use crate::app::state::State;
use crate::model::rollout::Plan;

pub fn draw(frame: &mut Frame, state: &State) {
    let Some(d) = &state.actions.dialog else {
        return;
    };
    let theme = &state.theme;
    let mut lines: Vec<Line> = d.plan.preview().into_iter().map(Line::from).collect();
    lines.push(Line::from(""));
    let (permission, style, can_send) = match &d.access {
        Access::Checking => (
            "checking permission…".to_string(),
            theme.style("hint"),
            true,
        ),
        Access::Allowed => (
            match d.plan {
                Plan::Argo(_) => "allowed by Argo CD RBAC (can-i)".to_string(),
                ref p if !p.talos_methods().is_empty() => {
                    "allowed by your Talos certificate's roles".to_string()
                }
                _ => "allowed by RBAC".to_string(),
            },
            theme.style("status.ok"),
            true,
        ),
        Access::Denied(why) => (
            format!("not allowed: {why}"),
            theme.style("status.degraded"),
            false,
        ),
        Access::Unknown(why) => (why.clone(), theme.style("status.warning"), true),
    };
    if let Some(o) = d.sync {
        let mark = |on: bool| if on { "[x]" } else { "[ ]" };
        lines.push(Line::from(vec![
            Span::styled(" p ", theme.style("hint.key")),
            Span::raw(format!("{} prune   ", mark(o.prune))),
            Span::styled(" d ", theme.style("hint.key")),
            Span::raw(format!("{} dry run   ", mark(o.dry_run))),
            Span::styled(" o ", theme.style("hint.key")),
            Span::raw(format!(
                "{} apply out-of-sync only",
                mark(o.apply_out_of_sync_only)
            )),
        ]));
    }
    if let Some((label, _)) = &d.alternative {
        lines.push(Line::from(vec![
            Span::styled(" n ", theme.style("hint.key")),
            Span::raw(label.clone()),
        ]));
    }
    lines.push(Line::from(Span::styled(permission, style)));
    lines.push(Line::from(vec![
        Span::styled(
            if can_send {
                " Enter "
            } else {
                " Enter (disabled) "
            },
            theme.style("hint.key"),
        ),
        Span::styled("send  ", theme.style("hint")),
        Span::styled(" Esc ", theme.style("hint.key")),
        Span::styled("cancel", theme.style("hint")),
    ]));
    // As wide as the longest line or the title (within the screen); what is still too long
    // wraps, so every byte of the request stays visible.
    let title = format!(" {}? ", d.plan.title());
    let widest = lines
        .iter()
        .map(Line::width)
        .chain([unicode_width::UnicodeWidthStr::width(title.as_str()) + 2])
        .max()
        .unwrap_or(0) as u16
        + 2;
    let width = widest.min(frame.area().width.saturating_sub(4)).max(20);
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let popup = popup_area(frame, width, rows as u16 + 2);
    // Scroll no further than the last line; say when there is more below.
    let visible = usize::from(popup.height.saturating_sub(2));
    let scroll = usize::from(d.scroll).min(rows.saturating_sub(visible));
    let mut block = Block::bordered()
        .border_style(theme.style("prompt"))
        .title(Span::styled(title, theme.style("title")));
    if rows > visible {
        block = block.title_bottom(Span::styled(
            format!(
                " line {}-{} of {rows}: j/k PgUp/PgDn scroll · Enter send · Esc cancel ",
                scroll + 1,
                (scroll + visible).min(rows)
            ),
            theme.style("hint.key"),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(block),
        popup,
    );
}
