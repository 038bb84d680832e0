//! Benchmark: `:pods` on a cluster with 4,000 pods of realistic size (about 10 KB of JSON each,
//! managed fields and a sidecar included), served by `opsdeck-sim --scenario pods`
//! in a child process. This process runs the cockpit's real path — discovery, the `:pods`
//! command, the Table list and watch over HTTPS, projection to rows, `update`, a rendered
//! frame — and reports the time to the first complete `:pods` frame, RSS 15 s later, and CPU
//! while idle.
//!
//! Run: `cargo bench --bench browse_pods`

mod support;

use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use opsdeck::app::msg::{Command, Msg};
use opsdeck::app::run::Executor;
use opsdeck::app::state::State;
use opsdeck::app::update::{start_with, update};
use opsdeck::clients::kube::sources::KubeSources;
use opsdeck::clients::talos::poller::TalosSetup;

use support::{
    connect_sim, cpu_seconds, key_cost, new_state, proc_status, render, start_simulator,
};

/// The scenario's 4,000 extra pods (the management cluster has no others).
const PODS: usize = 4000;

fn run(state: &mut State, executor: &mut Executor, msg: Msg) {
    for command in update(state, msg) {
        executor.run(command);
    }
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (sim, path) = start_simulator("pods");
    let yaml = std::fs::read_to_string(&path).expect("kubeconfig");

    let rss_before = proc_status("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let (client, context) = connect_sim(&yaml).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let kube = KubeSources::single(context.clone(), client);
    let mut executor = Executor::new(kube, TalosSetup::default(), tx);
    executor.discover_kinds();
    let mut state = new_state(context);
    // As `opsdeck -c pods`: the browse opens as soon as discovery knows the kind.
    let started: Vec<Command> = start_with(&mut state, "pods");
    for command in started {
        executor.run(command);
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while state.browse.rows.len() < PODS {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(msg)) => run(&mut state, &mut executor, msg),
            _ => panic!("the pods did not load in time"),
        }
    }
    let frame = render(&mut state);
    let first_frame = start.elapsed();
    let cpu_load = cpu_seconds() - cpu_start;
    assert!(frame.contains(&format!("pods ({PODS}) [live]")), "{frame}");
    assert!(frame.contains("RESTARTS"), "{frame}");
    // What a key costs on the 4,000-row table: the cursor move, and the frame after it.
    let (per_move, per_frame) = key_cost(&mut state, |state, msg| run(state, &mut executor, msg));

    // Idle: the watch stays open; nothing changes, nothing is drawn.
    let idle = Duration::from_secs(15);
    let cpu_idle_start = cpu_seconds();
    let idle_end = tokio::time::Instant::now() + idle;
    let mut draws = 0usize;
    while let Ok(msg) = tokio::time::timeout_at(idle_end, rx.recv()).await {
        let Some(msg) = msg else { break };
        run(&mut state, &mut executor, msg);
        if state.dirty {
            render(&mut state);
            state.dirty = false;
            draws += 1;
        }
    }
    let cpu_idle = cpu_seconds() - cpu_idle_start;
    let rss_after = proc_status("VmRSS:").unwrap_or(0);
    let peak_rss = proc_status("VmHWM:").unwrap_or(0);
    drop(executor);
    drop(sim);

    println!("pods scenario: {PODS} pods of about 10 KB in one cluster, :pods");
    println!(
        "time to first complete :pods frame: {:.0} ms",
        first_frame.as_secs_f64() * 1000.0
    );
    println!("CPU time to that frame:             {cpu_load:.2} s");
    println!(
        "RSS {}s later:                      {:.1} MiB (peak {:.1} MiB, at start {:.1} MiB)",
        idle.as_secs(),
        rss_after as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
    println!(
        "idle {}s: {draws} draws, {cpu_idle:.2} CPU-s",
        idle.as_secs()
    );
    println!(
        "4,000 rows: cursor move {:.1} ms, frame {:.1} ms",
        per_move.as_secs_f64() * 1000.0,
        per_frame.as_secs_f64() * 1000.0
    );
}
