//! Health for the seed systems in the kind browser: the simulated workload cluster's
//! cert-manager, Velero and Gateway API objects are judged by their rules (objects asked for
//! whole, judged on arrival, dropped), pods by their printed cells — in a HEALTH column, live.

use crate::common::{self, Cockpit, line_with};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::Simulator;

async fn on(sim: &Simulator, kind: &str) -> (Cockpit, String) {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    let frame = browse(&mut c, kind, "opsdeck-media").await;
    (c, frame)
}

/// `:<kind> @<context>` once that cluster's discovery has it, and the frame when rows came.
async fn browse(c: &mut Cockpit, kind: &str, context: &str) -> String {
    c.wait_for("discovery", |s| {
        s.catalog
            .resolve(kind)
            .is_some_and(|(_, serving)| serving.contains(context))
    })
    .await;
    c.command(&format!("{kind} @{context}"));
    c.wait_for(kind, |s| !s.browse.rows.is_empty()).await;
    c.frame_sized(220, 30)
}

#[tokio::test]
async fn certificates_show_one_expiring_and_one_that_cannot_be_issued() {
    let sim = common::frozen_sim().await;
    let (_, frame) = on(&sim, "certificates").await;
    assert!(frame.contains("HEALTH"), "{frame}");
    assert!(
        line_with(&frame, "jellyfin-tls").contains("Healthy"),
        "{frame}"
    );
    let immich = line_with(&frame, "immich-tls");
    assert!(immich.contains("Warning: expires in 9d"), "{immich}");
    let nextcloud = line_with(&frame, "nextcloud-tls");
    assert!(
        nextcloud.contains("Degraded: DoesNotExist — Issuing certificate as Secret does not exist"),
        "{nextcloud}"
    );
}

#[tokio::test]
async fn backups_and_an_overdue_schedule() {
    let sim = common::frozen_sim().await;
    let (mut c, frame) = on(&sim, "backups").await;
    assert!(
        line_with(&frame, "daily-20261129020000").contains("Degraded: Failed — rpc error"),
        "{frame}"
    );
    assert!(
        line_with(&frame, "daily-20261128020000").contains("Degraded: PartiallyFailed (3 errors)"),
        "{frame}"
    );
    c.command("schedules @opsdeck-media");
    c.wait_for("schedules", |s| !s.browse.rows.is_empty()).await;
    let frame = c.frame_sized(220, 30);
    assert!(
        line_with(&frame, "0 2 * * *").contains("Warning: last backup 3d ago (every 1d)"),
        "{frame}"
    );
}

#[tokio::test]
async fn a_route_to_a_missing_service_and_a_crash_looping_pod() {
    let sim = common::frozen_sim().await;
    let (mut c, frame) = on(&sim, "httproutes").await;
    let immich = line_with(&frame, "photos.homelab.example");
    assert!(
        immich.contains("Degraded: ResolvedRefs: BackendNotFound — Service \"immich-web\" not found (parent public)"),
        "{immich}"
    );
    c.command("pods @opsdeck-media");
    c.wait_for("pods", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name.starts_with("radarr-"))
    })
    .await;
    let frame = c.frame_sized(220, 40);
    assert!(
        line_with(&frame, "CrashLoopBackOff").contains("Degraded: CrashLoopBackOff, 7 restarts"),
        "{frame}"
    );
    assert!(
        line_with(&frame, "Init:0/1").contains("Warning: Init:0/1 for"),
        "{frame}"
    );
}

#[tokio::test]
async fn a_node_turns_to_a_warning_when_cordoned_live() {
    let sim = common::frozen_sim().await;
    let (mut c, frame) = on(&sim, "nodes").await;
    let node = c
        .state
        .browse
        .rows
        .iter()
        .next()
        .map(|r| r.key.name.to_string())
        .expect("a node");
    assert!(line_with(&frame, &node).contains("Healthy"), "{frame}");
    let kind = opsdeck_sim::kinds::kind_id("Node").expect("kind");
    sim.cluster_db("media")
        .expect("media")
        .modify(&(kind, String::new(), node.clone()), |n| {
            n["spec"]["unschedulable"] = serde_json::json!(true)
        })
        .expect("cordon");
    c.wait_for("the watch to carry it", |s| {
        s.browse.rows.iter().any(|r| {
            r.key.name == node && r.health.as_ref().is_some_and(|h| h.reason == "cordoned")
        })
    })
    .await;
    let frame = c.frame_sized(220, 30);
    assert!(
        line_with(&frame, &node).contains("Warning: cordoned"),
        "{frame}"
    );
}

