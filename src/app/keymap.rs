//! Keymaps as data: `keymaps/default.toml` is embedded; the user's `keymap.toml` adds or
//! overrides entries. Keys resolve in the current view's scope first, then globally.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use toml::Spanned;

use super::action::{Action, SHOW_PREFIX};
use super::config::ConfigError;
use super::ids::PaneId;
use super::keys::Key;

pub const DEFAULT_KEYMAP: &str = include_str!("../../keymaps/default.toml");
pub const VIM_KEYMAP: &str = include_str!("../../keymaps/vim.toml");

/// Where a binding applies: everywhere, or in one pane (a section of the keymap file, named
/// by the pane registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Pane(PaneId),
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Pane(id) => id.section(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub desc: String,
}

#[derive(Debug, Clone, Default)]
pub struct Keymap {
    /// Per scope, in file order (help lists them so).
    bindings: HashMap<Scope, Vec<Binding>>,
    /// The panes whose sections a file may have, in registry order (the registry tells).
    panes: Vec<PaneId>,
    /// The `:` command lines keys run (`Action::RunCommand` indexes this).
    commands: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    on: Spanned<String>,
    run: Spanned<String>,
    #[serde(default)]
    desc: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Section {
    #[serde(default)]
    keymap: Vec<Entry>,
}

/// A keymap file: sections named `global` or after a pane's keymap section.
type KeymapFile = BTreeMap<String, Section>;

impl Keymap {
    /// Add or override entries from another file; on error nothing changes.
    pub fn merge(&mut self, file: &str, text: &str) -> Result<(), ConfigError> {
        let parsed: KeymapFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let mut next = self.clone();
        for (name, section) in parsed {
            let scope = self
                .scope_named(&name)
                .ok_or_else(|| self.unknown_section(file, text, &name))?;
            for entry in section.keymap {
                let key = Key::parse(entry.on.get_ref())
                    .map_err(|m| ConfigError::at(file, text, entry.on.span(), "on", m))?;
                let run = entry.run.get_ref();
                // `run = ":pods kube-system"`: the key types that command line.
                if let Some(line) = run.strip_prefix(':').map(str::trim) {
                    if line.is_empty() {
                        return Err(ConfigError::at(
                            file,
                            text,
                            entry.run.span(),
                            "run",
                            "\":\" needs a command after it, e.g. \":pods kube-system\"",
                        ));
                    }
                    let action = next.command_action(line);
                    let desc = match entry.desc.is_empty() {
                        true => format!(":{line}"),
                        false => entry.desc,
                    };
                    let list = next.bindings.entry(scope).or_default();
                    list.retain(|b| b.key != key);
                    list.push(Binding { key, action, desc });
                    continue;
                }
                let action = self.action_named(run).ok_or_else(|| {
                    ConfigError::at(
                        file,
                        text,
                        entry.run.span(),
                        "run",
                        format!("unknown action {:?}", entry.run.get_ref()),
                    )
                })?;
                let list = next.bindings.entry(scope).or_default();
                list.retain(|b| b.key != key);
                list.push(Binding {
                    key,
                    action,
                    desc: entry.desc,
                });
            }
        }
        *self = next;
        Ok(())
    }

    /// The defaults, plus the user's file if there is one. A bad user file is reported and
    /// ignored: the defaults stay.
    pub fn load() -> (Keymap, Option<ConfigError>) {
        let mut km = Keymap::defaults();
        let err = super::config::read_user_file("keymap.toml")
            .and_then(|(path, text)| km.merge(&path, &text).err());
        (km, err)
    }

    /// The action that runs this command line (one per distinct line).
    fn command_action(&mut self, line: &str) -> Action {
        let at = match self.commands.iter().position(|c| c == line) {
            Some(at) => at,
            None => {
                self.commands.push(line.to_string());
                self.commands.len() - 1
            }
        };
        Action::RunCommand(at as u16)
    }

    /// The command line a `RunCommand` runs.
    pub fn command(&self, at: u16) -> Option<&str> {
        self.commands.get(usize::from(at)).map(String::as_str)
    }

