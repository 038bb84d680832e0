//! The simulated Kubernetes API against kube-rs over real HTTPS: discovery, list, paging,
//! watch with bookmarks, 410 then relist, patches, the scale subresource and RBAC.

use crate::common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use kube::core::ApiResource;
use kube::runtime::watcher::{self, Event};
use serde_json::json;

fn machines_ar(version: &str) -> ApiResource {
    ApiResource {
        group: "cluster.x-k8s.io".into(),
        version: version.into(),
        api_version: format!("cluster.x-k8s.io/{version}"),
        kind: "Machine".into(),
        plural: "machines".into(),
    }
}

fn md_ar() -> ApiResource {
    ApiResource {
        group: "cluster.x-k8s.io".into(),
        version: "v1beta2".into(),
        api_version: "cluster.x-k8s.io/v1beta2".into(),
        kind: "MachineDeployment".into(),
        plural: "machinedeployments".into(),
    }
}

fn apps_ar() -> ApiResource {
    ApiResource {
        group: "argoproj.io".into(),
        version: "v1alpha1".into(),
        api_version: "argoproj.io/v1alpha1".into(),
        kind: "Application".into(),
        plural: "applications".into(),
    }
}

#[tokio::test]
async fn discovery_and_version() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let version = client.apiserver_version().await.expect("version");
    assert_eq!(version.major, "1");
    let groups = client.list_api_groups().await.expect("groups");
    let capi = groups
        .groups
        .iter()
        .find(|g| g.name == "cluster.x-k8s.io")
        .expect("capi group");
    assert_eq!(
        capi.preferred_version.as_ref().map(|v| v.version.as_str()),
        Some("v1beta2")
    );
    let resources = client
        .list_api_group_resources("cluster.x-k8s.io/v1beta2")
        .await
        .expect("resources");
    let names: Vec<&str> = resources
        .resources
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert!(names.contains(&"machinedeployments/scale"), "{names:?}");
    let core = client.list_core_api_resources("v1").await.expect("core");
    assert!(core.resources.iter().any(|r| r.name == "namespaces"));
}

#[tokio::test]
async fn list_with_selector_and_pages() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let machines: Api<DynamicObject> = Api::all_with(client, &machines_ar("v1beta2"));
    let all = machines.list(&ListParams::default()).await.expect("list");
    assert_eq!(all.items.len(), 9, "media 3+3, lab 1+2");

    let media = machines
        .list(&ListParams::default().labels("cluster.x-k8s.io/cluster-name=media"))
        .await
        .expect("selected");
    assert_eq!(media.items.len(), 6);
    let cp = machines
        .list(&ListParams::default().labels("cluster.x-k8s.io/control-plane"))
        .await
        .expect("exists selector");
    assert_eq!(cp.items.len(), 4);

    // Paging: 4 + 4 + 1, each page naming the same snapshot rv.
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    let mut rvs = Vec::new();
    loop {
        let mut lp = ListParams::default().limit(4);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = machines.list(&lp).await.expect("page");
        pages += 1;
        rvs.push(page.metadata.resource_version.clone());
        names.extend(
            page.items
                .iter()
                .map(|m| m.metadata.name.clone().unwrap_or_default()),
        );
        token = page.metadata.continue_.filter(|c| !c.is_empty());
        if token.is_none() {
            break;
        }
        assert_eq!(
            page.metadata.remaining_item_count,
            Some(9 - names.len() as i64),
            "what the pages after this one hold"
        );
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 9);
    rvs.dedup();
    assert_eq!(rvs.len(), 1, "all pages come from one snapshot");

    // An expired continue token is a 410 Expired.
    let page = machines
        .list(&ListParams::default().limit(4))
        .await
        .expect("page");
    let token = page.metadata.continue_.expect("token");
    // A write after the token, then compaction past it.
    let kind = opsdeck_sim::kinds::kind_id("Machine").expect("kind");
    let first = page.items[0].metadata.name.clone().expect("name");
    let ns = page.items[0].metadata.namespace.clone().expect("ns");
    sim.db()
        .modify(&(kind, ns, first), |o| {
            o["metadata"]["labels"]["x"] = json!("y")
        })
        .expect("write");
    sim.db().compact();
    let err = machines
        .list(&ListParams::default().limit(4).continue_token(&token))
        .await
        .expect_err("expired");
    match err {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410, got {other:?}"),
    }
}

