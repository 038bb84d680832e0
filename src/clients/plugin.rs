//! Running a user's plugin command: in the terminal (the cockpit suspends itself around it)
//! or beside the cockpit with its output streamed back line by line. The program gets its
//! arguments as they are (no shell) and one audit line when it ends.

use std::path::Path;
use std::process::Stdio;

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::task::JoinHandle;

use super::Sink;
use super::error::ClientError;
use crate::model::plugin::PluginRun;
use crate::model::request::ActionKind;

/// What a background run reports: its output, one line at a time, then how it ended.
#[derive(Debug, Clone, PartialEq)]
pub enum PluginReport {
    Line(String),
    Done(Result<String, ClientError>),
}

/// How a finished program ended, as an action's outcome.
fn outcome(
    status: std::io::Result<std::process::ExitStatus>,
    run: &PluginRun,
) -> Result<String, ClientError> {
    match status {
        Ok(s) if s.success() => Ok("exited 0".into()),
        Ok(s) => Err(ClientError::Other(match s.code() {
            Some(code) => format!("{} exited {code}", run.program),
            None => format!("{} was killed by a signal", run.program),
        })),
        Err(e) => Err(ClientError::Other(format!("{}: {e}", run.program))),
    }
}

/// Run in the terminal and wait (the caller has handed the terminal over).
pub fn run_foreground(run: &PluginRun) -> Result<String, ClientError> {
    let status = std::process::Command::new(&run.program)
        .args(&run.args)
        .envs(run.env.iter().cloned())
        .status();
    outcome(status, run)
}

/// Run beside the cockpit: no terminal input, stdout and stderr streamed to `sink` as lines.
/// Aborting the task kills the program.
pub fn spawn_background(run: PluginRun, sink: Sink<PluginReport>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let child = tokio::process::Command::new(&run.program)
            .args(&run.args)
            .envs(run.env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => {
                sink.send(PluginReport::Done(Err(ClientError::Other(format!(
                    "{}: {e}",
                    run.program
                )))));
                return;
            }
        };
        tokio::join!(
            forward(child.stdout.take(), sink.clone()),
            forward(child.stderr.take(), sink.clone())
        );
        let status = child.wait().await;
        sink.send(PluginReport::Done(outcome(status, &run)));
    })
}

/// Send a pipe's lines to `sink` until it closes (or no one listens).
async fn forward<R: AsyncRead + Unpin>(pipe: Option<R>, sink: Sink<PluginReport>) {
    let Some(pipe) = pipe else { return };
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if !sink.send(PluginReport::Line(line)) {
            return;
        }
    }
}

/// The audit line of a plugin run: the command exactly as run, and how it ended.
pub fn audit(
    path: &Path,
    run: &PluginRun,
    result: Option<&Result<String, ClientError>>,
) -> std::io::Result<()> {
    super::audit::append(
        path,
        &run.target.cluster,
        ActionKind::Plugin,
        json!({"kind": run.kind, "namespace": run.target.namespace, "name": run.target.name}),
        json!({"plugin": run.name, "command": run.command_line(), "background": run.background}),
        result,
    )
}
