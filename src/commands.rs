//! The commands that run against the platform without a terminal: `snapshot` (one frame of a
//! pane, for scripts, incident notes and the README) and `check` (can opsdeck reach
//! everything, and what will it find).

use std::process::ExitCode;
use std::time::Duration;

use color_eyre::eyre::Result;
use jiff::Timestamp;

use opsdeck::app::headless::{ShotRequest, snapshot};
use opsdeck::app::keymap::Keymap;
use opsdeck::app::state::State;
use opsdeck::app::theme::Theme;
use opsdeck::app::watches::kinds_for;
use opsdeck::clients::check;
use opsdeck::views::printed;

use crate::platform::Platform;
use crate::print_all;

#[derive(clap::Args, Clone)]
pub struct SnapshotArgs {
    /// What to draw, as a `:` command: `apps`, `talos`, `pods media`, `machines`. Without it,
    /// the start pane (the cluster tree).
    #[arg(value_name = "PANE")]
    pane: Vec<String>,
    /// Columns (default: $COLUMNS, else 120).
    #[arg(long)]
    width: Option<u16>,
    /// Rows (default: $LINES, else 40).
    #[arg(long)]
    height: Option<u16>,
    /// Keep the cockpit's colours (ANSI escape sequences).
    #[arg(long)]
    color: bool,
    /// Seconds to wait for the first complete load before drawing what there is.
    #[arg(long, default_value_t = 20)]
    wait: u64,
}

#[derive(clap::Args, Clone)]
pub struct CheckArgs {
    /// `text` (one line per source) or `json`.
    #[arg(long, short = 'o', default_value = "text", value_parser = ["text", "json"])]
    output: String,
    /// Seconds each source has to answer.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

/// A size from the flag, else the shell's variable, else the default; never under `least`
/// (the header, a table's title and its footer need room).
fn size(flag: Option<u16>, var: &str, default: u16, least: u16) -> u16 {
    flag.or_else(|| std::env::var(var).ok()?.parse().ok())
        .unwrap_or(default)
        .max(least)
}

/// Draw one frame after the first complete load; exit code 1 for an unknown command or a
/// load not complete in time (the frame is printed anyway: what there is may be what you
/// need).
pub async fn run_snapshot(platform: Platform, args: SnapshotArgs) -> Result<ExitCode> {
    let (keymap, _) = Keymap::load();
    let (theme, _) = Theme::load();
    let mut state = State::new(
        platform.kube.names(),
        // As the cockpit would show it; a snapshot takes no input, so it sends nothing.
        false,
        keymap,
        theme,
        Timestamp::now(),
    );
    state.notice = platform.notice;
    state.cluster_contexts = platform.cluster_contexts.clone();
    state.aliases = opsdeck::app::aliases::Aliases::load().0;
    let request = ShotRequest {
        command: (!args.pane.is_empty()).then(|| args.pane.join(" ")),
        width: size(args.width, "COLUMNS", 120, 40),
        height: size(args.height, "LINES", 40, 6),
        patience: Duration::from_secs(args.wait),
    };
    let shot = snapshot(
        state,
        platform.kube,
        platform.talos,
        platform.argocd,
        request,
    )
    .await;
    let text = if args.color {
        printed::colored(&shot.frame)
    } else {
        printed::plain(&shot.frame)
    };
    print_all(text.as_bytes())?;
    if let Some(notice) = &shot.notice {
        eprintln!("opsdeck: {notice}");
    }
    if shot.unknown_command || !shot.waiting_for.is_empty() {
        if !shot.waiting_for.is_empty() {
            eprintln!(
                "opsdeck: drawn after {} s without a complete load; still waiting for {}",
                args.wait,
                shot.waiting_for.join(", ")
            );
        }
        // Returned, not `process::exit`: the demo's simulator and folder are dropped first.
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per source (or JSON); exit code 1 if any is down.
pub async fn run_check(platform: Platform, args: CheckArgs) -> Result<ExitCode> {
    let checks = check::check_all(
        &platform.kube,
        kinds_for,
        &platform.talos,
        platform.argocd.as_ref(),
        Duration::from_secs(args.timeout),
    )
    .await;
    print_all(check::render(&checks, args.output == "json").as_bytes())?;
    if let Some(notice) = platform.notice {
        eprintln!("opsdeck: discovery: {notice}");
    }
    if !check::all_reachable(&checks) {
        // Returned, not `process::exit`: the demo's simulator and folder are dropped first.
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
