//! The generated crate's `CHANGELOG.md` (Keep a Changelog): a skeleton entry for a version whose
//! API changed, and the check that the entry is there and finished.
//!
//! The file is written by people; the generator only adds what is missing: the entry, or the
//! lines of changes made after the entry was drafted (each change is one line, `- `Pet`: field
//! `age` removed`, which the entry keeps as drafted; notes go below it). Each breaking change
//! gets a `Migration:` line, `TODO` unless the generator can derive it with certainty (a
//! rename), and check mode fails while any change is unlisted or any `TODO` is left.

use std::fmt::Write as _;

use crate::changes::{ApiChanges, Change, Section};

/// The changelog's file name, at the crate's root.
pub const CHANGELOG_FILE: &str = "CHANGELOG.md";

/// What a missing migration note says until the maintainer writes it.
pub const TODO: &str = "TODO";

/// The top of a new changelog.
const INTRO: &str = "# Changelog

All notable changes to this crate are documented in this file. The API changes of each version
are drafted by the code generator; the migration notes are written by hand.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/), and this crate
adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).
";

/// The entry for `version`: from its `## [version]` heading to the next `## ` heading.
pub fn entry<'t>(changelog: &'t str, version: &str) -> Option<&'t str> {
    let heading = format!("## [{version}]");
    let start = line_starts(changelog).find(|&at| changelog[at..].starts_with(&heading))?;
    let end = line_starts(changelog)
        .find(|&at| at > start && changelog[at..].starts_with("## "))
        .unwrap_or(changelog.len());
    Some(&changelog[start..end])
}

/// Why the changelog does not yet describe `changes`' version, if it does not.
pub fn problem(changelog: Option<&str>, changes: &ApiChanges) -> Option<String> {
    let version = changes.version();
    let Some(entry) = changelog.and_then(|text| entry(text, version)) else {
        return Some(format!(
            "{CHANGELOG_FILE} has no entry for {version}: run `cargo xtask codegen` to draft one"
        ));
    };
    let unlisted = unlisted(entry, changes).len();
    if unlisted > 0 {
        return Some(format!(
            "the {version} entry of {CHANGELOG_FILE} does not list {unlisted} of the changes: run `cargo xtask codegen` to add them"
        ));
    }
    let todos = entry.lines().filter(|line| line.contains(TODO)).count();
    (todos > 0).then(|| {
        format!("the {version} entry of {CHANGELOG_FILE} has {todos} line(s) saying {TODO}: write the migration notes")
    })
}

/// The changes whose line the entry does not have.
fn unlisted<'c>(entry: &str, changes: &'c ApiChanges) -> Vec<&'c Change> {
    changes
        .changes()
        .iter()
        .filter(|change| {
            let line = change_line(change);
            !entry.lines().any(|listed| listed.trim_end() == line)
        })
        .collect()
}

/// How a change is listed: `- `Pet`: field `age` removed`.
fn change_line(change: &Change) -> String {
    format!("- {}: {}", change.subject, change.text)
}

/// The change's line, and for a breaking change its migration line.
fn item(change: &Change) -> String {
    let line = change_line(change);
    if !change.breaking {
        return format!("{line}\n");
    }
    let migration = change.migration.as_deref().unwrap_or(TODO);
    format!("{line}\n  Migration: {migration}\n")
}

/// The section every breaking change is listed under, before Keep a Changelog's own.
const BREAKING: &str = "Breaking";

/// The section a change is listed under: every breaking change under [`BREAKING`], the others
/// under Keep a Changelog's `Added`, `Changed` and `Removed`.
fn heading(change: &Change) -> &'static str {
    if change.breaking {
        BREAKING
    } else {
        change.section.title()
    }
}

/// The changelog with an entry for `changes` that lists every change: drafted, dated `date`
/// (`YYYY-MM-DD`), below the intro and any `Unreleased` section, above the older versions; or,
/// when the entry is there, with the lines of the changes it does not list added to their
/// sections. `None` when there is nothing to add.
pub fn with_entry(changelog: Option<&str>, changes: &ApiChanges, date: &str) -> Option<String> {
    let text = changelog.unwrap_or(INTRO);
    if let Some(entry) = entry(text, changes.version()) {
        let unlisted = unlisted(entry, changes);
        if unlisted.is_empty() {
            return None;
        }
        let start = entry.as_ptr() as usize - text.as_ptr() as usize;
        let end = start + entry.len();
        let completed = with_items(entry, &unlisted);
        let gap = if end < text.len() { "\n" } else { "" };
        return Some(format!("{}{completed}{gap}{}", &text[..start], &text[end..]));
    }
    let at = line_starts(text)
        .find(|&at| text[at..].starts_with("## ") && !text[at..].starts_with("## [Unreleased]"))
        .unwrap_or(text.len());
    let (before, after) = text.split_at(at);
    let mut out = before.trim_end().to_owned();
    out.push_str("\n\n");
    out.push_str(&draft(changes, date));
    if !after.is_empty() {
        out.push('\n');
        out.push_str(after);
    }
    Some(out)
}

