//! End to end: the simulator, the real watches, `update`, and rendered frames.

use crate::common;

use crate::common::{Cockpit, line_with, row};
use opsdeck::model::source::SourceState;
use opsdeck_sim::scenario::Scenario;
use opsdeck_sim::{SimOptions, Simulator};

#[tokio::test]
async fn cluster_tree_shows_clusters_control_planes_deployments_and_machines() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("CAPI stores live", |s| {
        s.capi.clusters.state().is_healthy()
            && s.capi.machines.len() == 9
            && s.capi.deployments.len() == 2
            && s.capi.control_planes.len() == 2
    })
    .await;
    let frame = c.frame();
    assert!(frame.contains("Clusters (2) [live]"), "{frame}");
    let media = line_with(&frame, "Cluster/media");
    assert!(
        media.contains("6/6") && media.contains("False") && media.contains("NotAvailable"),
        "{media}"
    );
    let cp = line_with(&frame, "ControlPlane/media-cp");
    assert!(cp.contains("3/3") && cp.contains("v1.33.4"), "{cp}");
    let md = line_with(&frame, "MachineDeployment/media-workers");
    assert!(md.contains("3/3") && md.contains("ScalingUp"), "{md}");
    let provisioning = line_with(&frame, "Provisioning");
    assert!(
        provisioning.contains("Machine/media-workers-"),
        "{provisioning}"
    );
    let running = line_with(&frame, "Machine/lab-cp-");
    assert!(running.contains("Running"), "{running}");
    // A wider terminal also has room for the provider ID.
    let wide = c.frame_sized(260, 40);
    assert!(
        line_with(&wide, "Machine/lab-cp-").contains("harvester://"),
        "{wide}"
    );
    // Machines sit under their owner: the lab control-plane machine follows its control plane.
    let lines: Vec<&str> = frame.lines().collect();
    let cp_at = lines
        .iter()
        .position(|l| l.contains("ControlPlane/lab-cp"))
        .expect("cp line");
    assert!(
        lines[cp_at + 1].contains("Machine/lab-cp-"),
        "{}",
        lines[cp_at + 1]
    );

    // The filter keeps matching nodes with their ancestors.
    c.press(&["/"]);
    c.type_text("lab-workers");
    c.press(&["<Enter>"]);
    let filtered = c.frame();
    assert!(
        filtered.contains("Cluster/lab") && filtered.contains("MachineDeployment/lab-workers"),
        "{filtered}"
    );
    assert!(!filtered.contains("Cluster/media"), "{filtered}");
    c.press(&["<Esc>"]);
    assert!(c.frame().contains("Cluster/media"));
}

#[tokio::test]
async fn provisioning_machine_goes_running_in_the_tree() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    // The Machines, and every other watch the tree is built from (a Machine shows under its
    // MachineDeployment).
    c.wait_for("machines in the tree", |s| {
        s.capi.machines.len() == 9 && common::pane_settled(s, &opsdeck::app::panes::CLUSTERS)
    })
    .await;
    let frame = c.frame();
    assert!(frame.contains("Provisioning"), "{frame}");
    for _ in 0..8 {
        sim.controllers().tick();
    }
    c.wait_for("every machine running", |s| {
        s.capi.machines.iter().all(|m| m.phase == "Running")
    })
    .await;
    c.wait_for("workers ready", |s| {
        s.capi
            .deployments
            .iter()
            .all(|d| d.replicas.ready == d.replicas.desired)
    })
    .await;
    let frame = c.frame();
    assert!(!frame.contains("Provisioning"), "{frame}");
    let md = line_with(&frame, "MachineDeployment/media-workers");
    assert!(md.contains("Running"), "{md}");
}

