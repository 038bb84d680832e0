//! Drift over the simulator: a MachineDeployment asked for a new Kubernetes version shows each
//! of its Machines behind it, a VM told to halt while it runs shows against its run strategy;
//! both clear when desired and actual agree again, and a drift keeps the time it was first
//! seen.

use jiff::Timestamp;
use serde_json::json;

use opsdeck::app::msg::Msg;

use crate::common::{Cockpit, all_sources, client_for, frozen_sim, merge_patch};

fn drifts(c: &Cockpit, what: &str) -> Vec<String> {
    c.state
        .drift
        .rows
        .iter()
        .filter(|d| d.what.starts_with(what))
        .map(|d| format!("{} {} → {}", d.key.name, d.desired, d.actual))
        .collect()
}

#[tokio::test]
async fn drift_rows_appear_and_clear() {
    let sim = frozen_sim().await;
    let mut c = Cockpit::start_with_sources(all_sources(&sim).await, Default::default()).await;
    c.wait_for("machines and VMs", |s| {
        s.capi.machines.len() >= 9 && s.harvester.vms.len() >= 9 && s.capi.deployments.len() >= 2
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(drifts(&c, "Kubernetes version").is_empty());
    assert!(
        drifts(&c, "run strategy").is_empty(),
        "{:?}",
        c.state.drift.rows
    );

    let mgmt = client_for(&sim, "opsdeck-management").await;
    let md = "/apis/cluster.x-k8s.io/v1beta2/namespaces/lab/machinedeployments/lab-workers";
    merge_patch(
        &mgmt,
        md,
        json!({"spec": {"template": {"spec": {"version": "v1.34.0"}}}}),
    )
    .await;
    c.wait_for("the new version", |s| {
        s.capi.deployments.iter().any(|d| d.version == "v1.34.0")
    })
    .await;
    let harvester = client_for(&sim, "opsdeck-harvester").await;
    let vm = "/apis/kubevirt.io/v1/namespaces/lab/virtualmachines/lab-cp-jz68v";
    merge_patch(&harvester, vm, json!({"spec": {"runStrategy": "Halted"}})).await;
    c.wait_for("the halted VM", |s| {
        s.harvester
            .vms
            .iter()
            .any(|v| v.key.name == "lab-cp-jz68v" && v.run_strategy == "Halted")
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    let mut versions = drifts(&c, "Kubernetes version");
    versions.sort();
    assert_eq!(
        versions,
        [
            "lab-workers-9bn5h-kphlr v1.34.0 → v1.33.2",
            "lab-workers-9bn5h-t5khw v1.34.0 → v1.33.2"
        ]
    );
    assert_eq!(
        drifts(&c, "run strategy Halted"),
        ["lab-cp-jz68v Stopped → Running"]
    );
    let first = c
        .state
        .drift
        .rows
        .iter()
        .find(|d| d.key.name == "lab-cp-jz68v")
        .and_then(|d| d.since);
    c.command("drift");
    let frame = c.frame();
    assert!(
        frame.contains("Kubernetes version") && frame.contains("v1.34.0"),
        "{frame}"
    );
    assert!(frame.contains("run strategy Halted"), "{frame}");

    // A second later it is the same drift, first seen when it was.
    c.send(Msg::Tick(
        Timestamp::now() + jiff::SignedDuration::from_secs(5),
    ));
    let again = c
        .state
        .drift
        .rows
        .iter()
        .find(|d| d.key.name == "lab-cp-jz68v")
        .and_then(|d| d.since);
    assert_eq!(first, again);

    merge_patch(
        &mgmt,
        md,
        json!({"spec": {"template": {"spec": {"version": "v1.33.2"}}}}),
    )
    .await;
    merge_patch(
        &harvester,
        vm,
        json!({"spec": {"runStrategy": "RerunOnFailure"}}),
    )
    .await;
    c.wait_for("both back", |s| {
        s.capi.deployments.iter().all(|d| d.version != "v1.34.0")
            && s.harvester
                .vms
                .iter()
                .any(|v| v.key.name == "lab-cp-jz68v" && v.run_strategy == "RerunOnFailure")
    })
    .await;
    c.send(Msg::Tick(
        Timestamp::now() + jiff::SignedDuration::from_secs(6),
    ));
    assert!(drifts(&c, "Kubernetes version").is_empty());
    assert!(drifts(&c, "run strategy").is_empty());
}

#[tokio::test]
async fn enter_on_an_apps_drift_shows_argocd_servers_diff() {
    let sim = frozen_sim().await;
    let settings = crate::common::argocd_settings(&sim);
    let mut c = Cockpit::start_with_argocd(crate::common::admin(&sim).await, settings).await;
    c.wait_for("the apps", |s| s.argo.apps.len() == 25).await;
    c.send(Msg::Tick(Timestamp::now()));
    c.command("drift");
    let rows = opsdeck::app::tables::shown(&c.state, &opsdeck::app::tables::DRIFT);
    let at = c
        .state
        .drift
        .rows
        .iter()
        .position(|d| d.key.name == "monitoring" && d.what == "Deployment monitoring/grafana")
        .expect("the grafana drift");
    let row = rows
        .iter()
        .position(|r| opsdeck::app::tables::drift_index(&r.key) == Some(at))
        .expect("its row");
    for _ in 0..row {
        c.press(&["j"]);
    }
    c.press(&["<Enter>"]);
    let frame = c.wait_for_text("(live → git)").await;
    assert!(
        frame.contains("── Deployment monitoring/grafana (live → git)"),
        "{frame}"
    );
    assert!(frame.contains("-  replicas: 3"), "{frame}");
    assert!(frame.contains("+  replicas: 2"), "{frame}");
    // Only what differs: the app's synced resources are not listed.
    assert!(!frame.contains("Service monitoring"), "{frame}");
}

#[tokio::test]
async fn an_app_behind_its_source_drifts_until_it_syncs_the_new_revision() {
    use opsdeck_sim::argo_objects::revision;
    let sim = frozen_sim().await;
    let mut c = Cockpit::start_with_sources(all_sources(&sim).await, Default::default()).await;
    c.wait_for("the apps", |s| s.argo.apps.len() > 10).await;
    c.send(Msg::Tick(Timestamp::now()));
    let short = |r: String| r.chars().take(7).collect::<String>();
    let (head, synced) = (
        short(revision("monitoring", 2)),
        short(revision("monitoring", 1)),
    );
    assert_eq!(
        drifts(&c, "revision"),
        [format!(
            "monitoring {head} (source now) → {synced} (synced)"
        )],
        "only the app whose Git moved on"
    );
    c.command("drift");
    let frame = c.frame();
    assert!(
        frame.contains("revision") && frame.contains(&head) && frame.contains(&synced),
        "{frame}"
    );

    // Synced: it applies what the source resolves to, and the drift is gone.
    assert!(sim.controllers().request_sync("monitoring", false));
    sim.controllers().tick();
    c.wait_for("the sync to start", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "monitoring" && a.operation.is_some())
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(drifts(&c, "revision").is_empty(), "not while the sync runs");
    for _ in 0..40 {
        sim.controllers().tick();
    }
    c.wait_for("the sync done", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "monitoring" && a.operation.is_none())
    })
    .await;
    c.send(Msg::Tick(Timestamp::now()));
    assert!(
        drifts(&c, "revision").is_empty(),
        "{:?}",
        c.state.drift.rows
    );
    let app = c
        .state
        .argo
        .apps
        .iter()
        .find(|a| a.key.name == "monitoring");
    assert_eq!(app.map(|a| a.synced_revision.to_string()), Some(head));
}
