//! The kind browser keeps its rows between changes and patches them per watch event: what it
//! shows must be what a fresh build would show — a waiting pod turns to a warning as the
//! clock moves, ages move without an event, and the `/` filter follows typing, erasing and
//! objects that change while it is on.

use std::time::Duration;

use serde_json::json;

use crate::common::{self, Cockpit, line_with, shown_names};
use opsdeck::app::msg::Msg;
use opsdeck::app::tables;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::kinds::kind_id;

async fn pods(sim: &opsdeck_sim::Simulator) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("pods").is_some())
        .await;
    c.command("pods");
    c.wait_for("pods", |s| s.browse.rows.len() > 10).await;
    c
}

/// A copy of media's first pod whose name has `part`, created now as `name`; the original.
fn copy_pod(sim: &opsdeck_sim::Simulator, part: &str, name: &str) -> serde_json::Value {
    let pod = kind_id("Pod").expect("pods");
    let template = sim
        .cluster_db("media")
        .expect("media")
        .list(pod, None, None)
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.contains(part))
        })
        .cloned()
        .expect("a pod to copy");
    let mut created = template.clone();
    let meta = created["metadata"].as_object_mut().expect("metadata");
    meta.insert("name".into(), json!(name));
    meta.remove("uid");
    meta.remove("creationTimestamp");
    sim.cluster_db("media")
        .expect("media")
        .create(pod, created)
        .expect("create");
    template
}

#[tokio::test]
async fn a_waiting_pod_turns_to_a_warning_and_ages_move_while_its_row_is_kept() {
    let sim = common::frozen_sim().await;
    let mut c = pods(&sim).await;
    // A pod waiting for its init container since now.
    copy_pod(&sim, "nextcloud", "just-waiting");
    c.wait_for("the new pod", |s| {
        s.browse.rows.iter().any(|r| r.key.name == "just-waiting")
    })
    .await;
    let frame = c.frame_sized(200, 60);
    let waiting = line_with(&frame, "just-waiting");
    assert!(
        waiting.contains("Init:0/1") && !waiting.contains(" for "),
        "not waiting long yet: {waiting}"
    );

    // Nothing changes on the server; only the clock moves on by ten minutes and a half.
    let later = c.state.now + Duration::from_secs(630);
    c.send(Msg::Tick(later));
    let frame = c.frame_sized(200, 60);
    let waiting = line_with(&frame, "just-waiting");
    assert!(
        waiting.contains("Warning: Init:0/1 for 10m"),
        "waiting too long: {waiting}"
    );
    assert!(waiting.contains(" 10m  "), "the age moved: {waiting}");
}

#[tokio::test]
async fn the_filter_follows_typing_erasing_and_objects_changing_under_it() {
    let sim = common::frozen_sim().await;
    let mut c = pods(&sim).await;
    let all = shown_names(&c.state, &tables::BROWSE).len();
    c.press(&["/"]);
    c.type_text("arr");
    let arr = shown_names(&c.state, &tables::BROWSE);
    assert!(!arr.is_empty() && arr.len() < all, "{arr:?}");
    c.type_text("-h");
    let narrower = shown_names(&c.state, &tables::BROWSE);
    assert!(
        !narrower.is_empty()
            && narrower.len() < arr.len()
            && narrower.iter().all(|n| n.contains("arr-h")),
        "{narrower:?} of {arr:?}"
    );
    // Erasing widens again: the narrowed rows are not where a shorter filter starts.
    c.press(&["<Backspace>", "<Backspace>"]);
    assert_eq!(shown_names(&c.state, &tables::BROWSE), arr);

    // A pod created while the filter is on shows when it matches, and a deleted one goes.
    let template = copy_pod(&sim, "radarr", "radarr-added-under-the-filter");
    c.wait_for("the new pod under the filter", |s| {
        shown_names(s, &tables::BROWSE).contains(&"radarr-added-under-the-filter".to_string())
    })
    .await;
    let name = template["metadata"]["name"].as_str().expect("name");
    let namespace = template["metadata"]["namespace"]
        .as_str()
        .expect("namespace");
    let pod = kind_id("Pod").expect("pods");
    sim.cluster_db("media")
        .expect("media")
        .delete(&(pod, namespace.to_string(), name.to_string()))
        .expect("delete");
    c.wait_for("the deleted pod gone from the filtered rows", |s| {
        !shown_names(s, &tables::BROWSE).iter().any(|n| n == name)
    })
    .await;
    assert!(c.frame().contains("radarr-added-under-the-filter"));
}
