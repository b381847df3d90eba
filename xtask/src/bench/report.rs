//! The measurements of one `cargo xtask bench` run, written as `BENCHMARKS.md` (tables, targets,
//! the command per section) and `BENCHMARKS-scaling.svg` (time per operation against size).
//!
//! The prose of `BENCHMARKS.md` is the template `report.md` beside this file; the code here
//! computes the tables and numbers and fills them in.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use super::chart::{scaling_svg, Series};
use super::settings::{Settings, SECTIONS};
use super::specs::VariantChanges;
use super::stats::{count, digits, ratio, time, verdict, Sample};
use crate::cmd::Cmd;
use crate::generate::STAGES;

/// Issue 14's goals for the generated crate's build, as a share of progenitor's time for the same
/// spec (the release build is measured and reported, with no target).
const CHECK_TARGET: f64 = 0.5;
const DEBUG_BUILD_TARGET: f64 = 1.0;
/// The verdict of a build target when progenitor's crate does not compile.
const NO_COMPARISON: &str = "no comparison";

#[derive(Debug, Default)]
pub struct GenerationRow {
    pub spec: String,
    pub display: String,
    pub operations: usize,
    pub types: usize,
    /// Lines of Rust in the generated crate (generated code and the runtime copy).
    pub lines: usize,
    /// In the order of [`STAGES`].
    pub stages: [Sample; 6],
    /// The generator's whole run, end to end, as the caller sees it.
    pub wall: Sample,
    pub parse_only: Sample,
}

impl GenerationRow {
    fn per_operation(&self) -> f64 {
        self.wall.median() / self.operations.max(1) as f64
    }

    /// Adds the runs of another measurement of the same spec.
    pub fn append(&mut self, other: GenerationRow) {
        for (sample, more) in self.stages.iter_mut().zip(other.stages) {
            sample.0.extend(more.0);
        }
        self.wall.0.extend(other.wall.0);
        self.parse_only.0.extend(other.parse_only.0);
    }
}

/// progenitor's stage times: load, generate, format, write.
#[derive(Clone, Debug, Default)]
pub struct ProgenitorTimes {
    pub stages: [Sample; 4],
    pub total: Sample,
    pub lines: usize,
}

impl ProgenitorTimes {
    /// Adds the runs of another measurement of the same spec.
    pub fn append(&mut self, other: ProgenitorTimes) {
        for (sample, more) in self.stages.iter_mut().zip(other.stages) {
            sample.0.extend(more.0);
        }
        self.total.0.extend(other.total.0);
    }
}

#[derive(Debug)]
pub struct ProgenitorRow {
    pub spec: String,
    pub display: String,
    pub operations: usize,
    pub ours: Sample,
    pub ours_lines: usize,
    pub theirs: ProgenitorTimes,
}

#[derive(Debug)]
pub struct BuildRow {
    pub spec: String,
    pub generator: &'static str,
    /// The spec file the crate is generated from (relative to the repository root).
    pub from: String,
    /// Operations in that file.
    pub operations: usize,
    /// What that file leaves out of the spec, when it is a rewritten variant.
    pub changes: Option<VariantChanges>,
    /// Lines of generated Rust (ours: without the runtime copy).
    pub generated_lines: usize,
    /// Lines of the runtime copied into the crate (ours) or 0.
    pub runtime_lines: usize,
    pub check: Sample,
    pub build: Sample,
    /// `cargo build --release`.
    pub release: Sample,
    /// LLVM IR lines of the crate's library (`cargo llvm-lines`), once measured.
    pub llvm_lines: Option<usize>,
    /// Set when the generated crate does not compile (so it has no times): what cargo said.
    pub failure: Option<String>,
}

#[derive(Debug)]
pub struct RequestRow {
    pub concurrency: usize,
    pub count: usize,
    pub generated: Sample,
    pub hand_written: Sample,
}

#[derive(Debug)]
pub struct DecodeRow {
    pub items: usize,
    pub generated: Sample,
    pub hand_written: Sample,
}

#[derive(Debug)]
pub struct PagingRow {
    pub items: usize,
    pub page_size: usize,
    pub secs: Sample,
    /// `VmHWM` after the walk.
    pub hwm_after_kb: Sample,
    /// `VmHWM` after the walk less `VmRSS` before it.
    pub growth_kb: Sample,
    /// The same with `MALLOC_ARENA_MAX=1`.
    pub growth_one_arena_kb: Sample,
}

pub struct Report {
    runs: usize,
    command: String,
    commands: Vec<(&'static str, String)>,
    pub generation: Vec<GenerationRow>,
    pub progenitor: Vec<ProgenitorRow>,
    pub build: Vec<BuildRow>,
    pub requests: Vec<RequestRow>,
    pub decode: Vec<DecodeRow>,
    pub paging: Vec<PagingRow>,
    elapsed: Duration,
    machine: String,
}

impl Report {
    pub fn new(settings: &Settings) -> Self {
        Report {
            runs: settings.runs,
            command: if settings.runs == 5 {
                "cargo xtask bench".to_owned()
            } else {
                format!("cargo xtask bench --runs {}", settings.runs)
            },
            commands: SECTIONS.iter().map(|s| (*s, settings.command(s))).collect(),
            generation: Vec::new(),
            progenitor: Vec::new(),
            build: Vec::new(),
            requests: Vec::new(),
            decode: Vec::new(),
            paging: Vec::new(),
            elapsed: Duration::ZERO,
            machine: machine(&settings.root),
        }
    }

