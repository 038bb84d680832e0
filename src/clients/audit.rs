//! The audit log: one JSON line per action sent — time, context, action, target, request,
//! result. Requests are the plans the user confirmed; tokens, certificates and secret values
//! are never part of a plan, so they never reach this file.

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

/// Append one line.
pub fn append(
    path: &Path,
    context: &str,
    action: ActionKind,
    target: Value,
    request: Value,
    result: &Result<String, ClientError>,
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
            Ok(m) => json!({"ok": m}),
            Err(e) => json!({"error": e.to_string(), "kind": e.kind()}),
        },
    });
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(file, "{line}")
}
