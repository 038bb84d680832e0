//! `:clusters` — the live CAPI tree: Cluster → control plane → MachineDeployments → Machines,
//! with replicas, version, phase and the condition clusterctl shows for each row.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_tree_widget::{Tree, TreeItem};

use super::chrome::{Sources, pane, source_notice};
use super::table::empty_message;
use crate::app::ids::PaneId;
use crate::app::state::{State, filter_matches};
use crate::app::theme::Theme;
use crate::model::text::age_opt;
use crate::model::tree::{NodeId, NodeKind, TreeNode, cluster_tree, filter_tree};

const NAME_WIDTH: usize = 46;
const HIGHLIGHT: &str = "» ";
/// Indentation tui-tree-widget adds per depth, plus the open/closed symbol.
const INDENT: usize = 2;

/// Columns after NAME: (title, width, priority). When the terminal is narrow, the lowest
/// priorities go first; MESSAGE takes whatever is left.
const COLUMNS: &[(&str, usize, u8)] = &[
    ("REPLICAS", 9, 9),
    ("AV/RD/UP", 9, 3),
    ("VERSION", 9, 8),
    ("PHASE", 13, 7),
    ("READY", 8, 10),
    ("REASON", 15, 6),
    ("NODE", 26, 4),
    ("PROVIDER ID", 49, 1),
    ("AGE", 5, 5),
];

/// Which columns fit in `width` (after the NAME column), keeping a few cells for MESSAGE.
fn fitting_columns(width: usize) -> Vec<bool> {
    let mut shown = vec![true; COLUMNS.len()];
    let mut used: usize = COLUMNS.iter().map(|c| c.1).sum();
    let mut by_priority: Vec<usize> = (0..COLUMNS.len()).collect();
    by_priority.sort_by_key(|&i| COLUMNS[i].2);
    for i in by_priority {
        if used + 12 <= width {
            break;
        }
        shown[i] = false;
        used -= COLUMNS[i].1;
    }
    shown
}

fn pad(s: &str, width: usize) -> String {
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    let len = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width - len));
    out
}

fn node_line(
    n: &TreeNode,
    depth: usize,
    shown: &[bool],
    state: &State,
    theme: &Theme,
) -> Line<'static> {
    let name_width = NAME_WIDTH.saturating_sub(depth * INDENT).max(8);
    let cond = n.condition.status_word();
    let status_style = theme.status(cond);
    let cells: [(String, Style); 9] = [
        (n.replicas.clone(), Style::default()),
        (n.counters.clone(), Style::default()),
        (n.version.clone(), Style::default()),
        (n.phase.clone(), theme.status(&n.phase)),
        (cond.to_string(), status_style),
        (n.condition.reason.clone(), status_style),
        (n.node.clone(), Style::default()),
        (n.provider_id.clone(), theme.style("dim")),
        (age_opt(n.created, state.now), Style::default()),
    ];
    let name_style = match n.kind {
        NodeKind::Cluster => theme.style("row.group"),
        _ => Style::default(),
    };
    let mut spans = vec![Span::styled(pad(&n.name, name_width), name_style)];
    for (((text, style), (_, width, _)), show) in cells.into_iter().zip(COLUMNS).zip(shown) {
        if *show {
            spans.push(Span::styled(pad(&text, *width), style));
        }
    }
    if !n.condition.message.is_empty() && n.condition.ok != Some(true) {
        spans.push(Span::styled(
            n.condition.message.clone(),
            theme.style("dim"),
        ));
    }
    Line::from(spans)
}

fn items(
    nodes: &[TreeNode],
    depth: usize,
    shown: &[bool],
    state: &State,
) -> Vec<TreeItem<'static, NodeId>> {
    nodes
        .iter()
        .map(|n| {
            let line = node_line(n, depth, shown, state, &state.theme);
            let children = items(&n.children, depth + 1, shown, state);
            if children.is_empty() {
                TreeItem::new_leaf(n.id.clone(), line)
            } else {
                // Ids are unique by construction (kind prefix + namespace/name).
                TreeItem::new(n.id.clone(), line.clone(), children)
                    .unwrap_or_else(|_| TreeItem::new_leaf(n.id.clone(), line))
            }
        })
        .collect()
}

fn header_line(shown: &[bool], theme: &Theme) -> Line<'static> {
    let mut text = " ".repeat(HIGHLIGHT.chars().count() + INDENT);
    text.push_str(&pad("NAME", NAME_WIDTH));
    for ((title, width, _), show) in COLUMNS.iter().zip(shown) {
        if *show {
            text.push_str(&pad(title, *width));
        }
    }
    text.push_str("MESSAGE");
    Line::from(Span::styled(text, theme.style("column.header")))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &mut State) {
    let filter = state.filter().to_string();
    let nodes = filter_tree(cluster_tree(&state.capi), &|n| {
        filter_matches(&filter, &n.haystack())
    });
    let count = state.capi.clusters.len();
    let entry = PaneId::Clusters.pane();
    let sources = Sources::of(&state.pane_sources(entry));
    let source = sources.worst.clone();
    // Open every cluster the first time it appears, so the tree is useful at a glance.
    if state.tree.opened().is_empty() && state.tree.selected().is_empty() && !nodes.is_empty() {
        for n in &nodes {
            state.tree.open(vec![n.id.clone()]);
            for child in &n.children {
                state.tree.open(vec![n.id.clone(), child.id.clone()]);
            }
        }
        state.tree.select(vec![nodes[0].id.clone()]);
    }
    // The tree shifts every row right by the highlight symbol only while something is
    // selected; keep a selection so the header stays aligned.
    if state.tree.selected().is_empty() && !nodes.is_empty() {
        state.tree.select(vec![nodes[0].id.clone()]);
    }
    let fixed = HIGHLIGHT.chars().count() + INDENT + NAME_WIDTH + 2;
    let shown = fitting_columns((area.width as usize).saturating_sub(fixed));
    let tree_items = items(&nodes, 0, &shown, state);
    let block = pane(state, entry.title, count, &sources);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    frame.render_widget(Paragraph::new(header_line(&shown, &state.theme)), head);
    if tree_items.is_empty() {
        let text = source_notice(&source).unwrap_or_else(|| entry.empty.into());
        empty_message(frame, inner, &text, &state.theme);
        return;
    }
    if let Ok(tree) = Tree::new(&tree_items) {
        let tree = tree
            .highlight_style(state.theme.style("row.selected"))
            .highlight_symbol(HIGHLIGHT);
        frame.render_stateful_widget(tree, body, &mut state.tree);
    }
}
