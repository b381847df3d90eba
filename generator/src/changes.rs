//! Two surfaces of the generated crate → what changed in its public API, each change classed
//! breaking or compatible by Cargo's SemVer rules applied to the code we emit, and the version
//! the change needs.
//!
//! | change | class |
//! |---|---|
//! | operation removed; argument added, removed, retyped or reordered; setter removed or retyped; output retyped | breaking |
//! | `.pages()`/`.items()` streams removed or their item retyped; an outcome (status) removed or retyped | breaking |
//! | operation added; setter added; streams added; outcome added (outcome enums are `#[non_exhaustive]`) | compatible |
//! | HTTP method or path changed (the wire, not the Rust API, reported all the same) | compatible |
//! | type removed, or its kind changed | breaking |
//! | type added | compatible |
//! | field removed, retyped, required ↔ optional; `new` gains, loses or reorders an argument | breaking |
//! | field added to a `#[non_exhaustive]` struct, not taken by `new` | compatible |
//! | variant added: compatible when the enum was `#[non_exhaustive]`, else breaking | |
//! | variant removed or retyped; `Unknown` removed; `#[non_exhaustive]` added; alias retargeted | breaking |
//! | deprecation added or removed; a field's nullability or a variant's wire value alone | compatible |
//!
//! The version rule is Cargo's: from 0.x.y a breaking change needs the next minor version and a
//! compatible one the next patch; from 1.0.0 on, the next major and the next minor; every 0.0.x
//! release is its own. See [`ApiChanges::required_version`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use crate::surface::{Argument, OperationSurface, StructSurface, Surface, TypeShape, TypeSurface, VariantsSurface};

/// What changed in the generated crate's public Rust API from one version to the next.
///
/// [`report`](Self::report) renders it as markdown; `cargo xtask codegen` prints it, and the
/// changelog entry lists the same changes.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiChanges {
    crate_name: String,
    previous: Option<String>,
    version: String,
    changes: Vec<Change>,
}

/// One change of the public API.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Change {
    pub subject: Subject,
    pub section: Section,
    pub breaking: bool,
    /// What changed, e.g. "new required argument `owner: String`".
    pub text: String,
    /// What users write now, when it follows from the two surfaces with certainty.
    pub migration: Option<String>,
}

/// What a change is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Subject {
    /// `resource.method`.
    Operation(String),
    /// A type of `types`.
    Type(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Operation(key) | Subject::Type(key) => write!(f, "`{key}`"),
        }
    }
}

/// The Keep a Changelog section a compatible change is listed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Section {
    Added,
    Changed,
    Removed,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Added, Section::Changed, Section::Removed];

    pub fn title(self) -> &'static str {
        match self {
            Section::Added => "Added",
            Section::Changed => "Changed",
            Section::Removed => "Removed",
        }
    }
}

impl ApiChanges {
    /// The changes from `previous` to `surface` (none when there is no previous version).
    pub(crate) fn between(
        crate_name: &str,
        previous: Option<(&str, &Surface)>,
        version: &str,
        surface: &Surface,
    ) -> ApiChanges {
        let changes = match previous {
            Some((_, old)) => diff(old, surface),
            None => Vec::new(),
        };
        ApiChanges {
            crate_name: crate_name.to_owned(),
            previous: previous.map(|(v, _)| v.to_owned()),
            version: version.to_owned(),
            changes,
        }
    }

    /// Changes listed by hand, for tests of what renders them.
    #[cfg(test)]
    pub(crate) fn listing(crate_name: &str, previous: &str, version: &str, changes: Vec<Change>) -> ApiChanges {
        ApiChanges {
            crate_name: crate_name.to_owned(),
            previous: Some(previous.to_owned()),
            version: version.to_owned(),
            changes,
        }
    }

    /// Whether the public API is the same (or there is no previous version to compare with).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// How many changes break code that uses the previous version.
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// How many changes keep code that uses the previous version compiling.
    pub fn compatible(&self) -> usize {
        self.changes.len() - self.breaking()
    }

    /// The version compared with, when there is one.
    pub fn previous_version(&self) -> Option<&str> {
        self.previous.as_deref()
    }

    /// The version the spec gives the crate now.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The lowest version these changes allow, by Cargo's SemVer rules (see the module docs);
    /// `None` when nothing changed.
    pub fn required_version(&self) -> Option<String> {
        let previous = self.previous.as_deref()?;
        (!self.is_empty()).then(|| next_version(previous, self.breaking() > 0))
    }