#[tokio::test]
async fn apps_table_and_drift_shows_out_of_sync() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&[":"]);
    c.type_text("app");
    c.press(&["<Tab>", "<Enter>"]);
    c.wait_for("apps live", |s| s.argo.apps.len() == 25).await;
    let frame = c.frame();
    assert!(frame.contains("Applications (25) [live]"), "{frame}");
    let jelly = row(&frame, "jellyfin");
    assert!(
        jelly.contains("media") && jelly.contains("Synced") && jelly.contains("Healthy"),
        "{jelly}"
    );
    assert!(jelly.contains("media/media"), "destination: {jelly}");
    assert!(row(&frame, "radarr").contains("Degraded"));
    assert!(row(&frame, "monitoring").contains("OutOfSync (2)"));

    // Someone edits a live object: the simulator marks the app OutOfSync; the frame shows it.
    assert!(sim.controllers().drift("jellyfin"));
    c.wait_for("jellyfin drifted", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "jellyfin" && a.sync == "OutOfSync")
    })
    .await;
    let frame = c.frame();
    let jelly = row(&frame, "jellyfin");
    assert!(jelly.contains("OutOfSync (1)"), "{jelly}");

    // `!` inverts the filter.
    c.press(&["/"]);
    c.type_text("!media");
    c.press(&["<Enter>"]);
    let frame = c.frame();
    assert!(
        !frame.contains("jellyfin") && frame.contains("gitea"),
        "{frame}"
    );
}

#[tokio::test]
async fn sync_wave_view_walks_an_operation() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&["2"]);
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    c.press(&["/"]);
    c.type_text("immich");
    c.press(&["<Enter>", "<Enter>"]);
    let frame = c.wait_for_text("Wave 5").await;
    assert!(frame.contains("Sync waves — immich"), "{frame}");
    let order: Vec<usize> = [
        "PreSync hooks",
        "Wave -2",
        "Wave -1",
        "Wave 0",
        "Wave 1",
        "Wave 2",
        "Wave 4",
        "Wave 5",
        "PostSync hooks",
    ]
    .iter()
    .map(|w| {
        frame
            .find(w)
            .unwrap_or_else(|| panic!("{w} missing:\n{frame}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|p| p[0] < p[1]),
        "waves out of order:\n{frame}"
    );
    assert!(
        line_with(&frame, "immich-db-migrate").contains("PreSync Succeeded"),
        "{frame}"
    );

    // Start a sync and step the controller: the view shows which wave is running.
    {
        let mut ctl = sim.controllers();
        assert!(ctl.request_sync("immich", false));
        for _ in 0..4 {
            ctl.tick();
        }
    }
    let frame = c
        .wait_for_text("waiting for healthy state of /Namespace/immich")
        .await;
    assert!(
        line_with(&frame, "Operation").contains("Running"),
        "{frame}"
    );
    assert!(frame.contains("running wave -2"), "{frame}");
    assert!(
        line_with(&frame, "PreSync hooks").contains("Done"),
        "{frame}"
    );
    // The PostSync hook has not run in this operation yet, but stays in its phase.
    assert!(
        line_with(&frame, "immich-smoke-test").contains("PostSync pending"),
        "{frame}"
    );
    assert!(line_with(&frame, "Wave 5").contains("Pending"), "{frame}");
    for _ in 0..30 {
        sim.controllers().tick();
    }
    let frame = c.wait_for_text("last operation Succeeded").await;
    assert!(!frame.contains("Running"), "{frame}");

    // Esc leaves the view and stops its watch.
    c.press(&["<Esc>"]);
    assert!(c.frame().contains("Applications"));
}

#[tokio::test]
async fn a_failing_post_sync_hook_blocks_its_wave() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&["2"]);
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    c.press(&["/"]);
    c.type_text("paperless");
    c.press(&["<Enter>", "<Enter>"]);
    let frame = c.wait_for_text("blocked in PostSync hooks").await;
    assert!(
        line_with(&frame, "paperless-index-check").contains("PostSync Failed"),
        "{frame}"
    );
    assert!(
        line_with(&frame, "PostSync hooks · wave 0").contains("Blocked"),
        "{frame}"
    );
}

#[tokio::test]
async fn forbidden_kind_is_shown_in_its_pane_and_others_stay_live() {
    let (_sim, mut c) = common::capi_reader().await;
    c.wait_for("apps forbidden", |s| {
        matches!(s.argo.apps.state(), SourceState::Forbidden(_))
    })
    .await;
    // The tree is live once all four of its watches are, not only the two counted here.
    c.wait_for("clusters live", |s| {
        s.capi.machines.len() == 9 && common::pane_settled(s, &opsdeck::app::panes::CLUSTERS)
    })
    .await;
    c.press(&["2"]);
    let frame = c.frame();
    assert!(frame.contains("Applications (0) [forbidden]"), "{frame}");
    assert!(
        frame.contains("cannot list resource \"applications\""),
        "{frame}"
    );
    c.press(&["1"]);
    assert!(c.frame().contains("Clusters (2) [live]"));
}

