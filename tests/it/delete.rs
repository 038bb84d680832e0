//! `Ctrl-d` in the kind browser: any object, deleted through the same confirm dialog, permission
//! check, read-only refusal and audit line as every other action.

use crate::common::{self, Cockpit, audit_lines, line_with};
use opsdeck::app::tables;
use opsdeck::clients::talos::poller::TalosSetup;

#[tokio::test]
async fn delete_a_crash_looping_pod_after_confirming_the_exact_request() {
    let sim = common::frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "CrashLoop").await;
    let pod_kind = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    let sim_key = (pod_kind, pod.namespace.to_string(), pod.name.to_string());
    // The cockpit names a cluster by its context, `opsdeck-<cluster>`.
    let cluster = pod.cluster.trim_start_matches("opsdeck-").to_string();
    assert!(
        sim.cluster_db(&cluster)
            .expect("cluster")
            .get(&sim_key)
            .is_some()
    );

    c.press(&["<C-d>"]);
    common::wait_allowed(&mut c).await;
    let frame = c.frame_sized(160, 50);
    let path = format!("/api/v1/namespaces/{}/pods/{}", pod.namespace, pod.name);
    assert!(
        frame.contains(&format!("Delete Pod {} in {}", pod.name, pod.namespace)),
        "{frame}"
    );
    assert!(frame.contains(&format!("DELETE {path}")), "{frame}");
    assert!(
        frame.contains("\"propagationPolicy\": \"Background\""),
        "{frame}"
    );
    // Nothing is sent before Enter.
    assert!(
        sim.cluster_db(&cluster)
            .expect("cluster")
            .get(&sim_key)
            .is_some()
    );

    common::confirm(&mut c).await;
    c.wait_for("the pod gone from the list", |s| {
        s.browse.rows.get(&pod).is_none()
    })
    .await;
    assert!(
        sim.cluster_db(&cluster)
            .expect("cluster")
            .get(&sim_key)
            .is_none()
    );
    let audit = audit_lines(&c);
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["action"], "kubernetes.delete", "{:?}", audit[0]);
    assert_eq!(audit[0]["request"]["method"], "DELETE", "{:?}", audit[0]);
    assert_eq!(audit[0]["request"]["path"], path.as_str(), "{:?}", audit[0]);

    // The operations pane follows the object while its kind is browsed.
    c.press(&["0"]);
    let ops = c.frame_sized(200, 40);
    assert!(
        line_with(&ops, "kubernetes.delete").contains("gone"),
        "{ops}"
    );
}

#[tokio::test]
async fn delete_is_refused_read_only_and_disabled_without_the_verb() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::client_for(&sim, "opsdeck-viewer").await).await;
    c.wait_for("discovery", |s| {
        s.catalog.resolve("machines.cluster.x-k8s.io").is_some()
    })
    .await;
    c.command("machines.cluster.x-k8s.io");
    c.wait_for("machines", |s| !s.browse.rows.is_empty()).await;
    c.press(&["<C-d>"]);
    common::wait_denied(&mut c).await;
    let frame = c.frame_sized(160, 50);
    assert!(
        frame.contains("your token may not delete machines in cluster.x-k8s.io"),
        "{frame}"
    );
    c.press(&["<Enter>"]);
    assert!(c.state.actions.operations.is_empty(), "nothing sent");
    c.press(&["<Esc>"]);

    c.state.readonly = true;
    c.press(&["<C-d>"]);
    assert!(c.state.actions.dialog.is_none());
    assert_eq!(
        c.state.notice.as_deref(),
        Some("read-only mode: actions are disabled")
    );
    // Outside the browser the key deletes nothing, whatever the row.
    c.state.readonly = false;
    c.press(&["2", "<C-d>"]);
    assert!(c.state.actions.dialog.is_none());
    assert!(audit_lines(&c).is_empty());
}

#[tokio::test]
async fn cordon_and_uncordon_a_node_and_see_the_servers_status_follow() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("nodes").is_some())
        .await;
    // Not on pods: the key says what it is for.
    c.command("pods");
    c.wait_for("pods", |s| !s.browse.rows.is_empty()).await;
    // The footer offers what works on pods.
    let frame = c.frame_sized(160, 30);
    let footer = common::footer(&frame);
    assert!(
        footer.contains("l logs") && footer.contains("<C-d> delete"),
        "{footer}"
    );
    assert!(!footer.contains("cordon"), "{footer}");
    c.press(&["C"]);
    assert!(c.state.actions.dialog.is_none());
    assert_eq!(
        c.state.notice.as_deref(),
        Some("cordon and uncordon are for nodes (:nodes)")
    );

    c.command("nodes");
    c.wait_for("media's nodes", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.cluster == "opsdeck-media")
    })
    .await;
    let frame = c.frame_sized(160, 30);
    let footer = common::footer(&frame);
    assert!(
        footer.contains("C cordon") && footer.contains("U uncordon"),
        "{footer}"
    );
    assert!(!footer.contains("logs"), "{footer}");
    c.press(&["/"]);
    c.type_text("media-workers");
    c.press(&["<Enter>"]);
    let node = tables::selected(&c.state, &tables::BROWSE).expect("a node");
    assert_eq!(node.cluster, "opsdeck-media");
    c.press(&["C"]);
    common::wait_allowed(&mut c).await;
    let frame = c.frame_sized(160, 50);
    assert!(
        frame.contains(&format!("PATCH /api/v1/nodes/{}", node.name)),
        "{frame}"
    );
    assert!(frame.contains("\"unschedulable\": true"), "{frame}");
    common::confirm(&mut c).await;
    let disabled = |s: &opsdeck::app::state::State| {
        s.browse.rows.get(&node).is_some_and(|r| {
            r.cells
                .iter()
                .any(|cell| cell.contains("SchedulingDisabled"))
        })
    };
    c.wait_for("SchedulingDisabled", disabled).await;
    c.press(&["0"]);
    let ops = c.frame_sized(200, 40);
    let line = line_with(&ops, "node.cordon");
    assert!(line.contains(&format!("Node {} ", node.name)), "{line}");
    assert!(
        line.contains("Ready,SchedulingDisabled"),
        "follows the node: {line}"
    );
    c.command("nodes");
    c.wait_for("nodes again", |s| s.browse.rows.get(&node).is_some())
        .await;
    c.press(&["/"]);
    c.type_text(&node.name);
    c.press(&["<Enter>"]);
    c.press(&["U"]);
    common::confirm(&mut c).await;
    c.wait_for("schedulable again", |s| {
        s.browse.rows.get(&node).is_some() && !disabled(s)
    })
    .await;
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .map(|l| l["action"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(actions, ["node.cordon", "node.uncordon"]);
}
