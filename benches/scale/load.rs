//! The scale benchmark's load: the cockpit's start against a simulator serving
//! `scale-<size>`, up to the first frame with every object on it — once in the process that
//! measures the rest, and again in processes of their own (`--loads N`) for the spread.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use opsdeck::app::msg::Msg;
use opsdeck::app::run::Executor;
use opsdeck::app::state::State;
use opsdeck::app::update::start_with;
use opsdeck::app::watches;
use opsdeck::clients::kube::sources::KubeSources;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::model::source::SourceState;

use crate::support::{connect_sim, cpu_seconds, drive, new_state, proc_status};

/// A size not loaded by then fails the benchmark (it never hangs).
const LOAD_WITHIN: Duration = Duration::from_secs(600);

/// Run `work` as `opsdeck` runs: its allocator settings, a runtime of its own.
pub fn in_cockpit_process(work: impl std::future::Future<Output = ()>) {
    opsdeck::memory::fewer_malloc_arenas();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(work);
}

/// One more load of a simulator already serving, in a process of its own: prints
/// `LOAD <ms to the first rows> <ms to the complete frame> <CPU-s> <peak RSS KiB>`.
pub async fn load_once(size: &str, kubeconfig_path: &str) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let yaml = std::fs::read_to_string(kubeconfig_path).expect("kubeconfig");
    let loaded = load(size, counts(size), &yaml).await;
    println!(
        "LOAD {:.0} {:.0} {:.2} {}",
        loaded.first_rows.as_secs_f64() * 1000.0,
        loaded.first_frame.as_secs_f64() * 1000.0,
        loaded.cpu_to_frame,
        loaded.peak_at_frame
    );
}

/// What one load took.
pub struct LoadTook {
    pub first_rows_ms: f64,
    pub complete_ms: f64,
    /// The cockpit's CPU-s to the complete frame.
    pub cpu: f64,
    pub peak_kib: u64,
    /// The simulator's CPU-s meanwhile.
    pub sim_cpu: f64,
    /// The reference work's time just before (`reference_ms`).
    pub reference_ms: f64,
}

impl LoadTook {
    /// A `LOAD` line's fields, and the simulator's CPU-s its load took.
    fn read(line: &str, sim_cpu: f64, reference_ms: f64) -> Option<LoadTook> {
        let mut fields = line.split(' ');
        let mut number = || fields.next()?.parse::<f64>().ok();
        Some(LoadTook {
            first_rows_ms: number()?,
            complete_ms: number()?,
            cpu: number()?,
            peak_kib: number()? as u64,
            sim_cpu,
            reference_ms,
        })
    }
}

/// This machine's speed just now: a fixed piece of work on one thread (reading the same
/// 1 MB of JSON, objects like a pod's metadata, ten times), timed in ms, in a process of its
/// own (its memory is not the measured process's peak). On a shared virtual machine the same
/// build's load takes half as long again from one minute to the next; a load beside its
/// reference says whether it was slow or the machine was.
pub fn reference_ms() -> f64 {
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .arg("--reference-only")
        .output()
        .expect("run the reference work");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("REFERENCE ")?.parse().ok())
        .unwrap_or_else(|| panic!("the reference work failed: {}", out.status))
}

/// The reference work, printed as `REFERENCE <ms>`.
pub fn reference_work() {
    let objects: Vec<serde_json::Value> = (0..2_000)
        .map(|i| {
            serde_json::json!({
                "metadata": {
                    "name": format!("web-{i:05}-7d9f8c6b5-x2x4q"),
                    "namespace": format!("team-{}", i % 40),
                    "labels": {"app": "web", "pod-template-hash": "7d9f8c6b5"},
                    "creationTimestamp": "2026-11-30T10:00:00Z",
                    "resourceVersion": (1_000_000 + i).to_string(),
                },
                "cells": [format!("web-{i:05}"), "1/1", "Running", 0, "3d", "10.0.0.1"],
            })
        })
        .collect();
    let text = serde_json::Value::Array(objects).to_string();
    let start = Instant::now();
    for _ in 0..10 {
        let read: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        std::hint::black_box(read);
    }
    println!("REFERENCE {:.1}", start.elapsed().as_secs_f64() * 1000.0);
}

