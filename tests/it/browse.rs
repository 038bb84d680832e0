//! `:<kind>` for any kind the clusters serve: resolved from discovery, listed and watched with
//! the server's Table output, live, across clusters and namespaces, and honest about RBAC.

use crate::common::{self, Cockpit, line_with};
use opsdeck::app::ids::PaneId;
use opsdeck::app::state::Screen;
use opsdeck::app::update::start_with;
use opsdeck::clients::talos::poller::TalosSetup;
use serde_json::json;

async fn all_clusters(sim: &opsdeck_sim::Simulator) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    // Discovery reports the core group first, then the rest: wait for a group every
    // cluster serves.
    c.wait_for("every cluster's discovery", |s| {
        s.catalog
            .resolve("secretstores.external-secrets.io")
            .is_some_and(|(_, clusters)| clusters.len() == 3)
    })
    .await;
    c
}

#[tokio::test]
async fn a_crd_lists_with_its_printer_columns_and_follows_the_watch() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("machines.cluster.x-k8s.io");
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::BROWSE));
    c.wait_for("nine Machines", |s| s.browse.rows.len() == 9)
        .await;
    let frame = c.frame();
    let header = line_with(&frame, "NODE NAME");
    for title in [
        "NAMESPACE",
        "NAME",
        "CLUSTER",
        "READY",
        "PHASE",
        "AGE",
        "VERSION",
    ] {
        assert!(header.contains(title), "{title} missing: {header}");
    }
    assert!(
        frame.contains("machines.cluster.x-k8s.io (9) [live]"),
        "{frame}"
    );
    assert!(
        line_with(&frame, "media-workers-").contains("v1.33.4"),
        "{frame}"
    );
    // The watch keeps the rows live: a Machine's phase changes on the server.
    let kind = opsdeck_sim::kinds::kind_id("Machine").expect("kind");
    let name = c
        .state
        .browse
        .rows
        .iter()
        .find(|r| r.key.name.starts_with("media-workers-"))
        .map(|r| r.key.name.to_string())
        .expect("a worker");
    sim.db()
        .modify(&(kind, "media".into(), name.clone()), |m| {
            m["status"]["phase"] = json!("Deleting")
        })
        .expect("patch");
    c.wait_for("the new phase", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name == name && r.cells.iter().any(|cell| cell == "Deleting"))
    })
    .await;
    assert!(line_with(&c.frame(), &name).contains("Deleting"));
}

#[tokio::test]
async fn nodes_come_from_every_cluster_with_the_server_printing() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("no");
    let expected: usize = ["management", "harvester", "media"]
        .iter()
        .map(|cluster| {
            sim.cluster_db(cluster)
                .expect("cluster")
                .list(
                    opsdeck_sim::kinds::kind_id("Node").expect("kind"),
                    None,
                    None,
                )
                .count()
        })
        .sum();
    c.wait_for("every cluster's Nodes", |s| s.browse.rows.len() == expected)
        .await;
    let frame = c.frame();
    let header = line_with(&frame, "ROLES");
    assert!(
        header.contains("CLUSTER") && header.contains("STATUS") && header.contains("VERSION"),
        "{header}"
    );
    assert!(
        !header.contains("NAMESPACE"),
        "Nodes are cluster-scoped: {header}"
    );
    assert!(
        line_with(&frame, "hv-03").contains("Ready,SchedulingDisabled"),
        "{frame}"
    );
    // ROLES from the role labels: control-plane nodes say so, workers print <none>.
    assert!(
        line_with(&frame, "media-cp-").contains("control-plane"),
        "{frame}"
    );
    assert!(
        line_with(&frame, "media-workers-").contains("<none>"),
        "{frame}"
    );
    // Esc on a root view is nothing; another pane stops the browse.
    assert!(c.state.browse.target.is_some());
}