    pub fn finish(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }

    fn section_command(&self, section: &str) -> &str {
        self.commands
            .iter()
            .find(|(name, _)| *name == section)
            .map_or("cargo xtask bench", |(_, command)| command.as_str())
    }

    pub fn write(&self, markdown: &Path, svg: &Path) -> Result<()> {
        let svg_name = svg
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        fs::write(markdown, self.markdown(&svg_name)).with_context(|| format!("writing {}", markdown.display()))?;
        fs::write(svg, self.svg()).with_context(|| format!("writing {}", svg.display()))
    }

    fn markdown(&self, svg_name: &str) -> String {
        let mut out = fill(
            "header",
            &[
                ("command", &self.command),
                ("runs", &self.runs.to_string()),
                ("seconds", &format!("{:.0}", self.elapsed.as_secs_f64())),
                ("machine", &self.machine),
            ],
        );
        out += &self.targets();
        out += &self.generation_section(svg_name);
        out += &self.progenitor_section();
        out += &self.build_section();
        out += &self.client_section();
        out += &fill("notes", &[]);
        out
    }

    fn targets(&self) -> String {
        let mut rows = Vec::new();
        if let Some(ours) = self.generation.iter().find(|r| r.spec == "sgp-evaluations") {
            let r = ours.wall.median() / ours.parse_only.median();
            rows.push(vec![
                "Whole pipeline ≤ 2× parse-only (`serde_yaml` → `openapiv3`), our spec".to_owned(),
                format!(
                    "{} vs {}: {}",
                    time(ours.wall.median()),
                    time(ours.parse_only.median()),
                    ratio(r)
                ),
                verdict(r <= 2.0).to_owned(),
            ]);
        }
        let synthetic = self.synthetic_generation();
        if let Some(worst) = synthetic
            .iter()
            .map(|r| r.wall.median() / r.parse_only.median())
            .max_by(f64::total_cmp)
        {
            rows.push(vec![
                "Whole pipeline ≤ 2× parse-only, synthetic specs (worst size)".to_owned(),
                ratio(worst),
                verdict(worst <= 2.0).to_owned(),
            ]);
        }
        if synthetic.len() > 1 {
            let (spread, met) = flatness(&synthetic);
            rows.push(vec![
                "Time per operation flat (±50%) from 10 to 5,000 operations".to_owned(),
                spread,
                verdict(met).to_owned(),
            ]);
        }
        if let Some(worst) = self
            .progenitor
            .iter()
            .map(|r| r.ours.median() / r.theirs.total.median())
            .max_by(f64::total_cmp)
        {
            rows.push(vec![
                "Generation ≤ 0.5× progenitor's time (worst spec)".to_owned(),
                ratio(worst),
                verdict(worst <= 0.5).to_owned(),
            ]);
        }
        for spec in build_specs(&self.build) {
            if let (Some(ours), Some(theirs)) = (self.build_row(&spec, "ours"), self.build_row(&spec, "progenitor")) {
                for (what, ours_time, theirs_time, limit) in [
                    ("`cargo check`", &ours.check, &theirs.check, CHECK_TARGET),
                    ("debug `cargo build`", &ours.build, &theirs.build, DEBUG_BUILD_TARGET),
                ] {
                    let target = format!("{what} of the generated crate ≤ {limit:.1}× progenitor's ({spec})");
                    let (measured, outcome) = match (&ours.failure, &theirs.failure) {
                        (Some(failure), _) => (format!("ours {failure}"), verdict(false)),
                        // No ratio exists: the row says so rather than calling the target met.
                        (None, Some(failure)) => (
                            format!(
                                "progenitor's crate {failure}; ours takes {}",
                                build_time_cell(ours_time)
                            ),
                            NO_COMPARISON,
                        ),
                        (None, None) => {
                            let r = ours_time.median() / theirs_time.median();
                            (ratio(r), verdict(r <= limit))
                        }
                    };
                    rows.push(vec![target, measured, outcome.to_owned()]);
                }
            }
        }
        for row in &self.requests {
            let r = row.generated.median() / row.hand_written.median();
            rows.push(vec![
                format!(
                    "{} requests at concurrency {} ≤ 1.05× hand-written",
                    count(row.count),
                    row.concurrency
                ),
                ratio(r),
                verdict(r <= 1.05).to_owned(),
            ]);
        }
        for row in &self.decode {
            let r = row.generated.median() / row.hand_written.median();
            rows.push(vec![
                format!("One page of {} items ≤ 1.05× hand-written", count(row.items)),
                ratio(r),
                verdict(r <= 1.05).to_owned(),
            ]);
        }
        if let (Some(small), Some(large)) = (self.paging.first(), self.paging.last()) {
            if large.items > small.items {
                let (a, b) = (small.growth_kb.median(), large.growth_kb.median());
                let pages = |r: &PagingRow| count(r.items.div_ceil(r.page_size));
                rows.push(vec![
                    "Paging memory does not grow with the number of pages".to_owned(),
                    format!(
                        "peak growth {} MiB over {} pages, {} MiB over {} ({} and {} MiB with one malloc arena)",
                        digits(a / 1024.0),
                        pages(small),
                        digits(b / 1024.0),
                        pages(large),
                        digits(small.growth_one_arena_kb.median() / 1024.0),
                        digits(large.growth_one_arena_kb.median() / 1024.0),
                    ),
                    // A walk that kept even a small part of every page would grow with the number
                    // of pages; a bounded walk stays within twice its smallest peak growth.
                    verdict(b <= 2.0 * a).to_owned(),
                ]);
            }
        }
        if rows.is_empty() {
            return String::new();
        }
        fill(
            "targets",
            &[("table", &table(&["Target", "Measured", "Verdict"], &rows))],
        )
    }

