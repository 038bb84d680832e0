//! `opsdeck import k9s`: k9s' aliases, hotkeys, plugins and skin turned into opsdeck's
//! `aliases.toml`, `keymap.toml`, `plugins.toml` and `theme.toml`. Each conversion is pure
//! (k9s YAML in, opsdeck TOML and notes out) and its output is read back by opsdeck's own
//! parser before anything is written. What has no equivalent is named in the notes, never
//! dropped silently.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keymap::{Keymap, Scope};
use super::keys::Key;

/// One converted file: its text, how many entries it has, and what did not carry over.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// opsdeck's file name (`keymap.toml` …).
    pub file: &'static str,
    pub text: String,
    pub entries: usize,
    pub notes: Vec<String>,
}

fn header(what: &str) -> String {
    format!("# Imported from k9s {what} by `opsdeck import k9s`.\n\n")
}

fn yaml<T: for<'de> Deserialize<'de>>(what: &str, text: &str) -> Result<T, String> {
    serde_saphyr::from_str(text).map_err(|e| format!("k9s {what}: {e}"))
}

fn toml_text<T: Serialize>(value: &T) -> Result<String, String> {
    toml::to_string_pretty(value).map_err(|e| e.to_string())
}

/// A k9s shortcut (`Ctrl-L`, `Shift-S`, `Alt-1`, `Shift-0`, `F5`, `x`) in opsdeck's notation.
/// Shift with a digit means the symbol above it on a US keyboard, as k9s reads it there.
pub fn key(shortcut: &str) -> Option<String> {
    let s = shortcut.trim();
    let (mods, base) = match s.rsplit_once('-') {
        Some((mods, base)) if !base.is_empty() => (mods.to_lowercase(), base),
        _ => (String::new(), s),
    };
    let one = {
        let mut chars = base.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        }
    };
    let upper_f = base.to_uppercase();
    let named = upper_f
        .strip_prefix('F')
        .filter(|n| n.parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)))
        .map(|n| format!("F{n}"));
    let notation = match (mods.as_str(), one, named) {
        ("", Some(c), _) => c.to_string(),
        ("", None, Some(f)) => format!("<{f}>"),
        ("shift", Some(c), _) if c.is_ascii_alphabetic() => c.to_ascii_uppercase().to_string(),
        ("shift", Some(c), _) if c.is_ascii_digit() => {
            let symbols = [')', '!', '@', '#', '$', '%', '^', '&', '*', '('];
            symbols[usize::from(c as u8 - b'0')].to_string()
        }
        ("ctrl", Some(c), _) => format!("<C-{}>", c.to_ascii_lowercase()),
        ("alt", Some(c), _) => format!("<A-{}>", c.to_ascii_lowercase()),
        (_, _, Some(f)) if mods == "shift" => format!("<S-{f}>"),
        _ => return None,
    };
    Key::parse(&notation).ok().map(|_| notation)
}