    /// Whether the crate's version is at least [`required_version`](Self::required_version).
    /// Pre-release suffixes are not compared: `0.2.0-rc.1` is enough where `0.2.0` is needed.
    pub fn version_is_enough(&self) -> bool {
        self.required_version()
            .is_none_or(|required| version_core(&self.version) >= version_core(&required))
    }

    pub(crate) fn changes(&self) -> &[Change] {
        &self.changes
    }

    /// The changes as markdown: a summary line, then the breaking and the compatible ones,
    /// grouped by operation and by type.
    pub fn report(&self) -> String {
        let mut out = format!(
            "# {} {} → {}: public API changes\n\n",
            self.crate_name,
            self.previous.as_deref().unwrap_or("(none)"),
            self.version
        );
        let Some(required) = self.required_version() else {
            out.push_str("No changes to the public API.\n");
            return out;
        };
        let level = if self.breaking() > 0 { "breaking" } else { "compatible" };
        let _ = writeln!(
            out,
            "{} breaking, {} compatible. By Cargo's SemVer rules a {level} change after {} needs version {required} or later.",
            self.breaking(),
            self.compatible(),
            self.previous.as_deref().unwrap_or_default(),
        );
        for (title, breaking) in [("Breaking", true), ("Compatible", false)] {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.breaking == breaking).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = write!(out, "\n## {title}\n");
            for (heading, operations) in [("Operations", true), ("Types", false)] {
                let group: Vec<&Change> = changes
                    .iter()
                    .copied()
                    .filter(|c| matches!(c.subject, Subject::Operation(_)) == operations)
                    .collect();
                if group.is_empty() {
                    continue;
                }
                let _ = write!(out, "\n### {heading}\n\n");
                write_grouped(&mut out, &group);
            }
        }
        out
    }
}

impl fmt::Display for ApiChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.report())
    }
}

/// `- subject` with one nested item per change (and its migration, when known).
fn write_grouped(out: &mut String, changes: &[&Change]) {
    let mut by_subject: BTreeMap<&Subject, Vec<&Change>> = BTreeMap::new();
    for change in changes {
        by_subject.entry(&change.subject).or_default().push(change);
    }
    for (subject, changes) in by_subject {
        let _ = writeln!(out, "- {subject}");
        for change in changes {
            let _ = writeln!(out, "  - {}", change.text);
            if let Some(migration) = &change.migration {
                let _ = writeln!(out, "    Migration: {migration}");
            }
        }
    }
}

/// The next version Cargo treats as compatible (`breaking` false) or incompatible with `version`.
fn next_version(version: &str, breaking: bool) -> String {
    let [major, minor, patch] = version_core(version);
    match (major, minor, breaking) {
        // Cargo treats every 0.0.x release as incompatible with the others.
        (0, 0, _) => format!("0.0.{}", patch + 1),
        (0, _, true) => format!("0.{}.0", minor + 1),
        (0, _, false) => format!("0.{minor}.{}", patch + 1),
        (_, _, true) => format!("{}.0.0", major + 1),
        (_, _, false) => format!("{major}.{}.0", minor + 1),
    }
}

/// `MAJOR.MINOR.PATCH` as numbers; a pre-release or build suffix is ignored, a missing or
/// malformed number reads as 0 (settings have already reported a malformed version).
fn version_core(version: &str) -> [u64; 3] {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let mut numbers = core.split('.').map(|n| n.parse().unwrap_or(0));
    [(); 3].map(|_| numbers.next().unwrap_or(0))
}

/// Every change from `old` to `new`, operations first, each group in key order.
fn diff(old: &Surface, new: &Surface) -> Vec<Change> {
    let mut changes = Vec::new();
    diff_operations(old, new, &mut changes);
    diff_types(old, new, &mut changes);
    changes
}

/// Collects the changes of one subject.
struct Changes<'c> {
    subject: Subject,
    out: &'c mut Vec<Change>,
}

impl Changes<'_> {
    fn push(&mut self, section: Section, breaking: bool, text: String) {
        self.out.push(Change {
            subject: self.subject.clone(),
            section,
            breaking,
            text,
            migration: None,
        });
    }

    fn breaking(&mut self, section: Section, text: String) {
        self.push(section, true, text);
    }

    fn compatible(&mut self, section: Section, text: String) {
        self.push(section, false, text);
    }
}

