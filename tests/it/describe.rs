//! `d` on a row: the object as `kubectl describe` prints it, with its events from the server.

use crate::common::{self, Cockpit, line_with};
use opsdeck::app::state::Screen;

#[tokio::test]
async fn a_crash_looping_pod_described_with_its_conditions_and_events() {
    let sim = common::frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "CrashLoop").await;
    c.press(&["d"]);
    assert!(matches!(c.state.screen(), Screen::Describe(_)));
    c.wait_for("the description", |s| s.describe.lines.is_some())
        .await;
    let text = match &c.state.describe.lines {
        Some(Ok(lines)) => lines.join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(
        text.starts_with(&format!("Name:           {}", pod.name)),
        "{text}"
    );
    assert!(
        text.contains(&format!("Namespace:      {}", pod.namespace)),
        "{text}"
    );
    assert!(text.contains("Kind:           Pod"), "{text}");
    assert!(!text.contains("Managed Fields"), "{text}");
    // The owner chain up to the workload: the ReplicaSet, then its Deployment.
    let workload = pod.name.split('-').next().unwrap_or_default().to_string();
    c.wait_for("the owner chain", |s| match &s.describe.lines {
        Some(Ok(lines)) => lines
            .iter()
            .any(|l| l.ends_with(&format!(" ← Deployment/{workload}"))),
        _ => false,
    })
    .await;
    let chain = match &c.state.describe.lines {
        Some(Ok(lines)) => lines
            .iter()
            .find(|l| l.starts_with("Controlled By:"))
            .cloned()
            .unwrap_or_default(),
        _ => String::new(),
    };
    assert!(
        chain.starts_with(&format!("Controlled By:  ReplicaSet/{workload}-")),
        "{chain}"
    );
    let ready = text
        .lines()
        .find(|l| l.trim_start().starts_with("Ready "))
        .expect("a Ready condition row");
    assert!(ready.contains("False"), "{ready}");
    // The events of this pod only, oldest first, from the server's field selector.
    let events = &text[text.find("\nEvents:").expect("events") + 1..];
    assert!(events.contains("Scheduled"), "{events}");
    assert!(
        events.contains("Warning") && events.contains("BackOff"),
        "{events}"
    );
    assert!(
        events.find("Scheduled") < events.find("BackOff"),
        "{events}"
    );
    assert!(
        events.lines().count() == 6,
        "three events and two header lines: {events}"
    );

    let frame = c.frame_sized(160, 30);
    assert!(
        frame.contains(&format!("describe Pod {}/{}", pod.namespace, pod.name)),
        "{frame}"
    );
    // Scrolling reaches the events.
    c.press(&["G"]);
    let frame = c.frame_sized(160, 30);
    assert!(
        line_with(&frame, "Back-off restarting").contains("Warning"),
        "{frame}"
    );
    c.press(&["<Esc>"]);
    assert!(matches!(c.state.screen(), Screen::Pane(_)));
}

#[tokio::test]
async fn an_application_from_its_pane_has_no_events_and_says_so() {
    let sim = common::frozen_sim().await;
    let mut c = c_apps(&sim).await;
    c.press(&["d"]);
    c.wait_for("the description", |s| s.describe.lines.is_some())
        .await;
    let text = match &c.state.describe.lines {
        Some(Ok(lines)) => lines.join("\n"),
        other => panic!("{other:?}"),
    };
    assert!(text.contains("Kind:           Application"), "{text}");
    assert!(text.contains("  Sync Policy:\n    Automated:"), "{text}");
    assert!(text.ends_with("Events:         <none>"), "{text}");
}

async fn c_apps(sim: &opsdeck_sim::Simulator) -> Cockpit {
    let mut c = Cockpit::start(common::admin(sim).await).await;
    c.open_apps("immich").await;
    c
}
