//! `opsdeck import k9s`: find the k9s config, convert what it has, check every file with
//! opsdeck's own parser, then write them — each existing file kept as a backup first — and
//! report what was imported and what had no equivalent.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{Result, WrapErr, eyre};
use jiff::Timestamp;

use opsdeck::app::aliases::Aliases;
use opsdeck::app::config::config_dir;
use opsdeck::app::k9s_import::{self, Converted};
use opsdeck::app::keymap::Keymap;
use opsdeck::app::panes::PANES;
use opsdeck::app::plugins::Plugins;
use opsdeck::app::theme::{DEFAULT_THEME, Theme};

#[derive(clap::Args, Clone)]
pub struct K9sArgs {
    /// The k9s config directory (default: $K9S_CONFIG_DIR, else k9s' own place, e.g.
    /// ~/.config/k9s).
    #[arg(long, value_name = "DIR")]
    from: Option<PathBuf>,
    /// The skin to import: a name in <k9s dir>/skins, or a file (default: the one k9s'
    /// config.yaml names, else skin.yml).
    #[arg(long, value_name = "NAME|FILE")]
    skin: Option<String>,
    /// Say what would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// k9s' config directory, as k9s itself looks for it.
fn k9s_dir(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = flag {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("K9S_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(dir.into());
    }
    if let Some(xdg) = std::env::var_os("XDG_CONFIG_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(xdg).join("k9s"));
    }
    directories::BaseDirs::new().map(|d| d.config_dir().join("k9s"))
}

/// The skin file: the flag (a path or a name in skins/), else the one config.yaml names,
/// else the old skin.yml.
fn skin_file(dir: &Path, flag: Option<&str>) -> Option<PathBuf> {
    let named = |name: &str| {
        ["yaml", "yml"]
            .iter()
            .map(|ext| dir.join("skins").join(format!("{name}.{ext}")))
            .find(|p| p.exists())
    };
    if let Some(flag) = flag {
        let path = PathBuf::from(flag);
        return if path.exists() {
            Some(path)
        } else {
            named(flag)
        };
    }
    let config = std::fs::read_to_string(dir.join("config.yaml")).ok();
    let chosen = config
        .and_then(|text| serde_saphyr::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| {
            v.pointer("/k9s/ui/skin")
                .and_then(|s| s.as_str())
                .map(str::to_string)
        });
    chosen
        .and_then(|name| named(&name))
        .or_else(|| Some(dir.join("skin.yml")).filter(|p| p.exists()))
}

/// Read a k9s file if it is there.
fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).wrap_err_with(|| format!("reading {}", path.display())),
    }
}

/// opsdeck reads the file back: a conversion that does not parse is a bug, never written.
fn check(c: &Converted) -> Result<()> {
    let name = format!("{} (converted)", c.file);
    let known: Vec<&str> = PANES.iter().map(|p| p.id.section()).collect();
    let parsed = match c.file {
        "aliases.toml" => Aliases::parse(&name, &c.text).map(|_| ()),
        "keymap.toml" => Keymap::parse(&name, &c.text).map(|_| ()),
        "plugins.toml" => Plugins::parse(&name, &c.text, &known).map(|_| ()),
        _ => Theme::parse("default", DEFAULT_THEME).and_then(|mut t| t.merge(&name, &c.text, true)),
    };
    parsed.map_err(|e| eyre!("the converted file does not read back: {e}"))
}

/// Write `text` to `path` through a temporary file and a rename, so a failure never leaves
/// half a file; an existing file is first moved to a dated backup, which is returned.
fn replace(path: &Path, text: &str) -> Result<Option<PathBuf>> {
    let dir = path
        .parent()
        .ok_or_else(|| eyre!("no directory for {}", path.display()))?;
    std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    let temp = path.with_extension("toml.new");
    std::fs::write(&temp, text).wrap_err_with(|| format!("writing {}", temp.display()))?;
    let backup = if path.exists() {
        let stamp = Timestamp::now().strftime("%Y%m%dT%H%M%SZ").to_string();
        let backup = path.with_extension(format!("toml.bak-{stamp}"));
        std::fs::rename(path, &backup)
            .wrap_err_with(|| format!("keeping {} as {}", path.display(), backup.display()))?;
        Some(backup)
    } else {
        None
    };
    std::fs::rename(&temp, path).wrap_err_with(|| format!("writing {}", path.display()))?;
    Ok(backup)
}

pub fn run(args: K9sArgs) -> Result<()> {
    let dir = k9s_dir(args.from.as_deref())
        .ok_or_else(|| eyre!("no k9s config directory: pass --from DIR"))?;
    if !dir.is_dir() {
        return Err(eyre!(
            "no k9s config at {} (pass --from DIR)",
            dir.display()
        ));
    }
    let target =
        config_dir().ok_or_else(|| eyre!("no config directory for opsdeck on this system"))?;
    let mut converted = Vec::new();
    for (file, convert) in [
        (
            "aliases.yaml",
            k9s_import::aliases as fn(&str) -> Result<Converted, String>,
        ),
        ("hotkeys.yaml", k9s_import::hotkeys),
        ("plugins.yaml", k9s_import::plugins),
    ] {
        if let Some(text) = read(&dir.join(file))? {
            converted.push(convert(&text).map_err(|e| eyre!(e))?);
        }
    }
    if let Some(path) = skin_file(&dir, args.skin.as_deref()) {
        let text = read(&path)?.unwrap_or_default();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        converted.push(k9s_import::skin(&name, &text).map_err(|e| eyre!(e))?);
    } else if let Some(skin) = &args.skin {
        return Err(eyre!(
            "no skin {skin:?} (looked in {})",
            dir.join("skins").display()
        ));
    }
    if converted.is_empty() {
        return Err(eyre!(
            "nothing to import in {} (no aliases.yaml, hotkeys.yaml, plugins.yaml or skin)",
            dir.display()
        ));
    }
    let mut report = format!("from {}\n", dir.display());
    for c in &converted {
        check(c).wrap_err_with(|| format!("converting to {}", c.file))?;
        let path = target.join(c.file);
        let done = if args.dry_run {
            "would write"
        } else {
            match replace(&path, &c.text)? {
                Some(backup) => {
                    let _ = writeln!(report, "kept the old {} as {}", c.file, backup.display());
                    "wrote"
                }
                None => "wrote",
            }
        };
        let _ = writeln!(report, "{done} {} ({} entries)", path.display(), c.entries);
        for note in &c.notes {
            let _ = writeln!(report, "  not imported: {note}");
        }
    }
    if args.dry_run {
        for c in &converted {
            let _ = write!(report, "\n--- {}\n{}", c.file, c.text);
        }
    }
    crate::print_all(report.as_bytes())
}
