//! The state of one data source (a watch), shown in every pane title.

use jiff::Timestamp;

use super::text::age;

#[derive(Debug, Clone, PartialEq)]
pub enum SourceState {
    Loading,
    Live,
    /// The watch broke and is retrying; rows are as of `since`.
    Stale {
        since: Timestamp,
        reason: String,
    },
    /// RBAC denies reading this kind.
    Forbidden(String),
    /// The API group or kind is not served (CRD not installed).
    NotInstalled,
    Error(String),
}

impl SourceState {
    pub fn label(&self, now: Timestamp) -> String {
        match self {
            SourceState::Loading => "loading".into(),
            SourceState::Live => "live".into(),
            SourceState::Stale { since, .. } => format!("stale {} ago", age(*since, now)),
            SourceState::Forbidden(_) => "forbidden".into(),
            SourceState::NotInstalled => "not installed".into(),
            SourceState::Error(_) => "error".into(),
        }
    }

    /// The longer explanation, if any.
    pub fn detail(&self) -> Option<&str> {
        match self {
            SourceState::Stale { reason, .. } => Some(reason),
            SourceState::Forbidden(m) | SourceState::Error(m) => Some(m),
            _ => None,
        }
    }

    pub fn is_healthy(&self) -> bool {
        matches!(self, SourceState::Live)
    }

    /// The worst of several sources, for a pane fed by more than one watch.
    pub fn worst<'a>(states: impl IntoIterator<Item = &'a SourceState>) -> SourceState {
        let rank = |s: &SourceState| match s {
            SourceState::Live => 0,
            SourceState::Loading => 1,
            SourceState::Stale { .. } => 2,
            SourceState::NotInstalled => 3,
            SourceState::Forbidden(_) => 4,
            SourceState::Error(_) => 5,
        };
        states
            .into_iter()
            .max_by_key(|s| rank(s))
            .cloned()
            .unwrap_or(SourceState::Loading)
    }
}
