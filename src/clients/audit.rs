//! The audit log: JSON lines per action sent — time, context, action, target, request, result.
//! A change is written before it is sent (`"result": {"pending": …}`) and again with its
//! outcome, so a crash between the two still leaves the request on record; the two lines carry
//! the same context, action, target and request. Requests are the plans the user confirmed;
//! tokens, certificates and secret values are never part of a plan, so they never reach this
//! file.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::error::ClientError;
use crate::model::request::ActionKind;

/// Where audit lines go by default: `<data dir>/audit.jsonl`.
pub fn default_audit_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "opsdeck", "opsdeck")
        .map(|d| d.data_dir().join("audit.jsonl"))
}

/// What a line says about the outcome while there is none yet.
pub const PENDING: &str = "sent; no answer yet";

/// Append one line: the outcome, or (None) that the request is about to be sent.
pub fn append(
    path: &Path,
    context: &str,
    action: ActionKind,
    target: Value,
    request: Value,
    result: Option<&Result<String, ClientError>>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let line = json!({
        "time": Timestamp::now().to_string(),
        "context": context,
        "action": action.name(),
        "target": target,
        "request": request,
        "result": match result {
            None => json!({"pending": PENDING}),
            Some(Ok(m)) => json!({"ok": m}),
            Some(Err(e)) => json!({"error": e.to_string(), "kind": e.kind()}),
        },
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{line}")?;
    // On disk before the request goes: a crash or power loss right after keeps it.
    file.sync_data()
}
