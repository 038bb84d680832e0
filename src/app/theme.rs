//! Themes by meaning: widgets ask for `status.ok`, `row.selected` …, never a raw colour.
//! `themes/default.toml` is embedded; the user's `theme.toml` overrides any subset.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use toml::Spanned;

use super::config::ConfigError;

pub const DEFAULT_THEME: &str = include_str!("../../themes/default.toml");
pub const MONO_THEME: &str = include_str!("../../themes/mono.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleEntry {
    fg: Option<Spanned<String>>,
    bg: Option<Spanned<String>>,
    #[serde(default)]
    modifiers: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    styles: BTreeMap<Spanned<String>, StyleEntry>,
}

#[derive(Debug, Clone, Default)]
pub struct Theme {
    styles: HashMap<String, Style>,
}

fn modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" => Modifier::UNDERLINED,
        "reversed" => Modifier::REVERSED,
        "crossed_out" => Modifier::CROSSED_OUT,
        _ => return None,
    })
}

impl Theme {
    pub fn parse(file: &str, text: &str) -> Result<Theme, ConfigError> {
        let mut t = Theme::default();
        t.merge(file, text, false)?;
        Ok(t)
    }

    /// Override styles from another file. With `known_only`, names the default theme does not
    /// define are an error (a typo would otherwise be silently ignored).
    pub fn merge(&mut self, file: &str, text: &str, known_only: bool) -> Result<(), ConfigError> {
        let parsed: ThemeFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let mut next = self.styles.clone();
        for (name, entry) in parsed.styles {
            if known_only && !self.styles.contains_key(name.get_ref()) {
                return Err(ConfigError::at(
                    file,
                    text,
                    name.span(),
                    name.get_ref(),
                    "unknown style name (see themes/default.toml for the names)",
                ));
            }
            let color =
                |c: &Option<Spanned<String>>, key: &str| -> Result<Option<Color>, ConfigError> {
                    c.as_ref()
                        .map(|c| {
                            Color::from_str(c.get_ref()).map_err(|_| {
                                ConfigError::at(
                                    file,
                                    text,
                                    c.span(),
                                    &format!("{}.{key}", name.get_ref()),
                                    format!("unknown colour {:?}", c.get_ref()),
                                )
                            })
                        })
                        .transpose()
                };
            let mut style = Style::default();
            if let Some(fg) = color(&entry.fg, "fg")? {
                style = style.fg(fg);
            }
            if let Some(bg) = color(&entry.bg, "bg")? {
                style = style.bg(bg);
            }
            for m in &entry.modifiers {
                let md = modifier(m.get_ref()).ok_or_else(|| {
                    ConfigError::at(
                        file,
                        text,
                        m.span(),
                        &format!("{}.modifiers", name.get_ref()),
                        format!("unknown modifier {:?}", m.get_ref()),
                    )
                })?;
                style = style.add_modifier(md);
            }
            next.insert(name.into_inner(), style);
        }
        self.styles = next;
        Ok(())
    }

    pub fn load() -> (Theme, Option<ConfigError>) {
        let mut t =
            Theme::parse("themes/default.toml (embedded)", DEFAULT_THEME).unwrap_or_default();
        let err = super::config::read_user_file("theme.toml")
            .and_then(|(path, text)| t.merge(&path, &text, true).err());
        (t, err)
    }

    pub fn style(&self, name: &str) -> Style {
        self.styles.get(name).copied().unwrap_or_default()
    }

    /// The style for an Argo CD / CAPI status word.
    pub fn status(&self, word: &str) -> Style {
        self.style(crate::model::table::status_style(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_themes_define_the_same_names() {
        let d = Theme::parse("default", DEFAULT_THEME).expect("default");
        let mut m = d.clone();
        m.merge("mono", MONO_THEME, true)
            .expect("mono only uses known names");
        assert_eq!(d.style("status.ok").fg, Some(Color::Green));
    }

    #[test]
    fn bad_colour_is_located() {
        let mut t = Theme::parse("default", DEFAULT_THEME).expect("default");
        let err = t
            .merge(
                "theme.toml",
                "[styles]\n\"status.ok\" = { fg = \"greeen\" }\n",
                true,
            )
            .expect_err("bad colour");
        assert_eq!((err.line, err.key.as_str()), (2, "status.ok.fg"));
        let err = t
            .merge("theme.toml", "[styles]\n\n\"status.okk\" = {}\n", true)
            .expect_err("unknown name");
        assert_eq!((err.line, err.key.as_str()), (3, "status.okk"));
    }
}
