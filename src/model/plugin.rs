//! User commands run on a row (`plugins.toml`): the variables a row gives (`$NAME`,
//! `$NAMESPACE`, `$CONTEXT`, `$CLUSTER`, `$KIND`, `$NODE`, `$COL-<HEADER>`, `$KUBECONFIG`), their
//! expansion into a command's arguments, and the run that results. Arguments are passed to the
//! program as they are — no shell — so a value can never become a second command.

use std::collections::BTreeMap;

use super::store::ObjRef;

/// A row's variables, by name (without the `$`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vars(pub BTreeMap<String, String>);

impl Vars {
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.0.insert(name.to_string(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `$COL-<HEADER>` for each column, the header upper-cased with blanks as dashes (k9s'
    /// names: `$COL-READY`, `$COL-LAST-SYNC`).
    pub fn set_column(&mut self, header: &str, value: &str) {
        let name: String = header
            .trim()
            .to_uppercase()
            .chars()
            .map(|c| if c.is_whitespace() { '-' } else { c })
            .collect();
        if !name.is_empty() {
            self.set(&format!("COL-{name}"), value);
        }
    }
}

/// Whether a character can be part of a variable's name.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Replace `$NAME` and `${NAME}` in `template`: first from the row's variables, then from the
/// environment (`$HOME`); `$$` is a literal `$`, and so is a `$` not followed by a name (`$1`,
/// `$(…)` in a `sh -c` script), and a lower-case name nothing defines (a shell variable). An
/// upper-case name that is neither is an error naming it — never an empty string that would
/// change what the command does.
pub fn expand(
    template: &str,
    vars: &Vars,
    env: impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        // `$1`, `$@`, `$(…)`: the shell's own, for a `sh -c` script; left as they are.
        if !after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '{') {
            out.push('$');
            rest = after;
            continue;
        }
        let (name, tail) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], &braced[end + 1..]),
                None => return Err(format!("{template:?}: ${{ without a closing }}")),
            },
            None => {
                let end = after.find(|c| !name_char(c)).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        if name.is_empty() {
            out.push('$');
            rest = after;
            continue;
        }
        match vars.get(name).map(str::to_string).or_else(|| env(name)) {
            Some(value) => out.push_str(&value),
            // Lower case is a shell's own (`for f in …; do echo $f`): left for it.
            None if name.chars().any(|c| c.is_ascii_lowercase()) => {
                out.push_str(&rest[at..at + 1 + (after.len() - tail.len())]);
            }
            None => {
                let known: Vec<&str> = vars
                    .0
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !k.starts_with("COL-"))
                    .collect();
                return Err(format!(
                    "${name} is not a variable here (known: {}, $COL-<column>, or an environment variable; $$ is a literal $)",
                    known
                        .iter()
                        .map(|k| format!("${k}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        rest = tail;
    }
    out.push_str(rest);
    Ok(out)
}

/// A plugin made concrete for one row: what will run, exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct PluginRun {
    pub name: String,
    pub program: String,
    pub args: Vec<String>,
    /// Set in the program's environment (`KUBECONFIG` when the cockpit knows its file).
    pub env: Vec<(String, String)>,
    /// Run beside the cockpit with its output shown, instead of in the terminal.
    pub background: bool,
    pub dangerous: bool,
    /// The row it runs on.
    pub target: ObjRef,
    pub kind: String,
    /// `plugin stern on Pod media/radarr-7d9`.
    pub title: String,
}

/// A word as a POSIX shell would need it quoted to mean the same: for showing a command line
/// that can be pasted, not for running it (nothing here goes through a shell).
pub fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

impl PluginRun {
    /// The command as it will run, quoted for a shell: what the confirm dialog and the audit
    /// log show.
    pub fn command_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|w| shell_word(w))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What the confirm dialog shows: the command exactly, where it runs, what it gets.
    pub fn preview(&self) -> Vec<String> {
        let mut lines = vec![
            "runs on this machine, as you (no server is asked first):".to_string(),
            format!("  {}", self.command_line()),
        ];
        lines.extend(
            self.env
                .iter()
                .map(|(k, v)| format!("  with {k}={}", shell_word(v))),
        );
        lines.push(if self.background {
            "in the background; its output goes to :output".into()
        } else {
            "in this terminal; the cockpit comes back when it exits".into()
        });
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("NAME", "radarr-7d9");
        v.set("NAMESPACE", "media");
        v.set_column("LAST SYNC", "3m");
        v
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn variables_expand_in_both_forms_and_dollars_can_be_literal() {
        let v = vars();
        assert_eq!(expand("$NAME", &v, no_env).as_deref(), Ok("radarr-7d9"));
        assert_eq!(
            expand("pod/${NAME}.log -n$NAMESPACE", &v, no_env).as_deref(),
            Ok("pod/radarr-7d9.log -nmedia")
        );
        assert_eq!(expand("$COL-LAST-SYNC", &v, no_env).as_deref(), Ok("3m"));
        assert_eq!(
            expand("cost: $$5 $", &v, no_env).as_deref(),
            Ok("cost: $5 $")
        );
        assert_eq!(
            expand("echo \"$1\" $(date) $NAME", &v, no_env).as_deref(),
            Ok("echo \"$1\" $(date) radarr-7d9")
        );
        assert_eq!(
            expand("for f in a; do echo $f ${f}; done", &v, no_env).as_deref(),
            Ok("for f in a; do echo $f ${f}; done")
        );
        let home = |n: &str| (n == "HOME").then(|| "/home/op".to_string());
        assert_eq!(expand("$HOME/x", &v, home).as_deref(), Ok("/home/op/x"));
    }

    #[test]
    fn an_unknown_variable_is_named_with_what_is_known() {
        let err = expand("$NODE", &vars(), no_env).expect_err("no node here");
        assert!(err.starts_with("$NODE is not a variable here"), "{err}");
        assert!(err.contains("$NAME, $NAMESPACE"), "{err}");
        assert!(expand("${NAME", &vars(), no_env).is_err());
    }

    #[test]
    fn a_command_line_is_shown_quoted_as_a_shell_would_need() {
        let run = PluginRun {
            name: "x".into(),
            program: "kubectl".into(),
            args: vec![
                "logs".into(),
                "it's here".into(),
                "-l".into(),
                "app=a b".into(),
                "".into(),
            ],
            env: Vec::new(),
            background: false,
            dangerous: false,
            target: ObjRef::in_cluster("c", "ns", "n"),
            kind: "Pod".into(),
            title: "plugin x".into(),
        };
        assert_eq!(
            run.command_line(),
            r"kubectl logs 'it'\''s here' -l 'app=a b' ''"
        );
    }
}
