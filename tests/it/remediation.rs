//! VM live migration through KubeVirt's `migrate` subresource and bare-metal power through
//! Rufio BMC Jobs, end to end: the request shown is the request sent, the simulator's
//! controllers carry it out, and the panes show the effect.

use crate::common;

use crate::common::{Cockpit, audit_lines, confirm, row};
use opsdeck::app::domains::OpStatus;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::kinds::kind_id;

#[tokio::test]
async fn a_running_vm_migrates_to_another_host() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["5"]);
    c.wait_for("vms and instances", |s| {
        s.harvester.vms.len() == 10 && !s.harvester.vmis.is_empty()
    })
    .await;
    let (vm, from) = c
        .state
        .harvester
        .vms
        .iter()
        .filter(|v| v.status == "Running" && v.key.namespace == "media")
        .find_map(|v| {
            let vmi = c.state.harvester.vmis.get(&v.key)?;
            (!vmi.node.is_empty()).then(|| (v.key.clone(), vmi.node.clone()))
        })
        .expect("a running VM with a host");
    c.press(&["/"]);
    c.type_text(&vm.name);
    c.press(&["<Enter>", "m"]);
    let frame = c.frame();
    assert!(
        frame.contains(&format!("Migrate VM {}?", vm.name)),
        "{frame}"
    );
    assert!(
        frame.contains(&format!(
            "PUT /apis/subresources.kubevirt.io/v1/namespaces/media/virtualmachines/{}/migrate",
            vm.name
        )),
        "{frame}"
    );
    confirm(&mut c).await;
    c.wait_for("migrating", |s| {
        s.harvester
            .vms
            .get(&vm)
            .is_some_and(|v| v.status == "Migrating")
    })
    .await;
    // A second migration while one runs: virt-api's 409, in words.
    c.press(&["m"]);
    common::wait_allowed(&mut c).await;
    c.press(&["<Enter>"]);
    c.wait_for("refused", |s| {
        matches!(s.actions.operations[0].status, OpStatus::Failed(_))
    })
    .await;
    assert!(c.frame().contains("conflict: VM is already migrating"));

    sim.controllers().tick();
    c.wait_for("moved", |s| {
        s.harvester
            .vms
            .get(&vm)
            .is_some_and(|v| v.status == "Running")
            && s.harvester.vmis.get(&vm).is_some_and(|i| i.node != from)
    })
    .await;
    let to = c
        .state
        .harvester
        .vmis
        .get(&vm)
        .map(|i| i.node.clone())
        .expect("vmi");
    assert_ne!(to, "hv-03", "never onto a host in maintenance");
    assert!(row(&c.frame(), "media").contains(&to));
    // The operations panel shows where the VM is now.
    c.press(&["0"]);
    let frame = c.frame();
    assert!(
        common::line_with(&frame, "vm.migrate").contains(&format!("now: Running on {to}")),
        "{frame}"
    );
    let actions: Vec<String> = audit_lines(&c)
        .iter()
        .filter_map(|l| l["action"].as_str().map(str::to_string))
        .collect();
    assert_eq!(actions, ["vm.migrate", "vm.migrate"]);
}

fn power_state(sim: &opsdeck_sim::Simulator, machine: &str) -> String {
    let kind = kind_id("bmc.tinkerbell.org/Machine").expect("kind");
    let db = sim.db();
    db.list(kind, None, None)
        .find(|m| m["metadata"]["name"] == machine)
        .and_then(|m| {
            m.pointer("/status/powerState")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn bmc_power_goes_through_a_rufio_job() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["6"]);
    c.wait_for("hosts", |s| {
        s.metal.hardware.len() == 4 && s.metal.bmcs.len() == 4
    })
    .await;
    let hw = c
        .state
        .metal
        .hardware
        .iter()
        .find(|h| h.key.name == "hv-01")
        .cloned()
        .expect("hv-01");
    let bmc = hw.bmc.clone().expect("hv-01 has a BMC");
    assert_eq!(power_state(&sim, &bmc), "on");
    c.press(&["/"]);
    c.type_text("hv-01");
    c.press(&["<Enter>", "x"]);
    let frame = c.frame_sized(200, 50);
    assert!(
        frame.contains(&format!("Power off {bmc} through its BMC?")),
        "{frame}"
    );
    assert!(
        frame.contains(&format!(
            "POST /apis/bmc.tinkerbell.org/v1alpha1/namespaces/{}/jobs",
            hw.key.namespace
        )) && frame.contains("\"powerAction\": \"off\""),
        "{frame}"
    );
    confirm(&mut c).await;
    for _ in 0..2 {
        sim.controllers().tick();
    }
    c.wait_for("off", |s| {
        s.metal
            .bmcs
            .iter()
            .any(|b| b.key.name == bmc && b.power == "off")
    })
    .await;
    assert!(row(&c.frame_sized(200, 20), "hv-01").contains("off"));

    // A cycle passes through off and ends on.
    c.press(&["c"]);
    confirm(&mut c).await;
    for _ in 0..3 {
        sim.controllers().tick();
    }
    c.wait_for("on again", |s| {
        s.metal
            .bmcs
            .iter()
            .any(|b| b.key.name == bmc && b.power == "on")
    })
    .await;
    let jobs = kind_id("bmc.tinkerbell.org/Job").expect("kind");
    let done = sim
        .db()
        .list(jobs, None, None)
        .filter(|j| j.pointer("/status/completionTime").is_some())
        .count();
    assert_eq!(done, 2, "each action is its own one-shot Job");
    // A host whose BMC cannot be reached: the Job is created, then fails, and :ops says why.
    c.press(&["/"]);
    for _ in 0.."hv-01".len() {
        c.press(&["<Backspace>"]);
    }
    c.type_text("hv-03");
    c.press(&["<Enter>", "o"]);
    confirm(&mut c).await;
    for _ in 0..2 {
        sim.controllers().tick();
    }
    c.wait_for("job failed", |s| {
        s.metal.bmc_jobs.iter().any(|j| j.state == "Failed")
    })
    .await;
    c.press(&["0"]);
    let frame = c.frame_sized(220, 20);
    let line = common::line_with(&frame, "bmc.power-on");
    assert!(
        line.contains("Job Failed: BMC of") && line.contains("not contactable"),
        "{frame}"
    );

    let lines = audit_lines(&c);
    assert_eq!(lines[0]["action"], "bmc.power-off");
    assert_eq!(
        lines[1]["request"]["body"]["spec"]["tasks"][0]["powerAction"],
        "cycle"
    );
}
