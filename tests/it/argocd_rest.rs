//! The Argo CD REST transport against the simulated argocd-server: the same actions go as REST
//! calls with a bearer token, argocd-server's `can-i` decides what is offered, and the
//! sync-wave view reads per-resource health from the resource tree when the CR has none.

use crate::common;

use crate::common::{Cockpit, audit_lines, confirm};
use opsdeck::app::domains::Access;
use opsdeck::app::tables;
use serde_json::json;

fn app_key(name: &str) -> opsdeck_sim::db::ObjKey {
    (
        opsdeck_sim::kinds::kind_id("Application").expect("kind"),
        "argocd".into(),
        name.into(),
    )
}

#[tokio::test]
async fn a_sync_goes_through_argocd_server_with_its_options() {
    let sim = common::frozen_sim().await;
    let settings = common::argocd_settings(&sim);
    let mut c = Cockpit::start_with_argocd(common::admin(&sim).await, settings).await;
    c.open_apps("zigbee2mqtt").await;
    c.press(&["s", "o"]);
    let frame = c.frame_sized(200, 50);
    for expected in [
        "POST /api/v1/applications/zigbee2mqtt/sync",
        &format!("argocd   https://{}", sim.argocd_addr),
        "\"items\": [",
        "ApplyOutOfSyncOnly=true",
    ] {
        assert!(frame.contains(expected), "{expected:?} in\n{frame}");
    }
    assert!(
        !frame.contains(&sim.argocd_token),
        "the token is never shown"
    );
    confirm(&mut c).await;
    let stored = sim.db().get(&app_key("zigbee2mqtt")).cloned().expect("app");
    assert_eq!(
        stored["operation"]["sync"]["syncOptions"],
        json!(["ApplyOutOfSyncOnly=true"]),
        "argocd-server built the operation from the request"
    );
    c.sync_runs_to_synced(&sim, "zigbee2mqtt").await;
    let lines = audit_lines(&c);
    assert_eq!(lines[0]["request"]["transport"], "argocd-server");
    assert_eq!(
        lines[0]["request"]["path"],
        "/api/v1/applications/zigbee2mqtt/sync"
    );
    let audit = std::fs::read_to_string(&c.audit).expect("audit");
    assert!(
        !audit.contains(&sim.argocd_token),
        "no token in the audit log"
    );

    // A refresh through the REST API: the controller takes it and removes the annotation.
    c.press(&["r"]);
    confirm(&mut c).await;
    sim.controllers().tick();
    let refreshed = sim.db().get(&app_key("zigbee2mqtt")).cloned().expect("app");
    assert!(
        refreshed
            .pointer("/metadata/annotations/argocd.argoproj.io~1refresh")
            .is_none(),
        "the controller took the refresh"
    );
}

#[tokio::test]
async fn argocd_rbac_decides_what_is_offered() {
    let sim = common::frozen_sim().await;
    let mut settings = common::argocd_settings(&sim);
    settings.token = sim.argocd_readonly_token.clone();
    let mut c = Cockpit::start_with_argocd(common::admin(&sim).await, settings.clone()).await;
    c.open_apps("zigbee2mqtt").await;
    c.press(&["s"]);
    common::wait_denied(&mut c).await;
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains("Argo CD RBAC: your token may not sync applications in project"),
        "{frame}"
    );
    c.press(&["<Enter>"]);
    assert!(c.state.actions.operations.is_empty());
    c.press(&["<Esc>"]);

    // A refresh only needs `get`, which a read-only account has.
    c.press(&["r"]);
    confirm(&mut c).await;

    // A token argocd-server does not know: the check says why, the server still refuses.
    settings.token = "not-a-token".into();
    let mut c = Cockpit::start_with_argocd(common::admin(&sim).await, settings).await;
    c.open_apps("zigbee2mqtt").await;
    c.press(&["s"]);
    c.wait_for("check failed", |s| {
        s.actions
            .dialog
            .as_ref()
            .is_some_and(|d| matches!(d.access, Access::Unknown(_)))
    })
    .await;
    let frame = c.frame_sized(200, 50);
    assert!(frame.contains("invalid session"), "{frame}");
}

#[tokio::test]
async fn the_sync_wave_view_reads_health_from_the_resource_tree() {
    let sim = common::frozen_sim().await;
    // As Argo CD 3.x does by default: no per-resource health in the CR.
    let _ = sim.db().modify(&app_key("nextcloud"), |a| {
        if let Some(resources) = a["status"]["resources"].as_array_mut() {
            for r in resources {
                if let Some(r) = r.as_object_mut() {
                    r.remove("health");
                }
            }
        }
        a["status"]["resourceHealthSource"] = json!("appTree");
    });
    let settings = common::argocd_settings(&sim);
    let mut c = Cockpit::start_with_argocd(common::admin(&sim).await, settings).await;
    c.open_apps("nextcloud").await;
    let position = common::position_of(&c.state, &tables::APPS, "nextcloud");
    for _ in 0..position {
        c.press(&["j"]);
    }
    c.press(&["<Enter>"]);
    let frame = c
        .wait_for_text("(per-resource health from the resource tree)")
        .await;
    let line = common::line_with(&frame, "nextcloud/nextcloud ");
    assert!(line.contains("Progressing"), "{line}");
}

#[tokio::test]
async fn a_running_sync_is_terminated_through_argocd_server() {
    let sim = common::frozen_sim().await;
    let settings = common::argocd_settings(&sim);
    let mut c = Cockpit::start_with_argocd(common::admin(&sim).await, settings).await;
    c.open_apps("monitoring platform").await;
    c.press(&["s"]);
    confirm(&mut c).await;
    c.operation_starts(&sim, "monitoring").await;
    c.press(&["T"]);
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains("DELETE /api/v1/applications/monitoring/operation?appNamespace=argocd"),
        "{frame}"
    );
    confirm(&mut c).await;
    sim.controllers().tick();
    c.press(&["<Enter>"]);
    let frame = c.wait_for_text("Operation terminated").await;
    assert!(frame.contains("Operation Failed"), "{frame}");
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .filter_map(|l| l["request"]["method"].as_str().map(str::to_string))
        .collect();
    assert_eq!(actions, ["POST", "DELETE"]);
}
