//! What a Talos node says of itself, in the inspector, over the simulated apid: the Machine tab
//! (its MachineStatus with the conditions it waits for, its addresses, the members it knows),
//! the Events tab (its event stream) and the timeline, and the Config tab (its machine config
//! with not one secret left, and only for os:admin).

use opsdeck::app::tables;
use opsdeck::clients::talos::state::MACHINE_CONFIGS;
use opsdeck::model::store::ObjRef;
use opsdeck::model::talos_events::What;

use crate::common::{self, Cockpit, confirm, inspector_on, reader_setup};

const SICK: &str = "lab-workers-9bn5h-kphlr";

fn status_of(c: &Cockpit, node: &str) -> Option<opsdeck::model::talos_machine::MachineStatus> {
    c.state
        .talos
        .machine
        .iter()
        .find(|(k, _)| k.name == node)
        .and_then(|(_, m)| m.status.clone())
        .and_then(Result::ok)
}

#[tokio::test]
async fn the_machine_tab_says_what_the_node_waits_for_until_its_kubelet_is_restarted() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c = inspector_on(&sim, common::talos_setup(&sim), SICK).await;
    c.press(&["o"]);
    c.wait_for(
        "members and addresses",
        |s| matches!(&s.talos.inspector.details, Some(Ok(d)) if d.complete && d.members.len() == 3),
    )
    .await;
    c.wait_for("its status", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name == SICK && m.status.is_some())
    })
    .await;
    let frame = c.frame_sized(160, 40);
    for want in [
        "stage running  not ready",
        "waiting for services: unhealthy services: kubelet",
        "default",
        "accumulative",
        "lab-cp-",
        "controlplane",
        "Talos (v1.10.5)",
    ] {
        assert!(frame.contains(want), "{want} missing:\n{frame}");
    }

    // Restart the kubelet: the status watch brings the machine back to ready.
    c.press(&["s"]);
    c.cursor_to(&tables::SERVICES, &ObjRef::new("", "kubelet"));
    c.press(&["R"]);
    confirm(&mut c).await;
    c.wait_for("ready again", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name == SICK && matches!(&m.status, Some(Ok(st)) if st.ready))
    })
    .await;
    c.press(&["o"]);
    let frame = c.frame_sized(160, 40);
    assert!(frame.contains("stage running  ready"), "{frame}");
    assert!(!frame.contains("waiting for"), "{frame}");

    // The node's events: the restart, newest first, and the boot before it.
    c.press(&["E"]);
    c.wait_for("the restart's events", |s| {
        s.talos.machine.iter().any(|(k, m)| {
            k.name == SICK
                && m.events.events.iter().any(|e| {
                    matches!(&e.what, What::Service { id, state: "Running", healthy: Some(true), .. } if id == "kubelet")
                })
        })
    })
    .await;
    let frame = c.frame_sized(160, 60);
    let restarted = frame
        .find("kubelet Running (healthy): Health check successful")
        .expect("the kubelet running again");
    let stopping = frame
        .find("kubelet Stopping: Restarting service")
        .expect("the kubelet stopping");
    let booted = frame.find("boot stopped").expect("the boot before");
    assert!(
        restarted < stopping && stopping < booted,
        "newest first:\n{frame}"
    );

    // What happened since the cockpit started is on the timeline; the boot days ago is not.
    c.command("timeline");
    let frame = c.frame_sized(200, 40);
    assert!(
        frame.contains("service: kubelet Running (healthy): Health check successful"),
        "{frame}"
    );
    assert!(frame.contains("machine: running, ready"), "{frame}");
    assert!(!frame.contains("boot stopped"), "{frame}");
}

