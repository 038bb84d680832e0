//! The cluster tree: Cluster → control plane → MachineDeployments → Machines, joined by the
//! CAPI labels (`cluster-name`, `control-plane`, `deployment-name`), as `clusterctl describe`.

use std::collections::HashSet;

use jiff::Timestamp;

use super::capi::{ClusterRow, ControlPlaneRow, DeploymentRow, InfraRef, MachineRow, Replicas};
use super::store::{ObjRef, RowStore};
use super::wire::CondSummary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Cluster,
    ControlPlane,
    Deployment,
    Machine,
}

/// A node of the tree: which object it is. Unique across the tree and stable across updates,
/// so selection and open state survive every watch event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeId {
    Cluster(ObjRef),
    ControlPlane(ObjRef),
    Deployment(ObjRef),
    Machine(ObjRef),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TreeNode {
    pub id: NodeId,
    pub kind: NodeKind,
    pub name: String,
    /// `current/desired` for groups; empty for Machines.
    pub replicas: String,
    /// `available/ready/up-to-date` for groups.
    pub counters: String,
    pub version: String,
    pub phase: String,
    pub condition: CondSummary,
    pub node: String,
    pub provider_id: String,
    pub created: Option<Timestamp>,
    /// A Machine's provider machine (HarvesterMachine, VSphereMachine …).
    pub infra: Option<InfraRef>,
    pub children: Vec<TreeNode>,
}

impl TreeNode {
    fn leafless(id: NodeId, kind: NodeKind, name: String) -> Self {
        TreeNode {
            id,
            kind,
            name,
            replicas: String::new(),
            counters: String::new(),
            version: String::new(),
            phase: String::new(),
            condition: CondSummary::default(),
            node: String::new(),
            provider_id: String::new(),
            created: None,
            infra: None,
            children: Vec::new(),
        }
    }

    /// Text the `/` filter matches against.
    pub fn haystack(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.name, self.phase, self.version, self.node, self.provider_id, self.condition.reason
        )
    }
}

fn counts(r: &Replicas) -> (String, String) {
    (
        format!("{}/{}", r.current, r.desired),
        format!("{}/{}/{}", r.available, r.ready, r.up_to_date),
    )
}

fn machine_node(m: &MachineRow) -> TreeNode {
    let mut n = TreeNode::leafless(
        NodeId::Machine(m.key.clone()),
        NodeKind::Machine,
        format!("Machine/{}", m.key.name),
    );
    n.version = m.version.to_string();
    n.phase = if m.deleting {
        "Deleting".into()
    } else {
        m.phase.to_string()
    };
    n.condition = m.ready.clone();
    n.node = m.node.to_string();
    n.provider_id = m.provider_id.to_string();
    n.created = m.created;
    n.infra = m.infra.clone();
    n
}

/// The Cluster API rows the tree is built from.
#[derive(Debug, Default)]
pub struct CapiStores {
    pub clusters: RowStore<ClusterRow>,
    pub control_planes: RowStore<ControlPlaneRow>,
    pub deployments: RowStore<DeploymentRow>,
    pub machines: RowStore<MachineRow>,
}

pub fn cluster_tree(s: &CapiStores) -> Vec<TreeNode> {
    // With more than one management cluster, each Cluster row says which one it is in.
    let several_sources = s.clusters.sources().len() > 1;
    s.clusters
        .iter()
        .map(|c| {
            let in_cluster = |key: &ObjRef, cluster: &str| {
                key.cluster == c.key.cluster
                    && key.namespace == c.key.namespace
                    && cluster == c.key.name
            };
            let mut node = TreeNode::leafless(
                NodeId::Cluster(c.key.clone()),
                NodeKind::Cluster,
                if several_sources {
                    format!("Cluster/{} @{}", c.key.name, c.key.cluster)
                } else {
                    format!("Cluster/{}", c.key.name)
                },
            );
            (node.replicas, node.counters) = counts(&c.replicas);
            node.phase = if c.paused {
                "Paused".into()
            } else {
                c.phase.clone()
            };
            node.condition = c.available.clone();
            node.created = c.created;
            for cp in s
                .control_planes
                .iter()
                .filter(|cp| in_cluster(&cp.key, &cp.cluster))
            {
                let mut n = TreeNode::leafless(
                    NodeId::ControlPlane(cp.key.clone()),
                    NodeKind::ControlPlane,
                    format!("ControlPlane/{}", cp.key.name),
                );
                (n.replicas, n.counters) = counts(&cp.replicas);
                n.version = cp.version.clone();
                n.condition = cp.ready.clone();
                n.created = cp.created;
                n.children = s
                    .machines
                    .iter()
                    .filter(|m| m.control_plane && in_cluster(&m.key, &m.cluster))
                    .map(machine_node)
                    .collect();
                node.children.push(n);
            }
            for md in s
                .deployments
                .iter()
                .filter(|d| in_cluster(&d.key, &d.cluster))
            {
                let mut n = TreeNode::leafless(
                    NodeId::Deployment(md.key.clone()),
                    NodeKind::Deployment,
                    format!("MachineDeployment/{}", md.key.name),
                );
                (n.replicas, n.counters) = counts(&md.replicas);
                n.version = md.version.clone();
                n.phase = if md.paused {
                    "Paused".into()
                } else {
                    md.phase.clone()
                };
                n.condition = md.available.clone();
                n.created = md.created;
                n.children = s
                    .machines
                    .iter()
                    .filter(|m| {
                        m.key.cluster == md.key.cluster
                            && m.key.namespace == md.key.namespace
                            && m.deployment.as_deref() == Some(md.key.name.as_str())
                    })
                    .map(machine_node)
                    .collect();
                node.children.push(n);
            }
            node
        })
        .collect()
}