    fn synthetic_generation(&self) -> Vec<&GenerationRow> {
        self.generation
            .iter()
            .filter(|r| r.spec.starts_with("synthetic"))
            .collect()
    }

    fn generation_section(&self, svg_name: &str) -> String {
        if self.generation.is_empty() {
            return String::new();
        }
        let mut headers = vec!["Spec", "Ops", "Types", "Runs"];
        headers.extend(STAGES);
        headers.extend(["Whole", "Parse-only", "Whole ÷ parse", "Per op", "Lines"]);
        let rows: Vec<Vec<String>> = self
            .generation
            .iter()
            .map(|r| {
                let mut row = vec![
                    format!("`{}`", r.display),
                    count(r.operations),
                    count(r.types),
                    r.wall.0.len().to_string(),
                ];
                row.extend(r.stages.iter().map(Sample::time_cell));
                row.extend([
                    r.wall.time_cell(),
                    r.parse_only.time_cell(),
                    ratio(r.wall.median() / r.parse_only.median()),
                    time(r.per_operation()),
                    count(r.lines),
                ]);
                row
            })
            .collect();
        let synthetic = self.synthetic_generation();
        let share_line = synthetic.last().map_or_else(String::new, |largest| {
            let total: f64 = largest.stages.iter().map(Sample::median).sum();
            let shares: Vec<String> = STAGES
                .iter()
                .zip(&largest.stages)
                .map(|(name, s)| format!("{name} {:.0}%", 100.0 * s.median() / total))
                .collect();
            fill(
                "generation-shares",
                &[
                    ("operations", &count(largest.operations)),
                    ("shares", &shares.join(", ")),
                ],
            )
        });
        let slope_line = if synthetic.len() > 1 {
            let slopes: Vec<String> = synthetic
                .windows(2)
                .map(|pair| {
                    let (a, b) = (pair[0], pair[1]);
                    let slope = (b.wall.median() - a.wall.median()) / (b.operations - a.operations) as f64;
                    format!("{}→{}: {}", count(a.operations), count(b.operations), time(slope))
                })
                .collect();
            fill("generation-slopes", &[("slopes", &slopes.join(", "))])
        } else {
            String::new()
        };
        fill(
            "generation",
            &[
                ("command", self.section_command("generation")),
                ("table", &table(&headers, &rows)),
                ("share_line", &share_line),
                ("slope_line", &slope_line),
                ("svg", svg_name),
            ],
        )
    }

    fn progenitor_section(&self) -> String {
        if self.progenitor.is_empty() {
            return String::new();
        }
        let rows: Vec<Vec<String>> = self
            .progenitor
            .iter()
            .map(|r| {
                let t = &r.theirs;
                vec![
                    format!("`{}`", r.display),
                    count(r.operations),
                    r.ours.0.len().to_string(),
                    r.ours.time_cell(),
                    t.total.time_cell(),
                    ratio(r.ours.median() / t.total.median()),
                    format!(
                        "{} / {} / {} / {}",
                        time(t.stages[0].median()),
                        time(t.stages[1].median()),
                        time(t.stages[2].median()),
                        time(t.stages[3].median())
                    ),
                    count(r.ours_lines),
                    count(t.lines),
                ]
            })
            .collect();
        let table = table(
            &[
                "Spec",
                "Ops",
                "Runs",
                "Ours",
                "progenitor",
                "Ours ÷ progenitor",
                "progenitor load / generate / format / write",
                "Our lines",
                "progenitor lines",
            ],
            &rows,
        );
        fill(
            "progenitor",
            &[("command", self.section_command("progenitor")), ("table", &table)],
        )
    }

    fn build_row(&self, spec: &str, generator: &str) -> Option<&BuildRow> {
        self.build.iter().find(|r| r.spec == spec && r.generator == generator)
    }

