//! The `opsdeck` command line.

use std::path::PathBuf;

mod demo;
mod info;

use clap::{CommandFactory, Parser, Subcommand};
use color_eyre::eyre::{Result, WrapErr, eyre};
use jiff::Timestamp;

use opsdeck::app::config::{UserConfig, log_file};
use opsdeck::app::keymap::Keymap;
use opsdeck::app::run::run_loop;
use opsdeck::app::state::State;
use opsdeck::app::theme::Theme;
use opsdeck::app::update::start_with;
use opsdeck::clients::argocd::{ArgoCd, ArgoCdSettings};
use opsdeck::clients::kube::connect::{ConnectError, KubeconfigSource, connect};
use opsdeck::clients::kube::discovery::discover;
use opsdeck::clients::kube::sources::{KubeSource, KubeSources, Role};
use opsdeck::clients::talos::config::{self as talos_config, Talosconfig};
use opsdeck::clients::talos::poller::TalosSetup;

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

/// Write to stdout; a reader that stops early (`| head`) is not an error.
fn print_all(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.wrap_err("writing to stdout"),
    }
}

/// Said instead of an error chain when there is no kubeconfig at all: most likely a first run.
fn first_run(looked_at: &[String]) -> String {
    format!(
        "opsdeck: no kubeconfig found (looked at {}).\n\
         \n  Try it without a cluster:  opsdeck demo\n\
         \x20 Point it at one:           opsdeck --kubeconfig FILE [--context NAME]\n",
        looked_at.join(", ")
    )
}

