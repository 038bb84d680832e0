//! Benchmark: the `large` scenario (20 clusters, 2,000 Machines, 5,000 Applications with 40
//! resources each) served by `opsdeck demo --serve-only` in a child process; this process runs
//! the cockpit's real path (kube watches → projection → update → render to a TestBackend) and
//! reports time to the first complete frame, peak RSS, and CPU time while idle.
//!
//! Run: `cargo bench --bench first_frame`

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use opsdeck::app::keymap::Keymap;
use opsdeck::app::msg::Msg;
use opsdeck::app::state::State;
use opsdeck::app::theme::{DEFAULT_THEME, Theme};
use opsdeck::app::update::update;
use opsdeck::app::watches;
use opsdeck::clients::kube::connect::{KubeconfigSource, connect};

const MACHINES: usize = 2000;
const APPS: usize = 5000;

fn proc_status(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// User + system CPU time of this process, from /proc/self/stat (clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat; 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn render(state: &mut State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    terminal
        .draw(|f| opsdeck::views::draw(f, state))
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    buffer.content().iter().map(|c| c.symbol()).collect()
}

/// The simulator child process; killed when the benchmark ends, however it ends.
struct Simulator(Child);

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `opsdeck demo --serve-only` and return it with the kubeconfig path it printed. Its
/// stdout is read to the end on a thread of its own, so the simulator never writes into a
/// closed pipe; a simulator that dies or stays silent fails the benchmark instead of hanging it.
fn start_simulator() -> (Simulator, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck"))
        .args(["demo", "--serve-only", "--scenario", "large"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the simulator");
    let stdout = child.stdout.take().expect("stdout");
    let sim = Simulator(child);
    let (tx, rx) = std_mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the simulator printed its KUBECONFIG line within 120 s");
    let path = line
        .trim()
        .strip_prefix("KUBECONFIG=")
        .expect("KUBECONFIG=<path>")
        .to_string();
    (sim, path)
}

#[tokio::main]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (sim, path) = start_simulator();
    let yaml = std::fs::read_to_string(&path).expect("kubeconfig");

    let rss_before = proc_status("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let cpu_start = cpu_seconds();
    let (client, context) = tokio::time::timeout(
        Duration::from_secs(60),
        connect(KubeconfigSource::Text(&yaml), None),
    )
    .await
    .expect("connected within 60 s")
    .expect("client");
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let kube = opsdeck::clients::kube::sources::KubeSources::single(context.clone(), client);
    let _watches = watches::start_pane_watches(&kube, &tx);
    let mut state = State::new(
        context,
        false,
        Keymap::defaults(),
        Theme::parse("default", DEFAULT_THEME).expect("theme"),
        Timestamp::now(),
    );
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
    update(&mut state, common_key("2"));
    let apps_frame = render(&mut state);
    assert!(apps_frame.contains("Applications (5000) [live]"));
    // What a key costs on the 5,000-row table: the cursor move, and the frame after it.
    let rounds = 20u32;
    let moved = Instant::now();
    for _ in 0..rounds {
        update(&mut state, common_key("j"));
    }
    let per_move = moved.elapsed() / rounds;
    let drawn = Instant::now();
    for _ in 0..rounds {
        render(&mut state);
    }
    let per_frame = drawn.elapsed() / rounds;

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

fn common_key(key: &str) -> Msg {
    let k = opsdeck::app::keys::Key::parse(key).expect("key");
    Msg::Input(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(k.code, k.mods),
    ))
}