fn diff_operations(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    for (key, op) in &old.operations {
        let Some(new_op) = new.operations.get(key) else {
            let migration = renamed_operation(key, op, old, new);
            out.push(Change {
                subject: Subject::Operation(key.clone()),
                section: Section::Removed,
                breaking: true,
                text: format!("operation removed (was `{} {}`)", op.method, op.path),
                migration,
            });
            continue;
        };
        let mut changes = Changes {
            subject: Subject::Operation(key.clone()),
            out,
        };
        diff_operation(op, new_op, &mut changes);
    }
    for (key, op) in &new.operations {
        if !old.operations.contains_key(key) {
            let mut changes = Changes {
                subject: Subject::Operation(key.clone()),
                out,
            };
            changes.compatible(Section::Added, format!("new operation (`{} {}`)", op.method, op.path));
        }
    }
}

/// When a removed operation's request (method and path) and Rust signature reappear under a new
/// name, the migration is the new name.
fn renamed_operation(key: &str, op: &OperationSurface, old: &Surface, new: &Surface) -> Option<String> {
    let same = |other: &OperationSurface| {
        other.method == op.method
            && other.path == op.path
            && other.arguments == op.arguments
            && other.setters == op.setters
            && other.output == op.output
    };
    let mut candidates = new
        .operations
        .iter()
        .filter(|(other_key, other)| !old.operations.contains_key(*other_key) && same(other));
    let (new_key, _) = candidates.next()?;
    if candidates.next().is_some() {
        return None;
    }
    Some(format!("call `{}` instead of `{}`", call(new_key), call(key)))
}

/// `client.pets().create(…)` for `pets.create`.
fn call(key: &str) -> String {
    let (resource, method) = key.split_once('.').unwrap_or(("", key));
    format!("client.{resource}().{method}(…)")
}

fn diff_operation(old: &OperationSurface, new: &OperationSurface, changes: &mut Changes<'_>) {
    if (&old.method, &old.path) != (&new.method, &new.path) {
        changes.compatible(
            Section::Changed,
            format!(
                "request is now `{} {}` (was `{} {}`)",
                new.method, new.path, old.method, old.path
            ),
        );
    }
    diff_arguments(old, new, changes);
    diff_setters(old, new, changes);
    if old.output != new.output {
        changes.breaking(
            Section::Changed,
            format!("`send` returns `{}` (was `{}`)", new.output, old.output),
        );
    }
    // An operation that gains or loses its outcome enum has a new output, reported above.
    if let (Some(old_outcomes), Some(new_outcomes)) = (&old.outcomes, &new.outcomes) {
        diff_variants("outcome", VariantValue::Type, old_outcomes, new_outcomes, changes);
    }
    match (&old.items, &new.items) {
        (None, Some(item)) => changes.compatible(
            Section::Added,
            format!("paginated: `.pages()` and `.items()` streams of `{item}`"),
        ),
        (Some(_), None) => changes.breaking(Section::Removed, "`.pages()` and `.items()` streams removed".to_owned()),
        (Some(old_item), Some(new_item)) if old_item != new_item => changes.breaking(
            Section::Changed,
            format!("`.items()` yields `{new_item}` (was `{old_item}`)"),
        ),
        _ => {}
    }
    diff_deprecated(old.deprecated, new.deprecated, "", changes);
}

fn diff_arguments(old: &OperationSurface, new: &OperationSurface, changes: &mut Changes<'_>) {
    let find = |arguments: &[Argument], name: &str| arguments.iter().find(|a| a.name == name).map(|a| a.ty.clone());
    for argument in &new.arguments {
        match (find(&old.arguments, &argument.name), old.setters.get(&argument.name)) {
            (Some(old_ty), _) if old_ty != argument.ty => changes.breaking(
                Section::Changed,
                format!(
                    "argument `{}` retyped: `{}` (was `{old_ty}`)",
                    argument.name, argument.ty
                ),
            ),
            (Some(_), _) => {}
            (None, Some(_)) => changes.breaking(
                Section::Changed,
                format!(
                    "`{}` is now a required argument (was a setter): `{}: {}`",
                    argument.name, argument.name, argument.ty
                ),
            ),
            (None, None) => changes.breaking(
                Section::Added,
                format!("new required argument `{}: {}`", argument.name, argument.ty),
            ),
        }
    }
    for argument in &old.arguments {
        if find(&new.arguments, &argument.name).is_some() {
            continue;
        }
        match new.setters.get(&argument.name) {
            Some(ty) => changes.breaking(
                Section::Changed,
                format!(
                    "`{}` is now optional: a setter `{}({ty})`, no longer an argument",
                    argument.name, argument.name
                ),
            ),
            None => changes.breaking(Section::Removed, format!("argument `{}` removed", argument.name)),
        }
    }
    let names = |arguments: &[Argument], other: &[Argument]| -> Vec<String> {
        arguments
            .iter()
            .filter(|a| other.iter().any(|o| o.name == a.name))
            .map(|a| a.name.clone())
            .collect()
    };
    let (old_order, new_order) = (
        names(&old.arguments, &new.arguments),
        names(&new.arguments, &old.arguments),
    );
    if old_order != new_order {
        changes.breaking(
            Section::Changed,
            format!(
                "arguments reordered: ({}) (was ({}))",
                new_order.join(", "),
                old_order.join(", ")
            ),
        );
    }
}