    fn build_section(&self) -> String {
        if self.build.is_empty() {
            return String::new();
        }
        let rows: Vec<Vec<String>> = self
            .build
            .iter()
            .map(|r| {
                let theirs = self.build_row(&r.spec, "progenitor").filter(|t| t.failure.is_none());
                let relative = |ours: f64, pick: fn(&BuildRow) -> &Sample| match (r.generator, theirs) {
                    ("ours", Some(t)) if r.failure.is_none() => ratio(ours / pick(t).median()),
                    _ => String::new(),
                };
                let time = |sample: &Sample| match &r.failure {
                    Some(failure) => failure.clone(),
                    None => build_time_cell(sample),
                };
                let per_operation = |lines: usize| match r.operations {
                    0 => "–".to_owned(),
                    operations => count((lines as f64 / operations as f64).round() as usize),
                };
                vec![
                    format!("`{}`", r.spec),
                    r.generator.to_owned(),
                    match &r.failure {
                        Some(_) => "–".to_owned(),
                        None => r.check.0.len().to_string(),
                    },
                    count(r.operations),
                    match r.generated_lines {
                        0 => "–".to_owned(),
                        lines => count(lines),
                    },
                    match r.generated_lines {
                        0 => "–".to_owned(),
                        lines => per_operation(lines),
                    },
                    if r.runtime_lines > 0 {
                        count(r.runtime_lines)
                    } else {
                        "– (a dependency)".to_owned()
                    },
                    time(&r.check),
                    relative(r.check.median(), |t| &t.check),
                    time(&r.build),
                    relative(r.build.median(), |t| &t.build),
                    time(&r.release),
                    relative(r.release.median(), |t| &t.release),
                    r.llvm_lines.map(count).unwrap_or_else(|| "–".to_owned()),
                    match (r.generator, theirs.and_then(|t| t.llvm_lines), r.llvm_lines) {
                        ("ours", Some(theirs), Some(ours)) => ratio(ours as f64 / theirs as f64),
                        _ => String::new(),
                    },
                    r.llvm_lines.map(per_operation).unwrap_or_else(|| "–".to_owned()),
                ]
            })
            .collect();
        let table = table(
            &[
                "Spec",
                "Generator",
                "Runs",
                "Ops",
                "Generated lines",
                "Per op",
                "Runtime lines",
                "`cargo check`",
                "Ours ÷ progenitor",
                "`cargo build`",
                "Ours ÷ progenitor",
                "`cargo build --release`",
                "Ours ÷ progenitor",
                "LLVM IR lines",
                "Ours ÷ progenitor",
                "LLVM IR lines per op",
            ],
            &rows,
        );
        let sources: String = build_specs(&self.build)
            .iter()
            .map(|spec| {
                let from = |generator: &str| self.build_row(spec, generator).map(crate_source);
                let ours = from("ours").unwrap_or_else(|| "no row".to_owned());
                let theirs = from("progenitor").unwrap_or_else(|| "no row".to_owned());
                if ours == theirs {
                    format!("- `{spec}`: both from {ours}.\n")
                } else {
                    format!("- `{spec}`: ours from {ours}; progenitor's from {theirs}.\n")
                }
            })
            .collect();
        fill(
            "build",
            &[
                ("command", self.section_command("build")),
                ("table", &table),
                ("sources", &sources),
            ],
        )
    }

    fn client_section(&self) -> String {
        if self.requests.is_empty() && self.decode.is_empty() && self.paging.is_empty() {
            return String::new();
        }
        let mut out = fill("client", &[("command", self.section_command("client"))]);
        if !self.requests.is_empty() {
            let rows: Vec<Vec<String>> = self
                .requests
                .iter()
                .map(|r| {
                    vec![
                        count(r.count),
                        r.concurrency.to_string(),
                        r.generated.time_cell(),
                        r.hand_written.time_cell(),
                        ratio(r.generated.median() / r.hand_written.median()),
                        time(r.generated.median() / r.count as f64),
                        time(r.hand_written.median() / r.count as f64),
                    ]
                })
                .collect();
            let table = table(
                &[
                    "Requests",
                    "Concurrency",
                    "Generated",
                    "Hand-written",
                    "Generated ÷ hand-written",
                    "Per request (generated)",
                    "Per request (hand-written)",
                ],
                &rows,
            );
            out += &fill("client-requests", &[("table", &table)]);
        }
        if !self.decode.is_empty() {
            let rows: Vec<Vec<String>> = self
                .decode
                .iter()
                .map(|r| {
                    vec![
                        count(r.items),
                        r.generated.time_cell(),
                        r.hand_written.time_cell(),
                        ratio(r.generated.median() / r.hand_written.median()),
                    ]
                })
                .collect();
            let table = table(
                &["Items", "Generated", "Hand-written", "Generated ÷ hand-written"],
                &rows,
            );
            out += &fill("client-decode", &[("table", &table)]);
        }
        if !self.paging.is_empty() {
            let rows: Vec<Vec<String>> = self
                .paging
                .iter()
                .map(|r| {
                    let mib = |sample: &Sample| {
                        format!(
                            "{} MiB ({}–{})",
                            digits(sample.median() / 1024.0),
                            digits(sample.min() / 1024.0),
                            digits(sample.max() / 1024.0)
                        )
                    };
                    vec![
                        count(r.items),
                        count(r.items.div_ceil(r.page_size)),
                        r.secs.time_cell(),
                        count((r.items as f64 / r.secs.median()) as usize),
                        mib(&r.hwm_after_kb),
                        mib(&r.growth_kb),
                        mib(&r.growth_one_arena_kb),
                    ]
                })
                .collect();
            let table = table(
                &[
                    "Items",
                    "Pages",
                    "Walk",
                    "Items/s",
                    "Peak (VmHWM)",
                    "Peak growth",
                    "Peak growth, one malloc arena",
                ],
                &rows,
            );
            out += &fill("client-paging", &[("table", &table)]);
        }
        out
    }