/// `## [0.2.0] - 2026-12-07`, then `### Breaking` (each change with its migration line), then
/// the compatible changes under `### Added`, `### Changed` and `### Removed`.
fn draft(changes: &ApiChanges, date: &str) -> String {
    let all: Vec<&Change> = changes.changes().iter().collect();
    with_items(&format!("## [{}] - {date}\n", changes.version()), &all)
}

/// `entry` with the items of `changes` at the end of their sections (a section missing from it
/// is added after the others).
fn with_items(entry: &str, changes: &[&Change]) -> String {
    let mut out = entry.trim_end().to_owned();
    out.push('\n');
    let headings = std::iter::once(BREAKING).chain(Section::ALL.map(Section::title));
    for heading_text in headings {
        let items: String = changes
            .iter()
            .filter(|c| heading(c) == heading_text)
            .map(|c| item(c))
            .collect();
        if items.is_empty() {
            continue;
        }
        let section = format!("### {heading_text}\n");
        let existing = line_starts(&out).find(|&at| out[at..].starts_with(&section));
        match existing {
            Some(at) => {
                let body = at + section.len();
                let end = line_starts(&out)
                    .find(|&next| next > at && (out[next..].starts_with("### ") || out[next..].starts_with("## ")))
                    .unwrap_or(out.len());
                let last_item_end = body + out[body..end].trim_end().len();
                out.insert_str(last_item_end, &format!("\n{}", items.trim_end()));
            }
            None => {
                let _ = write!(out, "\n{section}\n{items}");
            }
        }
    }
    out
}

/// Where each line of `text` starts.
fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        text.match_indices('\n')
            .map(|(at, _)| at + 1)
            .filter(move |&at| at < text.len()),
    )
}

/// Today's date in UTC, `YYYY-MM-DD`, for a drafted entry (maintainers change it on release).
pub fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(seconds / 86_400)
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (the proleptic Gregorian calendar, by eras of 400
/// years, as in Howard Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_794), "2026-12-07");
    }

    /// Lines are added at the end of their section, sections missing from the entry after it.
    #[test]
    fn items_join_their_sections() {
        let change = |breaking, section, text: &str| Change {
            subject: crate::changes::Subject::Type("Pet".to_owned()),
            section,
            breaking,
            text: text.to_owned(),
            migration: None,
        };
        let entry =
            "## [0.2.0] - 2026-01-02\n\n### Breaking\n\n- `Pet`: a\n  Migration: b\n\n### Changed\n\n- `Pet`: c\n\n";
        let removed = change(true, Section::Removed, "d");
        let added = change(false, Section::Added, "e");
        assert_eq!(
            with_items(entry, &[&added, &removed]),
            "## [0.2.0] - 2026-01-02\n\n### Breaking\n\n- `Pet`: a\n  Migration: b\n- `Pet`: d\n  Migration: TODO\n\n\
             ### Changed\n\n- `Pet`: c\n\n### Added\n\n- `Pet`: e\n"
        );
    }

    /// A drafted entry sits above the older versions, a completed one stays where it is.
    #[test]
    fn entries_keep_their_place() {
        let changelog = |version: &str| {
            let change = Change {
                subject: crate::changes::Subject::Type("Pet".to_owned()),
                section: Section::Added,
                breaking: false,
                text: format!("new in {version}"),
                migration: None,
            };
            ApiChanges::listing("pets", "0.1.0", version, vec![change])
        };
        let old = "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- x\n\n## [0.1.0] - 2025-01-01\n\n- first\n";
        let drafted = with_entry(Some(old), &changelog("0.2.0"), "2026-01-02").unwrap();
        assert_eq!(
            drafted,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- x\n\n## [0.2.0] - 2026-01-02\n\n### Added\n\n\
             - `Pet`: new in 0.2.0\n\n## [0.1.0] - 2025-01-01\n\n- first\n"
        );
        assert_eq!(with_entry(Some(&drafted), &changelog("0.2.0"), "2026-01-03"), None);
        let completed = with_entry(Some(old), &changelog("0.1.0"), "2026-01-03").unwrap();
        assert_eq!(
            completed,
            "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- x\n\n## [0.1.0] - 2025-01-01\n\n- first\n\n\
             ### Added\n\n- `Pet`: new in 0.1.0\n"
        );
    }

    #[test]
    fn an_entry_ends_at_the_next_version() {
        let text = "# Changelog\n\n## [0.2.0] - 2026-01-02\n\n- a\n\n## [0.1.0] - 2025-01-01\n\n- b\n";
        assert_eq!(entry(text, "0.2.0"), Some("## [0.2.0] - 2026-01-02\n\n- a\n\n"));
        assert_eq!(entry(text, "0.1.0"), Some("## [0.1.0] - 2025-01-01\n\n- b\n"));
        assert_eq!(entry(text, "0.3.0"), None);
    }
}
