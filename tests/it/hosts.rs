//! `:hosts`: Tinkerbell Hardware joined with its Workflow, its Rufio BMC Machine and the
//! Harvester node it became, across the management and Harvester clusters.

use crate::common;

use crate::common::{Cockpit, row};
use opsdeck::clients::talos::poller::TalosSetup;

#[tokio::test]
async fn hosts_join_hardware_workflow_bmc_and_harvester_node() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.press(&["6"]);
    c.wait_for("hosts from both clusters", |s| {
        s.metal.hardware.len() == 4
            && s.metal.workflows.len() == 4
            && s.metal.bmcs.len() == 4
            && s.harvester.hosts.len() == 3
            && common::pane_settled(s, &opsdeck::app::panes::HOSTS)
    })
    .await;
    let frame = c.frame_sized(200, 20);
    assert!(frame.contains("Bare-metal hosts (4) [live]"), "{frame}");
    let installed = row(&frame, "hv-01");
    for want in [
        "3c:ec:ef:10:00:01",
        "10.10.0.21",
        " no ",
        "/dev/nvme0n1,/dev/nvme1n1",
        "SUCCESS",
        "on",
        "ok 10.10.0.11",
        "hv-01 True",
    ] {
        assert!(installed.contains(want), "{want} missing: {installed}");
    }
    let installing = row(&frame, "hv-04");
    for want in ["yes", "RUNNING", "stream-harvester-image"] {
        assert!(installing.contains(want), "{want} missing: {installing}");
    }
    assert!(
        installing.trim_end_matches('│').trim_end().ends_with('-'),
        "not a Harvester node yet: {installing}"
    );
    let unreachable = row(&frame, "hv-03");
    assert!(
        unreachable.contains("unknown") && unreachable.contains("unreachable 10.10.0.13"),
        "{unreachable}"
    );
    assert!(unreachable.contains("hv-03 (maintenance)"), "{unreachable}");

    c.press(&["/"]);
    c.type_text("RUNNING");
    c.press(&["<Enter>"]);
    assert!(
        c.frame_sized(200, 20)
            .contains("Bare-metal hosts (1) [live]")
    );
}