fn diff_setters(old: &OperationSurface, new: &OperationSurface, changes: &mut Changes<'_>) {
    let is_argument = |surface: &OperationSurface, name: &str| surface.arguments.iter().any(|a| a.name == name);
    for (name, ty) in &new.setters {
        match old.setters.get(name) {
            Some(old_ty) if old_ty != ty => changes.breaking(
                Section::Changed,
                format!("setter `{name}` retyped: `{ty}` (was `{old_ty}`)"),
            ),
            Some(_) => {}
            // Reported with the arguments.
            None if is_argument(old, name) => {}
            None => changes.compatible(Section::Added, format!("new setter `{name}({ty})`")),
        }
    }
    for name in old.setters.keys() {
        if !new.setters.contains_key(name) && !is_argument(new, name) {
            changes.breaking(Section::Removed, format!("setter `{name}` removed"));
        }
    }
}

/// What a variant's value is: the type it carries (a change breaks), or the text a string enum
/// sends for it (a change is on the wire only).
#[derive(Clone, Copy, PartialEq)]
enum VariantValue {
    Type,
    Wire,
}

/// Variants added, removed and changed, and the enum's openness. A variant added is compatible
/// only when users' matches already had a wildcard arm, i.e. when the enum was
/// `#[non_exhaustive]`.
fn diff_variants(
    what: &str,
    value_kind: VariantValue,
    old: &VariantsSurface,
    new: &VariantsSurface,
    changes: &mut Changes<'_>,
) {
    for (name, value) in &new.variants {
        match old.variants.get(name) {
            None if old.non_exhaustive => {
                changes.compatible(Section::Added, format!("new {what} `{name}` (`{value}`)"))
            }
            None => changes.breaking(
                Section::Added,
                format!("new {what} `{name}` (`{value}`) in an exhaustive enum: matches without a wildcard arm break"),
            ),
            Some(old_value) if old_value != value && value_kind == VariantValue::Wire => changes.compatible(
                Section::Changed,
                format!("{what} `{name}` is sent as `{value}` (was `{old_value}`)"),
            ),
            Some(old_value) if old_value != value => changes.breaking(
                Section::Changed,
                format!("{what} `{name}` retyped: `{value}` (was `{old_value}`)"),
            ),
            Some(_) => {}
        }
    }
    for (name, value) in &old.variants {
        if !new.variants.contains_key(name) {
            changes.breaking(Section::Removed, format!("{what} `{name}` (`{value}`) removed"));
        }
    }
    match (old.open, new.open) {
        (false, true) if old.non_exhaustive => changes.compatible(
            Section::Added,
            "`Unknown` variant: values this version does not know are kept".to_owned(),
        ),
        (false, true) => changes.breaking(
            Section::Added,
            "`Unknown` variant in an exhaustive enum: matches without a wildcard arm break".to_owned(),
        ),
        (true, false) => changes.breaking(Section::Removed, "`Unknown` variant removed".to_owned()),
        _ => {}
    }
    match (old.non_exhaustive, new.non_exhaustive) {
        (false, true) => changes.breaking(
            Section::Changed,
            "now `#[non_exhaustive]`: matches need a wildcard arm".to_owned(),
        ),
        (true, false) => changes.compatible(Section::Changed, "no longer `#[non_exhaustive]`".to_owned()),
        _ => {}
    }
}

fn diff_deprecated(old: bool, new: bool, what: &str, changes: &mut Changes<'_>) {
    match (old, new) {
        (false, true) => changes.compatible(Section::Changed, format!("{what}deprecated")),
        (true, false) => changes.compatible(Section::Changed, format!("{what}no longer deprecated")),
        _ => {}
    }
}