    /// Time per operation against the number of operations (log x axis).
    fn svg(&self) -> String {
        let synthetic: Vec<&GenerationRow> = self
            .generation
            .iter()
            .filter(|r| r.spec.starts_with("synthetic"))
            .collect();
        let mut series: Vec<Series> = Vec::new();
        let per_op = |rows: &[&GenerationRow], pick: &dyn Fn(&GenerationRow) -> f64| -> Vec<(f64, f64)> {
            rows.iter()
                .map(|r| (r.operations as f64, pick(r) / r.operations as f64 * 1e6))
                .collect()
        };
        series.push((
            "ours, whole pipeline",
            "#1f77b4",
            per_op(&synthetic, &|r| r.wall.median()),
        ));
        series.push((
            "ours, format stage",
            "#9ecae1",
            per_op(&synthetic, &|r| r.stages[4].median()),
        ));
        series.push((
            "ours, load stage",
            "#2ca02c",
            per_op(&synthetic, &|r| r.stages[0].median()),
        ));
        series.push((
            "parse-only reference",
            "#7f7f7f",
            per_op(&synthetic, &|r| r.parse_only.median()),
        ));
        let progenitor: Vec<(f64, f64)> = self
            .progenitor
            .iter()
            .filter(|r| r.spec.starts_with("synthetic"))
            .map(|r| (r.operations as f64, r.theirs.total.median() / r.operations as f64 * 1e6))
            .collect();
        series.push(("progenitor, whole", "#d62728", progenitor));
        series.retain(|(_, _, points)| !points.is_empty());
        scaling_svg(&series)
    }
}

/// `max ÷ min` of the time per operation, and whether every size is within ±50% of their median.
fn flatness(rows: &[&GenerationRow]) -> (String, bool) {
    let values: Vec<f64> = rows.iter().map(|r| r.per_operation()).collect();
    let median = Sample(values.clone()).median();
    let met = values.iter().all(|v| (v / median - 1.0).abs() <= 0.5);
    let cells: Vec<String> = rows
        .iter()
        .zip(&values)
        .map(|(r, v)| format!("{}: {}", count(r.operations), time(*v)))
        .collect();
    (format!("{} per op (median {})", cells.join(", "), time(median)), met)
}

/// A build time: median (min–max), or the one value with "(one run)".
fn build_time_cell(sample: &Sample) -> String {
    match sample.0.as_slice() {
        [one] => format!("{} (one run)", time(*one)),
        _ => sample.time_cell(),
    }
}

/// Where a build row's crate comes from: the file, its operations and, for a rewritten variant,
/// what the rewrites left out or renamed (so that the reader can tell how comparable the crates are).
fn crate_source(row: &BuildRow) -> String {
    let mut text = format!("`{}` ({} operations", row.from, count(row.operations));
    if let Some(changes) = &row.changes {
        let mut parts = Vec::new();
        let mut left_out = |what: &str, n: usize| {
            if n > 0 {
                parts.push(counted(n, what));
            }
        };
        left_out("operation", changes.operations_dropped);
        left_out("request media type", changes.request_media_types_dropped);
        if changes.responses_dropped > 0 {
            parts.push(format!(
                "{} of {} responses",
                count(changes.responses_dropped),
                count(changes.responses)
            ));
        }
        if !parts.is_empty() {
            text += &format!("; the variant leaves out {}", parts.join(", "));
        }
        if changes.enum_values_spelled > 0 {
            text += &format!("; {} spelled out", counted(changes.enum_values_spelled, "enum value"));
        }
    }
    text + ")"
}

/// `1 operation`, `2 operations`.
fn counted(n: usize, what: &str) -> String {
    format!("{} {what}{}", count(n), if n == 1 { "" } else { "s" })
}

fn build_specs(rows: &[BuildRow]) -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    for row in rows {
        if !specs.contains(&row.spec) {
            specs.push(row.spec.clone());
        }
    }
    specs
}

/// A markdown table, each line ending in a newline.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(headers.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out
}

