//! Talos metrics over the simulated apid: successive polls' counters become rates (CPU,
//! memory, links, disks), drawn as bars in `:talos` and sparklines in the inspector's Metrics
//! tab; the node on screen is polled faster than the others; the Processes, Mounts and Disks
//! tabs show what the node reports.

use std::collections::BTreeMap;
use std::time::Duration;

use opsdeck::clients::Sink;
use opsdeck::clients::talos::poller;
use opsdeck::model::store::{ObjRef, WatchUpdate};

use crate::common::{self, Cockpit, line_with};

#[tokio::test]
async fn successive_polls_make_rates_drawn_as_bars_and_sparklines() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c =
        Cockpit::start_with_talos(common::admin(&sim).await, common::talos_setup(&sim)).await;
    c.press(&["3"]);
    let cp = "media-cp-877b9";
    c.wait_for("a few points of the control plane", |s| {
        s.talos
            .metrics
            .iter()
            .find(|(k, _)| k.name == cp)
            .is_some_and(|(_, m)| m.points.len() >= 3)
    })
    .await;
    let metrics = c
        .state
        .talos
        .metrics
        .iter()
        .find(|(k, _)| k.name == cp)
        .map(|(_, m)| m.clone())
        .expect("metrics");
    for p in &metrics.points {
        let cpu = p.cpu_pct.expect("CPU from SystemStat deltas");
        assert!((0.0..=100.0).contains(&cpu), "{cpu}");
        assert!(p.mem_pct.is_some_and(|m| m > 0.0));
        // Only the NIC: loopback and the CNI's links are left out.
        let links: Vec<&str> = p.links.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(links, ["eth0"]);
        assert!(p.links[0].rx_per_sec > 0.0 && p.links[0].tx_per_sec > 0.0);
        assert!(p.disk_write_per_sec.is_some_and(|w| w > 0.0));
    }
    // The rates move: a dashboard of constants would be a lie.
    let cpus: Vec<u64> = metrics
        .points
        .iter()
        .filter_map(|p| p.cpu_pct.map(|c| (c * 1000.0) as u64))
        .collect();
    assert!(cpus.windows(2).any(|w| w[0] != w[1]), "{cpus:?}");

    // :talos shows a CPU and a memory bar per reachable node.
    let frame = c.frame();
    let row = line_with(&frame, cp);
    assert!(row.contains('%') && row.contains('█'), "{row}");

    // The inspector's Metrics tab: every series with its latest value and a sparkline.
    c.press(&["/"]);
    c.type_text(cp);
    c.press(&["<Enter>", "<Enter>", "m"]);
    let frame = c.frame();
    for label in [
        "CPU",
        "memory",
        "load 1m",
        "eth0 rx",
        "eth0 tx",
        "disk read",
        "disk write",
    ] {
        let line = line_with(&frame, &format!(" {label} "));
        assert!(
            line.chars().any(|ch| ('▁'..='█').contains(&ch)),
            "{label} has no sparkline: {line}"
        );
    }
    assert!(line_with(&frame, "eth0 rx").contains("/s"), "{frame}");
    assert!(frame.contains("every second while shown"), "{frame}");
}

#[tokio::test]
async fn the_node_on_screen_is_polled_faster() {
    let sim = common::frozen_sim_with_talos().await;
    let setup = common::talos_setup(&sim);
    let focused = setup
        .nodes
        .iter()
        .find(|k| k.name == "media-cp-877b9")
        .cloned()
        .expect("node");
    let (focus, rx) = tokio::sync::watch::channel(Some(focused.clone()));
    let counts = std::sync::Arc::new(std::sync::Mutex::new(BTreeMap::<ObjRef, usize>::new()));
    let seen = counts.clone();
    let sink = Sink::new(move |u: WatchUpdate<_>| {
        if let WatchUpdate::Upsert(row) = u {
            let row: opsdeck::model::talos::TalosNodeRow = row;
            *seen
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(row.key)
                .or_default() += 1;
        }
        true
    });
    // Every 3 s in general, every second for the node on screen.
    let tasks = poller::start_polling(&setup, Duration::from_secs(3), rx, &sink);
    tokio::time::sleep(Duration::from_millis(3_500)).await;
    for t in &tasks {
        t.abort();
    }
    drop(focus);
    let counts = counts.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let fast = counts.get(&focused).copied().unwrap_or_default();
    let other = counts
        .iter()
        .filter(|(k, _)| **k != focused)
        .map(|(_, n)| *n)
        .max()
        .unwrap_or_default();
    assert!(fast >= 3, "the focused node: {fast} polls");
    assert!(other <= 2, "the others: {counts:?}");
}

#[tokio::test]
async fn processes_busiest_first_and_mounts_how_full() {
    let sim = common::frozen_sim_with_talos().await;
    let mut c =
        Cockpit::start_with_talos(common::admin(&sim).await, common::talos_setup(&sim)).await;
    c.press(&["3"]);
    c.wait_for("the control plane polled", |s| {
        s.talos
            .nodes
            .iter()
            .any(|n| n.key.name == "media-cp-877b9" && n.services.is_some())
    })
    .await;
    c.press(&["/"]);
    c.type_text("media-cp-877b9");
    c.press(&["<Enter>", "<Enter>", "p"]);
    c.wait_for("two reads of the processes", |s| {
        s.talos
            .inspector
            .processes
            .as_ref()
            .is_some_and(|p| p.as_ref().is_ok_and(|p| !p.cpu_pct.is_empty()))
    })
    .await;
    let frame = c.frame_sized(200, 40);
    assert!(frame.contains("busiest first"), "{frame}");
    for command in ["kube-apiserver", "etcd", "kubelet", "machined"] {
        assert!(
            line_with(&frame, command).contains("MiB"),
            "{command}: {frame}"
        );
    }
    // Busiest first: the CPU% column falls down the list.
    let shown = opsdeck::app::tables::shown(&c.state, &opsdeck::app::tables::PROCESSES);
    let cpu: Vec<f64> = shown
        .iter()
        .filter_map(|r| r.cells[3].text().parse::<f64>().ok())
        .collect();
    assert!(cpu.len() >= 8, "{cpu:?}");
    assert!(cpu.windows(2).all(|w| w[0] >= w[1]), "{cpu:?}");

    c.press(&["M"]);
    c.wait_for("the mounts", |s| {
        s.talos.inspector.mounts.as_ref().is_some_and(|m| m.is_ok())
    })
    .await;
    let frame = c.frame_sized(200, 40);
    let var = line_with(&frame, "/var ");
    assert!(
        var.contains("/dev/vda6") && var.contains("120.0 GiB") && var.contains('%'),
        "{var}"
    );
    assert!(
        line_with(&frame, "/proc").contains(" - "),
        "no size, no use: {frame}"
    );

    // The disks, through StorageService on the same channel.
    c.press(&["i"]);
    c.wait_for("the disks", |s| {
        s.talos.inspector.disks.as_ref().is_some_and(|d| d.is_ok())
    })
    .await;
    let frame = c.frame_sized(200, 40);
    let vda = line_with(&frame, "/dev/vda");
    assert!(
        vda.contains("QEMU HARDDISK") && vda.contains("60.0 GiB") && vda.contains("yes"),
        "{vda}"
    );
}
