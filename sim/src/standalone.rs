//! The simulated platform on its own, for scripts and benchmarks (`opsdeck demo
//! --serve-only`, `opsdeck-sim`): started, its kubeconfig and talosconfig written to a folder
//! of its own, announced on stdout as `KEY=value` lines, served until Ctrl-C or SIGTERM, and
//! the folder removed.

use std::io::Write;
use std::path::PathBuf;

use crate::scenario::{Scenario, ScenarioError};
use crate::{SimError, SimOptions, Simulator};

/// Scenarios with more Talos machines than this run without simulated apids: thousands of
/// them would only slow a benchmark scenario down.
const MAX_SIMULATED_APIDS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum StandaloneError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Sim(#[from] SimError),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

/// The options a scenario is served with.
pub fn options_for(scenario: &Scenario) -> SimOptions {
    SimOptions {
        talos: scenario.machine_count() <= MAX_SIMULATED_APIDS,
        ..SimOptions::default()
    }
}

/// Serve `scenario` (a name or a path) until Ctrl-C or SIGTERM.
pub async fn serve(scenario: &str) -> Result<(), StandaloneError> {
    let scenario = Scenario::load(scenario)?;
    let options = options_for(&scenario);
    let sim = Simulator::start(scenario, options).await?;
    let dir = DemoDir::create()?;
    let kubeconfig = dir.write("kubeconfig", &sim.kubeconfig_yaml())?;
    let mut lines = vec![format!("KUBECONFIG={}", kubeconfig.display())];
    if let Some(text) = sim.talosconfig_yaml() {
        let path = dir.write("talosconfig", &text)?;
        lines.push(format!("TALOSCONFIG={}", path.display()));
    }
    let ca = dir.write("argocd-ca.pem", &sim.ca_pem)?;
    // A local simulator's token: printing it is how you use it.
    lines.push(format!("ARGOCD_SERVER=https://{}", sim.argocd_addr));
    lines.push(format!("ARGOCD_AUTH_TOKEN={}", sim.argocd_token));
    lines.push(format!("# then: opsdeck --argocd-ca-file {}", ca.display()));
    announce(&lines);
    let signal = stopped().await;
    // The credentials go first: a large scenario takes a while to free.
    drop(dir);
    drop(sim);
    signal.map_err(|e| StandaloneError::Io("waiting for a signal".into(), e))
}

/// Ctrl-C, or SIGTERM (how a script or a benchmark ends the simulator: the folder with its
/// credentials is removed then too).
async fn stopped() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            signal = tokio::signal::ctrl_c() => signal,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}

/// Print the lines a script reads to find the simulator. A reader that closed the pipe early
/// (`| head -1`) must not stop the simulator: the write error is dropped and it keeps serving.
fn announce(lines: &[String]) {
    let mut out = std::io::stdout().lock();
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return;
        }
    }
    let _ = out.flush();
}

/// The simulator's kubeconfig and talosconfig, written where kubectl and talosctl can use
/// them; removed on drop, and by `DemoDir::remove_all` where a process ends without
/// dropping (its panic hook exits).
pub struct DemoDir(PathBuf);

/// The folders made and not yet removed.
static MADE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

impl DemoDir {
    pub fn create() -> Result<Self, StandaloneError> {
        let dir = std::env::temp_dir().join(format!("opsdeck-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| StandaloneError::Io("creating the demo directory".into(), e))?;
        if let Ok(mut made) = MADE.lock() {
            made.push(dir.clone());
        }
        Ok(DemoDir(dir))
    }

    pub fn write(&self, name: &str, text: &str) -> Result<PathBuf, StandaloneError> {
        let path = self.0.join(name);
        std::fs::write(&path, text)
            .map_err(|e| StandaloneError::Io(format!("writing the demo {name}"), e))?;
        Ok(path)
    }

    /// Remove every folder this process made and still has: for a panic hook that ends the
    /// process without unwinding to the owners. Never blocks (a panic while the list is
    /// locked leaves the folders).
    pub fn remove_all() {
        if let Ok(mut made) = MADE.try_lock() {
            for dir in made.drain(..) {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        if let Ok(mut made) = MADE.lock() {
            made.retain(|d| d != &self.0);
        }
    }
}