/// One line about the machine, the toolchain and the commit.
fn machine(root: &Path) -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let memory = fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(String::new, |kb| format!(", {:.0} GiB", kb / 1024.0 / 1024.0));
    // What cannot be found out is left empty: the line is a description, not a measurement.
    let run = |program: &str, args: &[&str]| {
        Cmd::new(program)
            .args(args)
            .dir(root)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let rustc = run("rustc", &["--version"]);
    let date = run("date", &["-u", "+%Y-%m-%d"]);
    let commit = run("git", &["rev-parse", "--short", "HEAD"]);
    let dirty = if run("git", &["status", "--porcelain"]).is_empty() {
        ""
    } else {
        " plus uncommitted changes"
    };
    format!("Machine: {cpu}, {cores} cores{memory}; {rustc}; measured {date} on commit {commit}{dirty}.")
}

/// The report's prose (see the comment at its top for how parts and placeholders work).
const TEMPLATE: &str = include_str!("report.md");

/// Marks the start of a part of [`TEMPLATE`]: `<!-- part: NAME -->` on a line of its own.
const PART_MARKER: &str = "<!-- part: ";

/// The part `name` of [`TEMPLATE`] with each `{placeholder}` replaced by its value. A placeholder
/// without a value, or a value without its placeholder, is a mismatch between this file and the
/// template, and panics (the tests render every part).
fn fill(name: &str, values: &[(&str, &str)]) -> String {
    fill_text(name, part(name), values)
}

/// [`fill`] on `text`, the part `name`.
fn fill_text(name: &str, text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut used = vec![false; values.len()];
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .unwrap_or_else(|| panic!("report.md, part {name}: `{{` without `}}`"));
        let placeholder = &after[..close];
        let index = values
            .iter()
            .position(|(key, _)| *key == placeholder)
            .unwrap_or_else(|| panic!("report.md, part {name}: no value for {{{placeholder}}}"));
        used[index] = true;
        out.push_str(values[index].1);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    if let Some(unused) = used.iter().position(|used| !used) {
        panic!("report.md, part {name}: no placeholder {{{}}}", values[unused].0);
    }
    out
}

