#![allow(dead_code, unused_imports, clippy::all)]
//! The measurements of one `cargo xtask bench` run, written as `BENCHMARKS.md` (tables, targets,
//! the command per section) and `BENCHMARKS-scaling.svg` (time per operation against size).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::super::stats::{count, digits, ratio, time, verdict, Sample};
use super::{BuildRow, GenerationRow, PagingRow, STAGES};

pub struct OldReport {
    pub runs: usize,
    pub command: String,
    pub commands: Vec<(&'static str, String)>,
    pub generation: Vec<GenerationRow>,
    pub progenitor: Vec<super::ProgenitorRow>,
    pub build: Vec<BuildRow>,
    pub build_notes: Vec<String>,
    pub requests: Vec<super::RequestRow>,
    pub decode: Vec<super::DecodeRow>,
    pub paging: Vec<PagingRow>,
    pub elapsed: Duration,
    pub machine: String,
}

impl OldReport {
    pub fn finish(&mut self, elapsed: Duration) {
        self.elapsed = elapsed;
    }

    fn section_command(&self, section: &str) -> &str {
        self.commands
            .iter()
            .find(|(name, _)| *name == section)
            .map_or("cargo xtask bench", |(_, command)| command.as_str())
    }

    pub fn write(&self, markdown: &Path, svg: &Path) -> Result<(), String> {
        let svg_name = svg
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        fs::write(markdown, self.markdown(&svg_name)).map_err(|e| format!("{}: {e}", markdown.display()))?;
        fs::write(svg, self.svg()).map_err(|e| format!("{}: {e}", svg.display()))
    }