#[tokio::test]
async fn the_platform_around_the_core_has_its_problems_named() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    for (kind, context, row, verdict) in [
        (
            "ipaddresspools",
            "opsdeck-media",
            "services",
            "Warning: all 6 addresses assigned",
        ),
        (
            "polr",
            "opsdeck-media",
            "cpol-require-requests",
            "Degraded: 2 fail, 0 error",
        ),
        (
            "nodeclaims",
            "opsdeck-media",
            "burst-x7k2p",
            "Degraded: Registered: NodeNotFound — Node not registered with cluster",
        ),
        (
            "bmh",
            "opsdeck-management",
            "rack2-node2",
            "Degraded: registration error — Failed to get power state for node: BMC authentication failed (401)",
        ),
        (
            "promises",
            "opsdeck-management",
            "redis",
            "Degraded: Unavailable",
        ),
        (
            "appsets",
            "opsdeck-management",
            "team-apps",
            "Degraded: ApplicationGenerationFromParamsError — failed to execute go template",
        ),
    ] {
        let frame = browse(&mut c, kind, context).await;
        assert!(line_with(&frame, row).contains(verdict), "{kind}: {frame}");
    }
}

#[tokio::test]
async fn the_expiring_certificate_renews_and_a_scheduled_backup_runs_live() {
    let sim = common::frozen_sim().await;
    let (mut c, _) = on(&sim, "certificates").await;
    let healthy = |s: &opsdeck::app::state::State| {
        s.browse.rows.iter().any(|r| {
            r.key.name == "immich" && r.health.as_ref().is_some_and(|h| h.reason.is_empty())
        })
    };
    assert!(!healthy(&c.state));
    for _ in 0..30 {
        sim.controllers().tick();
    }
    c.wait_for("cert-manager to renew it", healthy).await;
    let frame = c.frame_sized(220, 30);
    assert!(
        line_with(&frame, "immich-tls").contains("Healthy"),
        "{frame}"
    );

    let frame = browse(&mut c, "backups", "opsdeck-media").await;
    let before = c.state.browse.rows.len();
    assert_eq!(before, 3, "{frame}");
    for _ in 0..31 {
        sim.controllers().tick();
    }
    c.wait_for("the scheduled backup", |s| {
        s.browse.rows.len() == before + 1
    })
    .await;
    sim.controllers().tick();
    c.wait_for("it to finish", |s| {
        s.browse.rows.iter().all(|r| {
            r.health
                .as_ref()
                .is_some_and(|h| h.level != opsdeck::model::health::Level::Progressing)
        })
    })
    .await;
}

#[tokio::test]
async fn the_cluster_tree_follows_each_machine_to_its_providers_machine() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.wait_for("the HarvesterMachines, followed", |s| {
        s.infra.rows.len() == 9 && s.capi.machines.len() == 9
    })
    .await;
    let frame = c.frame_sized(260, 40);
    let machine = c
        .state
        .capi
        .machines
        .iter()
        .find(|m| m.phase == "Running")
        .map(|m| m.key.name.to_string())
        .expect("a running Machine");
    assert!(
        line_with(&frame, &format!("Machine/{machine}")).contains("HarvesterMachine Healthy"),
        "{frame}"
    );
    // The provider says it failed: the tree says so on that Machine's line, live.
    let kind = opsdeck_sim::kinds::kind_id("HarvesterMachine").expect("kind");
    let namespace = c
        .state
        .capi
        .machines
        .iter()
        .find(|m| m.key.name == machine)
        .map(|m| m.key.namespace.to_string())
        .expect("its namespace");
    sim.db()
        .modify(&(kind, namespace, machine.clone()), |m| {
            m["status"]["failureReason"] = serde_json::json!("UpdateError");
            m["status"]["failureMessage"] = serde_json::json!("VM disk not found");
        })
        .expect("the HarvesterMachine");
    c.wait_for("the failure", |s| {
        s.infra.rows.iter().any(|r| {
            r.key.name == machine
                && r.health
                    .as_ref()
                    .is_some_and(|h| h.reason.contains("UpdateError"))
        })
    })
    .await;
    let frame = c.frame_sized(260, 40);
    assert!(
        line_with(&frame, &format!("Machine/{machine}"))
            .contains("HarvesterMachine Degraded: UpdateError VM disk not found"),
        "{frame}"
    );
}
