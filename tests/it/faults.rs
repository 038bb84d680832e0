//! The fault matrix: what the cockpit shows while its sources fail, and that it comes back by
//! itself with nothing lost, doubled or left behind.

use std::collections::BTreeSet;

use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;
use opsdeck_sim::kinds::kind_id;
use serde_json::json;

use crate::common::{self, Cockpit};

/// The ExternalSecrets the media cluster's database holds, by namespace/name.
fn media_secrets(sim: &opsdeck_sim::Simulator) -> BTreeSet<String> {
    let kind = kind_id("ExternalSecret").expect("kind");
    let db = sim.cluster_db("media").expect("media");
    db.list(kind, None, None)
        .map(|o| {
            format!(
                "{}/{}",
                o["metadata"]["namespace"].as_str().unwrap_or_default(),
                o["metadata"]["name"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// The ExternalSecrets of the media cluster the cockpit shows, each once.
fn shown_media_secrets(c: &Cockpit) -> Vec<String> {
    c.state
        .eso
        .external_secrets
        .iter()
        .filter(|e| e.key.cluster == "opsdeck-media")
        .map(|e| e.key.namespaced_name())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_server_killed_and_restarted_ten_times() {
    let mut sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["4"]);
    c.wait_for("secrets from every cluster", |s| {
        s.eso.external_secrets.len() == 8 && s.argo.apps.len() == 25
    })
    .await;
    let es_kind = kind_id("ExternalSecret").expect("kind");
    let app_kind = kind_id("Application").expect("kind");
    for round in 0..10 {
        sim.stop_cluster("media");
        c.wait_for("media stale", |s| {
            s.eso.external_secrets.troubled().any(|(cluster, st)| {
                cluster == "opsdeck-media" && matches!(st, SourceState::Stale { .. })
            })
        })
        .await;
        let frame = c.frame_sized(240, 30);
        assert!(frame.contains("[stale"), "round {round}:\n{frame}");

        // While it is down its data changes: one secret goes, another comes.
        {
            let mut db = sim.cluster_db("media").expect("media");
            let victim = db
                .list(es_kind, None, None)
                .find(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with("extra-"))
                })
                .or_else(|| {
                    db.list(es_kind, None, None)
                        .find(|o| o["metadata"]["name"] == "nextcloud-smtp")
                })
                .cloned();
            if let Some(mut o) = victim {
                let key = (
                    es_kind,
                    o["metadata"]["namespace"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                );
                db.delete(&key).expect("delete");
                o["metadata"]["name"] = json!(format!("extra-{round}"));
                for meta in ["uid", "resourceVersion", "creationTimestamp"] {
                    o["metadata"].as_object_mut().map(|m| m.remove(meta));
                }
                db.create(es_kind, o).expect("create");
            }
        }

        // The management cluster keeps flowing meanwhile.
        let health = if round % 2 == 0 {
            "Degraded"
        } else {
            "Healthy"
        };
        sim.db()
            .modify(
                &(app_kind, "argocd".to_string(), "gitea".to_string()),
                |o| o["status"]["health"]["status"] = json!(health),
            )
            .expect("app");
        c.wait_for("management still updating", |s| {
            s.argo
                .apps
                .iter()
                .any(|a| a.key.name == "gitea" && a.health == health)
        })
        .await;
        assert!(c.state.argo.apps.state().is_healthy(), "round {round}");

        sim.restart_cluster("media").await.expect("restart");
        let want = media_secrets(&sim);
        c.wait_for("media live, with what changed meanwhile", |s| {
            s.eso.external_secrets.state().is_healthy()
                && s.eso
                    .external_secrets
                    .iter()
                    .filter(|e| e.key.cluster == "opsdeck-media")
                    .map(|e| e.key.namespaced_name())
                    .collect::<BTreeSet<_>>()
                    == want
        })
        .await;
        let shown = shown_media_secrets(&c);
        let unique: BTreeSet<&String> = shown.iter().collect();
        assert_eq!(
            unique.len(),
            shown.len(),
            "round {round}: a row twice: {shown:?}"
        );
    }
    let frame = c.frame_sized(240, 30);
    assert!(frame.contains("External Secrets (8) [live]"), "{frame}");
    assert!(
        frame.contains("extra-9") && !frame.contains("extra-8"),
        "{frame}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_talos_node_that_takes_calls_and_never_answers_only_greys_itself() {
    use opsdeck::model::talos::TalosNodeRow;
    let sim = common::frozen_sim_with_talos().await;
    let talos = sim.talos.as_ref().expect("talos");
    let wedged = "media-workers-vbjts-fmr2g";
    let mut c = common::inspector_on(&sim, common::talos_setup(&sim), wedged).await;
    talos.registry.set_hanging(wedged, true);
    c.press(&["L"]);
    let row = |c: &Cockpit, name: &str| -> Option<TalosNodeRow> {
        c.state
            .talos
            .nodes
            .iter()
            .find(|n| n.key.name == name)
            .cloned()
    };
    // Its poll times out (the call deadline), and the inspector says so.
    c.wait_for("its poll timed out", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == wedged && n.error.is_some())
    })
    .await;
    let error = row(&c, wedged).and_then(|n| n.error).unwrap_or_default();
    assert!(
        error.contains("Timeout") || error.contains("Deadline") || error.contains("timed out"),
        "{error}"
    );
    let frame = c.frame_sized(200, 30);
    assert!(frame.contains(&error[..error.len().min(30)]), "{frame}");
    // The log it was asked for gives up with the reason instead of waiting for ever.
    c.wait_for("the log's opening gave up", |s| {
        s.talos.inspector.text_error.is_some()
    })
    .await;
    let why = c
        .state
        .talos
        .inspector
        .text_error
        .clone()
        .unwrap_or_default();
    assert!(why.contains("no answer in 3 s"), "{why}");

    // The other nodes keep their pace: each polled again within its interval.
    let before: Vec<(String, jiff::Timestamp)> = c
        .state
        .talos
        .nodes
        .iter()
        .filter(|n| n.key.name != wedged)
        .map(|n| (n.key.name.to_string(), n.polled_at))
        .collect();
    assert!(before.len() >= 7);
    c.wait_for("every other node polled again", |s| {
        before.iter().all(|(name, at)| {
            s.talos
                .nodes
                .iter()
                .any(|n| n.key.name == *name && n.polled_at > *at && n.error.is_none())
        })
    })
    .await;

    // It answers again: its row comes back by itself.
    talos.registry.set_hanging(wedged, false);
    c.wait_for("answering again", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == wedged && n.error.is_none())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_whose_answer_is_lost_is_reported_as_outcome_unknown() {
    use opsdeck::app::domains::OpStatus;
    use opsdeck::model::tree::NodeId;
    let mut sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("tree", |s| {
        s.capi.clusters.len() == 2 && s.capi.deployments.len() == 2 && s.capi.machines.len() == 9
    })
    .await;
    let target = c
        .state
        .capi
        .deployments
        .iter()
        .find(|d| d.key.name == "media-workers")
        .map(|d| NodeId::Deployment(d.key.clone()))
        .expect("md");
    c.select_in_tree(&target).await;
    c.press(&["S", "<Backspace>"]);
    c.type_text("5");
    c.press(&["<Enter>"]);
    common::wait_allowed(&mut c).await;
    // The server writes the change and dies before it answers.
    sim.swallow_answers(opsdeck_sim::MANAGEMENT, true);
    c.press(&["<Enter>"]);
    c.wait_for("sent", |s| !s.actions.operations.is_empty())
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // Before any answer, the request is on record (a crash now would keep it).
    let written = common::audit_log(&c);
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0]["result"]["pending"], "sent; no answer yet");
    assert_eq!(written[0]["request"]["body"]["spec"]["replicas"], 5);
    sim.stop_cluster(opsdeck_sim::MANAGEMENT);
    c.wait_for("the outcome", |s| {
        !matches!(
            s.actions.operations[0].status,
            OpStatus::Sent | OpStatus::Running(_)
        )
    })
    .await;
    let status = c.state.actions.operations[0].status.clone();
    let OpStatus::Unknown(why) = status else {
        panic!("not reported as unknown: {status:?}");
    };
    assert!(
        why.starts_with("outcome unknown — check the object"),
        "{why}"
    );
    let lines = common::audit_log(&c);
    assert_eq!(lines.len(), 2, "written before, completed after: {lines:?}");
    assert_eq!(lines[1]["request"], lines[0]["request"]);
    assert_eq!(
        lines[1]["result"]["kind"], "outcome-unknown",
        "{}",
        lines[1]
    );
    c.press(&["0"]);
    let frame = c.frame_sized(200, 20);
    assert!(
        frame.contains("unknown") && frame.contains("outcome unknown"),
        "{frame}"
    );

    // It was done: back up, the cluster shows five workers wanted.
    sim.swallow_answers(opsdeck_sim::MANAGEMENT, false);
    sim.restart_cluster(opsdeck_sim::MANAGEMENT)
        .await
        .expect("restart");
    c.wait_for("the change, seen", |s| {
        s.capi
            .deployments
            .iter()
            .any(|d| d.key.name == "media-workers" && d.replicas.desired == 5)
    })
    .await;
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_is_said_with_the_outcome() {
    use opsdeck::app::domains::OpStatus;
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.open_apps("gitea").await;
    // Where the log file was, a directory: nothing can be appended there (not even as root).
    let _ = std::fs::remove_file(&c.audit);
    std::fs::create_dir(&c.audit).expect("a directory in the way");
    c.press(&["r"]);
    common::confirm(&mut c).await;
    let OpStatus::Succeeded(outcome) = c.state.actions.operations[0].status.clone() else {
        panic!("{:?}", c.state.actions.operations[0].status);
    };
    assert!(outcome.contains("(audit log not written: "), "{outcome}");
    c.press(&["0"]);
    let frame = c.frame_sized(240, 20);
    assert!(frame.contains("audit log not written"), "{frame}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_watch_expiry_storm_relists_without_flicker_or_hammering() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("apps and machines", |s| {
        s.argo.apps.len() == 25 && s.capi.machines.len() == 9
    })
    .await;
    let management = opsdeck_sim::MANAGEMENT;
    let before = sim.list_count(management);
    // Every watch that resumes is told 410 Expired, for five seconds.
    sim.expire_watches(management, true);
    let window = std::time::Duration::from_secs(5);
    c.settle_checking(window, |s| {
        // A relist is swapped in whole: the rows never empty out or thin.
        assert_eq!(s.argo.apps.len(), 25, "apps flickered");
        assert_eq!(s.capi.machines.len(), 9, "machines flickered");
    })
    .await;
    let lists = sim.list_count(management) - before;
    sim.expire_watches(management, false);
    // The management cluster serves about 40 kinds the cockpit watches; each relists after a
    // pause that grows, not as fast as the server answers.
    let kinds = 40;
    assert!(
        lists <= kinds * 4,
        "{lists} lists in 5 s: the relists are not held back"
    );
    // Over, it settles: still live and whole.
    c.wait_for("live", |s| {
        s.argo.apps.state().is_healthy() && s.capi.machines.state().is_healthy()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expiry_storm_on_a_browsed_kind_lists_it_ever_less_often() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    // The apps through the browser (the server's columns), as `:applications` shows them.
    c.wait_for("discovery", |s| {
        s.catalog.resolve("applications.argoproj.io").is_some()
    })
    .await;
    c.command("applications.argoproj.io");
    c.wait_for("apps live", |s| {
        s.browse.rows.len() == 25 && s.browse.rows.state() == SourceState::Live
    })
    .await;
    let management = opsdeck_sim::MANAGEMENT;
    let before = sim.list_count_of(management, "Application");
    sim.expire_watches(management, true);
    c.settle_checking(std::time::Duration::from_secs(5), |s| {
        assert_eq!(s.browse.rows.len(), 25, "the rows flickered");
    })
    .await;
    let lists = sim.list_count_of(management, "Application") - before;
    sim.expire_watches(management, false);
    // Two watches list them: the browser's and the apps pane's. Each waits 0.8, 1.6, 3.2 s
    // between expiries: two lists each in the five seconds, three at most (the browser's,
    // after a fixed half second each, listed nine times).
    assert!((2..=6).contains(&lists), "{lists} lists of the apps in 5 s");
    c.wait_for("apps live and whole", |s| {
        s.browse.rows.state() == SourceState::Live && s.browse.rows.len() == 25
    })
    .await;
    let frame = c.frame();
    assert!(
        frame.contains("applications.argoproj.io (25) [live]"),
        "{frame}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crd_deleted_while_running_and_recreated_changes_only_its_pane() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    // Everything the test later asserts stays live must be live first (under a loaded CI
    // machine the Machines could still be loading when the apps' CRD went).
    c.wait_for("apps, clusters and machines", |s| {
        s.argo.apps.len() == 25
            && s.capi.clusters.state().is_healthy()
            && s.capi.machines.state().is_healthy()
    })
    .await;
    sim.set_group_installed(opsdeck_sim::MANAGEMENT, "argoproj.io", false);
    c.wait_for("apps not installed", |s| {
        s.argo.apps.state() == SourceState::NotInstalled
    })
    .await;
    c.press(&["2"]);
    let frame = c.frame();
    assert!(frame.contains("[not installed]"), "{frame}");
    assert!(
        c.state.capi.clusters.state().is_healthy() && c.state.capi.machines.state().is_healthy(),
        "the other panes stay live"
    );
    // A while without it: the pane's source looks for it more than once and does not find it.
    c.settle(std::time::Duration::from_secs(3)).await;
    assert_eq!(c.state.argo.apps.state(), SourceState::NotInstalled);
    // Installed again: the pane finds it by itself.
    sim.set_group_installed(opsdeck_sim::MANAGEMENT, "argoproj.io", true);
    c.wait_for("apps live again", |s| {
        s.argo.apps.state().is_healthy() && s.argo.apps.len() == 25
    })
    .await;
    assert!(c.frame().contains("Applications (25) [live]"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forbidden_kind_comes_back_when_access_is_granted() {
    use opsdeck_sim::auth::Rule;
    let (sim, mut c) = common::capi_reader().await;
    c.wait_for("apps forbidden, clusters live", |s| {
        matches!(s.argo.apps.state(), SourceState::Forbidden(_))
            && s.capi.clusters.state().is_healthy()
    })
    .await;
    // An admin binds a role: the pane notices by itself.
    sim.grant(
        "capi-reader",
        Rule::new(
            &["get", "list", "watch"],
            &["argoproj.io"],
            &["applications"],
        ),
    );
    c.wait_for("apps live", |s| {
        s.argo.apps.state().is_healthy() && s.argo.apps.len() == 25
    })
    .await;
    c.press(&["2"]);
    assert!(c.frame().contains("Applications (25) [live]"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_server_and_a_huge_object_never_hold_up_the_keys() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("apps", |s| s.argo.apps.len() == 25).await;
    c.press(&["2"]);
    // Every answer of the management cluster now takes 2 s, and gitea carries 1 MB of
    // annotations with its health changed.
    sim.slow_answers(opsdeck_sim::MANAGEMENT, std::time::Duration::from_secs(2));
    let app_kind = kind_id("Application").expect("kind");
    sim.db()
        .modify(
            &(app_kind, "argocd".to_string(), "gitea".to_string()),
            |o| {
                o["metadata"]["annotations"]["example.com/blob"] = json!("x".repeat(1 << 20));
                o["status"]["health"]["status"] = json!("Degraded");
            },
        )
        .expect("app");
    // While the watches reopen slowly and the huge object comes, every key acts on the frame
    // right after it.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut keys = 0;
    while !c
        .state
        .argo
        .apps
        .iter()
        .any(|a| a.key.name == "gitea" && a.health == "Degraded")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the change never came"
        );
        let before = common::selected_name(&c.state);
        c.press(&[if keys % 8 < 4 { "j" } else { "k" }]);
        assert_ne!(
            common::selected_name(&c.state),
            before,
            "key {keys} did not move the cursor"
        );
        assert!(c.frame().contains("Applications (25)"));
        keys += 1;
        c.settle(std::time::Duration::from_millis(100)).await;
    }
    assert!(keys >= 10, "the slow answers came too soon: {keys} keys");
    // The row shows the change; the megabyte is neither kept nor drawn.
    let gitea = c
        .state
        .argo
        .apps
        .iter()
        .find(|a| a.key.name == "gitea")
        .expect("gitea");
    assert!(
        format!("{gitea:?}").len() < 10_000,
        "the annotations were kept"
    );
    assert!(!c.frame().contains("xxxxxxxx"));
    sim.slow_answers(opsdeck_sim::MANAGEMENT, std::time::Duration::ZERO);
}