/// One load of the simulator at `kubeconfig_path` in a process of its own, after the
/// reference work.
fn load_in_own_process(size: &str, kubeconfig_path: &str, sim_cpu: impl Fn() -> f64) -> LoadTook {
    let reference = reference_ms();
    let sim_before = sim_cpu();
    let out = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--load-only", size, "--kubeconfig", kubeconfig_path])
        .output()
        .expect("run one load");
    let text = String::from_utf8_lossy(&out.stdout);
    let took = text
        .lines()
        .find_map(|l| LoadTook::read(l.strip_prefix("LOAD ")?, sim_cpu() - sim_before, reference));
    let Some(took) = took else {
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        panic!("a load of scale-{size} failed: {}", out.status);
    };
    took
}

/// `warm_ups` loads of a freshly started simulator before the loads that are counted: a real
/// API server has served lists before, while the simulator's first load is also its
/// allocator's first (pages taken from the kernel and zeroed: the simulator spent 0.48–1.24
/// CPU-s on a first 100k load and 0.32–0.59 on each after it). Printed, not counted.
pub fn warm_up(size: &str, kubeconfig_path: &str, warm_ups: usize, sim_cpu: impl Fn() -> f64) {
    if warm_ups == 0 {
        return;
    }
    let took: Vec<String> = (0..warm_ups)
        .map(|_| {
            let l = load_in_own_process(size, kubeconfig_path, &sim_cpu);
            format!(
                "{:.0} ms (the simulator {:.2} CPU-s)",
                l.complete_ms, l.sim_cpu
            )
        })
        .collect();
    println!(
        "  the simulator warmed up by {warm_ups} load(s) not counted: {}",
        took.join(", ")
    );
}

/// How closely `ys` follow `xs` (Pearson's r: 1 in step, 0 not at all).
fn correlation(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let cov: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sx = xs.iter().map(|x| (x - mx).powi(2)).sum::<f64>().sqrt();
    let sy = ys.iter().map(|y| (y - my).powi(2)).sum::<f64>().sqrt();
    if sx == 0.0 || sy == 0.0 {
        0.0
    } else {
        cov / (sx * sy)
    }
}

/// The smallest and largest of `values`.
fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::MAX, f64::MIN), |(low, high), v| {
        (low.min(v), high.max(v))
    })
}

/// `loads - 1` more loads of the simulator at `kubeconfig_path` (whose CPU-s so far
/// `sim_cpu` reads) after the `first`, one process each, one after the other; a line on all
/// of them, and the table cell's note on the spread (empty for a single load).
pub fn more_loads(
    size: &str,
    kubeconfig_path: &str,
    loads: usize,
    first: LoadTook,
    sim_cpu: impl Fn() -> f64,
) -> String {
    if loads < 2 {
        return String::new();
    }
    let mut all = vec![first];
    for _ in 1..loads {
        all.push(load_in_own_process(size, kubeconfig_path, &sim_cpu));
    }
    let mut complete: Vec<f64> = all.iter().map(|l| l.complete_ms).collect();
    complete.sort_by(f64::total_cmp);
    let median = complete[complete.len() / 2];
    let (fastest, slowest) = (complete[0], complete[complete.len() - 1]);
    let under = complete.iter().filter(|t| **t <= 1000.0).count();
    let cpu = range(all.iter().map(|l| l.cpu));
    let sim = range(all.iter().map(|l| l.sim_cpu));
    let peak = all.iter().map(|l| l.peak_kib).max().unwrap_or(0) as f64 / 1024.0;
    let each: Vec<String> = all
        .iter()
        .map(|l| {
            format!(
                "{:.0} ({:.0}) [{:.0}]",
                l.complete_ms, l.first_rows_ms, l.reference_ms
            )
        })
        .collect();
    let references: Vec<f64> = all.iter().map(|l| l.reference_ms).collect();
    let times: Vec<f64> = all.iter().map(|l| l.complete_ms).collect();
    let reference = range(references.iter().copied());
    println!(
        "  complete frame over {loads} loads (one simulator, each load after the first a process of its own, in turn): {fastest:.0} / {median:.0} / {slowest:.0} ms (fastest / median / slowest), {under} of {loads} within 1 s; cockpit CPU {:.2}–{:.2} s, the simulator's {:.2}–{:.2} s; peak RSS up to {peak:.1} MiB; the reference work before each {:.0}–{:.0} ms, the loads' times following it by r = {:.2}; in order, complete (first rows) [reference]: {} ms",
        cpu.0,
        cpu.1,
        sim.0,
        sim.1,
        reference.0,
        reference.1,
        correlation(&references, &times),
        each.join(", ")
    );
    format!(" ({loads} loads: median {median:.0}, {fastest:.0}–{slowest:.0} ms)")
}