    /// Let files have a section for this pane.
    pub fn know_pane(&mut self, id: PaneId) {
        if !self.panes.contains(&id) {
            self.panes.push(id);
        }
    }

    /// Know the pane and bind its number key globally, unless the key is bound already (a
    /// user's file may have taken it).
    pub fn add_pane(&mut self, id: PaneId, key: Option<char>, about: &str) {
        self.know_pane(id);
        let Some(key) = key.map(Key::char) else {
            return;
        };
        let global = self.bindings.entry(Scope::Global).or_default();
        if global.iter().all(|b| b.key != key) {
            global.push(Binding {
                key,
                action: Action::Show(id),
                desc: about.to_string(),
            });
        }
    }

    /// Every scope: global, then each known pane.
    pub fn scopes(&self) -> impl Iterator<Item = Scope> + '_ {
        std::iter::once(Scope::Global).chain(self.panes.iter().map(|id| Scope::Pane(*id)))
    }

    fn scope_named(&self, name: &str) -> Option<Scope> {
        self.scopes().find(|s| s.name() == name)
    }

    /// A `run` name: an action, or `view_<section>` of a known pane.
    fn action_named(&self, name: &str) -> Option<Action> {
        match name.strip_prefix(SHOW_PREFIX) {
            Some(section) => self
                .panes
                .iter()
                .find(|id| id.section() == section)
                .map(|id| Action::Show(*id)),
            None => Action::parse(name),
        }
    }

    /// A section that names no pane: the error points at its header and lists the sections.
    fn unknown_section(&self, file: &str, text: &str, name: &str) -> ConfigError {
        let header = format!("[{name}]");
        let start = text.find(&header).unwrap_or(0);
        let known: Vec<&str> = self.scopes().map(Scope::name).collect();
        ConfigError::at(
            file,
            text,
            start..start + header.len(),
            name,
            format!(
                "unknown section [{name}]; sections are {}",
                known.join(", ")
            ),
        )
    }

    pub fn resolve(&self, scope: Scope, key: Key) -> Option<Action> {
        [scope, Scope::Global].iter().find_map(|s| {
            self.bindings
                .get(s)?
                .iter()
                .find(|b| b.key == key)
                .map(|b| b.action)
        })
    }

    pub fn bindings(&self, scope: Scope) -> &[Binding] {
        self.bindings.get(&scope).map_or(&[], Vec::as_slice)
    }

    /// The first key bound to an action, for hints.
    pub fn key_for(&self, scope: Scope, action: Action) -> Option<Key> {
        [scope, Scope::Global].iter().find_map(|s| {
            self.bindings
                .get(s)?
                .iter()
                .find(|b| b.action == action)
                .map(|b| b.key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_entries_override_defaults() {
        let mut km = Keymap::parse("default", DEFAULT_KEYMAP).expect("default parses");
        let x = Key::parse("x").expect("key");
        assert_eq!(km.resolve(Scope::Pane(PaneId::APPS), x), None);
        km.merge(
            "user",
            "[global]\nkeymap = [{ on = \"x\", run = \"quit\", desc = \"Leave\" }]\n",
        )
        .expect("merge");
        assert_eq!(km.resolve(Scope::Pane(PaneId::APPS), x), Some(Action::Quit));
    }

    #[test]
    fn a_bad_action_names_file_line_and_key_and_changes_nothing() {
        let mut km = Keymap::parse("default", DEFAULT_KEYMAP).expect("default parses");
        let before = km.bindings(Scope::Global).len();
        let text = "[global]\nkeymap = [\n  { on = \"x\", run = \"explode\" },\n]\n";
        let err = km
            .merge("/home/u/.config/opsdeck/keymap.toml", text)
            .expect_err("bad action");
        assert_eq!(err.line, 3);
        assert_eq!(err.key, "run");
        assert!(err.to_string().contains("keymap.toml: line 3"), "{err}");
        assert!(err.to_string().contains("explode"), "{err}");
        assert_eq!(km.bindings(Scope::Global).len(), before);
    }
}
