//! The `opsdeck` command line.

use std::path::PathBuf;
use std::process::ExitCode;

mod commands;
mod demo;
mod import;
mod info;
mod logging;
mod platform;

use clap::{CommandFactory, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr};
use jiff::Timestamp;

use crate::platform::Platform;

use opsdeck::app::config::{LogSetup, UserConfig};
use opsdeck::app::keymap::Keymap;
use opsdeck::app::run::run_loop;
use opsdeck::app::state::State;
use opsdeck::app::theme::Theme;
use opsdeck::app::update::start_with;

#[derive(Parser)]
#[command(
    name = "opsdeck",
    version,
    about = "A terminal cockpit for a bare-metal GitOps Kubernetes platform"
)]
pub struct Cli {
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true)]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, global = true)]
    context: Option<String>,
    /// Watch a kube context in a role: `management=CTX`, `harvester=CTX` or `workload=CTX`.
    /// Repeatable; overrides the clusters in config.toml. Without any, the current context
    /// (or --context) is watched as the management cluster.
    #[arg(long = "cluster", value_name = "ROLE=CONTEXT", global = true)]
    clusters: Vec<String>,
    /// Also watch workload clusters and Talos nodes found in the management cluster's
    /// `<cluster>-kubeconfig` and `<cluster>-talosconfig` Secrets (needs read access to them).
    #[arg(long, global = true)]
    discover: bool,
    /// talosconfig file (default: $TALOSCONFIG, then ~/.talos/config).
    #[arg(long, global = true)]
    talosconfig: Option<PathBuf>,
    /// Offer no mutating action at all.
    #[arg(long, global = true)]
    readonly: bool,
    /// argocd-server for Argo CD actions and resource-tree health (also $ARGOCD_SERVER or
    /// `argocd_server` in config.toml). The token comes from $ARGOCD_AUTH_TOKEN or
    /// `argocd_token` in config.toml, never from the command line.
    #[arg(long, global = true, value_name = "URL")]
    argocd_server: Option<String>,
    /// A CA (PEM) to trust for argocd-server besides the system roots (also `argocd_ca_file`
    /// in config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    argocd_ca_file: Option<PathBuf>,
    /// Start in a view, as a `:` command would open it: `-c pods`, `-c "pods media"`,
    /// `-c apps`.
    #[arg(short = 'c', long = "command", global = true, value_name = "COMMAND")]
    command_line: Option<String>,
    /// What goes to the log file: `error`, `warn` (the default), `info`, `debug`, `trace`,
    /// `off`, or a tracing filter such as `opsdeck=debug,kube=info` (also $OPSDECK_LOG).
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,
    #[command(subcommand)]
    command: Option<Commands>,
}

#[derive(Subcommand, Clone)]
enum Commands {
    /// Start the simulated platform on 127.0.0.1 and the cockpit against it.
    Demo {
        /// Only run the simulator: print `KUBECONFIG=<path>` and serve until Ctrl-C.
        #[arg(long)]
        serve_only: bool,
        /// `default`, `large`, or a path to a scenario YAML file.
        #[arg(long, default_value = "default")]
        scenario: String,
        /// Instead of the cockpit: a snapshot or a check of the simulated platform.
        #[command(subcommand)]
        then: Option<DemoThen>,
    },
    /// Print one frame of a pane after its first complete load, with no terminal: for
    /// scripts and incident notes (`opsdeck snapshot apps --width 160 > apps.txt`).
    Snapshot(commands::SnapshotArgs),
    /// Reach every source once — kube contexts (version, latency, the kinds opsdeck reads,
    /// who you are and what your rules allow), Talos nodes, argocd-server — one line each;
    /// exit code 1 if any is down.
    Check(commands::CheckArgs),
    /// Bring another tool's settings over.
    Import {
        #[command(subcommand)]
        from: ImportFrom,
    },
    /// Print shell completions, e.g. `opsdeck completions bash > ~/.local/share/bash-completion/completions/opsdeck`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `opsdeck man > ~/.local/share/man/man1/opsdeck.1`.
    Man,
    /// What opsdeck would use: version, config files, log and audit log, kubeconfig and its
    /// contexts, the clusters and their roles, talosconfig, argocd-server.
    Info,
}

/// Tools whose settings `opsdeck import` converts.
#[derive(Subcommand, Clone)]
enum ImportFrom {
    /// k9s aliases, hotkeys, plugins and skin → opsdeck's aliases.toml, keymap.toml,
    /// plugins.toml and theme.toml (a file replaced is kept as a dated backup; the report names
    /// what had no equivalent).
    K9s(import::K9sArgs),
}

/// What `opsdeck demo` can do instead of opening the cockpit.
#[derive(Subcommand, Clone)]
enum DemoThen {
    /// One frame of a pane of the simulated platform (as `opsdeck snapshot`).
    Snapshot(commands::SnapshotArgs),
    /// Check the simulated platform's sources (as `opsdeck check`).
    Check(commands::CheckArgs),
}

/// Write to stdout; a reader that stops early (`| head`) is not an error.
pub fn print_all(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.wrap_err("writing to stdout"),
    }
}

/// Said instead of an error chain when there is no kubeconfig at all: most likely a first run.
pub fn first_run(looked_at: &[String]) -> String {
    format!(
        "opsdeck: no kubeconfig found (looked at {}).\n\
         \n  Try it without a cluster:  opsdeck demo\n\
         \x20 Point it at one:           opsdeck --kubeconfig FILE [--context NAME]\n",
        looked_at.join(", ")
    )
}

