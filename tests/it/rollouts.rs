//! Rollouts end to end against the simulator: a Kubernetes upgrade patches the control plane,
//! waits for its Machines to roll, and only then the workers; a Talos upgrade reboots nodes one
//! at a time and stops at a failing gate without touching the rest.

use crate::common;

use std::time::Duration;

use crate::common::{Cockpit, audit_lines};
use opsdeck::app::domains::OpStatus;
use opsdeck::app::state::State;
use opsdeck::model::talos::TalosNodeRow;
use opsdeck::model::tree::NodeId;

fn first_op(s: &State) -> &OpStatus {
    &s.actions.operations.first().expect("an operation").status
}

fn md_version(sim: &opsdeck_sim::Simulator, name: &str) -> String {
    let kind = opsdeck_sim::kinds::kind_id("MachineDeployment").expect("kind");
    sim.db()
        .get(&(kind, "lab".into(), name.into()))
        .and_then(|o| o.pointer("/spec/template/spec/version").cloned())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Select the `lab` cluster in the tree and ask to upgrade it.
async fn ask_lab_upgrade(c: &mut Cockpit) {
    c.wait_for("tree", |s| {
        s.capi.clusters.len() == 2 && s.capi.control_planes.len() == 2 && s.capi.machines.len() == 9
    })
    .await;
    let lab = c
        .state
        .capi
        .clusters
        .iter()
        .find(|cl| cl.key.name == "lab")
        .map(|cl| NodeId::Cluster(cl.key.clone()))
        .expect("lab");
    c.select_in_tree(&lab).await;
    c.press(&["U"]);
}

/// Open the Kubernetes upgrade dialog for `lab` with the pre-filled next minor.
async fn open_lab_upgrade(c: &mut Cockpit) {
    ask_lab_upgrade(c).await;
    let frame = c.frame();
    assert!(
        frame.contains("Kubernetes version for lab-cp: v1.34.0"),
        "the next minor is offered: {frame}"
    );
    c.press(&["<Enter>"]);
}

#[tokio::test]
async fn kubernetes_upgrade_rolls_the_control_plane_before_the_workers() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    open_lab_upgrade(&mut c).await;
    let frame = c.frame_sized(200, 50);
    for expected in [
        "Upgrade Kubernetes of cluster lab from v1.33.2 to v1.34.0?",
        "step 1/2: control plane lab-cp",
        "PATCH /apis/controlplane.cluster.x-k8s.io/v1alpha3/namespaces/lab/taloscontrolplanes/lab-cp",
        "step 2/2: workers lab-workers",
        "PATCH /apis/cluster.x-k8s.io/v1beta2/namespaces/lab/machinedeployments/lab-workers",
        "then wait for every control-plane Machine of lab Running v1.34.0",
    ] {
        assert!(frame.contains(expected), "{expected:?} in\n{frame}");
    }
    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    c.wait_for("control plane patched", |s| {
        matches!(first_op(s), OpStatus::Running(_))
    })
    .await;
    // Only the control plane was sent; the workers wait for it.
    assert_eq!(md_version(&sim, "lab-workers"), "v1.33.2");
    let mut saw_control_plane_only = false;
    for _ in 0..120 {
        sim.controllers().tick();
        c.settle(Duration::from_millis(40)).await;
        let lab_machines: Vec<_> = c
            .state
            .capi
            .machines
            .iter()
            .filter(|m| m.cluster == "lab")
            .collect();
        let cp_done = lab_machines
            .iter()
            .filter(|m| m.control_plane)
            .all(|m| m.version == "v1.34.0");
        let workers_old = lab_machines
            .iter()
            .filter(|m| !m.control_plane)
            .all(|m| m.version == "v1.33.2");
        if !cp_done {
            assert_eq!(
                md_version(&sim, "lab-workers"),
                "v1.33.2",
                "workers are not touched while the control plane rolls"
            );
        }
        saw_control_plane_only |= cp_done && workers_old;
        if matches!(
            first_op(&c.state),
            OpStatus::Succeeded(_) | OpStatus::Failed(_)
        ) {
            break;
        }
    }
    assert!(
        matches!(first_op(&c.state), OpStatus::Succeeded(_)),
        "{:?}",
        first_op(&c.state)
    );
    assert!(saw_control_plane_only, "the control plane finished first");
    assert_eq!(md_version(&sim, "lab-workers"), "v1.34.0");
    let lab: Vec<_> = c
        .state
        .capi
        .machines
        .iter()
        .filter(|m| m.cluster == "lab")
        .collect();
    assert_eq!(lab.len(), 3, "surge Machines are gone again");
    assert!(
        lab.iter()
            .all(|m| m.version == "v1.34.0" && m.phase == "Running")
    );

    let lines = audit_lines(&c);
    let actions: Vec<&str> = lines.iter().filter_map(|l| l["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "kubernetes.upgrade.control-plane",
            "kubernetes.upgrade.workers"
        ]
    );
    assert_eq!(
        lines[1]["request"]["body"]["spec"]["template"]["spec"]["version"],
        "v1.34.0"
    );
    c.press(&["0"]);
    let frame = c.frame();
    assert!(
        common::line_with(&frame, "kubernetes.upgrade").contains("done"),
        "{frame}"
    );
}