#[tokio::test]
async fn v1beta1_is_served_with_converted_fields() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let machines: Api<DynamicObject> = Api::namespaced_with(client, "lab", &machines_ar("v1beta1"));
    let list = machines
        .list(&ListParams::default())
        .await
        .expect("v1beta1 list");
    let m = list
        .items
        .iter()
        .find(|m| m.data["status"]["nodeRef"].is_object())
        .expect("a machine with a node");
    assert_eq!(m.data["status"]["nodeRef"]["kind"], "Node");
    assert!(m.data["spec"]["infrastructureRef"]["apiVersion"].is_string());
}

#[tokio::test]
async fn watch_streams_changes_and_bookmarks() {
    let sim = opsdeck_sim::Simulator::start(
        opsdeck_sim::scenario::Scenario::default_homelab(),
        opsdeck_sim::SimOptions {
            tick: None,
            bookmark_every: Duration::from_millis(300),
            ..Default::default()
        },
    )
    .await
    .expect("sim");
    let client = common::admin(&sim).await;
    let apps: Api<DynamicObject> = Api::namespaced_with(client, "argocd", &apps_ar());
    let list = apps.list(&ListParams::default()).await.expect("list");
    let rv = list.metadata.resource_version.expect("rv");
    let mut stream = apps
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .expect("watch")
        .boxed();
    apps.patch(
        "sonarr",
        &PatchParams::default(),
        &Patch::Merge(json!({"metadata": {"labels": {"touched": "yes"}}})),
    )
    .await
    .expect("patch");
    let mut saw_modified = false;
    let mut saw_bookmark = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !(saw_modified && saw_bookmark) {
        let ev = tokio::time::timeout_at(deadline, stream.try_next())
            .await
            .expect("events in time")
            .expect("no stream error")
            .expect("stream open");
        match ev {
            WatchEvent::Modified(o) => {
                assert_eq!(o.metadata.name.as_deref(), Some("sonarr"));
                assert_eq!(
                    o.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get("touched"))
                        .map(String::as_str),
                    Some("yes")
                );
                saw_modified = true;
            }
            WatchEvent::Bookmark(b) => {
                assert!(!b.metadata.resource_version.is_empty());
                saw_bookmark = true;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
}

#[tokio::test]
async fn too_old_resource_version_gets_410_and_the_watcher_relists() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let apps: Api<DynamicObject> = Api::namespaced_with(client.clone(), "argocd", &apps_ar());
    let list = apps.list(&ListParams::default()).await.expect("list");
    let old_rv = list.metadata.resource_version.expect("rv");
    let kind = opsdeck_sim::kinds::kind_id("Application").expect("kind");
    let key = (kind, "argocd".to_string(), "gitea".to_string());
    sim.db()
        .modify(&key, |o| o["metadata"]["labels"]["x"] = json!("y"))
        .expect("write");
    sim.db().compact();

    // A raw watch from the compacted rv gets one ERROR event with a 410 Status.
    let mut stream = apps
        .watch(&WatchParams::default(), &old_rv)
        .await
        .expect("watch")
        .boxed();
    match stream.try_next().await.expect("event").expect("open") {
        WatchEvent::Error(s) => assert_eq!(s.code, 410),
        other => panic!("expected ERROR 410, got {other:?}"),
    }

    // kube-runtime's watcher: after its watch resumes from a forgotten rv it gets the 410,
    // relists (Init .. InitDone) and sees the change made meanwhile.
    let mut w = watcher::watcher(apps, watcher::Config::default()).boxed();
    let mut relists = 0;
    let mut seen_label = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while relists < 2 {
        let ev = tokio::time::timeout_at(deadline, w.next())
            .await
            .expect("in time")
            .expect("open");
        match ev {
            Ok(Event::InitApply(o)) if relists == 1 => {
                seen_label |= o
                    .metadata
                    .labels
                    .as_ref()
                    .is_some_and(|l| l.contains_key("bump"));
            }
            Ok(Event::InitDone) => {
                relists += 1;
                if relists == 1 {
                    let kind = opsdeck_sim::kinds::kind_id("Application").expect("kind");
                    let key = (kind, "argocd".to_string(), "sonarr".to_string());
                    let mut db = sim.db();
                    db.modify(&key, |o| o["metadata"]["labels"]["bump"] = json!("1"))
                        .expect("modify");
                    db.compact();
                    drop(db);
                    sim.end_watches();
                }
            }
            Ok(_) | Err(_) => {}
        }
    }
    assert!(
        seen_label,
        "the relist after 410 carries the change made while disconnected"
    );
}

#[tokio::test]
async fn merge_and_json_patch() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let apps: Api<DynamicObject> = Api::namespaced_with(client, "argocd", &apps_ar());
    let patched = apps
        .patch(
            "gitea",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}}}),
            ),
        )
        .await
        .expect("merge patch");
    assert_eq!(
        patched
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("argocd.argoproj.io/refresh"))
            .map(String::as_str),
        Some("hard")
    );
    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/spec/project", "value": "lab"},
        {"op": "replace", "path": "/spec/project", "value": "platform"},
    ]))
    .expect("patch doc");
    let patched = apps
        .patch("gitea", &PatchParams::default(), &Patch::Json::<()>(ops))
        .await
        .expect("json patch");
    assert_eq!(patched.data["spec"]["project"], "platform");

    let failing: json_patch::Patch =
        serde_json::from_value(json!([{"op": "test", "path": "/spec/project", "value": "nope"}]))
            .expect("doc");
    let err = apps
        .patch(
            "gitea",
            &PatchParams::default(),
            &Patch::Json::<()>(failing),
        )
        .await
        .expect_err("failing test op");
    match err {
        kube::Error::Api(s) => assert_eq!(s.code, 422),
        other => panic!("expected 422, got {other:?}"),
    }
    let err = apps
        .patch("nosuch", &PatchParams::default(), &Patch::Merge(json!({})))
        .await
        .expect_err("missing");
    match err {
        kube::Error::Api(s) => assert_eq!((s.code, s.reason.as_str()), (404, "NotFound")),
        other => panic!("expected 404, got {other:?}"),
    }
}

