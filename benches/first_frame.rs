//! Benchmark: the `large` scenario (20 clusters, 2,000 Machines, 5,000 Applications with 40
//! resources each) served by `opsdeck-sim` (the simulator alone) in a child process; this process runs
//! the cockpit's real path (kube watches → projection → update → render to a TestBackend) and
//! reports time to the first complete frame, peak RSS, and CPU time while idle.
//!
//! Run: `cargo bench --bench first_frame`

mod support;

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use opsdeck::app::msg::Msg;
use opsdeck::app::state::State;
use opsdeck::app::update::update;

use opsdeck::app::watches;
use support::{
    connect_sim, cpu_seconds, key, key_cost, new_state, proc_status, render, start_simulator,
};

const MACHINES: usize = 2000;
const APPS: usize = 5000;

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (sim, path) = start_simulator("large");
    let yaml = std::fs::read_to_string(&path).expect("kubeconfig");

    let rss_before = proc_status("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let (client, context) = connect_sim(&yaml).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let kube = opsdeck::clients::kube::sources::KubeSources::single(context.clone(), client);
    let _watches = watches::start_pane_watches(&kube, &tx);
    let mut state = new_state(context);
    let complete = |s: &State| {
        s.capi.machines.len() == MACHINES
            && s.argo.apps.len() == APPS
            && s.capi.clusters.state().is_healthy()
            && s.capi.control_planes.state().is_healthy()
            && s.capi.deployments.state().is_healthy()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while !complete(&state) {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(msg)) => {
                update(&mut state, msg);
            }
            _ => panic!("the large scenario did not load in time"),
        }
    }
    let frame = render(&mut state);
    let first_frame = start.elapsed();
    let cpu_load = cpu_seconds() - cpu_start;
    assert!(
        frame.contains("Clusters (20) [live]"),
        "first frame is the live tree"
    );
    // The apps view, too, is complete at that point.
    update(&mut state, key("2"));
    let apps_frame = render(&mut state);
    assert!(apps_frame.contains("Applications (5000) [live]"));
    // What a key costs on the 5,000-row table: the cursor move, and the frame after it.
    let (per_move, per_frame) = key_cost(&mut state, |state, msg| {
        update(state, msg);
    });

    // Idle: watches stay open, the simulator's controllers keep ticking; nothing to redraw.
    let idle = Duration::from_secs(20);
    let cpu_idle_start = cpu_seconds();
    let idle_end = tokio::time::Instant::now() + idle;
    let mut updates = 0usize;
    let mut draws = 0usize;
    while let Ok(msg) = tokio::time::timeout_at(idle_end, rx.recv()).await {
        let Some(msg) = msg else { break };
        update(&mut state, msg);
        updates += 1;
        if state.dirty {
            render(&mut state);
            state.dirty = false;
            draws += 1;
        }
    }
    let cpu_idle = cpu_seconds() - cpu_idle_start;
    let peak_rss = proc_status("VmHWM:").unwrap_or(0);
    drop(sim);

    println!(
        "large scenario: {} clusters, {MACHINES} machines, {APPS} applications x 40 resources",
        state.capi.clusters.len()
    );
    println!(
        "time to first complete frame: {:.0} ms",
        first_frame.as_secs_f64() * 1000.0
    );
    println!("CPU time to first frame:      {cpu_load:.2} s");
    println!(
        "peak RSS:                     {:.1} MiB (at start {:.1} MiB)",
        peak_rss as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
    println!(
        "idle {}s: {updates} updates, {draws} draws, {cpu_idle:.2} CPU-s",
        idle.as_secs()
    );
    println!(
        "apps pane, 5,000 rows: cursor move {:.1} ms, frame {:.1} ms",
        per_move.as_secs_f64() * 1000.0,
        per_frame.as_secs_f64() * 1000.0
    );
}
