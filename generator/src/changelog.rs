//! The generated crate's `CHANGELOG.md` (Keep a Changelog): a skeleton entry for a version whose
//! API changed, and the check that the entry is there and finished.
//!
//! The file is written by people; the generator only inserts an entry that is missing, never
//! rewrites one. Each breaking change gets a `Migration:` line, `TODO` unless the generator can
//! derive it with certainty (a rename), and check mode fails while any `TODO` is left.

use std::fmt::Write as _;

use crate::changes::{ApiChanges, Section};

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
    let todos = entry.lines().filter(|line| line.contains(TODO)).count();
    (todos > 0).then(|| {
        format!("the {version} entry of {CHANGELOG_FILE} has {todos} line(s) saying {TODO}: write the migration notes")
    })
}

/// The changelog with a drafted entry for `changes`, dated `date` (`YYYY-MM-DD`): below the
/// intro and any `Unreleased` section, above the older versions. `None` when the file has the
/// entry already.
pub fn with_entry(changelog: Option<&str>, changes: &ApiChanges, date: &str) -> Option<String> {
    let text = changelog.unwrap_or(INTRO);
    if entry(text, changes.version()).is_some() {
        return None;
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
    let mut out = format!("## [{}] - {date}\n", changes.version());
    let breaking: Vec<_> = changes.changes().iter().filter(|c| c.breaking).collect();
    if !breaking.is_empty() {
        out.push_str("\n### Breaking\n\n");
        for change in breaking {
            let migration = change.migration.as_deref().unwrap_or(TODO);
            let _ = writeln!(out, "- {}: {}\n  Migration: {migration}", change.subject, change.text);
        }
    }
    for section in Section::ALL {
        let listed: Vec<_> = changes
            .changes()
            .iter()
            .filter(|c| !c.breaking && c.section == section)
            .collect();
        if listed.is_empty() {
            continue;
        }
        let _ = write!(out, "\n### {}\n\n", section.title());
        for change in listed {
            let _ = writeln!(out, "- {}: {}", change.subject, change.text);
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

    #[test]
    fn an_entry_ends_at_the_next_version() {
        let text = "# Changelog\n\n## [0.2.0] - 2026-01-02\n\n- a\n\n## [0.1.0] - 2025-01-01\n\n- b\n";
        assert_eq!(entry(text, "0.2.0"), Some("## [0.2.0] - 2026-01-02\n\n- a\n\n"));
        assert_eq!(entry(text, "0.1.0"), Some("## [0.1.0] - 2025-01-01\n\n- b\n"));
        assert_eq!(entry(text, "0.3.0"), None);
    }
}