#[derive(Deserialize)]
struct K9sAliases {
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

/// `v1/pods` → `pods`, `apps/v1/deployments` → `deployments.apps`, `dp` → `dp`; a command
/// with arguments (`pods kube-system`) keeps them.
fn resource_name(target: &str) -> String {
    let (first, rest) = target.trim().split_once(' ').unwrap_or((target.trim(), ""));
    let parts: Vec<&str> = first.split('/').collect();
    let name = match parts.as_slice() {
        [_version, plural] => plural.to_string(),
        [group, _version, plural] => format!("{plural}.{group}"),
        _ => first.to_string(),
    };
    if rest.is_empty() {
        name
    } else {
        format!("{name} {}", rest.trim())
    }
}

/// k9s `aliases.yaml` → `aliases.toml`.
pub fn aliases(text: &str) -> Result<Converted, String> {
    let k9s: K9sAliases = yaml("aliases.yaml", text)?;
    let mut notes = Vec::new();
    let mut out = BTreeMap::new();
    for (alias, target) in k9s.aliases {
        if alias.contains(' ') || target.trim().is_empty() {
            notes.push(format!("alias {alias:?}: not one word naming a command"));
            continue;
        }
        out.insert(alias, resource_name(&target));
    }
    let entries = out.len();
    let text = header("aliases.yaml") + &toml_text(&BTreeMap::from([("aliases", out)]))?;
    Ok(Converted {
        file: "aliases.toml",
        text,
        entries,
        notes,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K9sHotkeys {
    #[serde(default)]
    hot_keys: BTreeMap<String, K9sHotkey>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K9sHotkey {
    short_cut: String,
    #[serde(default)]
    description: String,
    command: String,
}

#[derive(Serialize)]
struct KeymapEntry {
    on: String,
    run: String,
    desc: String,
}

#[derive(Serialize)]
struct KeymapSection {
    keymap: Vec<KeymapEntry>,
}

/// k9s `hotkeys.yaml` → `keymap.toml` entries that run a `:` command. A key opsdeck already
/// uses everywhere is left out (the note says which), so quitting or help never moves.
pub fn hotkeys(text: &str) -> Result<Converted, String> {
    let k9s: K9sHotkeys = yaml("hotkeys.yaml", text)?;
    let defaults = Keymap::defaults();
    let mut notes = Vec::new();
    let mut keymap = Vec::new();
    for (name, hk) in k9s.hot_keys {
        let Some(on) = key(&hk.short_cut) else {
            notes.push(format!(
                "hotkey {name}: no opsdeck key for {:?}",
                hk.short_cut
            ));
            continue;
        };
        if let Some(taken) = Key::parse(&on)
            .ok()
            .and_then(|k| defaults.resolve(Scope::Global, k))
        {
            notes.push(format!(
                "hotkey {name}: {on} already does {} in opsdeck",
                taken.name()
            ));
            continue;
        }
        keymap.push(KeymapEntry {
            on,
            run: format!(":{}", resource_name(&hk.command)),
            desc: hk.description,
        });
    }
    let entries = keymap.len();
    let file = BTreeMap::from([("global", KeymapSection { keymap })]);
    Ok(Converted {
        file: "keymap.toml",
        text: header("hotkeys.yaml") + &toml_text(&file)?,
        entries,
        notes,
    })
}

#[derive(Deserialize)]
struct K9sPlugins {
    #[serde(default)]
    plugins: BTreeMap<String, K9sPlugin>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K9sPlugin {
    short_cut: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    scopes: Vec<String>,
    command: String,
    #[serde(default)]
    args: Vec<serde_json::Value>,
    #[serde(default)]
    background: bool,
    #[serde(default)]
    confirm: bool,
    #[serde(default)]
    dangerous: bool,
    #[serde(default)]
    pipes: Vec<serde_json::Value>,
}

#[derive(Serialize)]
struct PluginEntry {
    name: String,
    key: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    panes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kinds: Vec<String>,
    command: String,
    args: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    background: bool,
    confirm: bool,
    dangerous: bool,
}

/// k9s variables opsdeck has under another name.
const RENAMED: &[(&str, &str)] = &[("$POD", "$NAME"), ("$RESOURCE_NAME", "$KIND")];
/// k9s variables with no opsdeck equivalent: a plugin using one is left out.
const MISSING: &[&str] = &[
    "$CONTAINER",
    "$FILTER",
    "$USER",
    "$GROUPS",
    "$RESOURCE_GROUP",
    "$RESOURCE_VERSION",
];

/// k9s `plugins.yaml` → `plugins.toml`.
pub fn plugins(text: &str) -> Result<Converted, String> {
    let k9s: K9sPlugins = yaml("plugins.yaml", text)?;
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for (name, p) in k9s.plugins {
        let Some(on) = key(&p.short_cut) else {
            notes.push(format!(
                "plugin {name}: no opsdeck key for {:?}",
                p.short_cut
            ));
            continue;
        };
        let mut args: Vec<String> = p
            .args
            .iter()
            .map(|a| match a {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let words = || std::iter::once(&p.command).chain(args.iter());
        let missing: Vec<&str> = MISSING
            .iter()
            .copied()
            .filter(|v| words().any(|w| w.contains(v)))
            .collect();
        if !missing.is_empty() {
            notes.push(format!(
                "plugin {name}: uses {} which opsdeck does not have; left out",
                missing.join(", ")
            ));
            continue;
        }
        for arg in &mut args {
            for (from, to) in RENAMED {
                *arg = arg.replace(from, to);
            }
        }
        if !p.pipes.is_empty() {
            notes.push(format!(
                "plugin {name}: pipes are not supported; imported without them"
            ));
        }
        let scopes: Vec<String> = p.scopes.iter().map(|s| s.to_lowercase()).collect();
        let everywhere = scopes.is_empty() || scopes.iter().any(|s| s == "all");
        let kinds: Vec<String> = scopes
            .iter()
            .filter(|s| *s != "containers" && *s != "all")
            .cloned()
            .collect();
        if kinds.is_empty() && !everywhere {
            notes.push(format!(
                "plugin {name}: only for containers, which opsdeck has no view of; left out"
            ));
            continue;
        }
        if scopes.iter().any(|s| s == "containers") {
            notes.push(format!(
                "plugin {name}: opsdeck has no containers view; that scope is left out"
            ));
        }
        out.push(PluginEntry {
            panes: if kinds.is_empty() {
                Vec::new()
            } else {
                vec!["browse".to_string()]
            },
            name,
            key: on,
            kinds,
            command: p.command,
            args,
            description: p.description,
            background: p.background,
            confirm: p.confirm,
            dangerous: p.dangerous,
        });
    }
    let entries = out.len();
    let file = BTreeMap::from([("plugin", out)]);
    Ok(Converted {
        file: "plugins.toml",
        text: header("plugins.yaml") + &toml_text(&file)?,
        entries,
        notes,
    })
}

/// Where each k9s skin colour goes in opsdeck's theme: (k9s path, style, fg or bg).
const SKIN: &[(&str, &str, &str)] = &[
    ("frame.border.fgColor", "border", "fg"),
    ("frame.title.fgColor", "title", "fg"),
    ("frame.title.highlightColor", "search.match", "bg"),
    ("frame.menu.fgColor", "hint", "fg"),
    ("frame.menu.keyColor", "hint.key", "fg"),
    ("frame.crumbs.fgColor", "header", "fg"),
    ("frame.crumbs.bgColor", "header", "bg"),
    ("frame.crumbs.bgColor", "header.context", "bg"),
    ("frame.crumbs.activeColor", "header.context", "fg"),
    ("frame.status.addColor", "status.ok", "fg"),
    ("frame.status.addColor", "source.live", "fg"),
    ("frame.status.modifyColor", "status.progressing", "fg"),
    ("frame.status.highlightColor", "status.warning", "fg"),
    ("frame.status.highlightColor", "source.stale", "fg"),
    ("frame.status.errorColor", "status.degraded", "fg"),
    ("frame.status.errorColor", "source.error", "fg"),
    ("frame.status.errorColor", "message.error", "bg"),
    ("frame.status.completedColor", "status.unknown", "fg"),
    ("prompt.fgColor", "prompt", "fg"),
    ("prompt.suggestColor", "completion", "fg"),
    ("views.table.header.fgColor", "column.header", "fg"),
    ("views.table.cursorFgColor", "row.selected", "fg"),
    ("views.table.cursorBgColor", "row.selected", "bg"),
    ("info.sectionColor", "row.group", "fg"),
    ("info.fgColor", "dim", "fg"),
];

/// Every `a.b.c` path to a string in a YAML tree.
fn leaves(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&path, v, out);
            }
        }
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        _ => {}
    }
}

/// A k9s colour (a CSS/W3C name such as `dodgerblue`, `#rrggbb`) as `#rrggbb`; `default`
/// means the terminal's own and maps to nothing.
fn color(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() || value.eq_ignore_ascii_case("default") {
        return None;
    }
    let [r, g, b, _] = csscolorparser::parse(value).ok()?.to_rgba8();
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

#[derive(Serialize, Default)]
struct StyleOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    fg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bg: Option<String>,
}

/// A k9s skin → `theme.toml` (only the styles the skin sets; the rest stay opsdeck's).
pub fn skin(name: &str, text: &str) -> Result<Converted, String> {
    let doc: serde_json::Value = yaml(name, text)?;
    let mut colors = BTreeMap::new();
    leaves("", doc.get("k9s").unwrap_or(&doc), &mut colors);
    let mut styles: BTreeMap<&str, StyleOut> = BTreeMap::new();
    let mut notes = Vec::new();
    for (path, value) in &colors {
        let targets: Vec<&(&str, &str, &str)> = SKIN.iter().filter(|(p, _, _)| p == path).collect();
        if targets.is_empty() {
            if !value.eq_ignore_ascii_case("default") {
                notes.push(format!("skin {path}: no opsdeck style"));
            }
            continue;
        }
        let Some(hex) = color(value) else {
            if !value.eq_ignore_ascii_case("default") {
                notes.push(format!("skin {path}: {value:?} is not a colour"));
            }
            continue;
        };
        for (_, style, side) in targets {
            let entry = styles.entry(style).or_default();
            match *side {
                "fg" => entry.fg = Some(hex.clone()),
                _ => entry.bg = Some(hex.clone()),
            }
        }
    }
    let entries = styles.len();
    let file = BTreeMap::from([("styles", styles)]);
    Ok(Converted {
        file: "theme.toml",
        text: header(name) + &toml_text(&file)?,
        entries,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k9s_shortcuts_become_opsdeck_keys() {
        assert_eq!(key("Ctrl-L").as_deref(), Some("<C-l>"));
        assert_eq!(key("Shift-S").as_deref(), Some("S"));
        assert_eq!(key("Shift-0").as_deref(), Some(")"));
        assert_eq!(key("Alt-1").as_deref(), Some("<A-1>"));
        assert_eq!(key("F5").as_deref(), Some("<F5>"));
        assert_eq!(key("x").as_deref(), Some("x"));
        assert_eq!(key("Hyper-Q"), None);
    }

    #[test]
    fn resource_paths_become_names_the_browser_resolves() {
        assert_eq!(resource_name("v1/pods"), "pods");
        assert_eq!(
            resource_name("rbac.authorization.k8s.io/v1/clusterrolebindings"),
            "clusterrolebindings.rbac.authorization.k8s.io"
        );
        assert_eq!(resource_name("pods kube-system"), "pods kube-system");
    }

    #[test]
    fn colours_by_name_or_hex_and_default_means_none() {
        assert_eq!(color("dodgerblue").as_deref(), Some("#1e90ff"));
        assert_eq!(color("#FF0000").as_deref(), Some("#ff0000"));
        assert_eq!(color("default"), None);
        assert_eq!(color("notacolour"), None);
    }
}
