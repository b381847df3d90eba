//! Section 4: the generated client against hand-written `reqwest` calls, through
//! `xtask/client-bench` (a loopback server process, and one client process per measurement).

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use anyhow::{bail, Context, Result};

use super::report::{DecodeRow, PagingRow, Report, RequestRow};
use super::settings::{progress, Settings};
use super::stats::{json_lines, number, Sample};
use crate::cmd::{Cmd, KillOnDrop};

const REQUESTS: usize = 20_000;
const CONCURRENCY: &[usize] = &[1, 64];
const PAGE_ITEMS: usize = 10_000;
const PAGING_TOTALS: &[usize] = &[10_000, 100_000, 1_000_000];
const PAGE_SIZE: usize = 1_000;

pub fn measure(settings: &Settings, report: &mut Report) -> Result<()> {
    progress("client: building xtask/client-bench (release)");
    Cmd::new("cargo")
        .args(["build", "--quiet", "--release", "-p", "client-bench"])
        .dir(&settings.root)
        .run()?;
    let binary = settings.root.join("target/release/client-bench");

    let serve = Cmd::new(&binary).arg("serve");
    let mut child = serve
        .command()
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start the loopback server, {serve}"))?;
    let stdout = child.stdout.take().context("the server has no stdout")?;
    let server = KillOnDrop(child);
    let mut url = String::new();
    BufReader::new(stdout)
        .read_line(&mut url)
        .context("reading the server's address")?;
    let url = url.trim().to_owned();
    if !url.starts_with("http://") {
        bail!("the server did not print its address (got `{url}`)");
    }

    let client_with = |args: &[String], env: &[(&str, &str)]| -> Result<Vec<serde_json::Value>> {
        let mut command = Cmd::new(&binary).args(args);
        for (key, value) in env {
            command = command.env(key, value);
        }
        Ok(json_lines(&command.read()?))
    };
    let client = |args: &[String]| client_with(args, &[]);
    // Single timings move between runs on this machine: more runs steady the medians. A run of
    // requests takes turns between the clients in chunks, and a large page is short (the tables
    // give its time), so both get more runs than the other sections.
    let runs = (2 * settings.runs).to_string();
    let page_runs = (10 * settings.runs).to_string();
    for &concurrency in CONCURRENCY {
        progress(&format!("client: {REQUESTS} requests at concurrency {concurrency}"));
        let lines = client(&[
            "requests".into(),
            url.clone(),
            REQUESTS.to_string(),
            concurrency.to_string(),
            runs.clone(),
        ])?;
        let (generated, hand_written) = by_mode(&lines);
        report.requests.push(RequestRow {
            concurrency,
            count: REQUESTS,
            generated,
            hand_written,
        });
    }
    progress(&format!("client: one page of {PAGE_ITEMS} items"));
    let lines = client(&["decode".into(), url.clone(), PAGE_ITEMS.to_string(), page_runs])?;
    let (generated, hand_written) = by_mode(&lines);
    report.decode.push(DecodeRow {
        items: PAGE_ITEMS,
        generated,
        hand_written,
    });
    for &total in PAGING_TOTALS {
        progress(&format!("client: paging through {total} items, one process per run"));
        let mut row = PagingRow {
            items: total,
            page_size: PAGE_SIZE,
            secs: Sample::default(),
            growth_kb: Sample::default(),
            hwm_after_kb: Sample::default(),
            growth_one_arena_kb: Sample::default(),
        };
        let args = ["paging".into(), url.clone(), total.to_string(), PAGE_SIZE.to_string()];
        // One warm-up walk (the server builds and caches the pages), then the measured ones.
        for run in 0..=settings.runs {
            let lines = client(&args)?;
            let line = lines.first().context("client-bench paging printed nothing")?;
            // The same walk with one malloc arena, to tell glibc's per-thread arenas apart.
            let lines = client_with(&args, &[("MALLOC_ARENA_MAX", "1")])?;
            let one_arena = lines.first().context("client-bench paging printed nothing")?;
            if run > 0 {
                row.secs.push(number(line, "secs"));
                row.hwm_after_kb.push(number(line, "hwm_after_kb"));
                row.growth_kb
                    .push(number(line, "hwm_after_kb") - number(line, "rss_before_kb"));
                row.growth_one_arena_kb
                    .push(number(one_arena, "hwm_after_kb") - number(one_arena, "rss_before_kb"));
            }
        }
        report.paging.push(row);
    }
    drop(server);
    Ok(())
}

fn by_mode(lines: &[serde_json::Value]) -> (Sample, Sample) {
    let mut generated = Sample::default();
    let mut hand_written = Sample::default();
    for line in lines {
        let secs = number(line, "secs");
        match line.get("mode").and_then(serde_json::Value::as_str) {
            Some("generated") => generated.push(secs),
            Some("hand-written") => hand_written.push(secs),
            _ => {}
        }
    }
    (generated, hand_written)
}