#[tokio::test]
async fn kubernetes_upgrade_refuses_skipping_a_minor_and_read_only_contexts() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    ask_lab_upgrade(&mut c).await;
    for _ in 0.."v1.34.0".len() {
        c.press(&["<Backspace>"]);
    }
    c.type_text("v1.35.0");
    c.press(&["<Enter>"]);
    assert!(c.state.actions.dialog.is_none());
    let frame = c.frame();
    assert!(frame.contains("one minor version at a time"), "{frame}");

    // An upgrade interrupted after the control plane: asking again finishes the workers.
    let tcp = opsdeck_sim::kinds::kind_id("TalosControlPlane").expect("kind");
    let _ = sim.db().modify(&(tcp, "lab".into(), "lab-cp".into()), |o| {
        o["spec"]["version"] = serde_json::json!("v1.34.0")
    });
    c.wait_for("control plane at v1.34.0", |s| {
        s.capi
            .control_planes
            .iter()
            .any(|cp| cp.version == "v1.34.0")
    })
    .await;
    c.press(&["U"]);
    assert!(c.frame().contains("Kubernetes version for lab-cp: v1.34.0"));
    c.press(&["<Enter>"]);
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains("Upgrade Kubernetes of cluster lab from v1.33.2 to v1.34.0?")
            && frame.contains("step 1/1: workers lab-workers")
            && !frame.contains("taloscontrolplanes"),
        "{frame}"
    );
    c.press(&["<Esc>"]);

    // A context marked read-only in config.toml offers no action at all.
    c.state.readonly_contexts.insert("test".into());
    c.press(&["U"]);
    assert!(c.state.prompt.is_none() && c.state.actions.dialog.is_none());
    assert!(c.frame().contains("context test is read-only"));
    assert!(audit_lines(&c).is_empty());
}

#[tokio::test]
async fn a_viewer_sees_the_upgrade_disabled() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::client_for(&sim, "opsdeck-viewer").await).await;
    open_lab_upgrade(&mut c).await;
    common::wait_denied(&mut c).await;
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains("your token may not patch taloscontrolplanes"),
        "{frame}"
    );
    c.press(&["<Enter>"]);
    assert!(c.state.actions.operations.is_empty(), "nothing is sent");
}

fn node<'a>(s: &'a State, name_starts: &str) -> Vec<&'a TalosNodeRow> {
    let mut nodes: Vec<_> = s
        .talos
        .nodes
        .iter()
        .filter(|n| n.key.name.starts_with(name_starts) && n.error.is_none())
        .collect();
    nodes.sort_by_key(|n| n.key.name.clone());
    nodes
}

/// Filter the `:talos` pane down to one node and select it.
fn select_node(c: &mut Cockpit, name: &str) {
    c.press(&["3", "/"]);
    c.type_text(name);
    c.press(&["<Enter>"]);
    let frame = c.frame();
    assert!(frame.contains(name), "{frame}");
}

