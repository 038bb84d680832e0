//! Node remediation from the inspector, over the simulated apid: a failing kubelet restarted
//! (the core services are not offered), etcd leadership handed over and alarms disarmed on a
//! control plane (refused on a worker), each confirmed first, shown exactly, audited; a
//! certificate whose roles cannot do it is refused before anything is sent.

use opsdeck::app::tables;
use opsdeck::model::store::ObjRef;

use crate::common::{self, Cockpit, audit_lines, confirm, inspector_on, reader_setup};

fn sick_worker(c: &Cockpit) -> String {
    c.state
        .talos
        .nodes
        .iter()
        .find(|n| n.unhealthy_services() == ["kubelet"])
        .map(|n| n.key.name.to_string())
        .expect("the lab worker with a failing kubelet")
}

#[tokio::test]
async fn a_failing_kubelet_is_restarted_and_core_services_are_not_offered() {
    let sim = common::frozen_sim_with_talos().await;
    let sick = "lab-workers-9bn5h-kphlr".to_string();
    let mut c = inspector_on(&sim, common::talos_setup(&sim), &sick).await;
    assert_eq!(
        sick_worker(&c),
        sick,
        "its kubelet fails before the restart"
    );

    // A core service: refused with the reason, no dialog.
    c.cursor_to(&tables::SERVICES, &ObjRef::new("", "containerd"));
    c.press(&["R"]);
    assert!(c.state.actions.dialog.is_none());
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("only kubelet and extension services"),
        "{notice}"
    );

    c.press(&["g"]);
    c.cursor_to(&tables::SERVICES, &ObjRef::new("", "kubelet"));
    c.press(&["R"]);
    let frame = c.frame_sized(200, 40);
    assert!(
        frame.contains(&format!("Restart kubelet on {sick}?")),
        "{frame}"
    );
    assert!(
        frame.contains("rpc      /machine.MachineService/ServiceRestart {id: \"kubelet\"}"),
        "{frame}"
    );
    confirm(&mut c).await;
    c.wait_for("the kubelet healthy", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == sick && n.unhealthy_services().is_empty())
    })
    .await;
    let lines = audit_lines(&c);
    assert_eq!(lines[0]["action"], "talos.service-restart");
    assert_eq!(
        lines[0]["request"]["rpc"],
        "/machine.MachineService/ServiceRestart"
    );
    assert_eq!(lines[0]["target"]["name"], sick.as_str());
    assert_eq!(lines[0]["result"]["ok"], "Service \"kubelet\" restarted");
}

