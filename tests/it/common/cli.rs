//! The `opsdeck` binary run as a script or a user would, with nothing of the machine's own
//! config.

use std::process::Command;

/// A home of its own for `opsdeck` runs (removed when the test ends: a fixed
/// `/tmp/opsdeck-…-<pid>` home was left behind by every test run), and no KUBECONFIG.
pub struct Cli {
    home: tempfile::TempDir,
}

impl Cli {
    pub fn new() -> Cli {
        Cli {
            home: tempfile::tempdir().expect("a home"),
        }
    }

    /// `opsdeck` in that home, without the terminal size or backtrace settings of the
    /// environment the tests run in.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsdeck"));
        let home = self.home.path();
        cmd.env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env_remove("KUBECONFIG")
            .env_remove("RUST_BACKTRACE")
            .env_remove("COLUMNS")
            .env_remove("LINES");
        cmd
    }
}
