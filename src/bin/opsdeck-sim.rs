//! `opsdeck-sim`: the simulated platform alone, as `opsdeck demo --serve-only` serves it, for
//! benchmarks and scripts. Its own binary for one reason: its allocator. A simulator holding
//! a 100,000-object scenario keeps ~9 GB of small JSON values, and with glibc's malloc it spent
//! a fifth of its time serving a list inside `malloc` (each TLS record's buffer paid for
//! consolidating everything freed since the last), on the same two cores as the cockpit it
//! was measuring. mimalloc is suited to that; the cockpit keeps glibc's allocator (fewer
//! arenas: lower peak memory, which is what it is judged on).

use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serve the simulated platform on 127.0.0.1: print `KUBECONFIG=<path>` (and TALOSCONFIG,
/// ARGOCD_SERVER, ARGOCD_AUTH_TOKEN) and serve until Ctrl-C or SIGTERM.
#[derive(Parser)]
#[command(name = "opsdeck-sim", version)]
struct Args {
    /// `default`, `large`, `pods`, `scale-<n>` (`scale-100k`), or a path to a scenario YAML file
    #[arg(long, default_value = "default")]
    scenario: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("opsdeck-sim: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(opsdeck_sim::standalone::serve(&args.scenario)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("opsdeck-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
