//! One table widget for every tabular pane: columns as data sized from the content, the sort
//! shown in the header, the cursor and scroll from `State`, and only the visible rows turned
//! into widgets. Reads `State`, writes nothing.

use std::borrow::Cow;

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as WidgetCell, Paragraph, Row, Table};
use unicode_width::UnicodeWidthStr;

use crate::app::state::State;
use crate::app::tables::{self, Table as TableSpec};
use crate::app::theme::Theme;
use crate::model::shown::Shown;
use crate::model::table::{Align, Cell, Column, Sort, TableRow, fit, layout_widths};

/// Space between columns.
const SPACING: u16 = 1;

/// Draw table `id` inside `block`; `empty` is said in the body when no row is shown.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    state: &State,
    table: &TableSpec,
    empty: &str,
) {
    let rows = tables::shown(state, table);
    draw_rows(frame, area, block, state, table, &rows, empty);
}

/// Draw rows already computed (the pane needed them for its title).
pub fn draw_rows(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    state: &State,
    table: &TableSpec,
    rows: &Shown,
    empty: &str,
) {
    let view = state.tables.view(table.id);
    let page = block.inner(area).height.saturating_sub(1) as usize;
    let selected = if table.selectable() {
        view.selected_index(rows)
    } else {
        None
    };
    let columns = table.columns(state);
    let grid = Grid {
        columns: &columns,
        rows,
        selected,
        offset: view.offset_for(selected, rows.len(), page),
        sort: view.sort,
        now: state.now,
    };
    draw_grid(frame, area, block, grid, &state.theme, empty);
}

/// Rows with their columns, which one is selected, the first one shown, the sort, and the
/// time ages are counted to.
pub struct Grid<'r> {
    pub columns: &'r [Column],
    pub rows: &'r Shown,
    pub selected: Option<usize>,
    pub offset: usize,
    pub sort: Option<Sort>,
    pub now: Timestamp,
}

/// Draw a grid inside `block`: widths from the content, the sort in the header, only the rows
/// that fit built into widgets; `empty` is said in the body when there is no row.
pub fn draw_grid(
    frame: &mut Frame,
    area: Rect,
    block: Block,
    grid: Grid,
    theme: &Theme,
    empty: &str,
) {
    let Grid {
        columns,
        rows,
        selected,
        offset,
        sort,
        now,
    } = grid;
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let titles: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| header_title(c, i, sort))
        .collect();
    // The widest cell of each column over all rows (measured with them), and the ages of
    // the rows on screen, which are written only now.
    let body = inner.height.saturating_sub(1) as usize;
    let visible: Vec<(usize, &TableRow)> = (offset..rows.len().min(offset + body))
        .filter_map(|at| Some((at, rows.get(at)?)))
        .collect();
    let mut content: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
    for (w, measured) in content.iter_mut().zip(rows.widths()) {
        *w = (*w).max(*measured);
    }
    for (_, row) in &visible {
        for (w, cell) in content.iter_mut().zip(&row.cells) {
            *w = (*w).max(cell.width_at(now));
        }
    }
    // A title (with the sort's arrow) always fits, whatever the column's content may take.
    let columns: Vec<Column> = columns
        .iter()
        .zip(&titles)
        .map(|(c, title)| Column {
            max: c.max.max(title.width() as u16),
            ..*c
        })
        .collect();
    let widths = layout_widths(&columns, &content, inner.width, SPACING);
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&i| widths[i].is_some())
        .collect();
    let table_rows: Vec<Row> = visible
        .into_iter()
        .map(|(i, row)| {
            let cells = shown.iter().map(|&c| {
                let width = widths[c].unwrap_or(0) as usize;
                cell_widget(row.cells.get(c), &columns[c], width, theme, now)
            });
            let widget = Row::new(cells.collect::<Vec<_>>());
            if Some(i) == selected {
                widget.style(theme.style("row.selected"))
            } else {
                widget
            }
        })
        .collect();
    let header = Row::new(shown.iter().map(|&c| {
        let line = Line::from(titles[c].clone());
        WidgetCell::from(match columns[c].align {
            Align::Left => line,
            Align::Right => line.alignment(Alignment::Right),
        })
    }))
    .style(theme.style("column.header"));
    let constraints: Vec<Constraint> = shown
        .iter()
        .map(|&c| Constraint::Length(widths[c].unwrap_or(0)))
        .collect();
    frame.render_widget(
        Table::new(table_rows, constraints)
            .header(header)
            .column_spacing(SPACING),
        inner,
    );
    if rows.is_empty() {
        empty_message(frame, inner, empty, theme);
    }
}

/// A column title, with an arrow on the column the rows are sorted by.
fn header_title(column: &Column, index: usize, sort: Option<Sort>) -> String {
    match sort {
        Some(s) if s.column == index => {
            format!("{}{}", column.title, if s.descending { "↓" } else { "↑" })
        }
        _ => column.title.to_string(),
    }
}

fn cell_widget<'a>(
    cell: Option<&'a Cell>,
    column: &Column,
    width: usize,
    theme: &Theme,
    now: Timestamp,
) -> WidgetCell<'a> {
    let Some(cell) = cell else {
        return WidgetCell::from("");
    };
    let text = match cell.text_at(now) {
        Cow::Borrowed(text) => fit(text, width),
        Cow::Owned(text) => Cow::Owned(fit(&text, width).into_owned()),
    };
    let mut spans = vec![Span::styled(text, style(theme, cell.style()))];
    if let Some((tail, tail_style)) = cell.tail() {
        let room = width.saturating_sub(spans[0].width());
        spans.push(Span::styled(fit(tail, room), style(theme, tail_style)));
    }
    let line = Line::from(spans);
    WidgetCell::from(match column.align {
        Align::Left => line,
        Align::Right => line.alignment(Alignment::Right),
    })
}

fn style(theme: &Theme, name: &str) -> ratatui::style::Style {
    if name.is_empty() {
        ratatui::style::Style::default()
    } else {
        theme.style(name)
    }
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
