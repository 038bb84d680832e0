//! A list of more than one page (500 rows): the cockpit asks for the next page while it parses
//! the one before, shows the pages as they come, and ends with every object once.

use serde_json::json;

use crate::common::{self, Cockpit};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;
use opsdeck_sim::kinds::kind_id;

const EXTRA: usize = 1_234;

#[tokio::test]
async fn a_list_of_three_pages_arrives_whole_with_every_pod_once() {
    let sim = common::frozen_sim().await;
    let pod = kind_id("Pod").expect("pods");
    let expected: Vec<String> = {
        let mut db = sim.cluster_db("media").expect("media");
        let template = db.list(pod, None, None).next().cloned().expect("a pod");
        for i in 0..EXTRA {
            let mut copy = template.clone();
            let meta = copy["metadata"].as_object_mut().expect("metadata");
            // Names past 23 bytes, spread over the pages in key order.
            meta.insert("name".into(), json!(format!("paged-copy-of-a-pod-{i:05}")));
            meta.remove("uid");
            meta.remove("creationTimestamp");
            db.create(pod, copy).expect("create");
        }
        db.list(pod, None, None)
            .map(|p| {
                let m = &p["metadata"];
                format!(
                    "{}/{}",
                    m["namespace"].as_str().unwrap_or(""),
                    m["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert!(expected.len() > 1_000, "three pages at least");

    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("pods").is_some())
        .await;
    c.command("pods");
    c.wait_for("every page, live", |s| {
        s.browse.rows.state() == SourceState::Live
            && s.browse
                .rows
                .iter()
                .filter(|r| r.key.cluster.ends_with("media"))
                .count()
                >= expected.len()
    })
    .await;
    let mut listed: Vec<String> = c
        .state
        .browse
        .rows
        .iter()
        .filter(|r| r.key.cluster.ends_with("media"))
        .map(|r| r.key.namespaced_name())
        .collect();
    listed.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(listed, expected, "each pod once, none missing");
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("[live]"), "{frame}");
}
