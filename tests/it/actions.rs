//! Actions end to end through the real client: the dialog shows the request, nothing is sent
//! before Enter, the request sent is the preview, the effect shows in a frame, one audit line is
//! written; read-only refuses; a forbidden token sees the action disabled; an error is reported
//! and a retry works.

use crate::common;

use crate::common::{Cockpit, audit_lines, confirm, row};
use opsdeck::app::domains::OpStatus;
use opsdeck::app::tables;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::tree::NodeId;

async fn apps_cockpit(sim: &opsdeck_sim::Simulator, filter: &str) -> Cockpit {
    let mut c = Cockpit::start(common::admin(sim).await).await;
    c.open_apps(filter).await;
    c
}

#[tokio::test]
async fn sync_an_out_of_sync_app_and_watch_it_turn_synced() {
    let sim = common::frozen_sim().await;
    let mut c = apps_cockpit(&sim, "zigbee2mqtt").await;
    assert!(row(&c.frame(), "zigbee2mqtt").contains("OutOfSync"));
    c.press(&["s"]);
    let frame = c.frame();
    assert!(frame.contains("Sync application zigbee2mqtt?"), "{frame}");
    assert!(
        frame.contains(
            "PATCH /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/zigbee2mqtt"
        ),
        "{frame}"
    );
    assert!(frame.contains("\"operation\""), "{frame}");
    common::wait_allowed(&mut c).await;
    assert!(c.frame().contains("allowed by RBAC"));
    // Nothing was sent yet.
    assert!(
        sim.db()
            .get(&app_key("zigbee2mqtt"))
            .is_some_and(|a| a.get("operation").is_none())
    );
    let plan = c
        .state
        .actions
        .dialog
        .as_ref()
        .and_then(|d| d.plan.as_request())
        .expect("a dialog with one request")
        .clone();
    c.press(&["<Enter>"]);
    c.wait_for("sent", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Succeeded(_)))
    })
    .await;

    // The server holds exactly the previewed operation.
    let stored = sim.db().get(&app_key("zigbee2mqtt")).expect("app").clone();
    assert_eq!(stored["operation"], plan.body["operation"]);
    // The controller runs it; the row turns Synced.
    c.sync_runs_to_synced(&sim, "zigbee2mqtt").await;

    let lines = audit_lines(&c);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"], "argocd.sync");
    assert_eq!(lines[0]["context"], "test");
    assert_eq!(lines[0]["request"]["body"], plan.body);
    assert!(lines[0]["result"]["ok"].is_string());
    assert!(
        !std::fs::read_to_string(&c.audit)
            .expect("audit")
            .contains(&sim.admin_token),
        "no token in the audit log"
    );

    c.press(&["0"]);
    assert!(c.frame().contains("argocd.sync"));
}

fn app_key(name: &str) -> opsdeck_sim::db::ObjKey {
    let kind = opsdeck_sim::kinds::kind_id("Application").expect("kind");
    (kind, "argocd".to_string(), name.to_string())
}

#[tokio::test]
async fn esc_cancels_and_nothing_is_sent() {
    let sim = common::frozen_sim().await;
    let mut c = apps_cockpit(&sim, "gitea").await;
    let rv = sim.db().get(&app_key("gitea")).expect("app")["metadata"]["resourceVersion"].clone();
    c.press(&["R"]);
    assert!(c.frame().contains("Refresh (hard) application gitea?"));
    c.press(&["<Esc>"]);
    assert!(c.state.actions.dialog.is_none() && c.state.actions.operations.is_empty());
    assert_eq!(
        sim.db().get(&app_key("gitea")).expect("app")["metadata"]["resourceVersion"],
        rv
    );
    assert!(audit_lines(&c).is_empty());
}

#[tokio::test]
async fn readonly_refuses_every_action() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    // Ready first: every pane has rows, so a refused key is refused by read-only, not by an
    // empty selection.
    c.wait_for("every pane's rows", |s| {
        s.argo.apps.len() == 25
            && s.capi.deployments.len() == 2
            && !s.harvester.vms.is_empty()
            && !s.metal.hardware.is_empty()
            && !s.metal.bmcs.is_empty()
            && !s.eso.external_secrets.is_empty()
    })
    .await;
    c.press(&["2", "s"]);
    assert!(
        c.state.actions.dialog.is_some(),
        "writable: the dialog opens"
    );
    c.press(&["<Esc>"]);
    c.state.readonly = true;
    c.press(&["s"]);
    assert!(c.state.actions.dialog.is_none());
    assert!(c.frame().contains("read-only mode: actions are disabled"));
    // Every mutating key of every pane: no prompt, no dialog, nothing sent.
    for (pane, keys) in [
        ("2", &["s", "r", "R", "T"][..]),
        ("1", &["S", "U"]),
        ("3", &["u", "U"]),
        ("4", &["f"]),
        ("5", &["s", "x", "R", "m"]),
        ("6", &["o", "x", "c"]),
    ] {
        c.press(&[pane]);
        for key in keys {
            c.state.notice = None;
            c.press(&[key]);
            assert!(
                c.state.actions.dialog.is_none() && c.state.prompt.is_none(),
                "{pane} {key}"
            );
            assert_eq!(
                c.state.notice.as_deref(),
                Some("read-only mode: actions are disabled"),
                "{pane} {key}"
            );
        }
    }
    assert!(c.state.actions.operations.is_empty() && audit_lines(&c).is_empty());
}