fn init_logging() {
    // The terminal belongs to the UI; logs go to a file, and only when asked for.
    let Ok(filter) = std::env::var("OPSDECK_LOG") else {
        return;
    };
    let Some(path) = log_file() else {
        return;
    };
    if path
        .parent()
        .is_some_and(|dir| std::fs::create_dir_all(dir).is_err())
    {
        return;
    }
    if let Ok(file) = std::fs::File::create(&path) {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .try_init();
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

/// `management=ctx` → (role, context).
fn parse_cluster_flag(flag: &str) -> Result<(Role, String)> {
    let (role, context) = flag.split_once('=').ok_or_else(|| {
        eyre!("--cluster {flag:?}: write ROLE=CONTEXT, e.g. management=admin@mgmt")
    })?;
    let role = Role::parse(role).ok_or_else(|| {
        eyre!("--cluster {flag:?}: role must be management, harvester or workload")
    })?;
    Ok((role, context.to_string()))
}

/// Connect every (role, context); with none, the given or current context as management.
async fn kube_sources(
    kubeconfig: &KubeconfigSource<'_>,
    context: Option<&str>,
    wanted: &[(Role, String)],
) -> Result<KubeSources> {
    if wanted.is_empty() {
        let (client, name) = connect(kubeconfig.clone(), context).await?;
        return Ok(KubeSources::single(name, client));
    }
    let mut sources = Vec::new();
    for (role, ctx) in wanted {
        let (client, name) = connect(kubeconfig.clone(), Some(ctx)).await?;
        sources.push(KubeSource {
            context: name,
            role: *role,
            client,
        });
    }
    Ok(KubeSources(sources))
}

/// Add what the management cluster's CAPI Secrets name; problems come back as a notice.
async fn with_discovery(kube: &mut KubeSources, talos: &mut TalosSetup) -> Option<String> {
    let management = kube.with_role(Role::Management).next()?.client.clone();
    let known: Vec<String> = kube.0.iter().map(|s| s.context.clone()).collect();
    let found = discover(&management, &known).await;
    kube.0.extend(found.kube);
    talos.add_contexts(found.talos);
    (!found.problems.is_empty()).then(|| found.problems.join("; "))
}

/// What the cockpit is pointed at besides kube and Talos.
struct Extras {
    /// The `-c` command to start with.
    start: Option<String>,
    readonly: bool,
    readonly_contexts: std::collections::BTreeSet<String>,
    argocd: Option<ArgoCd>,
    notice: Option<String>,
}

/// argocd-server settings from the flag, the environment and config.toml, if a server is named.
fn argocd_from(
    cli: Option<&str>,
    cli_ca: Option<&std::path::Path>,
    user: &UserConfig,
) -> Result<Option<ArgoCd>> {
    let server = cli
        .map(str::to_string)
        .or_else(|| std::env::var("ARGOCD_SERVER").ok())
        .or_else(|| user.argocd_server.clone());
    let Some(server) = server else {
        return Ok(None);
    };
    let token = std::env::var("ARGOCD_AUTH_TOKEN")
        .ok()
        .or_else(|| user.argocd_token.clone())
        .ok_or_else(|| {
            eyre!("--argocd-server {server} needs a token: set ARGOCD_AUTH_TOKEN or argocd_token in config.toml")
        })?;
    let ca_pem = match cli_ca.or(user.argocd_ca_file.as_deref()) {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .wrap_err_with(|| format!("argocd_ca_file {}", path.display()))?,
        ),
        None => None,
    };
    let settings = ArgoCdSettings {
        server,
        token,
        ca_pem,
    };
    ArgoCd::new(&settings).map(Some).map_err(|e| eyre!(e))
}

async fn cockpit(kube: KubeSources, talos: TalosSetup, extras: Extras) -> Result<()> {
    let context = kube.names();
    let (keymap, keymap_err) = Keymap::load();
    let (theme, theme_err) = Theme::load();
    let mut state = State::new(context, extras.readonly, keymap, theme, Timestamp::now());
    state.readonly_contexts = extras.readonly_contexts;
    state.log_file = log_file();
    state.argo.server = extras.argocd.as_ref().map(|a| a.server.clone());
    let notice = extras.notice;
    state.notice = keymap_err
        .or(theme_err)
        .map(|e| format!("{e} — using the defaults"))
        .or(notice);
    if let Some(command) = &extras.start {
        // Before the loop nothing runs yet: a pane opens at once, a kind once discovery has
        // answered (so there is nothing to send here).
        let _ = start_with(&mut state, command);
    }
    let mut terminal = ratatui::init();
    let result = run_loop(&mut terminal, state, kube, talos, extras.argocd).await;
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
    // rustls needs one process-wide crypto provider for kube, tonic and reqwest alike.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    match cli.command {
        None => {
            let user = UserConfig::load()?.unwrap_or_default();
            let wanted: Vec<(Role, String)> = if cli.clusters.is_empty() {
                user.clusters
                    .iter()
                    .map(|c| (c.role, c.context.clone()))
                    .collect()
            } else {
                cli.clusters
                    .iter()
                    .map(|f| parse_cluster_flag(f))
                    .collect::<Result<_>>()?
            };
            let source = KubeconfigSource::Default(cli.kubeconfig.as_deref());
            let mut kube = match kube_sources(&source, cli.context.as_deref(), &wanted).await {
                Ok(kube) => kube,
                Err(e) => match e.downcast_ref::<ConnectError>() {
                    Some(ConnectError::NoKubeconfig { looked_at }) => {
                        eprint!("{}", first_run(looked_at));
                        std::process::exit(2);
                    }
                    _ => return Err(e),
                },
            };
            let talosconfig = cli.talosconfig.or(user.talosconfig.clone());
            let mut talos = talos_from_file(talosconfig.as_deref());
            let notice = if cli.discover || user.discover {
                with_discovery(&mut kube, &mut talos).await
            } else {
                None
            };
            let argocd = argocd_from(
                cli.argocd_server.as_deref(),
                cli.argocd_ca_file.as_deref(),
                &user,
            )?;
            let extras = Extras {
                start: cli.command_line.clone(),
                readonly: cli.readonly,
                readonly_contexts: user.readonly_contexts(),
                argocd,
                notice,
            };
            cockpit(kube, talos, extras).await
        }
        Some(Commands::Demo {
            serve_only,
            scenario,
        }) => demo::run(&scenario, serve_only, cli.readonly, cli.command_line).await,
        Some(Commands::Completions { shell }) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "opsdeck", &mut script);
            print_all(&script)
        }
        Some(Commands::Info) => {
            let user = UserConfig::load()?.unwrap_or_default();
            let asked = info::Asked {
                kubeconfig: cli.kubeconfig.as_deref(),
                context: cli.context.as_deref(),
                clusters: &cli.clusters,
                talosconfig: cli.talosconfig.as_deref(),
                argocd_server: cli.argocd_server.as_deref(),
                log_file: log_file(),
            };
            print_all(info::report(&asked, &user).as_bytes())
        }
        Some(Commands::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            print_all(&page)
        }
    }
}