#[tokio::test]
async fn scale_subresource() {
    let sim = common::frozen_sim().await;
    let client = common::admin(&sim).await;
    let mds: Api<DynamicObject> = Api::namespaced_with(client, "media", &md_ar());
    let scale = mds.get_scale("media-workers").await.expect("get scale");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(3));
    let scaled = mds
        .patch_scale(
            "media-workers",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("patch scale");
    assert_eq!(scaled.spec.and_then(|s| s.replicas), Some(5));
    let md = mds.get("media-workers").await.expect("get md");
    assert_eq!(md.data["spec"]["replicas"], 5);
    assert_eq!(
        md.metadata.generation,
        Some(2),
        "a spec change bumps generation"
    );
    let err = mds
        .patch_scale(
            "media-workers",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -1}})),
        )
        .await
        .expect_err("negative");
    match err {
        kube::Error::Api(s) => assert_eq!(s.code, 422),
        other => panic!("expected 422, got {other:?}"),
    }
}

#[tokio::test]
async fn viewer_token_is_forbidden_to_write_and_to_read_nodes() {
    let sim = common::frozen_sim().await;
    let viewer = common::client_for(&sim, "opsdeck-viewer").await;
    let mds: Api<DynamicObject> = Api::namespaced_with(viewer.clone(), "media", &md_ar());
    mds.get("media-workers").await.expect("viewer may read");
    let err = mds
        .patch_scale(
            "media-workers",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect_err("viewer may not scale");
    match err {
        kube::Error::Api(s) => {
            assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
            assert!(
                s.message
                    .contains("cannot patch resource \"machinedeployments/scale\""),
                "{}",
                s.message
            );
        }
        other => panic!("expected 403, got {other:?}"),
    }
    let nodes: Api<k8s_openapi::api::core::v1::Node> = Api::all(viewer);
    let err = nodes
        .list(&ListParams::default())
        .await
        .expect_err("viewer may not list nodes");
    match err {
        kube::Error::Api(s) => assert_eq!(s.code, 403),
        other => panic!("expected 403, got {other:?}"),
    }
}
