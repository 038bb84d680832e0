//! The pane registry's machinery: what an entry says, and the list of panes (the built-ins,
//! then any added at run time) that screens, `:` commands and their completion, number keys,
//! help and the hint bar are derived from. The built-in entries are in `panes`.
//!
//! Nothing here knows the cockpit's `State`: an entry's table reads rows from a state type
//! `S`, so `State` can hold a registry without the two modules importing each other.

use super::action::Action;
use super::ids::PaneId;
use super::table::Table;

/// A store the watches (or the Talos poller) fill: what a pane's title reports the state of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Clusters,
    ControlPlanes,
    Deployments,
    Machines,
    Apps,
    AppDetail,
    TalosNodes,
    ExternalSecrets,
    SecretStores,
    ClusterSecretStores,
    Vms,
    Vmis,
    VmImages,
    HarvesterHosts,
    Hardware,
    Workflows,
    Bmcs,
    BmcJobs,
    Browse,
}

impl Feed {
    pub const ALL: [Feed; 19] = [
        Feed::Clusters,
        Feed::ControlPlanes,
        Feed::Deployments,
        Feed::Machines,
        Feed::Apps,
        Feed::AppDetail,
        Feed::TalosNodes,
        Feed::ExternalSecrets,
        Feed::SecretStores,
        Feed::ClusterSecretStores,
        Feed::Vms,
        Feed::Vmis,
        Feed::VmImages,
        Feed::HarvesterHosts,
        Feed::Hardware,
        Feed::Workflows,
        Feed::Bmcs,
        Feed::BmcJobs,
        Feed::Browse,
    ];
}

/// A pane's registry entry. `S` is the state its table's rows are read from (the cockpit's
/// `State`; generic so this module need not import it).
pub struct Pane<S: 'static> {
    pub id: PaneId,
    /// The `:` name, then its aliases. Empty for panes opened from another one.
    pub names: &'static [&'static str],
    /// The key that opens it from anywhere (a default binding; keymap.toml may change it).
    pub key: Option<char>,
    pub title: &'static str,
    /// What it shows, for help and the number key's description.
    pub about: &'static str,
    /// The stores whose watches feed it; its title shows their state.
    pub feeds: &'static [Feed],
    /// The table it is, for panes that are one table.
    pub table: Option<&'static Table<S>>,
    /// Said in its empty table while its sources are live.
    pub empty: &'static str,
    /// The mutating actions its rows offer. A mutating key bound elsewhere does nothing here.
    pub actions: &'static [Action],
}

// By hand: a derive would ask `S: Copy`, and an entry is references whatever `S` is.
impl<S> Clone for Pane<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Pane<S> {}

/// The state type whose built-in panes every registry starts with.
pub trait BuiltinPanes: Sized + 'static {
    const PANES: &'static [Pane<Self>];
}

/// `:` commands that are not panes.
pub const BUILTIN_COMMANDS: &[(&str, &[&str], Action)] = &[
    ("help", &["h"], Action::Help),
    ("quit", &["q", "q!", "exit"], Action::Quit),
];

/// The panes of this cockpit: the built-ins, then any added at run time.
pub struct Registry<S: 'static> {
    added: Vec<Pane<S>>,
}

impl<S> Default for Registry<S> {
    fn default() -> Self {
        Registry { added: Vec::new() }
    }
}

impl<S> Clone for Registry<S> {
    fn clone(&self) -> Self {
        Registry {
            added: self.added.clone(),
        }
    }
}

impl<S: BuiltinPanes> Registry<S> {
    /// Every pane, built-ins first, in help order.
    pub fn all(&self) -> impl Iterator<Item = &Pane<S>> {
        S::PANES.iter().chain(&self.added)
    }

    pub fn get(&self, id: PaneId) -> Option<&Pane<S>> {
        self.all().find(|p| p.id == id)
    }

    /// Register a pane. Its id, `:` names and key must be free: two panes answering one
    /// name would make the second unreachable.
    pub fn add(&mut self, pane: Pane<S>) -> Result<(), String> {
        if self.get(pane.id).is_some() {
            return Err(format!("a pane {:?} is registered", pane.id.section()));
        }
        if let Some(name) = pane
            .names
            .iter()
            .find(|n| self.resolve_command(n).is_some())
        {
            return Err(format!(":{name} opens another pane"));
        }
        if let Some(key) = pane.key.filter(|k| self.all().any(|p| p.key == Some(*k))) {
            return Err(format!("key {key} opens another pane"));
        }
        self.added.push(pane);
        Ok(())
    }

    /// Whether the pane's rows offer this mutating action.
    pub fn offers(&self, id: PaneId, action: Action) -> bool {
        self.get(id).is_some_and(|p| p.actions.contains(&action))
    }

    /// What a `:` command opens or does: a pane by name or alias, or a built-in.
    pub fn resolve_command(&self, input: &str) -> Option<Action> {
        let input = input.trim();
        self.all()
            .find(|p| p.names.contains(&input))
            .map(|p| Action::Show(p.id))
            .or_else(|| {
                BUILTIN_COMMANDS
                    .iter()
                    .find(|(name, aliases, _)| *name == input || aliases.contains(&input))
                    .map(|(_, _, action)| *action)
            })
    }

    /// Every `:` command with its aliases, in help order.
    pub fn commands(&self) -> impl Iterator<Item = (&'static str, &'static [&'static str])> {
        self.all()
            .filter_map(|p| {
                p.names
                    .split_first()
                    .map(|(name, aliases)| (*name, aliases))
            })
            .chain(BUILTIN_COMMANDS.iter().map(|(n, a, _)| (*n, *a)))
    }

    /// Completion for a partly typed command: the first command name it starts.
    pub fn complete(&self, input: &str) -> Option<&'static str> {
        let input = input.trim();
        if input.is_empty() {
            return None;
        }
        self.commands()
            .map(|(name, _)| name)
            .find(|name| name.starts_with(input) && *name != input)
    }
}
