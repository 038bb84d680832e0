//! What the benchmarks share: the simulator as a child process, this process's memory and CPU
//! from /proc, a fresh cockpit state, and a frame rendered to a TestBackend.

// Each benchmark uses its own part of what is here.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{BufRead, BufReader};
use std::ops::ControlFlow;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use opsdeck::app::keymap::Keymap;
use opsdeck::app::msg::Msg;
use opsdeck::app::run::{Executor, handle};
use opsdeck::app::state::State;
use opsdeck::app::theme::{DEFAULT_THEME, Theme};

/// The cockpit draws at most this often (`app::run`).
pub const FRAME_INTERVAL: Duration = Duration::from_millis(16);

pub fn proc_status(field: &str) -> Option<u64> {
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
pub fn cpu_seconds() -> f64 {
    cpu_seconds_of("self")
}

/// The CPU time a process (`self` or a pid) has used, in seconds.
pub fn cpu_seconds_of(process: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{process}/stat")).unwrap_or_default();
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

/// A frame of the cockpit on a 200×50 test terminal, as its text.
pub fn render(state: &mut State) -> String {
    FRAMES.with_borrow_mut(|terminal| {
        let terminal = terminal
            .get_or_insert_with(|| Terminal::new(TestBackend::new(200, 50)).expect("terminal"));
        terminal
            .draw(|f| opsdeck::views::draw(f, state))
            .expect("draw");
        let buffer = terminal.backend().buffer();
        buffer.content().iter().map(|c| c.symbol()).collect()
    })
}

thread_local! {
    /// One terminal for every frame, as the cockpit keeps its own: a frame writes only the
    /// cells that changed since the one before.
    static FRAMES: RefCell<Option<Terminal<TestBackend>>> = const { RefCell::new(None) };
}

/// The simulator child process; killed when the benchmark ends, however it ends.
pub struct Simulator(Child);

impl Simulator {
    /// The CPU time the simulator's process has used, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&self.0.id().to_string())
    }
}

/// How long a simulator asked to stop may take before it is killed.
const STOP_WITHIN: Duration = Duration::from_secs(10);

impl Drop for Simulator {
    /// SIGTERM first, so it removes the folder holding its credentials; killed if it has
    /// not stopped within `STOP_WITHIN`.
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.0.id()) {
            // SAFETY: kill(2) only sends a signal, to our own child.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let asked = Instant::now();
        while asked.elapsed() < STOP_WITHIN {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `opsdeck-sim` (the simulator alone, as `opsdeck demo --serve-only` serves it) and
/// return it with the kubeconfig path it printed. Its stdout is read to the end on a thread of
/// its own, so the simulator never writes into a closed pipe; a simulator that dies or stays
/// silent fails the benchmark instead of hanging it.
pub fn start_simulator(scenario: &str) -> (Simulator, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_opsdeck-sim"))
        .args(["--scenario", scenario])
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
    // A cockpit starts against an API server that has been up for a while. The simulator's
    // controllers make their first pass a second after it is ready, and that pass looks at
    // everything once (at 100,000 objects it holds the database 0.2 s): let it happen before
    // the measuring starts rather than in the middle of the first list.
    std::thread::sleep(SETTLE);
    (sim, path)
}

/// Two controller periods and a half.
const SETTLE: Duration = Duration::from_millis(2500);

pub fn new_state(context: String) -> State {
    State::new(
        context,
        false,
        Keymap::defaults(),
        Theme::parse("default", DEFAULT_THEME).expect("theme"),
        Timestamp::now(),
    )
}

/// A key, as the terminal would send it.
pub fn key(key: &str) -> Msg {
    let k = opsdeck::app::keys::Key::parse(key).expect("key");
    Msg::Input(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::new(k.code, k.mods),
    ))
}

/// Connect to the simulator's current context (within 60 s, or the benchmark fails).
pub async fn connect_sim(kubeconfig: &str) -> (kube::Client, String) {
    use opsdeck::clients::kube::connect::{KubeconfigSource, connect};
    tokio::time::timeout(
        Duration::from_secs(60),
        connect(KubeconfigSource::Text(kubeconfig), None),
    )
    .await
    .expect("connected within 60 s")
    .expect("client")
}

/// What a key costs: the mean time of `press` (a cursor move through `update`) and of the
/// frame drawn after it, over 20 rounds.
pub fn key_cost(state: &mut State, mut press: impl FnMut(&mut State, Msg)) -> (Duration, Duration) {
    let rounds = 20u32;
    let moved = std::time::Instant::now();
    for _ in 0..rounds {
        press(state, key("j"));
    }
    let per_move = moved.elapsed() / rounds;
    let drawn = std::time::Instant::now();
    for _ in 0..rounds {
        render(state);
    }
    (per_move, drawn.elapsed() / rounds)
}

/// The cockpit's loop (`app::run`), for `for_how_long` or until `drawn` says stop: apply every
/// message and a clock tick each second, draw at most every 16 ms when something changed, and
/// hand each frame (as text) to `drawn`. Whether `drawn` stopped it.
pub async fn drive(
    state: &mut State,
    executor: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Msg>,
    for_how_long: Duration,
    mut drawn: impl FnMut(&State, &str) -> ControlFlow<()>,
) -> bool {
    let end = tokio::time::Instant::now() + for_how_long;
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    // The cockpit's clock: ages move once a second, so a table with an AGE column redraws.
    let mut next_tick = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let wake = if state.dirty {
            tokio::time::Instant::from_std(last_draw + FRAME_INTERVAL).min(end)
        } else {
            end
        }
        .min(next_tick);
        if let Ok(Some(msg)) = tokio::time::timeout_at(wake, rx.recv()).await {
            handle(state, executor, msg);
        }
        if tokio::time::Instant::now() >= next_tick {
            handle(state, executor, Msg::Tick(jiff::Timestamp::now()));
            next_tick += Duration::from_secs(1);
        }
        while let Ok(msg) = rx.try_recv() {
            handle(state, executor, msg);
        }
        if state.dirty && Instant::now() >= last_draw + FRAME_INTERVAL {
            let frame = render(state);
            state.dirty = false;
            last_draw = Instant::now();
            if drawn(state, &frame).is_break() {
                return true;
            }
        }
        if tokio::time::Instant::now() >= end {
            return false;
        }
    }
}
