//! CPU and memory in `:pods` and `:nodes` from the Metrics API, polled on the clusters that
//! run metrics-server (the simulated `media`), `n/a` on the others; nodes also as a share of
//! what they can allocate.

use crate::common::{self, Cockpit, line_with};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::metrics::MetricsSource as Source;
use opsdeck::model::source::SourceState;
use opsdeck_sim::Simulator;
use serde_json::Value;

async fn cockpit_on(sim: &Simulator, command: &str) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.wait_for("media's metrics in discovery", |s| {
        s.catalog
            .resolve("pods.metrics.k8s.io")
            .is_some_and(|(_, serving)| serving.contains("opsdeck-media"))
            && s.catalog
                .resolve("nodes")
                .is_some_and(|(_, serving)| serving.len() == 3)
    })
    .await;
    c.command(command);
    // Every cluster's list, not only media's: the tests read the management cluster's rows.
    c.wait_for("media's usage and every cluster's rows", |s| {
        let listed = s.pane_sources(&opsdeck::app::panes::BROWSE);
        let listed: Vec<_> = listed.iter().flatten().collect();
        s.browse.metrics.clusters.get("opsdeck-media") == Some(&Source::Live)
            && s.browse.target.as_ref().is_some_and(|t| {
                t.clusters.iter().all(|cluster| {
                    listed
                        .iter()
                        .any(|(c, st)| c == cluster && *st != SourceState::Loading)
                })
            })
    })
    .await;
    c
}

/// A metrics object's usage as the simulator stores it.
fn usage_of(sim: &Simulator, kind: &str, namespace: &str, name: &str) -> Value {
    let id = opsdeck_sim::kinds::kind_id(kind).expect("kind");
    let db = sim.cluster_db("media").expect("media");
    db.get(&(id, namespace.to_string(), name.to_string()))
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// `123456789n` → `123m`, worked out here rather than by the cockpit's parser.
fn millicores(nanocores: &str) -> String {
    let n: u64 = nanocores.trim_end_matches('n').parse().expect("nanocores");
    format!("{}m", n / 1_000_000)
}

#[tokio::test]
async fn pods_show_their_usage_and_clusters_without_metrics_server_say_n_a() {
    let sim = common::frozen_sim().await;
    let mut c = cockpit_on(&sim, "pods").await;
    let frame = c.frame_sized(200, 50);
    let header = frame.lines().nth(2).unwrap_or_default();
    assert!(header.contains("CPU") && header.contains("MEM"), "{header}");
    // Before AGE, as k9s shows it.
    assert!(header.find("MEM") < header.find("AGE"), "{header}");
    let immich = c
        .state
        .browse
        .rows
        .iter()
        .find(|r| r.key.namespace == "immich" && r.key.cluster == "opsdeck-media")
        .map(|r| r.key.name.clone())
        .expect("an immich pod");
    let metrics = usage_of(&sim, "PodMetrics", "immich", &immich);
    let cpu = millicores(
        metrics["containers"][0]["usage"]["cpu"]
            .as_str()
            .expect("cpu"),
    );
    let line = line_with(&frame, &immich);
    assert!(line.contains(&cpu), "{cpu} in {line}");
    assert!(line.contains("Mi"), "{line}");
    // As shares of what the pod asks for: 100m of CPU requested and no CPU limit.
    assert!(
        header.contains("%CPU/R") && header.contains("%MEM/L"),
        "{header}"
    );
    let cells: Vec<&str> = line.trim_matches('│').split_whitespace().collect();
    let at = cells.iter().position(|c| *c == cpu).expect("the CPU cell");
    let used: u64 = cpu.trim_end_matches('m').parse().expect("millicores");
    assert_eq!(cells[at + 2], used.to_string(), "{line}");
    assert_eq!(cells[at + 3], "n/a", "{line}");
    // A finished pod has no usage; the management cluster has no metrics-server.
    assert!(line_with(&frame, "etcd-backup-").contains(" - "), "{frame}");
    assert_eq!(
        c.state.browse.metrics.clusters.get("opsdeck-management"),
        Some(&Source::NotServed)
    );
}

#[tokio::test]
async fn nodes_show_usage_and_its_share_of_what_they_can_allocate() {
    let sim = common::frozen_sim().await;
    let mut c = cockpit_on(&sim, "nodes").await;
    let frame = c.frame_sized(220, 40);
    let header = frame.lines().nth(2).unwrap_or_default();
    assert!(
        header.contains("%CPU") && header.contains("%MEM"),
        "{header}"
    );
    let node = c
        .state
        .browse
        .rows
        .iter()
        .find(|r| r.key.cluster == "opsdeck-media")
        .map(|r| r.key.name.clone())
        .expect("a media node");
    let metrics = usage_of(&sim, "NodeMetrics", "", &node);
    let used: u64 = metrics["usage"]["cpu"]
        .as_str()
        .and_then(|n| n.trim_end_matches('n').parse().ok())
        .expect("cpu");
    // Allocatable is 3950m in the simulator.
    let share = (used / 1_000_000 * 100 + 3950 / 2) / 3950;
    let line = line_with(&frame, &node);
    assert!(line.contains(&millicores(&format!("{used}n"))), "{line}");
    assert!(
        line.split_whitespace().any(|w| w == share.to_string()),
        "{share}% in {line}"
    );
    let mgmt = line_with(&frame, "mgmt-1");
    assert!(mgmt.contains("n/a"), "{mgmt}");
}

#[tokio::test]
async fn the_metrics_api_lists_but_does_not_watch() {
    let sim = common::frozen_sim().await;
    let client = common::client_for(&sim, "opsdeck-media").await;
    let list = http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes")
        .body(Vec::new())
        .expect("request");
    let text = client.request_text(list).await.expect("a list");
    assert!(
        text.contains("NodeMetrics") || text.contains("usage"),
        "{text}"
    );
    let watch = http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes?watch=true")
        .body(Vec::new())
        .expect("request");
    let err = client.request_text(watch).await.expect_err("no watch");
    assert!(
        err.to_string().contains("405") || err.to_string().contains("not allow"),
        "{err}"
    );
    // And the management cluster has no metrics-server at all.
    let mgmt = common::client_for(&sim, "opsdeck-management").await;
    let list = http::Request::get("/apis/metrics.k8s.io/v1beta1/nodes")
        .body(Vec::new())
        .expect("request");
    assert!(mgmt.request_text(list).await.is_err());
}

#[tokio::test]
async fn no_usage_columns_where_no_browsed_cluster_serves_metrics() {
    let sim = common::frozen_sim().await;
    let mut c = cockpit_on(&sim, "nodes").await;
    // Only the management cluster, which runs no metrics-server: no columns of `n/a`.
    c.command("nodes @opsdeck-management");
    c.wait_for("the management cluster's nodes", |s| {
        !s.browse.rows.is_empty()
            && s.browse
                .rows
                .iter()
                .all(|r| r.key.cluster == "opsdeck-management")
    })
    .await;
    let frame = c.frame_sized(220, 40);
    let header = line_with(&frame, "NAME");
    assert!(
        !header.contains("CPU") && !header.contains("MEM"),
        "{header}"
    );
    assert!(!line_with(&frame, "mgmt-1").contains("n/a"), "{frame}");
}