#[tokio::test]
async fn unreachable_server_is_an_error_in_the_pane_not_a_panic() {
    let mut sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    sim.stop();
    let mut c = Cockpit::start(client).await;
    c.wait_for("clusters error", |s| {
        matches!(s.capi.clusters.state(), SourceState::Error(_))
    })
    .await;
    let frame = c.frame();
    assert!(frame.contains("Clusters (0) [error]"), "{frame}");
}

#[tokio::test]
async fn escape_sequences_from_the_server_are_not_drawn() {
    let sim = common::frozen_sim().await;
    {
        let kind = opsdeck_sim::kinds::kind_id("Application").expect("kind");
        let key = (kind, "argocd".to_string(), "gitea".to_string());
        sim.db()
            .modify(&key, |o| {
                o["spec"]["project"] = serde_json::json!("ev\u{1b}]0;pwned\u{7}il\u{1b}[2J")
            })
            .expect("write");
    }
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.press(&["2"]);
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    let frame = c.frame();
    let gitea = line_with(&frame, "gitea");
    assert!(
        gitea.contains("evil") && !gitea.contains('\u{1b}') && !frame.contains("pwned"),
        "{gitea}"
    );
}

#[tokio::test]
async fn a_missing_crd_says_not_installed_and_the_rest_works() {
    let sim = Simulator::start(
        Scenario::default_homelab(),
        SimOptions {
            tick: None,
            hidden_groups: vec!["argoproj.io".into()],
            ..SimOptions::default()
        },
    )
    .await
    .expect("sim");
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("apps not installed", |s| {
        s.argo.apps.state() == SourceState::NotInstalled
    })
    .await;
    c.wait_for("clusters live", |s| s.capi.clusters.state().is_healthy())
        .await;
    c.press(&["2"]);
    let frame = c.frame();
    assert!(
        frame.contains("Applications (0) [not installed]"),
        "{frame}"
    );
    assert!(frame.contains("CRD missing"), "{frame}");
}

#[tokio::test]
async fn a_server_that_goes_away_leaves_stale_rows_not_an_empty_pane() {
    let mut sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("machines live", |s| {
        s.capi.machines.state().is_healthy() && s.capi.machines.len() == 9
    })
    .await;
    sim.stop();
    c.wait_for("machines stale", |s| {
        matches!(s.capi.machines.state(), SourceState::Stale { .. })
    })
    .await;
    c.wait_for("clusters stale", |s| {
        matches!(s.capi.clusters.state(), SourceState::Stale { .. })
    })
    .await;
    let frame = c.frame();
    assert!(frame.contains("[stale"), "{frame}");
    assert!(
        frame.contains("Machine/media-cp-"),
        "rows are kept while stale:\n{frame}"
    );
}

#[tokio::test]
async fn the_tree_says_loading_until_every_watch_feeding_it_is_live() {
    // The tree is fed by four watches (Clusters, control planes, MachineDeployments,
    // Machines); one of them live while another is still waiting must not read as live.
    let sim = common::frozen_sim().await;
    sim.slow_answers(
        opsdeck_sim::MANAGEMENT,
        std::time::Duration::from_millis(1500),
    );
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    let feeds = |s: &opsdeck::app::state::State| s.pane_sources(&opsdeck::app::panes::CLUSTERS);
    c.wait_for("every watch of the tree to say where it is", |s| {
        let feeds = feeds(s);
        feeds.len() == 4 && feeds.iter().all(|f| !f.is_empty())
    })
    .await;
    for sources in feeds(&c.state) {
        assert!(
            sources.iter().all(|(_, st)| *st == SourceState::Loading),
            "a watch said {sources:?} before its server answered"
        );
    }
    assert!(c.frame().contains("Clusters (0) [loading]"));
    sim.slow_answers(opsdeck_sim::MANAGEMENT, std::time::Duration::ZERO);
    c.wait_for("the tree live", |s| {
        feeds(s)
            .iter()
            .all(|f| !f.is_empty() && f.iter().all(|(_, st)| st.is_healthy()))
    })
    .await;
    assert!(c.frame().contains("Clusters (2) [live]"));
}
