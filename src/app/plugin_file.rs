//! `plugins.toml`: the user's own commands, bound to keys per pane, read and checked (a bad
//! key or an unknown pane is reported with its line, and no plugin is loaded).
//!
//! ```toml
//! [[plugin]]
//! name = "stern"
//! key = "<C-l>"
//! panes = ["browse"]        # keymap sections; none: every pane with rows
//! kinds = ["pods"]          # in the kind browser, only these kinds
//! command = "stern"
//! args = ["--context", "$CONTEXT", "-n", "$NAMESPACE", "$NAME"]
//! description = "Follow the pod's logs with stern"
//! background = false        # true: run beside the cockpit, output in :output
//! confirm = false
//! dangerous = false         # hidden in read-only mode, always confirmed
//! ```

use serde::Deserialize;

use super::config::{ConfigError, read_user_file};
use super::keys::Key;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginsFile {
    #[serde(default, rename = "plugin")]
    plugins: Vec<RawPlugin>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlugin {
    name: String,
    key: toml::Spanned<String>,
    #[serde(default)]
    panes: Vec<toml::Spanned<String>>,
    #[serde(default)]
    kinds: Vec<String>,
    command: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    background: bool,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    dangerous: bool,
}

/// One plugin as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Plugin {
    pub name: String,
    pub key: Key,
    /// Keymap sections (pane ids) it works in; empty: every pane with rows.
    pub panes: Vec<String>,
    /// Kinds (as `:` names them) it works on in the kind browser; empty: all.
    pub kinds: Vec<String>,
    pub command: String,
    pub args: Vec<String>,
    pub description: String,
    pub background: bool,
    pub confirm: bool,
    pub dangerous: bool,
}

/// The plugins of `plugins.toml`, in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plugins(pub Vec<Plugin>);

impl Plugins {
    /// Parse a plugins file; `known_panes` are the sections a plugin may name.
    pub fn parse(file: &str, text: &str, known_panes: &[&str]) -> Result<Plugins, ConfigError> {
        let raw: PluginsFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let mut plugins = Vec::new();
        for p in raw.plugins {
            let key = Key::parse(p.key.get_ref())
                .map_err(|e| ConfigError::at(file, text, p.key.span(), "key", e))?;
            for pane in &p.panes {
                if !known_panes.contains(&pane.get_ref().as_str()) {
                    return Err(ConfigError::at(
                        file,
                        text,
                        pane.span(),
                        "panes",
                        format!(
                            "no pane {:?} (panes: {})",
                            pane.get_ref(),
                            known_panes.join(", ")
                        ),
                    ));
                }
            }
            plugins.push(Plugin {
                name: p.name,
                key,
                panes: p.panes.into_iter().map(|s| s.into_inner()).collect(),
                kinds: p.kinds,
                command: p.command,
                args: p.args,
                description: p.description,
                background: p.background,
                confirm: p.confirm,
                dangerous: p.dangerous,
            });
        }
        Ok(Plugins(plugins))
    }

    /// The user's `plugins.toml`, if any; a bad one is reported and none are loaded.
    pub fn load(known_panes: &[&str]) -> (Plugins, Option<ConfigError>) {
        match read_user_file("plugins.toml") {
            None => (Plugins::default(), None),
            Some((path, text)) => match Plugins::parse(&path, &text, known_panes) {
                Ok(plugins) => (plugins, None),
                Err(e) => (Plugins::default(), Some(e)),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PANES: &[&str] = &["browse", "apps"];

    #[test]
    fn a_plugins_file_parses_and_its_mistakes_are_located() {
        let text = "[[plugin]]\nname = \"stern\"\nkey = \"<C-l>\"\npanes = [\"browse\"]\nkinds = [\"pods\"]\ncommand = \"stern\"\nargs = [\"$NAME\"]\n";
        let plugins = Plugins::parse("plugins.toml", text, PANES).expect("parses");
        assert_eq!(plugins.0[0].key, Key::parse("<C-l>").expect("key"));
        assert_eq!(plugins.0[0].kinds, ["pods"]);
        assert!(!plugins.0[0].dangerous && !plugins.0[0].background);

        let bad_key = text.replace("<C-l>", "<Hyper-x>");
        let err = Plugins::parse("plugins.toml", &bad_key, PANES).expect_err("bad key");
        assert_eq!((err.line, err.key.as_str()), (3, "key"), "{err}");
        let bad_pane = text.replace("[\"browse\"]", "[\"pods\"]");
        let err = Plugins::parse("plugins.toml", &bad_pane, PANES).expect_err("bad pane");
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("panes: browse, apps"), "{err}");
        let unknown = format!("{text}shell = true\n");
        assert!(Plugins::parse("plugins.toml", &unknown, PANES).is_err());
    }
}