#[tokio::test]
async fn a_forbidden_token_sees_the_action_disabled() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::client_for(&sim, "opsdeck-viewer").await).await;
    c.press(&["2"]);
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    c.press(&["r"]);
    common::wait_denied(&mut c).await;
    let frame = c.frame();
    assert!(
        frame.contains("not allowed: your token may not patch applications in argoproj.io"),
        "{frame}"
    );
    assert!(frame.contains("Enter (disabled)"), "{frame}");
    c.press(&["<Enter>"]);
    assert!(c.state.actions.operations.is_empty(), "nothing sent");
}

#[tokio::test]
async fn an_error_is_reported_and_a_retry_works() {
    let sim = common::frozen_sim().await;
    let mut c = apps_cockpit(&sim, "immich").await;
    // A sync while one runs is refused before anything is sent.
    assert!(sim.controllers().request_sync("immich", true));
    sim.controllers().tick();
    c.wait_for("running", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "immich" && a.operation.is_some())
    })
    .await;
    c.press(&["s"]);
    assert!(
        c.frame()
            .contains("another operation is already in progress")
    );

    // The object vanishes between the dialog and Enter: a clear 404, state intact.
    c.press(&["r"]);
    let saved = sim.db().delete(&app_key("immich")).expect("delete");
    c.press(&["<Enter>"]);
    c.wait_for("failed", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Failed(_)))
    })
    .await;
    let frame = c.frame();
    assert!(
        frame.contains("failed: not found: applications.argoproj.io \"immich\" not found")
            && frame.contains("retry"),
        "{frame}"
    );
    let kind = opsdeck_sim::kinds::kind_id("Application").expect("kind");
    sim.db().create(kind, saved).expect("restore");
    c.wait_for("back", |s| {
        s.argo.apps.iter().any(|a| a.key.name == "immich")
    })
    .await;
    c.press(&["r", "<Enter>"]);
    c.wait_for("retried", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Succeeded(_)))
    })
    .await;
    let stored = sim.db().get(&app_key("immich")).expect("app").clone();
    assert_eq!(
        stored["metadata"]["annotations"]["argocd.argoproj.io/refresh"],
        "normal"
    );
    assert_eq!(audit_lines(&c).len(), 2, "the failure and the retry");
}

#[tokio::test]
async fn force_sync_an_external_secret() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["4"]);
    c.wait_for("secrets", |s| s.eso.external_secrets.len() == 8)
        .await;
    c.press(&["/"]);
    c.type_text("jellyfin");
    c.press(&["<Enter>", "f"]);
    assert!(
        c.frame()
            .contains("Force-sync ExternalSecret jellyfin-api-key?")
    );
    let before = c
        .state
        .eso
        .external_secrets
        .iter()
        .find(|e| e.key.name == "jellyfin-api-key")
        .and_then(|e| e.refreshed);
    confirm(&mut c).await;
    sim.controllers().tick();
    c.wait_for("refreshed", |s| {
        s.eso
            .external_secrets
            .iter()
            .any(|e| e.key.name == "jellyfin-api-key" && e.refreshed > before)
    })
    .await;
    assert_eq!(audit_lines(&c)[0]["context"], "opsdeck-media");
}