#[tokio::test]
async fn a_namespace_narrows_and_kinds_without_columns_print_name_and_age() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("discovery", |s| {
        s.catalog.resolve("machines.cluster.x-k8s.io").is_some()
    })
    .await;
    c.command("machines.cluster.x-k8s.io media");
    c.wait_for("media's Machines", |s| s.browse.rows.len() == 6)
        .await;
    let frame = c.frame();
    assert!(
        frame.contains("machines.cluster.x-k8s.io in media (6)"),
        "{frame}"
    );
    assert!(
        !line_with(&frame, "NODE NAME").contains("NAMESPACE"),
        "{frame}"
    );

    c.command("appprojects");
    c.wait_for("projects", |s| !s.browse.rows.is_empty()).await;
    let frame = c.frame();
    let header = line_with(&frame, "AGE");
    assert_eq!(
        header
            .trim_matches('│')
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["NAMESPACE", "NAME", "AGE"]
    );

    c.command("podz");
    assert!(c.frame().contains("unknown command \"podz\""));
}

#[tokio::test]
async fn a_forbidden_kind_says_so_with_the_servers_words() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::client_for(&sim, "opsdeck-viewer").await).await;
    c.wait_for("discovery", |s| !s.catalog.is_empty()).await;
    c.command("nodes");
    let frame = c.wait_for_text("forbidden").await;
    assert!(frame.contains("cannot list resource \"nodes\""), "{frame}");
}

#[tokio::test]
async fn a_start_command_waits_for_discovery() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    // As `opsdeck -c "appprojects argocd"` does before any cluster has answered.
    assert!(start_with(&mut c.state, "appprojects argocd").is_empty());
    assert_eq!(
        c.state.pending_command.as_deref(),
        Some("appprojects argocd")
    );
    c.wait_for("the browse", |s| {
        s.screen() == &Screen::Pane(PaneId::BROWSE) && !s.browse.rows.is_empty()
    })
    .await;
    assert!(c.frame().contains("appprojects.argoproj.io in argocd"));
}

#[tokio::test]
async fn pods_show_status_readiness_and_restarts_as_kubectl_does() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("po");
    let expected = sim
        .cluster_db("media")
        .expect("media")
        .list(
            opsdeck_sim::kinds::kind_id("Pod").expect("kind"),
            None,
            None,
        )
        .count();
    assert!(expected > 10, "the workload cluster has pods");
    c.wait_for("media's pods", |s| s.browse.rows.len() == expected)
        .await;
    let frame = c.frame_sized(200, 60);
    let header = line_with(&frame, "RESTARTS");
    for title in ["NAMESPACE", "NAME", "READY", "STATUS", "AGE"] {
        assert!(header.contains(title), "{title}: {header}");
    }
    let crashing = line_with(&frame, "CrashLoopBackOff");
    assert!(
        crashing.contains("0/1") && crashing.contains("7 (") && crashing.contains("s ago)"),
        "{crashing}"
    );
    // The last restart's time ages with the clock, as AGE does: the server said how long ago
    // when it printed the row, and an hour later it is an hour longer ago.
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))
        .expect("time");
    c.send(opsdeck::app::msg::Msg::Tick(later));
    let frame = c.frame_sized(200, 60);
    let crashing = line_with(&frame, "CrashLoopBackOff");
    assert!(crashing.contains("7 (61m ago)"), "{crashing}");
    assert!(frame.contains("Init:0/1"), "{frame}");
    assert!(
        line_with(&frame, "etcd-backup").contains("Completed"),
        "{frame}"
    );
}

