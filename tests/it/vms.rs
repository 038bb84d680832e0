//! `:vms` against the simulated Harvester cluster: VMs joined with their VMIs and images,
//! hosts with maintenance, and VMs that follow their CAPI Machines.

use crate::common;

use crate::common::{Cockpit, line_with};
use opsdeck::clients::talos::poller::TalosSetup;

async fn vms_cockpit(sim: &opsdeck_sim::Simulator) -> Cockpit {
    let mut c =
        Cockpit::start_with_sources(common::all_sources(sim).await, TalosSetup::default()).await;
    c.press(&["5"]);
    c.wait_for("VMs, VMIs, images and hosts", |s| {
        s.harvester.vms.len() == 10
            && s.harvester.vmis.len() == 9
            && s.harvester.vm_images.len() == 2
            && s.harvester.hosts.len() == 3
            && s.capi.machines.len() == 9
            && common::pane_settled(s, &opsdeck::app::panes::VMS)
    })
    .await;
    c
}

#[tokio::test]
async fn vms_show_node_ip_size_image_and_hosts_show_maintenance() {
    let sim = common::frozen_sim().await;
    let mut c = vms_cockpit(&sim).await;
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("Harvester VMs (10) [live]"), "{frame}");
    let cp = line_with(&frame, "lab-cp-");
    for want in [
        "lab",
        "Running",
        "RerunOnFailure",
        "hv-0",
        "10.20.",
        "4 ",
        "8Gi",
        "talos-v1.10.5-nocloud-amd64.raw.xz",
    ] {
        assert!(cp.contains(want), "{want} missing: {cp}");
    }
    let booting = line_with(&frame, "srl96");
    assert!(
        booting.contains("Starting") && booting.contains(" - "),
        "no IP yet: {booting}"
    );
    let stopped = line_with(&frame, "windows-build-agent");
    assert!(
        stopped.contains("Stopped") && stopped.contains("Halted"),
        "{stopped}"
    );
    let host = line_with(&frame, "hv-03");
    assert!(
        host.contains("in maintenance") && host.contains("cordoned") && host.contains(" 0 "),
        "{host}"
    );
    assert!(
        common::row(&frame, "hv-01").contains("schedulable"),
        "{frame}"
    );
}

#[tokio::test]
async fn a_machine_and_its_vm_are_the_same_thing_on_two_layers() {
    let sim = common::frozen_sim().await;
    let mut c = vms_cockpit(&sim).await;
    // The CAPI providerID names the KubeVirt VM uid.
    let machine = {
        let db = sim.db();
        let kind = opsdeck_sim::kinds::kind_id("Machine").expect("kind");
        db.list(kind, Some("lab"), None)
            .find(|m| {
                m["metadata"]["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("lab-cp-"))
            })
            .cloned()
            .expect("machine")
    };
    let provider_id = machine["spec"]["providerID"].as_str().expect("providerID");
    let name = machine["metadata"]["name"].as_str().expect("name");
    let vm_uid = {
        let db = sim.cluster_db("harvester").expect("harvester");
        let kind = opsdeck_sim::kinds::kind_id("VirtualMachine").expect("kind");
        db.get(&(kind, "lab".to_string(), name.to_string()))
            .expect("vm")["metadata"]["uid"]
            .clone()
    };
    assert_eq!(
        Some(provider_id),
        vm_uid
            .as_str()
            .map(|u| format!("harvester://{u}"))
            .as_deref()
    );

    // The provisioning Machine's VM starts running when the Machine does.
    for _ in 0..8 {
        sim.controllers().tick();
    }
    c.wait_for("booting VM running", |s| {
        s.harvester.vms.iter().all(|v| v.status != "Starting")
    })
    .await;
    let frame = c.frame_sized(200, 40);
    assert!(line_with(&frame, "srl96").contains("Running"), "{frame}");
}