#[tokio::test]
async fn etcd_leadership_moves_and_alarms_are_disarmed_on_control_planes_only() {
    let sim = common::frozen_sim_with_talos().await;
    let talos = sim.talos.as_ref().expect("talos");
    talos.set_etcd_errors("media-cp-jmb8d", vec!["NOSPACE alarm raised".into()]);
    let mut c = inspector_on(&sim, common::talos_setup(&sim), "media-cp-877b9").await;
    let leader = |c: &Cockpit| {
        c.state
            .talos
            .nodes
            .iter()
            .find(|n| n.key.name == "media-cp-877b9")
            .and_then(|n| n.etcd.as_ref())
            .map(|e| e.leader == e.member_id)
    };
    c.wait_for("etcd status", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == "media-cp-877b9" && n.etcd.is_some())
    })
    .await;
    assert_eq!(leader(&c), Some(true), "the first member leads");
    c.press(&["e", "F"]);
    assert!(c.frame_sized(200, 40).contains("EtcdForfeitLeadership"));
    confirm(&mut c).await;
    c.wait_for("another leader", |s| {
        s.talos.nodes.iter().any(|n| {
            n.key.name == "media-cp-877b9"
                && n.etcd.as_ref().is_some_and(|e| e.leader != e.member_id)
        })
    })
    .await;

    c.press(&["A"]);
    confirm(&mut c).await;
    c.wait_for("no alarm left", |s| {
        s.talos
            .nodes
            .iter()
            .filter_map(|n| n.etcd.as_ref())
            .all(|e| e.errors.is_empty())
    })
    .await;
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .map(|l| l["action"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(actions, ["etcd.forfeit-leadership", "etcd.alarm-disarm"]);

    // On a worker: no etcd, no dialog.
    let mut w = inspector_on(&sim, common::talos_setup(&sim), "media-workers-vbjts-57n6b").await;
    w.press(&["D"]);
    assert!(w.state.actions.dialog.is_none());
    assert!(
        w.state
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("etcd runs on control planes only"),
        "{:?}",
        w.state.notice
    );
}

#[tokio::test]
async fn a_reader_certificate_is_refused_before_anything_is_sent() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c = inspector_on(&sim, reader_setup(&sim), "media-cp-877b9").await;
    assert_eq!(
        c.state.talos.roles.get("media").cloned(),
        Some(vec!["os:reader".to_string()])
    );
    c.cursor_to(&tables::SERVICES, &ObjRef::new("", "kubelet"));
    c.press(&["R"]);
    let frame = c.frame_sized(200, 40);
    assert!(
        frame.contains("your Talos certificate has os:reader")
            && frame.contains("ServiceRestart needs os:admin or os:operator"),
        "{frame}"
    );
    c.press(&["<Enter>"]);
    assert!(c.state.actions.operations.is_empty(), "nothing was sent");
    assert!(audit_lines(&c).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reboot_drains_the_node_first_and_uncordons_it_when_back() {
    use opsdeck::app::domains::OpStatus;
    let sim = common::frozen_sim_with_talos().await;
    let mut c = common::every_layer(&sim).await;
    c.wait_for("the media pods and nodes", |s| {
        s.harvester.workload_pods.len() > 10
            && s.harvester.workload_nodes.len() >= 5
            && s.talos
                .nodes
                .iter()
                .filter(|n| n.services.is_some())
                .count()
                >= 8
    })
    .await;
    // A worker none of whose pods a disruption budget protects (jellyfin's refuses them all).
    let node = c
        .state
        .harvester
        .workload_nodes
        .iter()
        .map(|n| n.key.name.clone())
        .filter(|n| n.starts_with("media-workers-"))
        .find(|n| {
            !c.state
                .harvester
                .workload_pods
                .iter()
                .any(|p| p.node == *n && p.key.name.starts_with("jellyfin"))
                && c.state
                    .harvester
                    .workload_pods
                    .iter()
                    .any(|p| p.node == *n && p.phase == "Running")
        })
        .expect("a worker with pods to evict");
    c.press(&["3", "/"]);
    c.type_text(&node);
    c.press(&["<Enter>", "<Enter>", "b"]);
    c.wait_for("the dialog", |s| s.actions.dialog.is_some())
        .await;
    let frame = c.frame_sized(200, 60);
    assert!(
        frame.contains(&format!("Reboot {node}: drain it (cordon, evict")),
        "{frame}"
    );
    assert!(
        frame.contains("rpc      /machine.MachineService/Reboot {mode: DEFAULT}"),
        "{frame}"
    );
    assert!(frame.contains(&format!("uncordon {node}")), "{frame}");
    assert!(frame.contains(" n skip the drain"), "{frame}");
    // `n` offers it without the drain, and back.
    c.press(&["n"]);
    assert!(
        c.frame_sized(200, 60)
            .contains(&format!("Reboot {node} without draining it"))
    );
    c.press(&["n"]);
    assert!(c.frame_sized(200, 60).contains("drain it (cordon"));

    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    c.wait_for("the rollout done", |s| {
        s.actions
            .operations
            .first()
            .is_some_and(|o| matches!(o.status, OpStatus::Succeeded(_) | OpStatus::Failed(_)))
    })
    .await;
    let status = c.state.actions.operations[0].status.clone();
    assert!(matches!(status, OpStatus::Succeeded(_)), "{status:?}");
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .map(|l| l["action"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(actions.first().map(String::as_str), Some("node.cordon"));
    assert!(actions.iter().any(|a| a == "pod.evict"), "{actions:?}");
    let reboot = actions
        .iter()
        .position(|a| a == "talos.reboot")
        .expect("rebooted");
    assert!(
        actions[1..reboot].iter().all(|a| a == "pod.evict"),
        "{actions:?}"
    );
    assert_eq!(actions.last().map(String::as_str), Some("node.uncordon"));
    c.wait_for("schedulable again", |s| {
        s.harvester
            .workload_nodes
            .iter()
            .any(|n| n.key.name == node && !n.unschedulable)
    })
    .await;
}

#[tokio::test]
async fn an_etcd_snapshot_is_written_checked_and_its_checksum_shown() {
    use opsdeck::app::domains::OpStatus;
    use sha2::Digest;
    let sim = common::frozen_sim_with_talos().await;
    let mut c = inspector_on(&sim, common::talos_setup(&sim), "media-cp-jmb8d").await;
    let dir = tempfile::tempdir().expect("dir");
    c.state.snapshot_dir = Some(dir.path().to_path_buf());
    c.press(&["S"]);
    let frame = c.frame_sized(200, 40);
    assert!(
        frame.contains("rpc      /machine.MachineService/EtcdSnapshot {}"),
        "{frame}"
    );
    assert!(frame.contains("check its SHA-256 trailer"), "{frame}");
    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    // While it streams, the operations pane says how much has come, into a `.part` file.
    c.wait_for("the snapshot coming in", |s| {
        matches!(s.actions.operations.first().map(|o| &o.status),
            Some(OpStatus::Running(note)) if note.contains("receiving the snapshot: "))
    })
    .await;
    let listed = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect()
    };
    let partial = listed(dir.path());
    assert!(
        partial.len() == 1 && partial[0].to_string_lossy().ends_with(".snapshot.part"),
        "{partial:?}"
    );
    c.press(&["0"]);
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("receiving the snapshot: "), "{frame}");
    c.wait_for("the snapshot done", |s| {
        matches!(s.actions.operations[0].status, OpStatus::Succeeded(_))
    })
    .await;
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    assert_eq!(files.len(), 1, "the snapshot and no .part left: {files:?}");
    let name = files[0]
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        name.starts_with("etcd-media-cp-jmb8d-") && name.ends_with(".snapshot"),
        "{name}"
    );
    let bytes = std::fs::read(&files[0]).expect("snapshot");
    assert_eq!(bytes.len() % 512, 32);
    let (db, trailer) = bytes.split_at(bytes.len() - 32);
    let sum = sha2::Sha256::digest(db);
    assert_eq!(trailer, sum.as_slice());
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    let line = audit_lines(&c).pop().expect("audit line");
    assert_eq!(line["action"], "etcd.snapshot");
    let said = line["result"]["ok"].as_str().unwrap_or_default();
    assert!(said.contains(&format!("sha256 {hex}")), "{said}");
    // The operation says where and the checksum.
    let status = format!("{:?}", c.state.actions.operations[0].status);
    assert!(status.contains(&hex) && status.contains(&name), "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cordoned_node_is_uncordoned_from_its_inspector() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c = common::every_layer(&sim).await;
    let node = "media-workers-vbjts-57n6b";
    c.wait_for("its Node and Talos node", |s| {
        s.harvester
            .workload_nodes
            .iter()
            .any(|n| n.key.name == node)
            && s.talos
                .nodes
                .iter()
                .any(|n| n.key.name == node && n.services.is_some())
    })
    .await;
    c.press(&["3", "/"]);
    c.type_text(node);
    c.press(&["<Enter>", "<Enter>", "U"]);
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(
        notice.contains(&format!("{node} is not cordoned")),
        "{notice}"
    );
    assert!(c.state.actions.dialog.is_none());

    // Cordoned behind the cockpit's back (a drain that stopped half-way).
    let media = common::client_for(&sim, "opsdeck-media").await;
    common::merge_patch(
        &media,
        &format!("/api/v1/nodes/{node}"),
        serde_json::json!({"spec": {"unschedulable": true}}),
    )
    .await;
    c.wait_for("cordoned", |s| {
        s.harvester
            .workload_nodes
            .iter()
            .any(|n| n.key.name == node && n.unschedulable)
    })
    .await;
    c.press(&["U"]);
    let frame = c.frame_sized(200, 40);
    assert!(
        frame.contains(&format!("Uncordon node {node} on opsdeck-media?")),
        "{frame}"
    );
    confirm(&mut c).await;
    c.wait_for("schedulable", |s| {
        s.harvester
            .workload_nodes
            .iter()
            .any(|n| n.key.name == node && !n.unschedulable)
    })
    .await;
    let line = audit_lines(&c).pop().expect("audit line");
    assert_eq!(line["action"], "node.uncordon");
}
