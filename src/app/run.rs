//! The event loop: one task owns the terminal and the state. It drains every queued message,
//! then draws once if anything changed, at most every ~16 ms, and sleeps while idle.

use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

pub use super::executor::Executor;
use super::msg::Msg;
use super::state::State;
use super::update::update;
use super::watches;
use crate::clients::argocd::ArgoCd;
use crate::clients::audit;
use crate::clients::kube::sources::KubeSources;
use crate::clients::talos::poller::{self, TalosSetup};
use crate::views;

const FRAME_INTERVAL: Duration = Duration::from_millis(16);

/// The panes' watches and pollers, running, and the executor for what `update` asks.
pub struct Started {
    pub tasks: Vec<JoinHandle<()>>,
    pub executor: Executor,
}

/// Start every feed the panes read (watches, Talos polls, kind discovery); their messages
/// arrive on `tx`. The interactive loop and a headless snapshot start the same way.
pub fn start(
    kube: KubeSources,
    talos: TalosSetup,
    argocd: Option<ArgoCd>,
    tx: mpsc::UnboundedSender<Msg>,
) -> Started {
    let tasks = watches::start_pane_watches(&kube, &tx);
    let mut executor = Executor::new(kube, talos, tx)
        .with_audit(audit::default_audit_path())
        .with_argocd(argocd);
    executor.start_talos(poller::POLL_EVERY);
    executor.discover_kinds();
    Started { tasks, executor }
}

/// Tell the state the screen's size (page sizes follow it).
pub fn resize(state: &mut State, width: u16, height: u16) {
    update(
        state,
        Msg::Input(crossterm::event::Event::Resize(width, height)),
    );
}

/// Drive the cockpit until the user quits. The terminal must already be set up.
pub async fn run_loop<B: Backend + std::io::Write>(
    terminal: &mut Terminal<B>,
    mut state: State,
    kube: KubeSources,
    talos: TalosSetup,
    argocd: Option<ArgoCd>,
) -> std::io::Result<()>
where
    B::Error: Into<std::io::Error>,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let Started {
        tasks,
        mut executor,
    } = start(kube, talos, argocd, tx);
    // Page sizes follow the terminal: its size now, then every resize.
    if let Ok(size) = terminal.size() {
        resize(&mut state, size.width, size.height);
    }
    inject_panic_for_tests();
    let mut ended = EndSignals::listen();
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    let mut last_draw = Instant::now() - FRAME_INTERVAL;
    let result = loop {
        let redraw_due = last_draw + FRAME_INTERVAL;
        tokio::select! {
            Some(event) = input.next() => match event {
                Ok(event) => handle(&mut state, &mut executor, Msg::Input(event)),
                Err(e) => break Err(e),
            },
            Some(msg) = rx.recv() => handle(&mut state, &mut executor, msg),
            _ = clock.tick() => handle(&mut state, &mut executor, Msg::Tick(Timestamp::now())),
            // Wake up to draw a frame that was held back by the frame interval.
            _ = tokio::time::sleep_until(redraw_due), if state.dirty => {}
            signal = ended.recv() => {
                tracing::info!("ended by {signal}");
                break Ok(());
            }
        }
        // Drain whatever else is queued before drawing once.
        while let Ok(msg) = rx.try_recv() {
            handle(&mut state, &mut executor, msg);
        }
        if state.quit {
            break Ok(());
        }
        // A foreground plugin gets the terminal: no input reader may compete for it.
        if let Some((id, run)) = executor.take_foreground() {
            drop(input);
            let resumed =
                super::suspend::handing_over(terminal, || executor.run_foreground(id, &run));
            input = EventStream::new();
            if let Err(e) = resumed {
                break Err(e);
            }
            state.dirty = true;
        }
        // An OSC 52 copy goes to the terminal itself, between frames.
        if !state.terminal_output.is_empty() {
            let backend = terminal.backend_mut();
            for sequence in state.terminal_output.drain(..) {
                let _ = backend.write_all(sequence.as_bytes());
            }
            let _ = std::io::Write::flush(backend);
        }
        if state.dirty && Instant::now() >= last_draw + FRAME_INTERVAL {
            if let Err(e) = terminal.draw(|f| views::draw(f, &state)) {
                break Err(e.into());
            }
            state.dirty = false;
            last_draw = Instant::now();
        }
    };
    for w in tasks {
        w.abort();
    }
    result
}

/// SIGTERM (`kill`, a supervisor) and SIGHUP (the terminal closed) end the cockpit as `q`
/// does: the terminal is restored and what it started (the demo's simulator and its
/// credentials folder) is cleaned up, rather than the process vanishing in raw mode.
struct EndSignals {
    term: Option<tokio::signal::unix::Signal>,
    hangup: Option<tokio::signal::unix::Signal>,
}

impl EndSignals {
    fn listen() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        EndSignals {
            term: signal(SignalKind::terminate()).ok(),
            hangup: signal(SignalKind::hangup()).ok(),
        }
    }

    /// The name of the next signal; never, if neither could be listened for.
    async fn recv(&mut self) -> &'static str {
        async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
            let arrived = match signal {
                Some(s) => s.recv().await.is_some(),
                None => false,
            };
            if !arrived {
                std::future::pending::<()>().await;
            }
        }
        tokio::select! {
            _ = next(&mut self.term) => "SIGTERM",
            _ = next(&mut self.hangup) => "SIGHUP",
        }
    }
}

/// Debug builds only: `OPSDECK_INJECT_PANIC=task` panics in a background task a moment after
/// start, `=loop` in the main loop — to test that any panic restores the terminal and ends the
/// process with a non-zero code.
fn inject_panic_for_tests() {
    if !cfg!(debug_assertions) {
        return;
    }
    match std::env::var("OPSDECK_INJECT_PANIC").as_deref() {
        Ok("task") => {
            tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                panic!("injected panic in a background task (OPSDECK_INJECT_PANIC=task)");
            });
        }
        Ok("loop") => panic!("injected panic in the main loop (OPSDECK_INJECT_PANIC=loop)"),
        _ => {}
    }
}

/// Apply one message and run what it asks for.
pub fn handle(state: &mut State, executor: &mut Executor, msg: Msg) {
    for command in update(state, msg) {
        executor.run(command);
    }
}