fn diff_types(old: &Surface, new: &Surface, out: &mut Vec<Change>) {
    for (name, ty) in &old.types {
        let Some(new_ty) = new.types.get(name) else {
            let migration = renamed_type(name, ty, old, new);
            out.push(Change {
                subject: Subject::Type(name.clone()),
                section: Section::Removed,
                breaking: true,
                text: format!("{} removed", ty.shape.kind()),
                migration,
            });
            continue;
        };
        let mut changes = Changes {
            subject: Subject::Type(name.clone()),
            out,
        };
        diff_type(ty, new_ty, &mut changes);
    }
    for (name, ty) in &new.types {
        if !old.types.contains_key(name) {
            let mut changes = Changes {
                subject: Subject::Type(name.clone()),
                out,
            };
            changes.compatible(Section::Added, format!("new {}", ty.shape.kind()));
        }
    }
}

/// When a removed type reappears unchanged under a new name, the migration is the new name.
fn renamed_type(name: &str, ty: &TypeSurface, old: &Surface, new: &Surface) -> Option<String> {
    let mut candidates = new
        .types
        .iter()
        .filter(|(other_name, other)| !old.types.contains_key(*other_name) && *other == ty);
    let (new_name, _) = candidates.next()?;
    if candidates.next().is_some() {
        return None;
    }
    Some(format!("write `{new_name}` where you wrote `{name}`"))
}

fn diff_type(old: &TypeSurface, new: &TypeSurface, changes: &mut Changes<'_>) {
    match (&old.shape, &new.shape) {
        (TypeShape::Struct(old_struct), TypeShape::Struct(new_struct)) => diff_struct(old_struct, new_struct, changes),
        (TypeShape::Enum(old_enum), TypeShape::Enum(new_enum)) => {
            diff_variants("variant", VariantValue::Wire, old_enum, new_enum, changes);
        }
        (TypeShape::Union(old_union), TypeShape::Union(new_union)) => {
            diff_variants("variant", VariantValue::Type, old_union, new_union, changes);
        }
        (TypeShape::Alias { target: old_target }, TypeShape::Alias { target: new_target }) => {
            if old_target != new_target {
                changes.breaking(
                    Section::Changed,
                    format!("alias of `{new_target}` (was `{old_target}`)"),
                );
            }
        }
        (old_shape, new_shape) => changes.breaking(
            Section::Changed,
            format!("now a {} (was a {})", new_shape.kind(), old_shape.kind()),
        ),
    }
    diff_deprecated(old.deprecated, new.deprecated, "", changes);
}

