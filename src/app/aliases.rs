//! `aliases.toml`: short names of the user's own for `:` commands, as k9s has them.
//!
//! ```toml
//! [aliases]
//! dp = "deployments"
//! mp = "pods media"          # a command with its arguments
//! crb = "clusterrolebindings.rbac.authorization.k8s.io"
//! ```
//!
//! An alias replaces the first word of what is typed; the rest follows it. One level only, so
//! two aliases naming each other cannot loop.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::config::{ConfigError, read_user_file};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AliasesFile {
    #[serde(default)]
    aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aliases(pub BTreeMap<String, String>);

impl Aliases {
    pub fn parse(file: &str, text: &str) -> Result<Aliases, ConfigError> {
        let parsed: AliasesFile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        if let Some((name, _)) = parsed
            .aliases
            .iter()
            .find(|(n, v)| n.trim().is_empty() || n.contains(' ') || v.trim().is_empty())
        {
            let at = text.find(name.as_str()).unwrap_or(0);
            return Err(ConfigError::at(
                file,
                text,
                at..at + name.len(),
                name,
                "an alias is one word and names a command",
            ));
        }
        Ok(Aliases(parsed.aliases))
    }

    /// The user's `aliases.toml`, if any; a bad one is reported and none are used.
    pub fn load() -> (Aliases, Option<ConfigError>) {
        match read_user_file("aliases.toml") {
            None => (Aliases::default(), None),
            Some((path, text)) => match Aliases::parse(&path, &text) {
                Ok(aliases) => (aliases, None),
                Err(e) => (Aliases::default(), Some(e)),
            },
        }
    }

    /// The command line with its first word replaced when it is an alias.
    pub fn expand(&self, input: &str) -> String {
        let input = input.trim();
        let (first, rest) = input.split_once(' ').unwrap_or((input, ""));
        match self.0.get(first) {
            Some(meant) if rest.is_empty() => meant.trim().to_string(),
            Some(meant) => format!("{} {}", meant.trim(), rest.trim()),
            None => input.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_alias_replaces_the_first_word_once() {
        let a = Aliases::parse(
            "aliases.toml",
            "[aliases]\ndp = \"deployments\"\nmp = \"pods media\"\nx = \"y\"\ny = \"x\"\n",
        )
        .expect("parses");
        assert_eq!(a.expand("dp"), "deployments");
        assert_eq!(a.expand(" dp kube-system "), "deployments kube-system");
        assert_eq!(a.expand("mp @media"), "pods media @media");
        assert_eq!(a.expand("x"), "y", "one level: no loop");
        assert_eq!(a.expand("apps"), "apps");
        let err =
            Aliases::parse("aliases.toml", "[aliases]\n\"d p\" = \"x\"\n").expect_err("two words");
        assert_eq!(err.line, 2, "{err}");
    }
}
