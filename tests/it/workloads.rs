//! Workloads from the kind browser: `r` rollout-restarts a Deployment (the crash-looping one
//! of the demo comes back healthy as the simulator's deployment controller rolls it), `s`
//! scales it, and a pod deleted by hand is replaced — each through the plan → confirm → audit
//! path, watched live in the browser and in `:ops`.

use crate::common::{self, Cockpit, audit_lines, footer, line_with};
use opsdeck::app::state::State;
use opsdeck::app::tables;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::store::ObjRef;
use opsdeck_sim::Simulator;

/// The cockpit on `:deploy`, the cursor on radarr (its first replica crash-loops).
async fn on_radarr(sim: &Simulator) -> (Cockpit, ObjRef) {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("deploy").is_some())
        .await;
    c.command("deploy");
    c.wait_for("radarr", |s| {
        s.browse.rows.iter().any(|r| r.key.name == "radarr")
    })
    .await;
    c.press(&["/"]);
    c.type_text("radarr");
    c.press(&["<Enter>"]);
    let radarr = tables::selected(&c.state, &tables::BROWSE).expect("radarr");
    assert_eq!(radarr.name, "radarr");
    (c, radarr)
}

/// A cell of the browsed row, by column name.
fn cell(s: &State, key: &ObjRef, column: &str) -> Option<String> {
    let at = s.browse.columns.iter().position(|c| c.name == column)?;
    s.browse
        .rows
        .get(key)?
        .cells
        .get(at)
        .map(ToString::to_string)
}

/// Run the simulator's controllers `n` times, letting the watches carry each step.
async fn ticks(sim: &Simulator, c: &mut Cockpit, n: usize) {
    for _ in 0..n {
        sim.controllers().tick();
        c.settle(std::time::Duration::from_millis(40)).await;
    }
}

fn radarr_pods(sim: &Simulator) -> Vec<String> {
    let pod = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    let db = sim.cluster_db("media").expect("media");
    db.list(pod, Some("media"), None)
        .filter_map(|p| p["metadata"]["name"].as_str())
        .filter(|n| n.starts_with("radarr-"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_crash_looping_deployment_restarts_from_the_keyboard_and_rolls_healthy() {
    let sim = common::frozen_sim().await;
    let (mut c, radarr) = on_radarr(&sim).await;
    assert_eq!(cell(&c.state, &radarr, "Ready").as_deref(), Some("1/2"));
    let frame = c.frame_sized(160, 30);
    let hints = footer(&frame);
    assert!(
        hints.contains("r restart") && hints.contains("s scale"),
        "{hints}"
    );
    assert!(!hints.contains("logs"), "{hints}");
    let before = radarr_pods(&sim);
    assert_eq!(before.len(), 2, "{before:?}");

    c.press(&["r"]);
    common::wait_allowed(&mut c).await;
    let frame = c.frame_sized(160, 50);
    assert!(
        frame.contains("Restart Deployment radarr in media"),
        "{frame}"
    );
    assert!(
        frame.contains("PATCH /apis/apps/v1/namespaces/media/deployments/radarr"),
        "{frame}"
    );
    assert!(
        frame.contains("kubectl.kubernetes.io/restartedAt"),
        "{frame}"
    );
    common::confirm(&mut c).await;
    assert_eq!(audit_lines(&c)[0]["action"], "workload.restart");

    // The controller rolls it: a new ReplicaSet, new pods one at a time, the old ones gone.
    ticks(&sim, &mut c, 8).await;
    c.wait_for("radarr rolled and ready", |s| {
        cell(s, &radarr, "Ready").as_deref() == Some("2/2")
            && cell(s, &radarr, "Up-to-date").as_deref() == Some("2")
    })
    .await;
    let after = radarr_pods(&sim);
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(
        after.iter().all(|p| !before.contains(p)),
        "{before:?} → {after:?}"
    );
    c.press(&["0"]);
    let ops = c.frame_sized(200, 40);
    assert!(
        line_with(&ops, "workload.restart").contains("ready 2/2 · up-to-date 2"),
        "{ops}"
    );
    // None of its pods crash-loops any more.
    c.command("pods media");
    c.wait_for("media pods", |s| {
        s.browse
            .rows
            .iter()
            .any(|r| r.key.name.starts_with("radarr-"))
    })
    .await;
    let pods = c.frame_sized(200, 60);
    assert!(
        pods.lines()
            .filter(|l| l.contains("radarr-"))
            .all(|l| !l.contains("CrashLoopBackOff")),
        "{pods}"
    );
}

#[tokio::test]
async fn scale_asks_for_the_count_and_a_deleted_pod_is_replaced() {
    let sim = common::frozen_sim().await;
    let (mut c, radarr) = on_radarr(&sim).await;
    c.press(&["s"]);
    // Pre-filled with the count it wants now.
    assert!(
        c.frame().contains("replicas for radarr: 2"),
        "{}",
        c.frame()
    );
    c.press(&["<Backspace>"]);
    c.type_text("3");
    c.press(&["<Enter>"]);
    common::wait_allowed(&mut c).await;
    let frame = c.frame_sized(160, 50);
    assert!(
        frame.contains("Scale Deployment radarr in media from 2 to 3"),
        "{frame}"
    );
    assert!(
        frame.contains("PATCH /apis/apps/v1/namespaces/media/deployments/radarr/scale"),
        "{frame}"
    );
    common::confirm(&mut c).await;
    ticks(&sim, &mut c, 4).await;
    c.wait_for("three wanted", |s| {
        cell(s, &radarr, "Ready").is_some_and(|r| r.ends_with("/3"))
    })
    .await;
    assert_eq!(radarr_pods(&sim).len(), 3);
    assert_eq!(audit_lines(&c)[0]["action"], "workload.scale");

    // A pod deleted by hand comes back under another name.
    let gone = radarr_pods(&sim)[0].clone();
    let pod = opsdeck_sim::kinds::kind_id("Pod").expect("kind");
    sim.cluster_db("media")
        .expect("media")
        .delete(&(pod, "media".into(), gone.clone()))
        .expect("delete");
    ticks(&sim, &mut c, 2).await;
    let pods = radarr_pods(&sim);
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(!pods.contains(&gone));
}

#[tokio::test]
async fn restart_and_scale_refuse_kinds_they_do_not_fit() {
    let sim = common::frozen_sim().await;
    let (mut c, _) = Cockpit::on_pods(&sim, "Running").await;
    c.press(&["r"]);
    assert!(c.state.actions.dialog.is_none());
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(notice.contains("not Pod"), "{notice}");
    c.press(&["s"]);
    assert!(c.state.prompt.is_none());
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(notice.contains("scale is for"), "{notice}");
}