/// How the interactive cockpit starts.
pub struct Session {
    /// Where this process logs (help says it).
    pub log: Option<LogSetup>,
    /// The `-c` command to start with.
    pub start: Option<String>,
    pub readonly: bool,
}

/// What to do once the platform is connected.
pub enum Then {
    Cockpit(Session),
    Snapshot(commands::SnapshotArgs),
    Check(commands::CheckArgs),
}

/// Run what was asked against a connected platform (the user's or the demo's).
pub async fn launch(platform: Platform, then: Then) -> Result<ExitCode> {
    match then {
        Then::Cockpit(session) => cockpit(platform, session).await.map(|()| ExitCode::SUCCESS),
        Then::Snapshot(args) => commands::run_snapshot(platform, args).await,
        Then::Check(args) => commands::run_check(platform, args).await,
    }
}

async fn cockpit(platform: Platform, session: Session) -> Result<()> {
    let context = platform.kube.names();
    let (keymap, keymap_err) = Keymap::load();
    let (theme, theme_err) = Theme::load();
    let mut state = State::new(context, session.readonly, keymap, theme, Timestamp::now());
    state.readonly_contexts = platform.readonly_contexts;
    state.log = session.log;
    state.argo.server = platform.argocd.as_ref().map(|a| a.server.clone());
    state.kubeconfig = platform.kubeconfig;
    state.cluster_contexts = platform.cluster_contexts;
    state.unverified_contexts = platform.unverified;
    let plugins_notice = opsdeck::app::plugins::load_into(&mut state);
    let (aliases, aliases_err) = opsdeck::app::aliases::Aliases::load();
    state.aliases = aliases;
    state.notice = keymap_err
        .or(theme_err)
        .or(aliases_err)
        .map(|e| format!("{e} — using the defaults"))
        .or(plugins_notice)
        .or(platform.notice);
    if let Some(command) = &session.start {
        // Before the loop nothing runs yet: a pane opens at once, a kind once discovery has
        // answered (so there is nothing to send here).
        let _ = start_with(&mut state, command);
    }
    // ratatui's hook restores the terminal, then color-eyre's prints the report; after that
    // nothing may go on drawing into a restored terminal, wherever the panic was (a
    // background task's included): the process ends with the panic's exit code.
    let mut terminal = ratatui::init();
    let restore_and_report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Exiting skips every drop: the demo's credentials folder is removed here, first (the
        // report can itself fail and abort when the terminal is gone).
        demo::remove_folders();
        restore_and_report(info);
        std::process::exit(101);
    }));
    let result = run_loop(
        &mut terminal,
        state,
        platform.kube,
        platform.talos,
        platform.argocd,
    )
    .await;
    // A terminal that is gone (closed window, SIGHUP) cannot be restored, and saying so on it
    // would panic: the failure goes to the log.
    if let Err(e) = ratatui::try_restore() {
        tracing::warn!("restoring the terminal: {e}");
    }
    result.wrap_err("terminal I/O")
}

fn main() -> Result<ExitCode> {
    opsdeck::memory::fewer_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("starting the async runtime")?
        .block_on(cockpit_main())
}

async fn cockpit_main() -> Result<ExitCode> {
    // Errors before the cockpit starts are for people, not for bug reports: no source locations.
    color_eyre::config::HookBuilder::default()
        .display_location_section(false)
        .display_env_section(false)
        .install()?;
    // rustls needs one process-wide crypto provider for kube, tonic and reqwest alike.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let log = match logging::init(cli.log_level.as_deref()) {
        Ok(log) => log,
        Err(message) => {
            eprintln!("opsdeck: {message}");
            std::process::exit(2);
        }
    };
    match cli.command.clone() {
        None => {
            let session = Session {
                log: log.clone(),
                start: cli.command_line.clone(),
                readonly: cli.readonly,
            };
            let platform = Platform::from_user(&cli).await?.first_contact(&cli).await;
            launch(platform, Then::Cockpit(session)).await
        }
        Some(Commands::Snapshot(args)) => {
            launch(Platform::from_user(&cli).await?, Then::Snapshot(args)).await
        }
        Some(Commands::Check(args)) => {
            // Everything there is to check: also the clusters CAPI Secrets name.
            launch(Platform::connect(&cli, true).await?, Then::Check(args)).await
        }
        Some(Commands::Demo {
            serve_only,
            scenario,
            then,
        }) => {
            let then = match then {
                None => Then::Cockpit(Session {
                    log: log.clone(),
                    start: cli.command_line.clone(),
                    readonly: cli.readonly,
                }),
                Some(DemoThen::Snapshot(args)) => Then::Snapshot(args),
                Some(DemoThen::Check(args)) => Then::Check(args),
            };
            demo::run(&scenario, serve_only, then).await
        }
        Some(Commands::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "opsdeck", &mut script);
            print_all(&script).map(|()| ExitCode::SUCCESS)
        }
        Some(Commands::Info) => {
            let user = UserConfig::load()?.unwrap_or_default();
            let asked = info::Asked {
                kubeconfig: cli.kubeconfig.as_deref(),
                context: cli.context.as_deref(),
                clusters: &cli.clusters,
                talosconfig: cli.talosconfig.as_deref(),
                argocd_server: cli.argocd_server.as_deref(),
                log: log.clone(),
            };
            print_all(info::report(&asked, &user).as_bytes()).map(|()| ExitCode::SUCCESS)
        }
        Some(Commands::Import {
            from: ImportFrom::K9s(args),
        }) => import::run(args).map(|()| ExitCode::SUCCESS),
        Some(Commands::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            print_all(&page).map(|()| ExitCode::SUCCESS)
        }
    }
}