    pub fn markdown(&self, svg_name: &str) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "# Benchmarks\n\n\
             Written by `{}` (at least {} measured runs per number after one warm-up run, more where \
             a run is short, as the *Runs* columns say; the whole run took {:.0} s). Every cell is the **median (min–max)** of those runs; every ratio divides \
             medians measured in the same run on the same machine. The bench runs as a release build \
             (`cargo xtask bench` re-runs itself as `cargo run --release -p xtask -- bench`); scratch \
             files go to `target/bench/`. Each section alone: `cargo xtask bench --only SECTION` \
             (it writes to `target/bench/partial/` instead of here).\n\n{}\n\n",
            self.command,
            self.runs,
            self.elapsed.as_secs_f64(),
            self.machine
        );
        self.targets(&mut out);
        self.generation_section(&mut out, svg_name);
        self.progenitor_section(&mut out);
        self.build_section(&mut out);
        self.client_section(&mut out);
        out.push_str(NOTES);
        out
    }

    fn targets(&self, out: &mut String) {
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
        let synthetic: Vec<&GenerationRow> = self
            .generation
            .iter()
            .filter(|r| r.spec.starts_with("synthetic"))
            .collect();
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
                let r = ours.check.median() / theirs.check.median();
                rows.push(vec![
                    format!("`cargo check` of the generated crate no slower than progenitor's ({spec})"),
                    ratio(r),
                    verdict(r <= 1.0).to_owned(),
                ]);
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
                    // Keeping even 1% of every page would add more than a MiB per 100 pages; a
                    // bounded walk stays within twice its smallest peak growth.
                    verdict(b <= 2.0 * a).to_owned(),
                ]);
            }
        }
        if rows.is_empty() {
            return;
        }
        out.push_str("## Targets\n\n");
        table(out, &["Target", "Measured", "Verdict"], &rows);
        out.push('\n');
    }

    fn generation_section(&self, out: &mut String, svg_name: &str) {
        if self.generation.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "## 1. Generation, by stage\n\n`{}`\n\n\
             `codegen::run_timed` on each spec, writing into a new, empty folder each run (in memory, \
             under `/dev/shm`, where the machine has it; see the notes). Stages: load (read, YAML → JSON \
             value, line index, `openapiv3`), validate and model (lowering; the two run side by side on two \
             threads), emit (tokens), format (`syn` + `prettyplease`), write. *Whole* is the call end to \
             end; *parse-only* is `fs::read_to_string` + `serde_yaml::from_str::<openapiv3::OpenAPI>` on the \
             same file in the same process, measured right after each run.\n\n",
            self.section_command("generation")
        );
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
        table(out, &headers, &rows);
        let synthetic: Vec<&GenerationRow> = self
            .generation
            .iter()
            .filter(|r| r.spec.starts_with("synthetic"))
            .collect();
        if let Some(largest) = synthetic.last() {
            let total: f64 = largest.stages.iter().map(Sample::median).sum();
            let shares: Vec<String> = STAGES
                .iter()
                .zip(&largest.stages)
                .map(|(name, s)| format!("{name} {:.0}%", 100.0 * s.median() / total))
                .collect();
            let _ = write!(
                out,
                "\nShare of each stage at {} operations: {}.\n",
                count(largest.operations),
                shares.join(", ")
            );
        }
        if synthetic.len() > 1 {
            let marginal: Vec<String> = synthetic
                .windows(2)
                .map(|pair| {
                    let (a, b) = (pair[0], pair[1]);
                    let slope = (b.wall.median() - a.wall.median()) / (b.operations - a.operations) as f64;
                    format!("{}→{}: {}", count(a.operations), count(b.operations), time(slope))
                })
                .collect();
            let _ = writeln!(
                out,
                "Marginal time per added operation (slope between sizes): {}.",
                marginal.join(", ")
            );
        }
        let _ = write!(
            out,
            "\n![Time per operation against spec size]({svg_name})\n\n\
             The synthetic specs are written by `xtask/src/bench/synth.rs` (5 operations per resource: \
             a cursor-paginated list, create, get, update, delete; 9 schemas per resource with nested \
             inline objects, enums, a map, a nullable field and a `oneOf` with a discriminator). They \
             are kept in `target/bench/specs/`.\n\n"
        );
    }

    fn progenitor_section(&self, out: &mut String) {
        if self.progenitor.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "## 2. Against progenitor\n\n`{}`\n\n\
             `progenitor-impl` 0.15.1 as a library (`xtask/progenitor-bench/`, its own workspace, so no \
             ordinary build compiles it), run as a separate process that prints one JSON line of stage \
             timings per run: load (read + `serde_yaml` → `openapiv3`), generate (`Generator::generate_tokens`, \
             builder interface, merged tags), format (`syn` + `prettyplease`, as progenitor's README \
             recommends for build scripts), write (`Cargo.toml` + `src/lib.rs`). Ours is the whole \
             `run_timed` on the same file, in this process. The two take turns: 5 rounds of a fifth of the \
             runs each, every round after a warm-up run of each, so that the machine's drift hits both \
             alike. Both on the progenitor-compatible variants (see the notes at the end for what they \
             leave out).\n\n",
            self.section_command("progenitor")
        );
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
        table(
            out,
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
        out.push('\n');
    }

    fn build_row(&self, spec: &str, generator: &str) -> Option<&BuildRow> {
        self.build.iter().find(|r| r.spec == spec && r.generator == generator)
    }

    fn build_section(&self, out: &mut String) {
        if self.build.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "## 3. Build cost of the generated code\n\n`{}`\n\n\
             Each generator's crate for the same spec, in a scratch workspace under `target/bench/build/` \
             with its own target folder and the default `dev` profile. Dependencies are built first; each \
             run then does `cargo clean -p <crate>` and times `cargo check -p <crate>`, then again for \
             `cargo build -p <crate>` (debug), with `CARGO_INCREMENTAL=0`. Our crate carries its runtime as \
             source (`src/runtime/`, counted separately); progenitor's crate depends on the prebuilt \
             `progenitor-client` instead. Our dependencies are the ones in our `Cargo.lock`; progenitor's \
             crate gets the dependencies `cargo progenitor` 0.15.1 writes (reqwest 0.13, \
             progenitor-client 0.15.1, ...).\n\n",
            self.section_command("build")
        );
        let rows: Vec<Vec<String>> = self
            .build
            .iter()
            .map(|r| {
                let theirs = self.build_row(&r.spec, "progenitor");
                let relative = |ours: f64, pick: fn(&BuildRow) -> &Sample| match (r.generator, theirs) {
                    ("ours", Some(t)) => ratio(ours / pick(t).median()),
                    _ => String::new(),
                };
                vec![
                    format!("`{}`", r.spec),
                    r.generator.to_owned(),
                    count(r.generated_lines),
                    if r.runtime_lines > 0 {
                        count(r.runtime_lines)
                    } else {
                        "– (a dependency)".to_owned()
                    },
                    r.check.time_cell(),
                    relative(r.check.median(), |t| &t.check),
                    r.build.time_cell(),
                    relative(r.build.median(), |t| &t.build),
                ]
            })
            .collect();
        table(
            out,
            &[
                "Spec",
                "Generator",
                "Generated lines",
                "Runtime lines",
                "`cargo check`",
                "Ours ÷ progenitor",
                "`cargo build`",
                "Ours ÷ progenitor",
            ],
            &rows,
        );
        for note in &self.build_notes {
            let _ = writeln!(out, "\n{note}");
        }
        out.push('\n');
    }

    fn client_section(&self, out: &mut String) {
        if self.requests.is_empty() && self.decode.is_empty() && self.paging.is_empty() {
            return;
        }
        let _ = write!(
            out,
            "## 4. Client overhead\n\n`{}`\n\n\
             `xtask/client-bench/` (a workspace member, not a default one) runs a loopback HTTP/1.1 server \
             with keep-alive and canned JSON (hand-written on `tokio::net::TcpListener`, its own process) \
             and, in another process, the generated client against the same calls written by hand with \
             `reqwest` + `serde_json` into the same `sgp_evals::types`. The hand-written calls use a \
             `reqwest::Client` with the generated client's timeouts and send the headers it sends (the two \
             credentials, its user agent, `accept: application/json` and `x-retry-count: 0`), so that both \
             put the same request on the wire; they check the status and decode the body. Within a \
             process the two alternate (which goes first alternates) after a warm-up of both: a run of \
             requests is cut into 10 chunks that take turns, and requests get twice (the large page ten times) the runs of the other sections.\n\n",
            self.section_command("client")
        );
        if !self.requests.is_empty() {
            out.push_str("**Requests**: `client.datasets().get(\"ds_1\").await` against `GET /v5/datasets/ds_1`.\n\n");
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
            table(
                out,
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
            out.push('\n');
        }
        if !self.decode.is_empty() {
            out.push_str(
                "**A large page**: `client.dataset_items().list().limit(n).await` returning one \
                 `DatasetItemList` of n items (about 330 bytes of JSON each), request to decoded value.\n\n",
            );
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
            table(
                out,
                &["Items", "Generated", "Hand-written", "Generated ÷ hand-written"],
                &rows,
            );
            out.push('\n');
        }
        if !self.paging.is_empty() {
            out.push_str(
                "**Paging**: `client.dataset_items().list().limit(1000).items()` walked to the end, one fresh \
                 process per run. Memory from `/proc/self/status`: *peak growth* is `VmHWM` (peak) after the \
                 walk less `VmRSS` before it. Each walk runs twice, the second time with `MALLOC_ARENA_MAX=1`: \
                 glibc gives each thread that allocates its own arena, and with the two runtime threads \
                 taking turns at decoding pages, freed pages linger in either arena; with one arena the \
                 growth is that of the walk alone. One page of 1,000 items is about 330 KB of JSON and about \
                 1 MB decoded.\n\n",
            );
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
            table(
                out,
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
            out.push('\n');
        }
    }

    /// Time per operation against the number of operations (log x axis).
    pub fn svg(&self) -> String {
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

fn build_specs(rows: &[BuildRow]) -> Vec<String> {
    let mut specs: Vec<String> = Vec::new();
    for row in rows {
        if !specs.contains(&row.spec) {
            specs.push(row.spec.clone());
        }
    }
    specs
}

fn table(out: &mut String, headers: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", headers.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(headers.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// A line of the chart: name, colour, `(operations, µs per operation)` points.
type Series = (&'static str, &'static str, Vec<(f64, f64)>);

/// One line per series on a log-scaled x axis (operations) and a linear y axis (µs per operation).
fn scaling_svg(series: &[Series]) -> String {
    let (width, height, left, right, top, bottom) = (760.0, 420.0, 70.0, 220.0, 40.0, 50.0);
    let points = series.iter().flat_map(|(_, _, p)| p.iter());
    let (mut x_min, mut x_max, mut y_max) = (f64::MAX, f64::MIN, 0.0f64);
    for &(x, y) in points {
        x_min = x_min.min(x);
        x_max = x_max.max(x);
        y_max = y_max.max(y);
    }
    if !x_min.is_finite() || x_max <= x_min {
        (x_min, x_max) = (10.0, 5000.0);
    }
    let y_max = nice_ceiling(y_max.max(1.0));
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let sx = |x: f64| left + (x.log10() - x_min.log10()) / (x_max.log10() - x_min.log10()) * plot_w;
    let sy = |y: f64| top + plot_h - y / y_max * plot_h;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{left}\" y=\"22\" font-size=\"14\">Generation time per operation (µs) against spec size (operations, log scale)</text>\n"
    );
    for step in 0..=5 {
        let y = y_max * f64::from(step) / 5.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" stroke=\"#e0e0e0\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + plot_w,
            left - 6.0,
            sy(y) + 4.0,
            digits(y),
            y0 = sy(y)
        );
    }
    let mut ticks: Vec<f64> = series.iter().flat_map(|(_, _, p)| p.iter().map(|&(x, _)| x)).collect();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    for x in ticks {
        let _ = writeln!(
            svg,
            "<line x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{top}\" y2=\"{}\" stroke=\"#e0e0e0\"/><text x=\"{x0:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            top + plot_h,
            top + plot_h + 18.0,
            count(x as usize),
            x0 = sx(x)
        );
    }
    let _ = writeln!(
        svg,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"none\" stroke=\"#555\"/>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">operations</text>",
        left + plot_w / 2.0,
        height - 10.0
    );
    for (index, (name, color, points)) in series.iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", sx(x), sy(y)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"/>",
            path.join(" ")
        );
        for &(x, y) in points {
            let _ = writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"/>",
                sx(x),
                sy(y)
            );
        }
        let ly = top + 10.0 + index as f64 * 20.0;
        let lx = left + plot_w + 15.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{lx}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">{name}</text>",
            lx + 20.0,
            lx + 26.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// 1, 2 or 5 times a power of ten, at least `value`.
fn nice_ceiling(value: f64) -> f64 {
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&v| v >= value)
        .unwrap_or(10.0 * power)
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
    let run = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .current_dir(root)
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

/// What the numbers do not say by themselves; kept free of numbers so that it stays true when
/// the tables are rewritten.
const NOTES: &str = "## Notes

**Progenitor-compatible specs.** progenitor 0.15.1 rejects two things our specs use. It counts a
`default` response as a possible success, so an operation with a typed `200` and a typed `default`
has two success types and it panics (`assertion failed: response_types.len() <= 1`); and it does not
support `multipart/form-data` bodies. The synthetic generator therefore has a progenitor flavor that
leaves out the `default` responses (every other error status keeps the same `ErrorResponse` schema),
and our spec's variant (`target/bench/specs/sgp-evaluations-progenitor.yaml`) drops `uploadFile` and
the `default` responses. Everything else (operation ids, which both need, tags, `x-` extensions,
unions, enums, nesting) is the same in both flavors, and our generator reads both.

**What the generation stages cost.** The parse-only reference is one pass of `serde_yaml` into
`openapiv3`; our load stage parses the YAML into a JSON value (kept for the typo and `$ref` checks),
walks the document a second time with libyaml to index lines (so every diagnostic can name a line),
and then converts the value into `openapiv3`. Format is `syn` parsing the emitted tokens and
`prettyplease` printing them; it is the largest stage, and it is the same work progenitor's format
stage does (`prettyplease` on `syn`), on less than half as many lines. Its cost follows the number of
lines emitted, most of them in `types.rs` (a constructor and a documented setter per optional field of
every type). Emitting and formatting run on all cores: every file but `types.rs` is one unit of work,
and `types.rs` is cut into parts of 16 types that are formatted apart and joined (a unit test pins
the joined text to the text of formatting it whole); token streams cannot cross threads, so each unit
is emitted and formatted by one thread. The line index is built on a second thread while the YAML is
parsed. About a third of the time was the allocator: `xtask` allocates with mimalloc (and so does
`progenitor-bench`, so that both generators run on the same allocator, as does the parse-only
reference, which runs in our process). The 2× parse-only target is out of reach while the output is
pretty-printed: formatting alone takes several times the parse, in our generator as in progenitor.
*Write* is the time to create the files. It is measured in memory (`/dev/shm`, and progenitor's
crates go there too): this VM's disk slows down for a while after heavy writing (a build, an earlier
run, removing thousands of files), and with the crates on disk the 10-operation spec's write stage
took anywhere from 0.7 ms to 13 ms, and the 100-operation spec's from 1.4 ms to 40 ms, depending on
what ran before. Each run still writes into a folder of its own, and all of them are removed when
the bench is over.

