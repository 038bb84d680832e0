//! Which Talos nodes to poll: the platform says, the talosconfig only when it cannot. A
//! talosconfig context named after a Cluster API cluster (as discovery and CACPPT name them)
//! polls that cluster's Machines — by their nodeRef's name, or their InternalIP before they
//! have one — and the Nodes its workload cluster reports that no Machine accounts for. A
//! context the platform says nothing about polls the talosconfig's `nodes`. So a scale-out's
//! new nodes appear and replaced ones go.

use std::collections::{BTreeMap, BTreeSet};

use super::capi::MachineRow;
use super::store::ObjRef;

/// The targets of every context: `contexts` maps a talosconfig context to its own `nodes`;
/// `workload_nodes` gives the Node names a CAPI cluster's API server reports.
pub fn targets(
    contexts: &BTreeMap<String, Vec<String>>,
    machines: &[&MachineRow],
    workload_nodes: impl Fn(&str) -> Vec<String>,
) -> BTreeSet<ObjRef> {
    let mut out = BTreeSet::new();
    for (context, fallback) in contexts {
        let mut names: BTreeSet<String> = machines
            .iter()
            .filter(|m| m.cluster == *context && !m.deleting)
            .filter_map(|m| {
                (!m.node.is_empty())
                    .then(|| m.node.to_string())
                    .or_else(|| m.address.as_ref().map(ToString::to_string))
            })
            .collect();
        names.extend(workload_nodes(context));
        if names.is_empty() {
            names.extend(fallback.iter().cloned());
        }
        out.extend(
            names
                .into_iter()
                .map(|n| ObjRef::in_cluster(context.clone(), "", n)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::capi::MachineRow;

    /// A Machine of `cluster` whose nodeRef names `node` (none when empty).
    fn machine(cluster: &str, name: &str, node: &str) -> MachineRow {
        let mut m =
            crate::model::capi::fixtures::machine(cluster, name, Some("workers"), "v1.34.0");
        m.node = node.into();
        m
    }

    fn contexts() -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([
            ("media".to_string(), vec!["10.0.0.9".to_string()]),
            ("homelab".to_string(), vec!["10.1.0.2".to_string()]),
        ])
    }

    fn names(set: &BTreeSet<ObjRef>, context: &str) -> Vec<String> {
        set.iter()
            .filter(|k| k.cluster == context)
            .map(|k| k.name.to_string())
            .collect()
    }

    #[test]
    fn machines_and_nodes_decide_and_the_talosconfig_fills_in() {
        let cp = machine("media", "media-cp-1", "media-cp-1");
        let mut booting = machine("media", "media-w-2", "");
        booting.address = Some("10.0.0.12".into());
        let no_address = machine("media", "media-w-3", "");
        let mut leaving = machine("media", "media-w-4", "media-w-4");
        leaving.deleting = true;
        let other = machine("lab", "lab-cp-1", "lab-cp-1");
        let all = [cp, booting, no_address, leaving, other];
        let all: Vec<&MachineRow> = all.iter().collect();
        let set = targets(&contexts(), &all, |c| match c {
            "media" => vec!["media-cp-1".into(), "edge-1".into()],
            _ => Vec::new(),
        });
        assert_eq!(
            names(&set, "media"),
            ["10.0.0.12", "edge-1", "media-cp-1"],
            "nodeRef names, an address before one, Nodes no Machine has; never twice"
        );
        assert_eq!(
            names(&set, "homelab"),
            ["10.1.0.2"],
            "nothing known: the talosconfig's nodes"
        );
        assert!(names(&set, "lab").is_empty(), "no context, no targets");
    }
}
