//! One frame without a terminal: the cockpit's feeds run as in the interactive loop until the
//! screen's first complete load, then one frame is drawn into a buffer (`opsdeck snapshot`).

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::run::{Started, handle, resize, start};
use super::state::State;
use super::update::{start_with, unknown_command};
use crate::clients::argocd::ArgoCd;
use crate::clients::kube::sources::KubeSources;
use crate::clients::talos::poller::TalosSetup;
use crate::views;

/// How long every source must have answered before the frame is taken: a second cluster's
/// first answer usually follows the first one's within milliseconds, and this lets it land.
const SETTLE: Duration = Duration::from_millis(300);

/// What to draw and how long to wait for it.
pub struct ShotRequest {
    /// A `:` command that opens the screen (`apps`, `pods media`); None for the start screen.
    pub command: Option<String>,
    pub width: u16,
    pub height: u16,
    /// How long to wait for the first complete load before drawing what there is.
    pub patience: Duration,
}

/// The frame, and what it still waited for when it was taken (empty: a complete load).
pub struct Shot {
    pub frame: Buffer,
    pub waiting_for: Vec<String>,
    /// The footer's notice, if any (an unknown command, a bad config file).
    pub notice: Option<String>,
    /// The command named nothing any cluster serves: the frame is not what was asked for.
    pub unknown_command: bool,
}

/// Run the feeds until the screen has loaded (or patience runs out) and draw one frame.
pub async fn snapshot(
    mut state: State,
    kube: KubeSources,
    talos: TalosSetup,
    argocd: Option<ArgoCd>,
    request: ShotRequest,
) -> Shot {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let Started {
        tasks,
        mut executor,
    } = start(kube, talos, argocd, tx);
    resize(&mut state, request.width, request.height);
    if let Some(command) = &request.command {
        for command in start_with(&mut state, command) {
            executor.run(command);
        }
    }
    let deadline = Instant::now() + request.patience;
    let mut settled_since: Option<Instant> = None;
    loop {
        let now = Instant::now();
        let loaded = state.waiting_for().is_empty();
        settled_since = if loaded {
            settled_since.or(Some(now))
        } else {
            None
        };
        let wake = match settled_since {
            Some(since) if now >= since + SETTLE => break,
            Some(since) => (since + SETTLE).min(deadline),
            None => deadline,
        };
        if now >= deadline {
            break;
        }
        match tokio::time::timeout_at(wake, rx.recv()).await {
            Ok(Some(msg)) => handle(&mut state, &mut executor, msg),
            Ok(None) => break,
            Err(_) => {}
        }
        while let Ok(msg) = rx.try_recv() {
            handle(&mut state, &mut executor, msg);
        }
    }
    for task in tasks {
        task.abort();
    }
    // What the feed shows is worked out once a second in the loop; here, once now.
    state.attention.stale = true;
    super::attention::refresh(&mut state);
    let _ = super::drift::refresh(&mut state);
    // A test backend cannot fail: its error type has no values.
    let Ok(mut terminal) = Terminal::new(TestBackend::new(request.width, request.height));
    let Ok(_) = terminal.draw(|f| views::draw(f, &state));
    let unknown_command = request
        .command
        .as_deref()
        .is_some_and(|c| state.notice.as_deref() == Some(unknown_command(c).as_str()));
    Shot {
        unknown_command,
        frame: terminal.backend().buffer().clone(),
        waiting_for: state.waiting_for(),
        notice: state.notice.clone(),
    }
}