**Against progenitor, by size.** Ours takes about a third of progenitor's time or less from 100
operations up, but more than half on the smallest spec (10 operations), and in some runs of the
bench on our own spec (29 operations in its progenitor-compatible form; 0.41× to 0.59× in runs on
2026-12-05). On small specs the costs that do not grow with the spec weigh most, and ours has more
of them: it writes 24 files (12 of them the runtime, copied as source) where progenitor writes 2,
starts a thread to format on the second core, and keeps the YAML as a JSON value and a line index
for its diagnostics. There the median of either generator also moves by 10–20% between runs.

**Build cost.** `cargo check` is faster than for progenitor's crate (less code to type-check); a debug
`cargo build` is slower: every crate compiles its own copy of the runtime, every operation gets a
boxed `IntoFuture`, and each response type's `Deserialize` is instantiated twice, plainly and with
path tracking (decoding plainly first keeps a large page as fast as hand-written code; the
path-tracking copy is only used to explain a failure).

**Client overhead.** Per request the generated client does what the hand-written calls do plus: a
tracing span, the retry loop, status and headers kept for `send_with_response`, and a boxed future
(`.await` on a builder goes through `IntoFuture`). A builder's `send` returns the runtime's future
itself rather than wrapping it in `async fn`s of its own (each layer moved the whole ~2.4 KB request
future once more). The hand-written calls send the same headers as the generated client since
2026-12-05; before, they sent only the two credentials (three headers fewer for both processes to
write and read), and the ratio at concurrency 64 was 1.07× to 1.10×. Counted with
`valgrind --tool=callgrind` on `client-bench requests URL 4000 64 1` (`BENCH_ONLY=generated`, then
`hand-written`), the generated client's process now executes about 2% fewer instructions than the
hand-written one's: `reqwest`'s `.header(name, value)` parses each name and value on every request,
where the runtime builds its default headers once. At concurrency 1 the generated client is 3–8%
slower in most runs (0.98× to 1.08× on 2026-12-05) although its process executes fewer instructions
there too (413.0 M against 418.4 M for 4,000 requests) and makes the same system calls per request
(`strace -c`): `valgrind --tool=cachegrind` counts about 250 more first-level data cache misses per
request (5.23 M against 4.23 M), most of them writes, spread over the runtime's attempt loop,
`reqwest`'s copy of the request and the box of `IntoFuture`. The request's future is about 2.4 KB where the
hand-written one is 440 bytes; boxing the attempt loop shrank it to 1 KB but removed only 2% of
those misses and added an allocation, so it was not kept. Where the rest come from is not found.

**Noise.** This machine is a 2-core VM; the client benchmarks run the server and the client on the
same two cores, so they measure CPU spent per request as much as latency. Runs alternate between the
generated and the hand-written client to spread drift over both, but single ratios near 1.0 move by
a few percent between runs of the bench.
";