#[tokio::test]
async fn scale_media_workers_from_three_to_five_and_watch_machines_appear() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("tree", |s| {
        s.capi.deployments.len() == 2 && s.capi.machines.len() == 9
    })
    .await;
    // Select the media MachineDeployment in the tree.
    let target = c
        .state
        .capi
        .deployments
        .iter()
        .find(|d| d.key.name == "media-workers")
        .map(|d| NodeId::Deployment(d.key.clone()))
        .expect("md");
    c.select_in_tree(&target).await;
    c.press(&["S"]);
    assert!(c.frame().contains("replicas for media-workers: 3"));
    c.press(&["<Backspace>"]);
    c.type_text("5");
    c.press(&["<Enter>"]);
    let frame = c.frame();
    assert!(
        frame.contains("Scale MachineDeployment media-workers from 3 to 5?"),
        "{frame}"
    );
    assert!(
        frame.contains("machinedeployments/media-workers/scale"),
        "{frame}"
    );
    confirm(&mut c).await;

    // Machines appear one per tick, provision, and the counters follow.
    sim.controllers().tick();
    c.wait_for("one more machine", |s| s.capi.machines.len() == 10)
        .await;
    for _ in 0..12 {
        sim.controllers().tick();
    }
    c.wait_for("five running", |s| {
        s.capi.deployments.iter().any(|d| {
            d.key.name == "media-workers" && d.replicas.desired == 5 && d.replicas.ready == 5
        })
    })
    .await;
    let frame = c.frame();
    assert!(
        common::line_with(&frame, "MachineDeployment/media-workers").contains("5/5"),
        "{frame}"
    );
    assert_eq!(
        c.state
            .capi
            .machines
            .iter()
            .filter(|m| m.deployment.as_deref() == Some("media-workers"))
            .count(),
        5
    );
    assert_eq!(
        audit_lines(&c)[0]["request"]["path"],
        "/apis/cluster.x-k8s.io/v1beta2/namespaces/media/machinedeployments/media-workers/scale"
    );
}

#[tokio::test]
async fn sync_options_change_the_request_and_a_running_sync_can_be_terminated() {
    let sim = common::frozen_sim().await;
    // "monitoring platform": the app's name and project (lab-metrics deploys to a
    // namespace called monitoring too).
    let mut c = apps_cockpit(&sim, "monitoring platform").await;
    c.press(&["s"]);
    assert!(c.frame().contains("Sync application monitoring?"));
    assert!(c.frame().contains("[ ] prune"));
    c.press(&["p", "o"]);
    let frame = c.frame();
    assert!(
        frame.contains("[x] prune") && frame.contains("[x] apply out-of-sync only"),
        "{frame}"
    );
    assert!(
        frame.contains("\"prune\": true") && frame.contains("ApplyOutOfSyncOnly=true"),
        "the preview follows:\n{frame}"
    );
    confirm(&mut c).await;
    let stored = sim.db().get(&app_key("monitoring")).expect("app").clone();
    assert_eq!(stored["operation"]["sync"]["prune"], true);
    assert_eq!(
        stored["operation"]["sync"]["syncOptions"][0],
        "ApplyOutOfSyncOnly=true"
    );

    // The controller starts it; terminate stops it where it is.
    c.operation_starts(&sim, "monitoring").await;
    c.press(&["T"]);
    assert!(c.frame().contains("Terminate the operation of monitoring?"));
    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    c.wait_for("sent", |s| {
        s.actions.operations.len() == 2
            && matches!(s.actions.operations[0].status, OpStatus::Succeeded(_))
    })
    .await;
    sim.controllers().tick();
    c.press(&["<Enter>"]);
    let frame = c.wait_for_text("Operation terminated").await;
    assert!(frame.contains("Operation Failed"), "{frame}");
    // Nothing runs any more, so terminating again is refused before anything is sent.
    c.press(&["T"]);
    assert!(c.frame().contains("no operation is running"));
}