/// The text of part `name`: from the line after its marker to the next marker line.
fn part(name: &str) -> &'static str {
    let marker = format!("{PART_MARKER}{name} -->\n");
    let start = TEMPLATE
        .find(&marker)
        .unwrap_or_else(|| panic!("report.md has no part {name}"))
        + marker.len();
    let text = &TEMPLATE[start..];
    let end = text
        .find(&format!("\n{PART_MARKER}"))
        .map_or(text.len(), |newline| newline + 1);
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(values: &[f64]) -> Sample {
        Sample(values.to_vec())
    }

    fn generation_row(spec: &str, display: &str, operations: usize, scale: f64) -> GenerationRow {
        let stage = |base: f64| sample(&[base * scale, base * scale * 0.97, base * scale * 1.4]);
        GenerationRow {
            spec: spec.to_owned(),
            display: display.to_owned(),
            operations,
            types: operations * 3 + 1,
            lines: operations * 200 + 4_268,
            stages: [
                stage(0.004),
                stage(0.001),
                stage(0.001),
                stage(0.004),
                stage(0.0135),
                stage(0.0007),
            ],
            wall: stage(0.016),
            parse_only: stage(0.0036),
        }
    }

    /// Rows for every section, with numbers in the ranges the bench measures.
    fn fixture(settings_runs: usize, elapsed: f64) -> Report {
        let mut generation = vec![generation_row("sgp-evaluations", SPEC_DISPLAY, 30, 1.0)];
        for (operations, scale) in [(10, 0.3), (100, 2.2), (1_000, 21.0), (5_000, 120.0)] {
            let name = format!("synthetic-{operations}");
            let display = format!("target/bench/specs/{name}.yaml");
            generation.push(generation_row(&name, &display, operations, scale));
        }
        let theirs = |scale: f64| ProgenitorTimes {
            stages: [
                sample(&[0.004 * scale, 0.0041 * scale]),
                sample(&[0.011 * scale]),
                sample(&[0.0359 * scale, 0.03 * scale, 0.04 * scale]),
                sample(&[0.000_396 * scale]),
            ],
            total: sample(&[0.0527 * scale, 0.0483 * scale, 0.0653 * scale]),
            lines: (16_846.0 * scale) as usize,
        };
        let progenitor = [
            ("sgp-evaluations", 29, 1.0),
            ("synthetic-10", 10, 0.24),
            ("synthetic-5000", 5_000, 135.0),
        ]
        .into_iter()
        .map(|(spec, operations, scale)| ProgenitorRow {
            spec: spec.to_owned(),
            display: format!("target/bench/specs/{spec}-progenitor.yaml"),
            operations,
            ours: sample(&[0.0224 * scale, 0.0163 * scale, 0.0359 * scale]),
            ours_lines: (11_998.0 * scale) as usize,
            theirs: theirs(scale),
        })
        .collect();
        let build_row = |spec: &str, generator: &'static str, runtime_lines: usize, seconds: f64| BuildRow {
            spec: spec.to_owned(),
            generator,
            from: format!("target/bench/specs/{spec}-progenitor.yaml"),
            operations: 55,
            changes: None,
            generated_lines: 7_730,
            runtime_lines,
            check: sample(&[seconds, seconds * 0.97, seconds * 1.14]),
            build: sample(&[seconds * 2.2, seconds * 2.1]),
            release: sample(&[seconds * 4.1, seconds * 3.9]),
            llvm_lines: Some((seconds * 100_000.0) as usize),
            failure: None,
        };
        let build = vec![
            build_row("sgp-evaluations", "ours", 4_268, 2.11),
            build_row("sgp-evaluations", "progenitor", 0, 2.72),
            build_row("synthetic-100", "ours", 4_268, 5.2),
        ];
        let requests = [(1, 1.26, 1.20), (64, 0.321, 0.334)]
            .into_iter()
            .map(|(concurrency, generated, hand_written)| RequestRow {
                concurrency,
                count: 20_000,
                generated: sample(&[generated, generated * 0.9, generated * 1.05]),
                hand_written: sample(&[hand_written, hand_written * 0.95]),
            })
            .collect();
        let decode = vec![DecodeRow {
            items: 10_000,
            generated: sample(&[0.0139, 0.0135, 0.0191]),
            hand_written: sample(&[0.0138, 0.0133, 0.0167]),
        }];
        let paging = [
            (10_000, 0.0214, 3_266.0),
            (100_000, 0.19, 4_331.0),
            (1_000_000, 2.12, 4_761.0),
        ]
        .into_iter()
        .map(|(items, secs, growth)| PagingRow {
            items,
            page_size: 1_000,
            secs: sample(&[secs, secs * 0.98, secs * 1.12]),
            hwm_after_kb: sample(&[8_222.0, 7_751.0, 8_663.0]),
            growth_kb: sample(&[growth, growth * 0.95, growth * 1.1]),
            growth_one_arena_kb: sample(&[2_938.0, 2_775.0, 3_000.0]),
        })
        .collect();
        Report {
            runs: settings_runs,
            command: "cargo xtask bench".to_owned(),
            commands: SECTIONS
                .iter()
                .map(|s| (*s, format!("cargo xtask bench --only {s}")))
                .collect(),
            generation,
            progenitor,
            build,
            requests,
            decode,
            paging,
            elapsed: Duration::from_secs_f64(elapsed),
            machine: "Machine: AMD EPYC, 2 cores, 24 GiB; rustc 1.95.0 (59807616e 2026-04-14); measured 2026-12-05 on commit e9c1f4c.".to_owned(),
        }
    }

    const SPEC_DISPLAY: &str = "openapi/sgp-evaluations.yaml";

    /// Every part of the template is written, with each placeholder filled: the fixed text
    /// between placeholders is all in the rendering of a full report, in order within each part.
    #[test]
    fn every_part_is_written_and_every_placeholder_filled() {
        let text = fixture(5, 519.4).markdown("BENCHMARKS-scaling.svg");
        let names: Vec<&str> = TEMPLATE
            .split(PART_MARKER)
            .skip(1)
            .filter_map(|rest| rest.split(" -->").next())
            .collect();
        assert_eq!(names.len(), 12, "{names:?}");
        for name in names {
            let mut position = 0;
            // Even pieces are fixed text, odd ones placeholder names.
            for piece in part(name).split(['{', '}']).step_by(2).filter(|p| !p.is_empty()) {
                let found = text[position..]
                    .find(piece)
                    .unwrap_or_else(|| panic!("part {name}: {piece:?} not written after byte {position}"));
                position += found + piece.len();
            }
        }
        assert!(!text.contains(['{', '}']), "a placeholder is left:\n{text}");
        assert!(!text.contains(PART_MARKER));
        assert!(text.starts_with(
            "# Benchmarks\n\nWritten by `cargo xtask bench` (at least 5 measured runs per number after one warm-up run, more \
             where a run is short, as the *Runs* columns say; the whole run took 519 s)."
        ));
        assert!(text.contains("| 10,000 | 10 | 21.4 ms (21.0–24.0) |"), "{text}");
        assert!(text.ends_with("a few percent between runs of the bench.\n"));
    }

    #[test]
    fn sections_without_rows_are_left_out() {
        let mut report = fixture(5, 1.0);
        report.generation.clear();
        report.progenitor.clear();
        report.build.clear();
        report.decode.clear();
        let text = report.markdown("x.svg");
        for left_out in ["## 1. ", "## 2. ", "## 3. ", "**A large page**"] {
            assert!(!text.contains(left_out), "{left_out}");
        }
        let order = [
            "## Targets",
            "## 4. Client overhead",
            "**Requests**",
            "**Paging**",
            "## Notes",
        ];
        let positions: Vec<usize> = order.iter().map(|s| text.find(s).unwrap_or(usize::MAX)).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn build_targets_compare_each_time_with_its_own_limit() {
        // The fixture's crates for our spec: ours takes 2.11 / 2.72 of progenitor's time in
        // every column, which meets the debug build's 1.0× and misses the check's 0.5×.
        let targets = fixture(5, 1.0).targets();
        let row = |start: &str| {
            targets
                .lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no row {start} in:\n{targets}"))
                .to_owned()
        };
        let check = row("| `cargo check` of the generated crate ≤ 0.5× progenitor's (sgp-evaluations) |");
        assert!(check.ends_with("| 0.78× | **missed** |"), "{check}");
        let build = row("| debug `cargo build` of the generated crate ≤ 1.0× progenitor's (sgp-evaluations) |");
        assert!(build.ends_with("| 0.78× | met |"), "{build}");
    }

    #[test]
    fn a_crate_that_does_not_compile_is_a_row_without_times_or_ratios() {
        let mut report = fixture(5, 1.0);
        let progenitor = report
            .build
            .iter_mut()
            .find(|r| r.spec == "sgp-evaluations" && r.generator == "progenitor")
            .expect("the fixture has progenitor's row");
        progenitor.failure = Some("does not compile (124 errors)".to_owned());
        progenitor.check = Sample::default();
        progenitor.build = Sample::default();
        progenitor.release = Sample::default();
        progenitor.llvm_lines = None;
        let text = report.build_section();
        let row = |generator: &str| {
            text.lines()
                .find(|l| l.starts_with("| `sgp-evaluations`") && l.contains(&format!("| {generator} |")))
                .unwrap_or_else(|| panic!("no {generator} row in:\n{text}"))
                .to_owned()
        };
        // check, debug build and release build
        assert_eq!(row("progenitor").matches("does not compile (124 errors)").count(), 3);
        assert!(
            !row("ours").contains('×'),
            "no ratio against a crate that does not compile: {}",
            row("ours")
        );
        assert!(
            text.contains("- `sgp-evaluations`: both from `target/bench/specs/sgp-evaluations-progenitor.yaml` (55 operations).\n"),
            "{text}"
        );
    }

    #[test]
    fn a_spec_progenitor_does_not_generate_is_a_row_and_its_variant_is_described() {
        let mut report = fixture(5, 1.0);
        let mut ours = report.build.remove(0);
        ours.spec = "github".to_owned();
        ours.from = "target/tools/large/api.github.com.json".to_owned();
        ours.operations = 1_223;
        ours.generated_lines = 792_772;
        ours.check = Sample(vec![86.7]);
        ours.llvm_lines = Some(12_230_000);
        let failure = "does not generate (panics: not yet implemented: more media types than expected)";
        let theirs = BuildRow {
            spec: "github".to_owned(),
            generator: "progenitor",
            from: "target/bench/specs/github-progenitor.json".to_owned(),
            operations: 1_223,
            changes: Some(VariantChanges {
                operations_dropped: 0,
                request_media_types_dropped: 1,
                responses: 4_120,
                responses_dropped: 394,
                enum_values_spelled: 23,
            }),
            generated_lines: 0,
            runtime_lines: 0,
            check: Sample::default(),
            build: Sample::default(),
            release: Sample::default(),
            llvm_lines: None,
            failure: Some(failure.to_owned()),
        };
        report.build = vec![ours, theirs];
        let text = report.build_section();
        let row = |generator: &str| {
            text.lines()
                .find(|l| l.starts_with("| `github` |") && l.contains(&format!("| {generator} |")))
                .unwrap_or_else(|| panic!("no {generator} row in:\n{text}"))
                .to_owned()
        };
        assert_eq!(row("progenitor").matches(failure).count(), 3, "{}", row("progenitor"));
        assert!(row("ours").contains("| 1 | 1,223 | 792,772 | 648 |"), "{}", row("ours"));
        assert!(row("ours").contains("| 86.7 s (one run) |"), "{}", row("ours"));
        assert!(row("ours").ends_with("| 12,230,000 |  | 10,000 |"), "{}", row("ours"));
        assert!(
            !row("ours").contains('×'),
            "no ratio against a crate that was not generated"
        );
        assert!(
            report.targets().contains(&format!(
                "progenitor's crate {failure}; ours takes 86.7 s (one run) | no comparison |"
            )),
            "{}",
            report.targets()
        );
        assert!(
            text.contains(
                "- `github`: ours from `target/tools/large/api.github.com.json` (1,223 operations); progenitor's from \
                 `target/bench/specs/github-progenitor.json` (1,223 operations; the variant leaves out 1 request media \
                 type, 394 of 4,120 responses; 23 enum values spelled out).\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn fill_text_puts_each_value_in_its_place() {
        let filled = fill_text(
            "t",
            "`{command}` took {seconds} s; {command} again\n",
            &[("command", "cargo x"), ("seconds", "3")],
        );
        assert_eq!(filled, "`cargo x` took 3 s; cargo x again\n");
    }

    #[test]
    #[should_panic(expected = "report.md, part t: no value for {runs}")]
    fn a_placeholder_without_a_value_is_a_bug() {
        fill_text("t", "{runs} runs", &[]);
    }

    #[test]
    #[should_panic(expected = "report.md, part t: no placeholder {runs}")]
    fn a_value_without_a_placeholder_is_a_bug() {
        fill_text("t", "no runs", &[("runs", "5")]);
    }
}