#[tokio::test]
async fn events_of_a_crash_looping_pod_newest_first_warnings_marked() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("events");
    c.wait_for("the events", |s| s.browse.rows.len() > 10).await;
    let frame = c.frame_sized(220, 60);
    let header = line_with(&frame, "LAST SEEN");
    assert!(header.contains("LAST SEEN↑"), "newest first: {header}");
    assert!(
        frame.contains("BackOff") && frame.contains("Warning"),
        "{frame}"
    );

    // `e` on a crash-looping pod: that pod's events only.
    c.command("pods");
    c.wait_for("pods", |s| s.browse.rows.len() > 10).await;
    c.press(&["/"]);
    c.type_text("CrashLoop");
    c.press(&["<Enter>"]);
    let pod = opsdeck::app::tables::selected(&c.state, &opsdeck::app::tables::BROWSE)
        .expect("a crash-looping pod");
    c.press(&["e"]);
    c.wait_for("its events", |s| s.browse.rows.len() == 3).await;
    let frame = c.frame_sized(220, 40);
    assert!(
        frame.contains(&format!("events for Pod {} in {}", pod.name, pod.namespace)),
        "{frame}"
    );
    let lines: Vec<&str> = frame
        .lines()
        .filter(|l| l.contains(&format!("pod/{}", pod.name)))
        .collect();
    assert_eq!(lines.len(), 3, "{frame}");
    // Newest first: the back-off (20 s ago) before the pull and the scheduling (hours ago).
    assert!(
        lines[0].contains("BackOff") && lines[0].contains("Warning"),
        "{frame}"
    );
    assert!(lines[2].contains("Scheduled"), "{frame}");
}

#[tokio::test]
async fn a_context_narrows_the_browse_and_an_unknown_one_is_named() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("nodes @opsdeck-media");
    c.wait_for("media's nodes", |s| !s.browse.rows.is_empty())
        .await;
    c.settle(std::time::Duration::from_millis(300)).await;
    assert!(
        c.state
            .browse
            .rows
            .iter()
            .all(|r| r.key.cluster == "opsdeck-media"),
        "only the pinned context"
    );
    assert_eq!(
        c.state.browse.target.as_ref().map(|t| t.clusters.clone()),
        Some(vec!["opsdeck-media".to_string()])
    );
    // Namespace and context in either order.
    c.command("pods @opsdeck-media immich");
    c.wait_for("immich's pods", |s| !s.browse.rows.is_empty())
        .await;
    assert!(
        c.state
            .browse
            .rows
            .iter()
            .all(|r| r.key.namespace == "immich" && r.key.cluster == "opsdeck-media")
    );
    c.command("nodes @nope");
    assert_eq!(
        c.state.notice.as_deref(),
        Some(
            "nope does not serve nodes (served by opsdeck-harvester, opsdeck-management, opsdeck-media)"
        )
    );
}

#[tokio::test]
async fn a_start_command_with_a_context_waits_for_that_clusters_discovery() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    // Other clusters serve pods too and may answer first: the command waits for media's.
    assert!(start_with(&mut c.state, "pods @opsdeck-media immich").is_empty());
    c.wait_for("media's immich pods", |s| {
        s.screen() == &Screen::Pane(PaneId::BROWSE) && !s.browse.rows.is_empty()
    })
    .await;
    assert_eq!(c.state.notice, None);
    let target = c.state.browse.target.clone().expect("a browse");
    assert_eq!(target.clusters, ["opsdeck-media"]);
    assert_eq!(target.namespace.as_deref(), Some("immich"));
}

#[tokio::test]
async fn enter_on_a_namespace_or_a_node_opens_its_pods() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("ns @opsdeck-media");
    c.wait_for("namespaces", |s| {
        s.browse.rows.iter().any(|r| r.key.name == "immich")
    })
    .await;
    c.press(&["/"]);
    c.type_text("immich");
    c.press(&["<Enter>", "<Enter>"]);
    c.wait_for("immich's pods", |s| {
        s.browse
            .target
            .as_ref()
            .is_some_and(|t| t.kind.kind == "Pod")
            && !s.browse.rows.is_empty()
    })
    .await;
    assert!(
        c.state
            .browse
            .rows
            .iter()
            .all(|r| r.key.namespace == "immich")
    );
    assert!(c.frame().contains("pods in immich"), "{}", c.frame());

    // A node: the pods the server says run on it.
    let pod = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    let on_node = |node: &str| {
        let db = sim.cluster_db("media").expect("media");
        db.list(pod, None, None)
            .filter(|p| p["spec"]["nodeName"] == node)
            .count()
    };
    c.command("nodes @opsdeck-media");
    c.wait_for("nodes", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name.starts_with("media-workers-"))
    })
    .await;
    c.press(&["/"]);
    c.type_text("media-workers");
    c.press(&["<Enter>"]);
    let node = opsdeck::app::tables::selected(&c.state, &opsdeck::app::tables::BROWSE)
        .expect("a node")
        .name;
    c.press(&["<Enter>"]);
    let want = on_node(&node);
    assert!(want > 0);
    c.wait_for("the node's pods", |s| {
        s.browse
            .target
            .as_ref()
            .is_some_and(|t| t.kind.kind == "Pod")
            && s.browse.rows.len() == want
    })
    .await;
    assert!(
        c.frame().contains(&format!("pods on node {node}")),
        "{}",
        c.frame()
    );
}

