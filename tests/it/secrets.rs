//! `:secrets` across clusters, and several clusters at once: one API server stopped mid-test
//! goes stale while the others stay live, and recovers when restarted.

use crate::common;

use crate::common::{Cockpit, line_with};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::ApiResource;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;
use serde_json::json;

fn es_ar() -> ApiResource {
    ApiResource {
        group: "external-secrets.io".into(),
        version: "v1".into(),
        api_version: "external-secrets.io/v1".into(),
        kind: "ExternalSecret".into(),
        plural: "externalsecrets".into(),
    }
}

async fn secrets_cockpit(sim: &opsdeck_sim::Simulator) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.press(&["4"]);
    c.wait_for("secrets from both clusters", |s| {
        s.eso.external_secrets.len() == 8
            && s.eso.secret_stores.len() == 1
            && s.eso.cluster_secret_stores.len() == 2
            && common::pane_settled(s, &opsdeck::app::panes::SECRETS)
    })
    .await;
    c
}

#[tokio::test]
async fn secrets_pane_shows_both_clusters_failures_first_and_overdue() {
    let sim = common::frozen_sim().await;
    let mut c = secrets_cockpit(&sim).await;
    let frame = c.frame_sized(300, 30);
    assert!(
        frame.contains("External Secrets (8) [live]"),
        "the harvester cluster has no ESO, and that is fine:\n{frame}"
    );
    let lines: Vec<&str> = frame.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.starts_with("│opsdeck-media"))
        .expect("a media row");
    assert!(
        lines[first].contains("immich-db-credentials"),
        "failing first:\n{frame}"
    );
    let failing = line_with(&frame, "immich-db-credentials");
    for want in [
        "False",
        "SecretSyncedError",
        "SecretStore/vault",
        "False InvalidProviderConfig",
        "permission denied",
    ] {
        assert!(failing.contains(want), "{want} missing: {failing}");
    }
    let stuck = line_with(&frame, "cloudflare-token");
    assert!(
        stuck.contains("OVERDUE") && stuck.contains("opsdeck-management"),
        "{stuck}"
    );
    let once = line_with(&frame, "nextcloud-smtp");
    assert!(
        !once.contains("OVERDUE"),
        "a fetch-once secret is never overdue: {once}"
    );
    let ok = line_with(&frame, "repo-credentials");
    assert!(
        ok.contains("SecretSynced") && ok.contains("Valid") && ok.contains("1h0m0s"),
        "{ok}"
    );
}

#[tokio::test]
async fn a_changed_annotation_makes_the_secret_refresh() {
    let sim = common::frozen_sim().await;
    let mut c = secrets_cockpit(&sim).await;
    let before = c
        .state
        .eso
        .external_secrets
        .iter()
        .find(|e| e.key.name == "jellyfin-api-key")
        .and_then(|e| e.refreshed)
        .expect("refreshed");
    let media = common::client_for(&sim, "opsdeck-media").await;
    let es: Api<DynamicObject> = Api::namespaced_with(media, "media", &es_ar());
    es.patch(
        "jellyfin-api-key",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"annotations": {"force-sync": "1764000000"}}})),
    )
    .await
    .expect("annotate");
    sim.controllers().tick();
    c.wait_for("refresh landed", |s| {
        s.eso
            .external_secrets
            .iter()
            .any(|e| e.key.name == "jellyfin-api-key" && e.refreshed > Some(before))
    })
    .await;
}

#[tokio::test]
async fn one_cluster_down_goes_stale_the_others_stay_live_and_it_recovers() {
    let mut sim = common::frozen_sim().await;
    let mut c = secrets_cockpit(&sim).await;
    c.wait_for("clusters live", |s| s.capi.clusters.state().is_healthy())
        .await;

    sim.stop_cluster("media");
    c.wait_for("media stale", |s| {
        s.eso.external_secrets.troubled().any(|(cluster, st)| {
            cluster == "opsdeck-media" && matches!(st, SourceState::Stale { .. })
        })
    })
    .await;
    let frame = c.frame_sized(240, 30);
    assert!(frame.contains("External Secrets (8) [stale"), "{frame}");
    assert!(
        frame.contains("jellyfin-api-key"),
        "media rows are kept while stale:\n{frame}"
    );

    // The management cluster keeps flowing meanwhile.
    assert!(sim.controllers().drift("jellyfin"));
    c.wait_for("management still live", |s| {
        s.argo
            .apps
            .iter()
            .any(|a| a.key.name == "jellyfin" && a.sync == "OutOfSync")
    })
    .await;
    assert!(c.state.argo.apps.state().is_healthy() && c.state.capi.clusters.state().is_healthy());

    sim.restart_cluster("media").await.expect("restart");
    c.wait_for("media live again", |s| {
        s.eso.external_secrets.state().is_healthy()
    })
    .await;
    assert!(
        c.frame_sized(240, 30)
            .contains("External Secrets (8) [live]")
    );
}

#[tokio::test]
async fn the_title_names_the_cluster_in_trouble() {
    let mut sim = common::frozen_sim().await;
    let mut c = secrets_cockpit(&sim).await;
    assert!(
        c.frame_sized(240, 20)
            .contains("[live] opsdeck-harvester, opsdeck-management, opsdeck-media")
    );
    sim.stop_cluster("media");
    c.wait_for("media stale", |s| {
        !s.eso.external_secrets.state().is_healthy()
    })
    .await;
    let frame = c.frame_sized(240, 20);
    let title = line_with(&frame, "External Secrets");
    assert!(
        title.contains("· opsdeck-management live") && title.contains("· opsdeck-media stale"),
        "{title}"
    );
}
