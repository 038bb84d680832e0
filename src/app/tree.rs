//! Where the cluster tree is: which nodes are open, which is selected (by id, so watch events
//! that add or move Machines never move the cursor to another object), and the scroll offset.
//! Changed only by `update`; the view reads it.

use std::collections::HashSet;

use super::table::scroll_to;
use crate::model::tree::{NodeId, TreeLine, TreeNode, branch_ids, path_to};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreeView {
    pub opened: HashSet<NodeId>,
    pub selected: Option<NodeId>,
    /// Where the user last put the cursor (the fallback when its node goes away).
    pub index: usize,
    pub offset: usize,
    /// Groups (clusters, control planes, MachineDeployments) seen before: each is opened the
    /// first time it appears, and left as the user set it after that.
    seen: HashSet<NodeId>,
}

impl TreeView {
    /// Open groups the first time they appear, so the tree is useful at a glance; select the
    /// first node when nothing is selected yet.
    pub fn open_new(&mut self, groups: impl IntoIterator<Item = NodeId>) {
        for id in groups {
            if self.seen.insert(id.clone()) {
                if self.selected.is_none() && matches!(id, NodeId::Cluster(_)) {
                    self.selected = Some(id.clone());
                }
                self.opened.insert(id);
            }
        }
    }

    /// The position of the selected node among the lines shown.
    pub fn selected_index(&self, lines: &[TreeLine]) -> Option<usize> {
        if lines.is_empty() {
            return None;
        }
        let by_id = self
            .selected
            .as_ref()
            .and_then(|id| lines.iter().position(|l| &l.node.id == id));
        Some(by_id.unwrap_or(self.index.min(lines.len() - 1)))
    }

    pub fn move_by(&mut self, lines: &[TreeLine], delta: isize, page: usize) {
        let Some(at) = self.selected_index(lines) else {
            return;
        };
        let target = (at as isize)
            .saturating_add(delta)
            .clamp(0, lines.len() as isize - 1);
        let target = target as usize;
        self.selected = Some(lines[target].node.id.clone());
        self.index = target;
        self.offset = scroll_to(self.offset, target, page.max(1));
    }

    /// Open or close the selected node.
    pub fn toggle(&mut self, lines: &[TreeLine]) {
        let Some(line) = self.selected_index(lines).map(|i| lines[i]) else {
            return;
        };
        if line.node.children.is_empty() {
            return;
        }
        if !self.opened.remove(&line.node.id) {
            self.opened.insert(line.node.id.clone());
        }
    }

    /// Close the selected node, or, when it is closed or a leaf, go to its parent.
    pub fn collapse(&mut self, nodes: &[TreeNode], lines: &[TreeLine], page: usize) {
        let Some(line) = self.selected_index(lines).map(|i| lines[i]) else {
            return;
        };
        if line.open {
            self.opened.remove(&line.node.id);
            return;
        }
        let parent = path_to(nodes, &line.node.id)
            .and_then(|path| path.len().checked_sub(2).map(|i| path[i].id.clone()));
        if let Some(parent) = parent
            && let Some(at) = lines.iter().position(|l| l.node.id == parent)
        {
            self.move_by(
                lines,
                at as isize - self.selected_index(lines).unwrap_or(0) as isize,
                page,
            );
        }
    }

    pub fn expand_all(&mut self, nodes: &[TreeNode]) {
        let mut ids = Vec::new();
        branch_ids(nodes, &mut ids);
        self.opened.extend(ids);
    }

    pub fn collapse_all(&mut self) {
        self.opened.clear();
    }

    /// The first line to draw so the selection is on a page of `page` lines.
    pub fn offset_for(&self, selected: Option<usize>, len: usize, page: usize) -> usize {
        let page = page.max(1);
        let offset = selected.map_or(self.offset, |at| scroll_to(self.offset, at, page));
        offset.min(len.saturating_sub(page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::capi::fixtures::lab;
    use crate::model::tree::{cluster_tree, visible_lines};

    fn nodes(workers: usize) -> Vec<TreeNode> {
        cluster_tree(&lab(workers))
    }

    fn opened_view(nodes: &[TreeNode]) -> TreeView {
        let mut view = TreeView::default();
        view.open_new(nodes.iter().map(|n| n.id.clone()));
        view.open_new(nodes[0].children.iter().map(|n| n.id.clone()));
        view
    }

    #[test]
    fn groups_open_once_and_the_first_cluster_is_selected() {
        let nodes = nodes(2);
        let mut view = opened_view(&nodes);
        assert_eq!(view.selected.as_ref(), Some(&nodes[0].id));
        assert_eq!(visible_lines(&nodes, &view.opened).len(), 6);
        // Closed by the user, a group stays closed when its watch reports it again.
        let md = nodes[0].children[1].id.clone();
        view.opened.remove(&md);
        view.open_new([md.clone()]);
        assert!(!view.opened.contains(&md));
    }

    #[test]
    fn moving_toggling_and_going_up_to_the_parent_need_no_draw() {
        let nodes = nodes(2);
        let mut view = opened_view(&nodes);
        let lines = visible_lines(&nodes, &view.opened);
        view.move_by(&lines, 5, 10);
        assert_eq!(
            view.selected.as_ref(),
            Some(&lines[5].node.id),
            "the last worker"
        );
        // Left on a leaf goes to its MachineDeployment, then closes it.
        view.collapse(&nodes, &lines, 10);
        assert_eq!(view.selected.as_ref(), Some(&nodes[0].children[1].id));
        let lines = visible_lines(&nodes, &view.opened);
        view.collapse(&nodes, &lines, 10);
        assert_eq!(visible_lines(&nodes, &view.opened).len(), 4);
        let lines = visible_lines(&nodes, &view.opened);
        view.toggle(&lines);
        assert_eq!(visible_lines(&nodes, &view.opened).len(), 6);
        view.collapse_all();
        assert_eq!(visible_lines(&nodes, &view.opened).len(), 1);
        view.expand_all(&nodes);
        assert_eq!(visible_lines(&nodes, &view.opened).len(), 6);
    }

    #[test]
    fn a_tall_tree_scrolls_to_keep_the_selection_on_the_page() {
        let nodes = nodes(40);
        let mut view = opened_view(&nodes);
        let lines = visible_lines(&nodes, &view.opened);
        view.move_by(&lines, 30, 10);
        assert_eq!(view.offset, 21);
        assert_eq!(
            view.offset_for(view.selected_index(&lines), lines.len(), 10),
            21
        );
        view.move_by(&lines, isize::MIN / 2, 10);
        assert_eq!((view.index, view.offset), (0, 0));
    }
}
