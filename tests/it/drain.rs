//! `R` on a node drains it as `kubectl drain --ignore-daemonsets` does: the node's pods are
//! listed first, the dialog shows the cordon and one eviction per pod, and the rollout stops
//! at the first eviction a PodDisruptionBudget refuses (the server's 429, in its own words).
//! Evicted pods terminate and their Deployments start them again on other nodes.

use crate::common::{self, Cockpit, audit_lines, line_with};
use opsdeck::app::domains::OpStatus;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::Simulator;
use serde_json::Value;

/// The media cluster's pods, as (namespace, name, node).
fn media_pods(sim: &Simulator) -> Vec<(String, String, String)> {
    let pod = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    let db = sim.cluster_db("media").expect("media");
    db.list(pod, None, None)
        .map(|p| {
            let s = |ptr: &str| {
                p.pointer(ptr)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            (
                s("/metadata/namespace"),
                s("/metadata/name"),
                s("/spec/nodeName"),
            )
        })
        .collect()
}

/// The cockpit on `:nodes`, the cursor on `node`, the drain's dialog open and allowed.
async fn drain_dialog(sim: &Simulator, node: &str) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.wait_for("media's discovery", |s| {
        s.catalog
            .resolve("nodes")
            .is_some_and(|(_, serving)| serving.contains("opsdeck-media"))
    })
    .await;
    c.command("nodes @opsdeck-media");
    c.wait_for("media's nodes", |s| {
        s.browse.rows.iter().any(|r| r.key.name == node)
    })
    .await;
    c.press(&["/"]);
    c.type_text(node);
    c.press(&["<Enter>"]);
    c.press(&["R"]);
    c.wait_for("the drain's plan", |s| s.actions.dialog.is_some())
        .await;
    common::wait_allowed(&mut c).await;
    c
}

/// Enter, and wait until the drain has finished or stopped.
async fn run(c: &mut Cockpit) -> OpStatus {
    c.press(&["<Enter>"]);
    c.wait_for("the drain to end", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Succeeded(_) | OpStatus::Failed(_)))
    })
    .await;
    c.state.actions.operations[0].status.clone()
}

#[tokio::test]
async fn a_drain_stops_at_the_eviction_a_disruption_budget_refuses() {
    let sim = common::frozen_sim().await;
    // jellyfin's budget wants both its pods: evicting either is refused.
    let pods = media_pods(&sim);
    let (_, jellyfin, node) = pods
        .iter()
        .find(|(ns, name, _)| ns == "media" && name.starts_with("jellyfin-"))
        .cloned()
        .expect("a jellyfin pod");
    let on_node = pods.iter().filter(|(_, _, n)| *n == node).count();
    let mut c = drain_dialog(&sim, &node).await;
    let frame = c.frame_sized(160, 60);
    assert!(
        frame.contains(&format!(
            "Drain node {node} on opsdeck-media: cordon, evict {on_node} pods"
        )),
        "{frame}"
    );
    assert!(
        frame.contains(&format!("PATCH /api/v1/nodes/{node}")),
        "{frame}"
    );
    assert!(
        frame.contains(&format!(
            "POST /api/v1/namespaces/media/pods/{jellyfin}/eviction"
        )),
        "{frame}"
    );
    let status = run(&mut c).await;
    let OpStatus::Failed(why) = status else {
        panic!("the drain went through a budget that allows nothing: {status:?}");
    };
    assert!(why.contains(&format!("evict media/{jellyfin}")), "{why}");
    assert!(
        why.contains("refused: Cannot evict pod as it would violate the pod's disruption budget."),
        "{why}"
    );
    assert!(
        why.contains("The disruption budget jellyfin needs 2 healthy pods and has 2 currently"),
        "{why}"
    );
    // The node is cordoned; jellyfin's pod is still there and not being deleted.
    let node_kind = opsdeck_sim::kinds::kind_id("Node").expect("kind");
    let db = sim.cluster_db("media").expect("media");
    let stored = db
        .get(&(node_kind, String::new(), node.clone()))
        .expect("node");
    assert_eq!(stored["spec"]["unschedulable"], true);
    let pod_kind = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    let kept = db
        .get(&(pod_kind, "media".into(), jellyfin.clone()))
        .expect("jellyfin stays");
    assert!(kept.pointer("/metadata/deletionTimestamp").is_none());
    drop(db);
    let audit = audit_lines(&c);
    let refused = audit
        .iter()
        .find(|l| l["action"] == "pod.evict" && l["target"]["name"] == jellyfin.as_str())
        .expect("the refused eviction is audited");
    assert_eq!(refused["result"]["kind"], "refused", "{refused}");
}

#[tokio::test]
async fn a_drain_evicts_every_pod_and_their_deployments_start_them_elsewhere() {
    let sim = common::frozen_sim().await;
    // A node with pods but none of jellyfin's.
    let pods = media_pods(&sim);
    let nodes: std::collections::BTreeSet<&str> = pods.iter().map(|(_, _, n)| n.as_str()).collect();
    let node = nodes
        .into_iter()
        .filter(|n| !n.is_empty())
        .find(|n| {
            !pods
                .iter()
                .any(|(_, name, on)| on == n && name.starts_with("jellyfin-"))
        })
        .expect("a node without jellyfin")
        .to_string();
    let before: Vec<String> = pods
        .iter()
        .filter(|(_, _, n)| *n == node)
        .map(|(_, name, _)| name.clone())
        .collect();
    assert!(!before.is_empty());
    let mut c = drain_dialog(&sim, &node).await;
    let status = run(&mut c).await;
    assert!(matches!(status, OpStatus::Succeeded(_)), "{status:?}");
    let evictions = audit_lines(&c)
        .iter()
        .filter(|l| l["action"] == "pod.evict")
        .count();
    assert_eq!(evictions, before.len());
    // The pods terminate; their Deployments put new ones on the other, schedulable nodes.
    for _ in 0..6 {
        sim.controllers().tick();
        c.settle(std::time::Duration::from_millis(30)).await;
    }
    let after = media_pods(&sim);
    assert!(
        after
            .iter()
            .all(|(_, name, n)| *n != node || !before.contains(name)),
        "{after:?}"
    );
    assert!(
        !after
            .iter()
            .any(|(_, name, n)| *n == node && name.contains('-')),
        "nothing new scheduled on the cordoned node: {after:?}"
    );
    c.press(&["0"]);
    let ops = c.frame_sized(200, 40);
    assert!(line_with(&ops, "node.drain").contains("done"), "{ops}");
}