fn diff_struct(old: &StructSurface, new: &StructSurface, changes: &mut Changes<'_>) {
    let old_fields: BTreeMap<&str, _> = old.fields.iter().map(|f| (f.name.as_str(), f)).collect();
    let new_names: BTreeSet<&str> = new.fields.iter().map(|f| f.name.as_str()).collect();
    // Fields whose change already says what happened to `new`.
    let mut constructor_reported = BTreeSet::new();
    for field in &new.fields {
        let name = field.name.as_str();
        let Some(old_field) = old_fields.get(name) else {
            constructor_reported.insert(name);
            if field.new {
                changes.breaking(
                    Section::Added,
                    format!("new required field `{name}: {}`: `new` takes it", field.ty),
                );
            } else if old.non_exhaustive {
                changes.compatible(Section::Added, format!("new field `{name}: {}`", field.ty));
            } else {
                changes.breaking(
                    Section::Added,
                    format!(
                        "new field `{name}: {}` in a struct users can build with a literal",
                        field.ty
                    ),
                );
            }
            continue;
        };
        if old_field.required != field.required {
            constructor_reported.insert(name);
            let now = if field.required { "required" } else { "optional" };
            changes.breaking(
                Section::Changed,
                format!("field `{name}` is now {now}: `{}` (was `{}`)", field.ty, old_field.ty),
            );
        } else if old_field.ty != field.ty {
            changes.breaking(
                Section::Changed,
                format!("field `{name}` retyped: `{}` (was `{}`)", field.ty, old_field.ty),
            );
        } else if old_field.nullable != field.nullable {
            let now = if field.nullable { "may be" } else { "is never" };
            changes.compatible(
                Section::Changed,
                format!("field `{name}` {now} `null` on the wire (its Rust type is unchanged)"),
            );
        }
        diff_deprecated(
            old_field.deprecated,
            field.deprecated,
            &format!("field `{name}` "),
            changes,
        );
    }
    for field in &old.fields {
        if !new_names.contains(field.name.as_str()) {
            constructor_reported.insert(field.name.as_str());
            changes.breaking(
                Section::Removed,
                format!("field `{}: {}` removed", field.name, field.ty),
            );
        }
    }
    let (old_new, new_new) = (old.constructor(), new.constructor());
    let unreported = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter(|n| !constructor_reported.contains(**n))
            .map(|n| n.to_string())
            .collect()
    };
    if unreported(&old_new) != unreported(&new_new) {
        changes.breaking(
            Section::Changed,
            format!("`new` takes ({}) (was ({}))", new_new.join(", "), old_new.join(", ")),
        );
    }
    match (old.non_exhaustive, new.non_exhaustive) {
        (false, true) => changes.breaking(
            Section::Changed,
            "now `#[non_exhaustive]`: struct literals and exhaustive patterns break".to_owned(),
        ),
        (true, false) => changes.compatible(Section::Changed, "no longer `#[non_exhaustive]`".to_owned()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Generator;

    /// Two operations, a request struct, a response struct, a closed enum (query-only), an open
    /// one (in responses), a tagged union and an alias: each rule edits one thing of it.
    const PETS: &str = r#"
openapi: 3.0.3
info: {title: Pets, version: '1'}
x-codegen: {crate-name: pets, crate-version: 0.1.0}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: kind, in: query, schema: {$ref: '#/components/schemas/Kind'}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}
    post:
      operationId: createPet
      tags: [pets]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/NewPet'}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}
components:
  schemas:
    Kind: {type: string, enum: [cat, dog]}
    Status: {type: string, enum: [available, sold]}
    PetId: {type: string}
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        tag: {type: string}
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {$ref: '#/components/schemas/PetId'}
        name: {type: string}
        status: {$ref: '#/components/schemas/Status'}
        owner: {$ref: '#/components/schemas/Owner'}
    Owner:
      oneOf:
        - {$ref: '#/components/schemas/Person'}
        - {$ref: '#/components/schemas/Shelter'}
      discriminator: {propertyName: type}
    Person:
      type: object
      required: [type, name]
      properties:
        type: {type: string, enum: [person]}
        name: {type: string}
    Shelter:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [shelter]}
