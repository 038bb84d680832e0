//! One table widget for every tabular pane: fixed columns, a header, a cursor, and only the
//! visible rows built (a pane with 5,000 rows costs what fits on screen).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Row, Table};

use crate::app::state::TableCursor;
use crate::app::theme::Theme;

pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
}

pub const fn col(title: &'static str, width: Constraint) -> Column {
    Column { title, width }
}

/// What a table shows: its frame, its columns, and how many rows it has.
pub struct Spec<'a, 'c> {
    pub block: Block<'a>,
    pub columns: &'c [Column],
    pub len: usize,
}

/// Draw `len` rows, building only the visible ones with `row_at`. Keeps the cursor in view.
pub fn draw<'a>(
    frame: &mut Frame,
    area: Rect,
    spec: Spec<'a, '_>,
    cursor: &mut TableCursor,
    theme: &Theme,
    row_at: impl Fn(usize) -> Row<'a>,
) {
    let Spec {
        block,
        columns,
        len,
    } = spec;
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let body_height = inner.height.saturating_sub(1) as usize;
    cursor.clamp(len);
    if cursor.selected < cursor.offset {
        cursor.offset = cursor.selected;
    } else if body_height > 0 && cursor.selected >= cursor.offset + body_height {
        cursor.offset = cursor.selected + 1 - body_height;
    }
    cursor.offset = cursor.offset.min(len.saturating_sub(body_height.max(1)));
    let end = (cursor.offset + body_height).min(len);
    let rows: Vec<Row> = (cursor.offset..end)
        .map(|i| {
            let row = row_at(i);
            if i == cursor.selected {
                row.style(theme.style("row.selected"))
            } else {
                row
            }
        })
        .collect();
    let header =
        Row::new(columns.iter().map(|c| Line::from(c.title))).style(theme.style("column.header"));
    let widths: Vec<Constraint> = columns.iter().map(|c| c.width).collect();
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}

/// A message centred in an otherwise empty pane body.
pub fn empty_message(frame: &mut Frame, area: Rect, text: &str, theme: &Theme) {
    if area.height < 3 {
        return;
    }
    let y = area.y + area.height / 2;
    let msg = Paragraph::new(Line::from(text.to_string()).style(theme.style("dim"))).centered();
    frame.render_widget(
        msg,
        Rect::new(area.x + 1, y, area.width.saturating_sub(2), 1),
    );
}