#[tokio::test]
async fn n_narrows_the_kind_to_a_namespace_with_completion_and_back_to_all() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("pods @opsdeck-media");
    c.wait_for("pods", |s| {
        s.browse.rows.iter().any(|r| r.key.namespace == "nextcloud")
    })
    .await;
    c.press(&["n"]);
    c.type_text("nextc");
    c.press(&["<Tab>"]);
    assert!(c.frame().contains("namespace: nextcloud"), "{}", c.frame());
    c.press(&["<Enter>"]);
    c.wait_for("nextcloud's pods", |s| {
        s.browse
            .target
            .as_ref()
            .is_some_and(|t| t.namespace.as_deref() == Some("nextcloud"))
            && !s.browse.rows.is_empty()
    })
    .await;
    assert!(
        c.state
            .browse
            .rows
            .iter()
            .all(|r| r.key.namespace == "nextcloud")
    );
    // Still on the one cluster it was pinned to; an empty answer is every namespace again.
    assert_eq!(
        c.state.browse.target.as_ref().map(|t| t.clusters.clone()),
        Some(vec!["opsdeck-media".to_string()])
    );
    c.press(&["n"]);
    for _ in 0.."nextcloud".len() {
        c.press(&["<Backspace>"]);
    }
    c.press(&["<Enter>"]);
    c.wait_for("every namespace", |s| {
        s.browse.rows.iter().any(|r| r.key.namespace == "immich")
    })
    .await;
    // Cluster-scoped kinds have no namespace to pick.
    c.command("nodes @opsdeck-media");
    c.press(&["n"]);
    assert!(c.state.prompt.is_none());
    assert_eq!(
        c.state.notice.as_deref(),
        Some("nodes are not in namespaces")
    );
}

#[tokio::test]
async fn services_and_config_maps_print_as_kubectl_prints_them() {
    let sim = common::frozen_sim().await;
    let mut c = all_clusters(&sim).await;
    c.command("svc @opsdeck-media");
    c.wait_for("services", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name == "cilium-gateway-public")
    })
    .await;
    let frame = c.frame_sized(200, 40);
    let header = line_with(&frame, "CLUSTER-IP");
    for title in ["TYPE", "EXTERNAL-IP", "PORT(S)", "AGE"] {
        assert!(header.contains(title), "{title}: {header}");
    }
    let lb = line_with(&frame, "cilium-gateway-public");
    assert!(
        lb.contains("LoadBalancer") && lb.contains("10.20.100.50") && lb.contains("443:31443/TCP"),
        "{lb}"
    );
    let jellyfin = line_with(&frame, " jellyfin ");
    assert!(
        jellyfin.contains("ClusterIP")
            && jellyfin.contains("<none>")
            && jellyfin.contains("80/TCP"),
        "{jellyfin}"
    );
    c.command("cm @opsdeck-media");
    c.wait_for("config maps", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name == "jellyfin-config")
    })
    .await;
    let frame = c.frame_sized(200, 40);
    let line = line_with(&frame, "jellyfin-config");
    assert!(line.split_whitespace().any(|w| w == "3"), "{line}");
}
