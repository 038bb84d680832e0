//! Benchmark: keys while the API server is slow and a huge object streams in. The homelab
//! simulator (in this process: its faults are switched from here) answers the management
//! cluster's every request 2 s late, and an Application is rewritten with 1 MB of fresh
//! annotations ten times a second. Meanwhile a key (a cursor move on the apps pane) arrives
//! every 20 ms, as from a terminal, into the cockpit's loop (`app::run`: input and watch
//! messages, a frame at most every 16 ms). Reports input-to-frame latency: from a key's arrival
//! to the end of the first frame drawn after it was handled.
//!
//! Run: `cargo bench --bench responsiveness`

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::sync::mpsc;

use opsdeck::app::msg::Msg;
use opsdeck::app::run::{Executor, handle};
use opsdeck::app::watches;
use opsdeck::clients::kube::sources::KubeSources;
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck_sim::kinds::kind_id;
use opsdeck_sim::scenario::Scenario;
use opsdeck_sim::{SimOptions, Simulator};

use support::{FRAME_INTERVAL, connect_sim, key, new_state, render};

const RUN_FOR: Duration = Duration::from_secs(10);
const KEY_EVERY: Duration = Duration::from_millis(20);
const SLOW_BY: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Simulator::start(
        Scenario::default_homelab(),
        SimOptions {
            tick: None,
            ..SimOptions::default()
        },
    )
    .await
    .expect("simulator");
    let (client, context) = connect_sim(&sim.kubeconfig_yaml()).await;
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let kube = KubeSources::single(context.clone(), client);
    let _watches = watches::start_pane_watches(&kube, &tx);
    let mut executor = Executor::new(kube, TalosSetup::default(), tx);
    let mut state = new_state(context);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while state.argo.apps.len() < 25 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(msg)) => handle(&mut state, &mut executor, msg),
            _ => panic!("the apps did not load in 60 s"),
        }
    }
    handle(&mut state, &mut executor, key("2"));
    render(&mut state);

    sim.slow_answers(opsdeck_sim::MANAGEMENT, SLOW_BY);
    let app_kind = kind_id("Application").expect("kind");
    let gitea = (app_kind, "argocd".to_string(), "gitea".to_string());
    let (keys_tx, mut keys) = mpsc::unbounded_channel::<(Instant, Msg)>();
    let typist = tokio::spawn(async move {
        let mut every = tokio::time::interval(KEY_EVERY);
        for i in 0..(RUN_FOR.as_millis() / KEY_EVERY.as_millis()) {
            every.tick().await;
            let k = if i % 16 < 8 { "j" } else { "k" };
            if keys_tx.send((Instant::now(), key(k))).is_err() {
                return;
            }
        }
    });
    let mut latencies = Vec::new();
    let mut waiting: Vec<Instant> = Vec::new();
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    let mut rewrites = 0u32;
    let mut app_updates = 0u32;
    let mut rewrite = tokio::time::interval(Duration::from_millis(100));
    let end = tokio::time::Instant::now() + RUN_FOR + Duration::from_millis(500);
    loop {
        let redraw_due = tokio::time::Instant::from_std(last_draw + FRAME_INTERVAL);
        tokio::select! {
            Some((sent, msg)) = keys.recv() => {
                handle(&mut state, &mut executor, msg);
                waiting.push(sent);
            }
            Some(msg) = rx.recv() => {
                app_updates += u32::from(matches!(msg, Msg::Apps(_)));
                handle(&mut state, &mut executor, msg);
            }
            _ = rewrite.tick() => {
                rewrites += 1;
                let blob = format!("{rewrites}").repeat(1 << 20);
                let _ = sim.db().modify(&gitea, |o| {
                    o["metadata"]["annotations"]["example.com/blob"] = json!(blob);
                });
            }
            _ = tokio::time::sleep_until(redraw_due), if state.dirty => {}
            _ = tokio::time::sleep_until(end) => break,
        }
        while let Ok(msg) = rx.try_recv() {
            app_updates += u32::from(matches!(msg, Msg::Apps(_)));
            handle(&mut state, &mut executor, msg);
        }
        if state.dirty && Instant::now() >= last_draw + FRAME_INTERVAL {
            render(&mut state);
            state.dirty = false;
            last_draw = Instant::now();
            latencies.extend(waiting.drain(..).map(|sent| last_draw - sent));
        }
    }
    let _ = typist.await;
    latencies.sort();
    let at = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} keys over {} s, the management cluster answering {} s late, a 1 MB Application rewritten {rewrites} times ({app_updates} app updates reached the cockpit)",
        latencies.len(),
        RUN_FOR.as_secs(),
        SLOW_BY.as_secs()
    );
    println!(
        "input-to-frame: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