#[tokio::test]
async fn vm_power_passes_through_its_states_and_a_409_is_explained() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["5"]);
    c.wait_for("vms", |s| s.harvester.vms.len() == 10).await;
    c.press(&["/"]);
    c.type_text("windows");
    c.press(&["<Enter>", "s"]);
    let frame = c.frame();
    assert!(frame.contains("Start VM windows-build-agent?"), "{frame}");
    assert!(
        frame.contains("PUT /apis/subresources.kubevirt.io/v1/namespaces/default/virtualmachines/windows-build-agent/start"),
        "{frame}"
    );
    confirm(&mut c).await;
    c.wait_for("starting", |s| {
        s.harvester
            .vms
            .iter()
            .any(|v| v.key.name == "windows-build-agent" && v.status == "Starting")
    })
    .await;
    sim.controllers().tick();
    c.wait_for("running", |s| {
        s.harvester
            .vms
            .iter()
            .any(|v| v.key.name == "windows-build-agent" && v.status == "Running")
    })
    .await;
    c.wait_for("vmi", |s| {
        s.harvester
            .vmis
            .iter()
            .any(|v| v.key.name == "windows-build-agent")
    })
    .await;
    assert!(row(&c.frame(), "default").contains("Running"));

    // Starting a running VM: virt-api's 409, in words, and nothing changes.
    c.press(&["s"]);
    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    c.wait_for("refused", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Failed(_)))
    })
    .await;
    assert!(c.frame().contains("conflict: VM is already running"));
    let refused = audit_lines(&c).last().cloned().expect("an audit line");
    assert_eq!(refused["result"]["kind"], "conflict", "{refused}");
    assert_eq!(refused["action"], "vm.start", "{refused}");

    // Stop: Stopping, then Stopped, and the instance goes away.
    c.press(&["x"]);
    confirm(&mut c).await;
    sim.controllers().tick();
    c.wait_for("stopped", |s| {
        s.harvester
            .vms
            .iter()
            .any(|v| v.key.name == "windows-build-agent" && v.status == "Stopped")
            && !s
                .harvester
                .vmis
                .iter()
                .any(|v| v.key.name == "windows-build-agent")
    })
    .await;
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .map(|l| l["action"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(actions, vec!["vm.start", "vm.start", "vm.stop"]);
}

#[tokio::test]
async fn a_selective_sync_touches_only_the_marked_resources() {
    let sim = common::frozen_sim().await;
    let mut c = apps_cockpit(&sim, "monitoring").await;
    let row = common::position_of(&c.state, &tables::APPS, "monitoring");
    for _ in 0..row {
        c.press(&["j"]);
    }
    c.press(&["<Enter>"]);
    c.wait_for("detail", |s| !s.argo.app_detail.is_empty())
        .await;
    let key = c
        .state
        .argo
        .app_detail
        .iter()
        .next()
        .map(|d| d.key.clone())
        .expect("detail");
    let position = {
        let detail = c.state.argo.app_detail.get(&key).expect("detail");
        opsdeck::app::state::wave_lines(&c.state, detail)
            .iter()
            .position(
                |l| matches!(l, opsdeck::app::state::WaveLine::Resource(r) if r.name == "grafana"),
            )
            .unwrap_or_else(|| panic!("grafana line in {}", c.frame()))
    };
    for _ in 0..position {
        c.press(&["j"]);
    }
    c.press(&["<Space>"]);
    let frame = c.frame();
    assert!(frame.contains("✓ Deployment"), "{frame}");
    assert!(frame.contains("1 resource(s) marked"), "{frame}");
    c.press(&["s"]);
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains("Sync 1 selected resource(s) of application monitoring?"),
        "{frame}"
    );
    assert!(frame.contains("\"resources\""), "{frame}");
    confirm(&mut c).await;
    for _ in 0..12 {
        sim.controllers().tick();
    }
    c.wait_for("grafana synced by a finished operation", |s| {
        s.argo.app_detail.get(&key).is_some_and(|d| {
            d.operation_phase == "Succeeded"
                && d.waves
                    .iter()
                    .flat_map(|w| &w.resources)
                    .any(|r| r.name == "grafana" && r.sync == "Synced")
        })
    })
    .await;
    let detail = c.state.argo.app_detail.get(&key).expect("detail");
    let resource = |name: &str| {
        detail
            .waves
            .iter()
            .flat_map(|w| &w.resources)
            .find(|r| r.name == name)
            .cloned()
            .expect("resource")
    };
    assert_eq!(resource("grafana").sync, "Synced");
    assert_eq!(
        resource("grafana-dashboards").sync,
        "OutOfSync",
        "not marked"
    );
    assert_eq!(
        resource("migrate-grafana-db").hook_phase,
        None,
        "no hooks in a selective sync"
    );
    assert_eq!(detail.sync, "OutOfSync");
    let lines = audit_lines(&c);
    assert_eq!(
        lines[0]["request"]["body"]["operation"]["sync"]["resources"][0]["name"],
        "grafana"
    );
}

#[tokio::test]
async fn a_scale_uses_the_version_the_cluster_serves() {
    // A management cluster with an older CAPI: only v1beta1 is served.
    let sim = opsdeck_sim::Simulator::start(
        opsdeck_sim::scenario::Scenario::default_homelab(),
        opsdeck_sim::SimOptions {
            tick: None,
            hidden_versions: vec!["cluster.x-k8s.io/v1beta2".into()],
            ..opsdeck_sim::SimOptions::default()
        },
    )
    .await
    .expect("simulator");
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("tree", |s| s.capi.deployments.len() == 2).await;
    assert_eq!(
        c.state.capi.deployments.served_version("test"),
        Some("v1beta1"),
        "discovery fell back to v1beta1"
    );
    let target = c
        .state
        .capi
        .deployments
        .iter()
        .find(|d| d.key.name == "media-workers")
        .map(|d| NodeId::Deployment(d.key.clone()))
        .expect("md");
    c.select_in_tree(&target).await;
    c.press(&["S", "<Backspace>", "4", "<Enter>"]);
    let frame = c.frame();
    assert!(
        frame.contains(
            "PATCH /apis/cluster.x-k8s.io/v1beta1/namespaces/media/machinedeployments/media-workers/scale"
        ),
        "{frame}"
    );
    confirm(&mut c).await;
    let desired = sim
        .db()
        .get(&(
            opsdeck_sim::kinds::kind_id("MachineDeployment").expect("kind"),
            "media".to_string(),
            "media-workers".to_string(),
        ))
        .and_then(|md| {
            md.pointer("/spec/replicas")
                .and_then(serde_json::Value::as_u64)
        });
    assert_eq!(desired, Some(4));
}