/// Keep nodes that match, with their whole subtree, and the ancestors of nodes that match.
pub fn filter_tree(nodes: Vec<TreeNode>, matches: &dyn Fn(&TreeNode) -> bool) -> Vec<TreeNode> {
    nodes
        .into_iter()
        .filter_map(|mut n| {
            if matches(&n) {
                return Some(n);
            }
            n.children = filter_tree(std::mem::take(&mut n.children), matches);
            (!n.children.is_empty()).then_some(n)
        })
        .collect()
}

/// Ids of every node that has children, for "expand all".
pub fn branch_ids(nodes: &[TreeNode], out: &mut Vec<NodeId>) {
    for n in nodes {
        if !n.children.is_empty() {
            out.push(n.id.clone());
            branch_ids(&n.children, out);
        }
    }
}

/// One line of the tree as shown: a node, its depth, and whether its children are shown.
#[derive(Debug, Clone, Copy)]
pub struct TreeLine<'a> {
    pub node: &'a TreeNode,
    pub depth: usize,
    pub open: bool,
}

/// The lines a tree shows with these nodes open, top to bottom.
pub fn visible_lines<'a>(nodes: &'a [TreeNode], opened: &HashSet<NodeId>) -> Vec<TreeLine<'a>> {
    fn walk<'a>(
        nodes: &'a [TreeNode],
        depth: usize,
        opened: &HashSet<NodeId>,
        out: &mut Vec<TreeLine<'a>>,
    ) {
        for node in nodes {
            let open = !node.children.is_empty() && opened.contains(&node.id);
            out.push(TreeLine { node, depth, open });
            if open {
                walk(&node.children, depth + 1, opened, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(nodes, 0, opened, &mut out);
    out
}

/// The nodes from the root down to `id`, if it is in the tree.
pub fn path_to<'a>(nodes: &'a [TreeNode], id: &NodeId) -> Option<Vec<&'a TreeNode>> {
    for node in nodes {
        if &node.id == id {
            return Some(vec![node]);
        }
        if let Some(mut below) = path_to(&node.children, id) {
            below.insert(0, node);
            return Some(below);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::capi::fixtures::lab;

    fn stores() -> CapiStores {
        lab(2)
    }

    #[test]
    fn machines_hang_under_their_control_plane_or_deployment() {
        let tree = cluster_tree(&stores());
        assert_eq!(tree.len(), 1);
        let lab = &tree[0];
        assert_eq!(lab.kind, NodeKind::Cluster);
        let kids: Vec<(NodeKind, usize)> = lab
            .children
            .iter()
            .map(|c| (c.kind, c.children.len()))
            .collect();
        assert_eq!(
            kids,
            vec![(NodeKind::ControlPlane, 1), (NodeKind::Deployment, 2)]
        );
        assert_eq!(
            lab.children[1].children[0].id,
            NodeId::Machine(ObjRef::in_cluster("mgmt", "lab", "lab-w-00"))
        );
    }

    #[test]
    fn a_filter_keeps_the_path_to_each_match_and_branches_are_listed() {
        let tree = filter_tree(cluster_tree(&stores()), &|n| n.name.ends_with("w-01"));
        assert_eq!(tree[0].children.len(), 1, "only the deployment's branch");
        assert_eq!(tree[0].children[0].children.len(), 1);
        let mut branches = Vec::new();
        let all = cluster_tree(&stores());
        branch_ids(&all, &mut branches);
        assert_eq!(branches.len(), 3, "cluster, control plane, deployment");
        // Only the cluster open: it and its two groups show; open the deployment: its Machines.
        let mut opened: HashSet<NodeId> = [all[0].id.clone()].into();
        assert_eq!(visible_lines(&all, &opened).len(), 3);
        opened.insert(branches[2].clone());
        let lines = visible_lines(&all, &opened);
        assert_eq!(lines.len(), 5);
        assert_eq!((lines[4].depth, lines[2].open), (2, true));
        let machine = &lines[4].node.id;
        let path = path_to(&all, machine).expect("path");
        assert_eq!(path.len(), 3);
        assert_eq!(path[0].kind, NodeKind::Cluster);
    }
}