#[tokio::test]
async fn talos_upgrade_of_a_node_reboots_it_into_the_new_version() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c =
        Cockpit::start_with_talos(common::admin(&sim).await, common::talos_setup(&sim)).await;
    c.wait_for("media nodes", |s| node(s, "media-workers").len() == 2)
        .await;
    let victim = node(&c.state, "media-workers")[0].clone();
    assert_eq!(victim.talos_version.as_deref(), Some("v1.13.2"));
    select_node(&mut c, &victim.key.name);
    c.press(&["u"]);
    let frame = c.frame();
    assert!(
        frame.contains(&format!(
            "installer image for {}: ghcr.io/siderolabs/installer:v1.14.0",
            victim.key.name
        )),
        "{frame}"
    );
    c.press(&["<Enter>"]);
    let frame = c.frame_sized(200, 50);
    for expected in [
        "/machine.ImageService/Pull",
        "/machine.LifecycleService/Upgrade",
        "/machine.MachineService/Reboot",
        "allowed by your Talos certificate's roles",
    ] {
        assert!(frame.contains(expected), "{expected:?} in\n{frame}");
    }
    c.press(&["<Enter>"]);
    c.wait_for("node rebooting", |s| {
        s.talos
            .nodes
            .get(&victim.key)
            .is_some_and(|n| n.error.is_some())
    })
    .await;
    c.wait_for("upgrade done", |s| {
        matches!(first_op(s), OpStatus::Succeeded(_) | OpStatus::Failed(_))
    })
    .await;
    assert!(
        matches!(first_op(&c.state), OpStatus::Succeeded(_)),
        "{:?}",
        first_op(&c.state)
    );
    let after = c.state.talos.nodes.get(&victim.key).expect("row");
    assert_eq!(after.talos_version.as_deref(), Some("v1.14.0"));
    assert!(after.boot_time > victim.boot_time, "it rebooted");
    let frame = c.frame();
    assert!(
        common::row(&frame, &victim.key.name).contains("v1.14.0"),
        "{frame}"
    );
    let lines = audit_lines(&c);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["action"], "talos.upgrade");
    assert_eq!(
        lines[0]["request"]["rpc"][1],
        "/machine.LifecycleService/Upgrade"
    );
    assert!(!lines[0].to_string().contains("PRIVATE KEY"));
}

#[tokio::test]
async fn a_rolling_talos_upgrade_stops_at_a_failing_gate() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c =
        Cockpit::start_with_talos(common::admin(&sim).await, common::talos_setup(&sim)).await;
    c.wait_for("lab nodes", |s| node(s, "lab-").len() == 3)
        .await;
    let nodes: Vec<TalosNodeRow> = node(&c.state, "lab-").into_iter().cloned().collect();
    // Control plane first, then the workers by name.
    let cp = nodes
        .iter()
        .find(|n| n.is_control_plane())
        .expect("cp")
        .clone();
    let workers: Vec<&TalosNodeRow> = nodes.iter().filter(|n| !n.is_control_plane()).collect();
    let (failing, untouched) = (workers[0].clone(), workers[1].clone());
    sim.talos
        .as_ref()
        .expect("talos")
        .fail_upgrades(&failing.key.name);

    select_node(&mut c, &cp.key.name);
    c.press(&["U"]);
    assert!(
        c.frame()
            .contains("installer image for 3 nodes: ghcr.io/siderolabs/installer:v1.11.0")
    );
    c.press(&["<Enter>"]);
    let frame = c.frame_sized(200, 50);
    for expected in [
        "Upgrade Talos on 3 nodes of lab to v1.11.0?",
        "/machine.MachineService/Upgrade",
        "step 3/3",
        &format!("the same calls with metadata node={}", untouched.key.name),
    ] {
        assert!(frame.contains(expected), "{expected:?} in\n{frame}");
    }
    // On a small terminal the plan scrolls, down to the send line.
    let small = c.frame_sized(120, 12);
    assert!(small.contains("j/k PgUp/PgDn scroll"), "{small}");
    c.press(&["<PageDown>", "<PageDown>", "<PageDown>"]);
    let small = c.frame_sized(120, 12);
    assert!(small.contains("Enter send"), "{small}");
    c.press(&["<Enter>"]);
    // Quitting while a rollout runs asks first.
    c.press(&["q"]);
    assert!(!c.state.quit);
    assert!(c.frame().contains("press q again to quit"));
    c.wait_for("rollout ends", |s| {
        matches!(first_op(s), OpStatus::Succeeded(_) | OpStatus::Failed(_))
    })
    .await;
    let OpStatus::Failed(why) = first_op(&c.state).clone() else {
        panic!(
            "the failing gate stops the rollout: {:?}",
            first_op(&c.state)
        );
    };
    assert!(
        why.contains("step 2/3")
            && why.contains(&failing.key.name.to_string())
            && why.contains("rebooted into v1.10.5, not v1.11.0"),
        "{why}"
    );
    let talos = &c.state.talos.nodes;
    assert_eq!(
        talos
            .get(&cp.key)
            .and_then(|n| n.talos_version.clone())
            .as_deref(),
        Some("v1.11.0")
    );
    // The node after the failed one was never asked.
    c.settle(Duration::from_millis(800)).await;
    let last = c.state.talos.nodes.get(&untouched.key).expect("row");
    assert_eq!(last.talos_version.as_deref(), Some("v1.10.5"));
    assert_eq!(last.boot_time, untouched.boot_time);
    let lines = audit_lines(&c);
    let targets: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["target"]["name"].as_str())
        .collect();
    assert_eq!(targets, [cp.key.name.as_str(), failing.key.name.as_str()]);
    let frame = c.frame();
    assert!(frame.contains("stopped at step 2/3"), "{frame}");
}
