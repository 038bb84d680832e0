//! A Table's column definitions (`columnDefinitions`): name, type, format, description,
//! priority, and the ones every printer shares.

/// A column of the Table: name, type, format, description, priority.
#[derive(Clone)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) kind: &'static str,
    pub(crate) format: &'static str,
    pub(crate) description: String,
    pub(crate) priority: i64,
}

pub(crate) fn column(
    name: &str,
    kind: &'static str,
    description: &str,
    priority: i64,
) -> ColumnDef {
    ColumnDef {
        name: name.into(),
        kind,
        format: "",
        description: description.into(),
        priority,
    }
}

pub(crate) fn name_column() -> ColumnDef {
    ColumnDef {
        format: "name",
        ..column(
            "Name",
            "string",
            "The object's name, unique within its namespace.",
            0,
        )
    }
}

pub(crate) fn age_column() -> ColumnDef {
    column(
        "Age",
        "date",
        "Time since the object was created (metadata.creationTimestamp).",
        0,
    )
}

/// Built-in Tables type Age as a string (CRD Tables say `date`).
pub(crate) fn age_column_string() -> ColumnDef {
    column(
        "Age",
        "string",
        "Time since the object was created (metadata.creationTimestamp).",
        0,
    )
}