#[tokio::test]
async fn the_config_tab_shows_the_config_without_a_single_secret() {
    let sim = common::frozen_sim_with_talos().await;
    let setup = common::talos_setup(&sim);
    // The secrets, read as talosctl would (the test's own read of the raw config).
    let raw = setup.clients["lab"]
        .get_spec(SICK, MACHINE_CONFIGS, "v1alpha1")
        .await
        .expect("the raw config");
    let raw: String = serde_saphyr::from_str(&raw).expect("a YAML string");
    let secrets: Vec<String> = raw
        .lines()
        .filter_map(|l| l.split_once(": "))
        .filter(|(k, _)| {
            let k = k.trim().to_ascii_lowercase();
            k == "key" || k == "token" || k.contains("secret")
        })
        .map(|(_, v)| v.trim().to_string())
        .collect();
    assert!(secrets.len() >= 8, "{secrets:?}");

    let mut c = inspector_on(&sim, setup, SICK).await;
    c.press(&["C"]);
    c.wait_for("the config", |s| s.talos.inspector.text.len() > 20)
        .await;
    let frame = c.frame_sized(160, 30);
    assert!(
        frame.contains("machine config (v1alpha1) · secrets redacted · lines 1–"),
        "{frame}"
    );
    assert!(
        frame.contains("version: v1alpha1"),
        "read from its top:\n{frame}"
    );
    assert!(frame.contains("<redacted>"), "{frame}");
    let kept: Vec<&String> = c.state.talos.inspector.text.lines().collect();
    for secret in &secrets {
        assert!(!frame.contains(secret.as_str()), "{secret} on screen");
        assert!(
            !kept.iter().any(|l| l.contains(secret.as_str())),
            "{secret} kept in memory"
        );
    }
    // Certificates are not secrets; the second document is there at the end.
    assert!(kept.iter().any(|l| l.contains("crt: LS0t")));
    c.press(&["G"]);
    let frame = c.frame_sized(160, 30);
    assert!(frame.contains("kind: WatchdogTimerConfig"), "{frame}");
    c.press(&["g"]);
    assert!(c.frame_sized(160, 30).contains("version: v1alpha1"));
}

#[tokio::test]
async fn a_reader_sees_the_machine_status_and_is_told_the_config_needs_admin() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c = inspector_on(&sim, reader_setup(&sim), "media-cp-877b9").await;
    c.press(&["C"]);
    let frame = c.frame_sized(200, 30);
    assert!(
        frame.contains(
            "your Talos certificate has os:reader; the machine config is a sensitive resource, readable with os:admin only"
        ),
        "{frame}"
    );
    assert!(c.state.talos.inspector.text.is_empty(), "nothing was read");
    c.press(&["o"]);
    c.wait_for("its status, over a reader's watch", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name == "media-cp-877b9" && matches!(m.status, Some(Ok(_))))
    })
    .await;
    assert!(c.frame_sized(160, 30).contains("stage running  ready"));
}

#[tokio::test]
async fn a_reboot_is_told_by_the_nodes_own_events_and_on_the_timeline() {
    let sim = common::frozen_sim_with_talos().await;
    let node = "media-workers-vbjts-fmr2g";
    let mut c = inspector_on(&sim, common::talos_setup(&sim), node).await;
    c.wait_for("its events", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name == node && !m.events.events.is_empty())
    })
    .await;
    c.press(&["b", "n"]);
    confirm(&mut c).await;
    // Down, then back: the stream is reopened after the last event it had.
    c.wait_for("booted again", |s| {
        s.history.newest_first().any(|t| t.new == "boot stopped")
    })
    .await;
    c.wait_for("ready", |s| {
        s.talos
            .machine
            .iter()
            .any(|(k, m)| k.name == node && matches!(&m.status, Some(Ok(st)) if st.ready))
    })
    .await;
    assert!(status_of(&c, node).is_some_and(|s| s.ready));
    c.command("timeline");
    let frame = c.frame_sized(200, 60);
    let boot = frame.find("sequence: boot stopped").expect("the boot");
    let restart = frame
        .find("restart: rebooting the machine")
        .expect("the restart");
    let reboot = frame.find("sequence: reboot started").expect("the reboot");
    assert!(boot < restart && restart < reboot, "newest first:\n{frame}");
    assert!(frame.contains("machine: rebooting, not ready"), "{frame}");
    // The routine service states of the reboot and the boot stay in the node's own list.
    assert!(!frame.contains("service: cri"), "{frame}");
}