"#;

    /// The changes from [`PETS`] to `PETS` with each `(from, to)` replaced, as
    /// `breaking|compatible subject: text`.
    fn changes_after(edits: &[(&str, &str)]) -> Vec<String> {
        let mut edited = PETS.to_owned();
        for (from, to) in edits {
            assert!(edited.contains(from), "the spec has no `{from}`");
            edited = edited.replacen(from, to, 1);
        }
        let changes = Generator::new("test", "pets.yaml")
            .compare(PETS, &edited)
            .unwrap_or_else(|e| panic!("{e}"));
        changes
            .changes()
            .iter()
            .map(|c| {
                let class = if c.breaking { "breaking" } else { "compatible" };
                let migration = c.migration.as_deref().map(|m| format!(" [{m}]")).unwrap_or_default();
                format!("{class} {}: {}{migration}", c.subject, c.text)
            })
            .collect()
    }

    const LIMIT: &str = "        - {name: limit, in: query, schema: {type: integer}}\n";

    #[test]
    fn the_same_spec_has_no_changes() {
        assert_eq!(changes_after(&[]), Vec::<String>::new());
    }

    #[test]
    fn a_removed_operation_breaks_and_an_added_one_does_not() {
        assert_eq!(
            changes_after(&[("operationId: listPets", "operationId: searchPets"), (LIMIT, "")]),
            [
                "breaking `pets.list`: operation removed (was `GET /pets`)",
                "compatible `pets.search`: new operation (`GET /pets`)",
            ]
        );
    }

    /// Same request, same signature, new name: the migration is the new name.
    #[test]
    fn a_renamed_operation_gets_its_migration() {
        assert_eq!(
            changes_after(&[("operationId: listPets", "operationId: searchPets")]),
            [
                "breaking `pets.list`: operation removed (was `GET /pets`) [call `client.pets().search(…)` instead of `client.pets().list(…)`]",
                "compatible `pets.search`: new operation (`GET /pets`)",
            ]
        );
    }

    #[test]
    fn a_new_required_argument_breaks() {
        let required = "        - {name: limit, in: query, required: true, schema: {type: integer}}\n";
        assert_eq!(
            changes_after(&[(LIMIT, required)]),
            ["breaking `pets.list`: `limit` is now a required argument (was a setter): `limit: i64`"]
        );
        let owner = "        - {name: owner, in: query, required: true, schema: {type: string}}\n";
        assert_eq!(
            changes_after(&[(LIMIT, &format!("{LIMIT}{owner}"))]),
            ["breaking `pets.list`: new required argument `owner: String`"]
        );
    }

    #[test]
    fn a_new_setter_is_compatible_and_a_removed_one_breaks() {
        let offset = "        - {name: offset, in: query, schema: {type: integer}}\n";
        assert_eq!(
            changes_after(&[(LIMIT, &format!("{LIMIT}{offset}"))]),
            ["compatible `pets.list`: new setter `offset(i64)`"]
        );
        assert_eq!(
            changes_after(&[(LIMIT, "")]),
            ["breaking `pets.list`: setter `limit` removed"]
        );
        assert_eq!(
            changes_after(&[(LIMIT, "        - {name: limit, in: query, schema: {type: string}}\n")]),
            ["breaking `pets.list`: setter `limit` retyped: `String` (was `i64`)"]
        );
    }

    #[test]
    fn a_retyped_body_or_output_breaks() {
        let body = "schema: {$ref: '#/components/schemas/NewPet'}";
        assert_eq!(
            changes_after(&[(body, "schema: {$ref: '#/components/schemas/Pet'}")]),
            ["breaking `pets.create`: argument `body` retyped: `Pet` (was `NewPet`)"]
        );
        let output = "items: {$ref: '#/components/schemas/Pet'}";
        assert_eq!(
            changes_after(&[(output, "items: {$ref: '#/components/schemas/Owner'}")]),
            ["breaking `pets.list`: `send` returns `Vec<Owner>` (was `Vec<Pet>`)"]
        );
    }

    /// The HTTP method and path are not part of the Rust API, but users want to know.
    #[test]
    fn a_moved_request_is_compatible() {
        assert_eq!(
            changes_after(&[("  /pets:\n", "  /v2/pets:\n")]),
            [
                "compatible `pets.create`: request is now `POST /v2/pets` (was `POST /pets`)",
                "compatible `pets.list`: request is now `GET /v2/pets` (was `GET /pets`)",
            ]
        );
    }

    #[test]
    fn a_removed_type_breaks_an_added_one_does_not_and_a_rename_gets_its_migration() {
        let shelter = "        - {$ref: '#/components/schemas/Shelter'}\n";
        let edits = [
            (shelter, "        - {$ref: '#/components/schemas/Refuge'}\n"),
            ("    Shelter:\n", "    Refuge:\n"),
        ];
        // The union's variant is named for its tag value, which stays `shelter`.
        assert_eq!(
            changes_after(&edits),
            [
                "breaking `Owner`: variant `Shelter` retyped: `Refuge` (was `Shelter`)",
                "breaking `Shelter`: struct removed [write `Refuge` where you wrote `Shelter`]",
                "compatible `Refuge`: new struct",
            ]
        );
    }

    #[test]
    fn removed_retyped_and_required_to_optional_fields_break() {
        assert_eq!(
            changes_after(&[("        tag: {type: string}\n", "")]),
            ["breaking `NewPet`: field `tag: Option<String>` removed"]
        );
        assert_eq!(
            changes_after(&[("        tag: {type: string}\n", "        tag: {type: integer}\n")]),
            ["breaking `NewPet`: field `tag` retyped: `Option<i64>` (was `Option<String>`)"]
        );
        assert_eq!(
            changes_after(&[("      required: [id, name]\n", "      required: [id]\n")]),
            ["breaking `Pet`: field `name` is now optional: `Option<String>` (was `String`)"]
        );
    }

    /// Structs are `#[non_exhaustive]`: an optional field is compatible, but a required one is a
    /// new argument of `new`.
    #[test]
    fn a_new_field_is_compatible_unless_new_takes_it() {
        let tag = "        tag: {type: string}\n";
        assert_eq!(
            changes_after(&[(tag, &format!("{tag}        age: {{type: integer}}\n"))]),
            ["compatible `NewPet`: new field `age: Option<i64>`"]
        );
        assert_eq!(
            changes_after(&[
                (tag, &format!("{tag}        age: {{type: integer}}\n")),
                ("      required: [name]\n", "      required: [name, age]\n"),
            ]),
            ["breaking `NewPet`: new required field `age: i64`: `new` takes it"]
        );
    }

    /// `Status` is in responses, so open (`#[non_exhaustive]`, `Unknown`); `Kind` is only sent,
    /// so closed.
    #[test]
    fn a_new_variant_is_compatible_only_in_an_open_enum() {
        assert_eq!(
            changes_after(&[("enum: [available, sold]", "enum: [available, sold, pending]")]),
            ["compatible `Status`: new variant `Pending` (`pending`)"]
        );
        assert_eq!(
            changes_after(&[("enum: [cat, dog]", "enum: [cat, dog, bird]")]),
            ["breaking `Kind`: new variant `Bird` (`bird`) in an exhaustive enum: matches without a wildcard arm break"]
        );
    }

    #[test]
    fn a_removed_variant_breaks() {
        assert_eq!(
            changes_after(&[("enum: [cat, dog]", "enum: [cat]")]),
            ["breaking `Kind`: variant `Dog` (`dog`) removed"]
        );
        // With one value left, an enum is a constant: closed, without `Unknown`.
        assert_eq!(
            changes_after(&[("enum: [available, sold]", "enum: [available]")]),
            [
                "breaking `Status`: variant `Sold` (`sold`) removed",
                "breaking `Status`: `Unknown` variant removed",
                "compatible `Status`: no longer `#[non_exhaustive]`",
            ]
        );
    }

    #[test]
    fn a_new_union_member_is_compatible_in_an_open_union() {
        let shelter = "        - {$ref: '#/components/schemas/Shelter'}\n";
        let farm = "    Farm:\n      type: object\n      required: [type]\n      properties:\n        type: {type: string, enum: [farm]}\n";
        assert_eq!(
            changes_after(&[
                (
                    shelter,
                    &format!("{shelter}        - {{$ref: '#/components/schemas/Farm'}}\n")
                ),
                ("    Person:\n", &format!("{farm}    Person:\n")),
            ]),
            [
                "compatible `Owner`: new variant `Farm` (`Farm`)",
                "compatible `Farm`: new struct",
                "compatible `FarmType`: new enum",
            ]
        );
    }

    /// Outcome enums are `#[non_exhaustive]` with an `Other` fallback: a new status is compatible.
    #[test]
    fn a_new_outcome_is_compatible() {
        let created = "      responses:\n        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}\n";
        let accepted = "        '202': {description: queued, content: {application/json: {schema: {$ref: '#/components/schemas/NewPet'}}}}\n";
        // `createPet`'s responses, the last of the paths.
        let ok = "      responses:\n        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}\ncomponents:";
        let spec = |statuses: &str| PETS.replacen(ok, &format!("{statuses}components:"), 1);
        let before = spec(&format!("{created}{accepted}"));
        let after = spec(&format!("{created}{accepted}        '200': {{description: done}}\n"));
        assert_ne!(before, PETS, "the spec has the response this test edits");
        let changes = Generator::new("test", "pets.yaml")
            .compare(&before, &after)
            .unwrap_or_else(|e| panic!("{e}"));
        let listed: Vec<String> = changes
            .changes()
            .iter()
            .map(|c| format!("{} {}: {}", c.breaking, c.subject, c.text))
            .collect();
        assert_eq!(listed, ["false `pets.create`: new outcome `Ok` (`()`)"]);
    }

    #[test]
    fn deprecation_is_compatible() {
        assert_eq!(
            changes_after(&[("enum: [cat, dog]", "enum: [cat, dog], deprecated: true")]),
            ["compatible `Kind`: deprecated"]
        );
        assert_eq!(
            changes_after(&[(
                "operationId: createPet",
                "operationId: createPet\n      deprecated: true"
            )]),
            ["compatible `pets.create`: deprecated"]
        );
    }

    #[test]
    fn a_retargeted_alias_breaks() {
        assert_eq!(
            changes_after(&[("PetId: {type: string}", "PetId: {type: integer}")]),
            ["breaking `PetId`: alias of `i64` (was `String`)"]
        );
    }

    #[test]
    fn versions_follow_cargo() {
        assert_eq!(next_version("0.1.0", true), "0.2.0");
        assert_eq!(next_version("0.1.3", false), "0.1.4");
        assert_eq!(next_version("1.4.2", true), "2.0.0");
        assert_eq!(next_version("1.4.2", false), "1.5.0");
        assert_eq!(next_version("0.0.3", true), "0.0.4");
        assert_eq!(next_version("5.0.0-a11", true), "6.0.0");
        assert!(version_core("0.10.0") > version_core("0.9.9"));
    }
}