/// Pods, Machines and Applications.
pub type Counts = (usize, usize, usize);

/// The `Counts` of `scale-<size>`, as the simulator makes them.
pub fn counts(size: &str) -> Counts {
    let s = opsdeck_sim::scenario::Scenario::load(&format!("scale-{size}")).expect("a scale size");
    (s.bulk_pods, s.machine_count(), s.apps.len())
}

/// A cockpit that has loaded a scale scenario, and what its load took.
pub struct Loaded {
    /// The panes' watches, which the churn and idle phases go on reading.
    pub _watches: Vec<tokio::task::JoinHandle<()>>,
    pub state: State,
    pub executor: Executor,
    pub rx: mpsc::UnboundedReceiver<Msg>,
    pub context: String,
    /// When the first pods were on screen (the complete frame, when that came first).
    pub first_rows: Duration,
    /// When each kind was loaded: pods live, every Machine, every Application.
    pub kinds_at: [Duration; 3],
    pub complete_frame: String,
    /// Start to the first frame with every object loaded.
    pub first_frame: Duration,
    pub cpu_to_frame: f64,
    /// The process's peak RSS by then, in KiB.
    pub peak_at_frame: u64,
}

/// Connect to the simulator `kubeconfig` names and run the cockpit's start (`opsdeck -c
/// pods`, the panes' watches) until a frame shows every object of `scale-<size>`.
pub async fn load(size: &str, (pods, machines, apps): Counts, kubeconfig: &str) -> Loaded {
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let (client, context) = connect_sim(kubeconfig).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let kube = KubeSources::single(context.clone(), client.clone());
    let watches = watches::start_pane_watches(&kube, &tx);
    let mut executor = Executor::new(kube, TalosSetup::default(), tx);
    executor.discover_kinds();
    let mut state = new_state(context.clone());
    for command in start_with(&mut state, "pods") {
        executor.run(command);
    }
    // The cockpit's loop, as it runs while the lists arrive: each frame drawn (at most every
    // 16 ms) shows the rows read since the one before, so the complete frame is the first one
    // drawn once the last page is in.
    let mut first_rows = None;
    let mut kinds_at: [Option<Duration>; 3] = [None; 3];
    let mut complete_frame = String::new();
    let completed = drive(
        &mut state,
        &mut executor,
        &mut rx,
        LOAD_WITHIN,
        |state, frame| {
            let done = [
                state.browse.rows.len() >= pods && state.browse.rows.state() == SourceState::Live,
                state.capi.machines.len() == machines,
                state.argo.apps.len() == apps,
            ];
            for (at, done) in kinds_at.iter_mut().zip(done) {
                if done && at.is_none() {
                    *at = Some(start.elapsed());
                }
            }
            if first_rows.is_none() && !state.browse.rows.is_empty() {
                assert!(frame.contains("pods ("), "{frame}");
                first_rows = Some(start.elapsed());
            }
            if done.iter().all(|d| *d) {
                complete_frame = frame.to_string();
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .await;
    assert!(
        completed,
        "scale-{size} did not load in {} s: {} pods, {} Machines, {} apps",
        LOAD_WITHIN.as_secs(),
        state.browse.rows.len(),
        state.capi.machines.len(),
        state.argo.apps.len()
    );
    let first_frame = start.elapsed();
    Loaded {
        _watches: watches,
        state,
        executor,
        rx,
        context,
        first_rows: first_rows.unwrap_or(first_frame),
        kinds_at: kinds_at.map(|at| at.unwrap_or(first_frame)),
        complete_frame,
        first_frame,
        cpu_to_frame: cpu_seconds() - cpu_start,
        peak_at_frame: proc_status("VmHWM:").unwrap_or(0),
    }
}
