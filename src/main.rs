//! The `opsdeck` command line.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr};
use jiff::Timestamp;

use opsdeck::app::keymap::Keymap;
use opsdeck::app::run::run_loop;
use opsdeck::app::state::State;
use opsdeck::app::theme::Theme;
use opsdeck::clients::kube::connect::{KubeconfigSource, connect};
use opsdeck::clients::talos::config::{self as talos_config, Talosconfig};
use opsdeck::clients::talos::poller::TalosSetup;
use opsdeck::sim::scenario::Scenario;
use opsdeck::sim::{SimOptions, Simulator};

#[derive(Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "A terminal cockpit for a bare-metal GitOps Kubernetes platform"
)]
struct Cli {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true)]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, global = true)]
    context: Option<String>,
    /// talosconfig file (default: $TALOSCONFIG, then ~/.talos/config).
    #[arg(long, global = true)]
    talosconfig: Option<PathBuf>,
    /// Offer no mutating action at all.
    #[arg(long, global = true)]
    readonly: bool,
    #[command(subcommand)]
    command: Option<Commands>,
}

#[derive(Subcommand)]
enum Commands {
    /// Start the simulated platform on 127.0.0.1 and the cockpit against it.
    Demo {
        /// Only run the simulator: print `KUBECONFIG=<path>` and serve until Ctrl-C.
        #[arg(long)]
        serve_only: bool,
        /// `default`, `large`, or a path to a scenario YAML file.
        #[arg(long, default_value = "default")]
        scenario: String,
    },
}

fn init_logging() {
    // The terminal belongs to the UI; logs go to a file, and only when asked for.
    let Ok(filter) = std::env::var("OPSDECK_LOG") else {
        return;
    };
    let Some(dirs) = directories::ProjectDirs::from("dev", "opsdeck", "opsdeck") else {
        return;
    };
    let dir = dirs.cache_dir();
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    if let Ok(file) = std::fs::File::create(dir.join("opsdeck.log")) {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .try_init();
    }
}

/// The demo's kubeconfig and talosconfig, written where kubectl and talosctl can use them;
/// removed on drop.
struct DemoDir(PathBuf);

impl DemoDir {
    fn create() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("opsdeck-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).wrap_err("creating the demo directory")?;
        Ok(DemoDir(dir))
    }

    fn write(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.0.join(name);
        std::fs::write(&path, text).wrap_err_with(|| format!("writing the demo {name}"))?;
        Ok(path)
    }
}

impl Drop for DemoDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Talos clients from the talosconfig; a missing or bad file is shown in the `:talos` pane.
fn talos_from_file(flag: Option<&std::path::Path>) -> TalosSetup {
    let config = match talos_config::find(flag) {
        Some(path) => Talosconfig::load(&path),
        None => Err(talos_config::TalosConfigError::NotFound),
    };
    TalosSetup::from_config(config)
}

async fn cockpit(
    source: KubeconfigSource<'_>,
    context: Option<&str>,
    talos: TalosSetup,
    readonly: bool,
) -> Result<()> {
    let (client, context) = connect(source, context).await?;
    let (keymap, keymap_err) = Keymap::load();
    let (theme, theme_err) = Theme::load();
    let mut state = State::new(context, readonly, keymap, theme, Timestamp::now());
    state.notice = keymap_err
        .or(theme_err)
        .map(|e| format!("{e} — using the defaults"));
    let mut terminal = ratatui::init();
    let result = run_loop(&mut terminal, state, client, talos).await;
    ratatui::restore();
    result.wrap_err("terminal I/O")
}

#[tokio::main]
async fn main() -> Result<()> {
    // Errors before the cockpit starts are for people, not for bug reports: no source locations.
    color_eyre::config::HookBuilder::default()
        .display_location_section(false)
        .display_env_section(false)
        .install()?;
    init_logging();
    opsdeck::sim::tls::install_crypto_provider();
    let cli = Cli::parse();
    match cli.command {
        None => {
            cockpit(
                KubeconfigSource::Default(cli.kubeconfig.as_deref()),
                cli.context.as_deref(),
                talos_from_file(cli.talosconfig.as_deref()),
                cli.readonly,
            )
            .await
        }
        Some(Commands::Demo {
            serve_only,
            scenario,
        }) => {
            let scenario = Scenario::load(&scenario)?;
            // Thousands of simulated apids would only slow a benchmark scenario down.
            let talos = scenario
                .clusters
                .iter()
                .map(|c| {
                    c.control_plane_replicas as usize
                        + c.workers.iter().map(|w| w.replicas as usize).sum::<usize>()
                })
                .sum::<usize>()
                <= 100;
            let sim = Simulator::start(
                scenario,
                SimOptions {
                    talos,
                    ..SimOptions::default()
                },
            )
            .await?;
            let yaml = sim.kubeconfig_yaml();
            let dir = DemoDir::create()?;
            let kubeconfig = dir.write("kubeconfig", &yaml)?;
            let talosconfig = match sim.talosconfig_yaml() {
                Some(t) => Some((dir.write("talosconfig", &t)?, t)),
                None => None,
            };
            if serve_only {
                println!("KUBECONFIG={}", kubeconfig.display());
                if let Some((path, _)) = &talosconfig {
                    println!("TALOSCONFIG={}", path.display());
                }
                std::io::stdout().flush()?;
                tokio::signal::ctrl_c().await?;
                drop(sim);
                return Ok(());
            }
            let talos = match &talosconfig {
                Some((path, text)) => {
                    TalosSetup::from_config(Talosconfig::parse(&path.display().to_string(), text))
                }
                None => TalosSetup::default(),
            };
            cockpit(KubeconfigSource::Text(&yaml), None, talos, cli.readonly).await
        }
    }
}
