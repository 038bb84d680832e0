//! The process log: tracing into `~/.cache/opsdeck/opsdeck.log`, never to the terminal (it
//! belongs to the UI), cut by size with the older files kept next to it. The level is
//! `--log-level`, else `OPSDECK_LOG`, else warnings and errors only.

use std::path::Path;
use std::sync::Mutex;

use file_rotate::compression::Compression;
use file_rotate::suffix::AppendCount;
use file_rotate::{ContentLimit, FileRotate};
use tracing_subscriber::EnvFilter;

use opsdeck::app::config::{DEFAULT_LOG_LEVEL, LOG_FILES_KEPT, LOG_MAX_BYTES, LogSetup, log_file};

/// The filter asked for, and where it came from (for the error message).
fn asked(flag: Option<&str>) -> (String, &'static str) {
    if let Some(level) = flag {
        return (level.to_string(), "--log-level");
    }
    match std::env::var("OPSDECK_LOG") {
        Ok(level) if !level.trim().is_empty() => (level, "OPSDECK_LOG"),
        _ => (DEFAULT_LOG_LEVEL.to_string(), "the default"),
    }
}

/// A writer that cuts `path` at `max_bytes` and keeps `kept` older files (`path.1` newest).
pub fn rotating(path: &Path, max_bytes: usize, kept: usize) -> FileRotate<AppendCount> {
    FileRotate::new(
        path,
        AppendCount::new(kept),
        ContentLimit::BytesSurpassed(max_bytes),
        Compression::None,
        None,
    )
}

/// Start logging. A filter that does not parse is the user's mistake: said, not ignored. No
/// cache directory (or one that cannot be created) means no log, which `info` reports.
pub fn init(flag: Option<&str>) -> Result<Option<LogSetup>, String> {
    let (level, from) = asked(flag);
    let filter = EnvFilter::try_new(&level)
        .map_err(|e| format!("{from} {level:?} is not a log level or filter: {e}"))?;
    let Some(path) = log_file() else {
        return Ok(None);
    };
    let setup = LogSetup { path, level };
    if setup.level == "off" {
        return Ok(Some(setup));
    }
    if let Some(dir) = setup.path.parent()
        && std::fs::create_dir_all(dir).is_err()
    {
        return Ok(None);
    }
    let writer = rotating(&setup.path, LOG_MAX_BYTES, LOG_FILES_KEPT);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(writer))
        .with_ansi(false)
        .try_init();
    tracing::info!(version = env!("CARGO_PKG_VERSION"), "opsdeck starting");
    Ok(Some(setup))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn the_log_is_cut_by_size_and_old_files_are_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("opsdeck.log");
        let mut log = rotating(&path, 100, 2);
        for i in 0..40 {
            writeln!(log, "line {i:02} of the log").expect("written");
        }
        log.flush().expect("flushed");
        let newest = std::fs::read_to_string(&path).expect("the log");
        assert!(newest.contains("line 39"), "{newest}");
        assert!(dir.path().join("opsdeck.log.1").exists());
        assert!(dir.path().join("opsdeck.log.2").exists());
        assert!(!dir.path().join("opsdeck.log.3").exists(), "only 2 kept");
        assert!(
            std::fs::metadata(&path).expect("meta").len() < 200,
            "cut near the limit"
        );
    }

    #[test]
    fn a_bad_filter_is_named_with_where_it_came_from() {
        let err = init(Some("debug,[[[")).expect_err("not a filter");
        assert!(err.starts_with("--log-level \"debug,[[[\""), "{err}");
    }
}
