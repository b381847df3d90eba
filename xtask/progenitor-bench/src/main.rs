//! `progenitor-bench SPEC RUNS OUT_DIR [CRATE_NAME]`: generates a client for SPEC with
//! progenitor-impl 0.15.1 RUNS times and prints one JSON line of stage timings per run; the crate
//! of the last run is left in OUT_DIR (`Cargo.toml` + `src/lib.rs`, dependencies as
//! `cargo progenitor` writes them).
//!
//! The stages mirror ours: load (read + `serde_yaml` → `openapiv3`), generate (`generate_tokens`,
//! builder interface, merged tags), format (`syn` + `prettyplease`, as progenitor's README
//! recommends for build scripts) and write. It allocates with mimalloc, as `xtask` does, so that
//! the two generators are compared on the same allocator.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use progenitor_impl::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (spec, runs, out) = match args.as_slice() {
        [spec, runs, out] | [spec, runs, out, _] => {
            (PathBuf::from(spec), runs.parse().unwrap_or(1), PathBuf::from(out))
        }
        _ => {
            eprintln!("usage: progenitor-bench SPEC RUNS OUT_DIR [CRATE_NAME]");
            return ExitCode::FAILURE;
        }
    };
    let crate_name = args
        .get(3)
        .cloned()
        .unwrap_or_else(|| "progenitor-client-bench".to_owned());
    for run in 0..runs {
        match generate(&spec, &out, &crate_name) {
            Ok(times) => println!(
                "{{\"run\":{run},\"load\":{},\"generate\":{},\"format\":{},\"write\":{},\"lines\":{}}}",
                secs(times.load),
                secs(times.generate),
                secs(times.format),
                secs(times.write),
                times.lines
            ),
            Err(message) => {
                println!("{{\"error\":{}}}", serde_json::Value::String(message));
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

struct Times {
    load: Duration,
    generate: Duration,
    format: Duration,
    write: Duration,
    lines: usize,
}

fn secs(duration: Duration) -> f64 {
    duration.as_secs_f64()
}

fn generate(spec_path: &Path, out: &Path, crate_name: &str) -> Result<Times, String> {
    let started = Instant::now();
    let text = std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
    let spec: openapiv3::OpenAPI = serde_yaml::from_str(&text).map_err(|e| format!("parse: {e}"))?;
    let load = started.elapsed();

    let started = Instant::now();
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged);
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let manifest = manifest(&generator, crate_name);
    let generate = started.elapsed();

    let started = Instant::now();
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("parse generated code: {e}"))?;
    let code = prettyplease::unparse(&file);
    let format = started.elapsed();

    let started = Instant::now();
    let src = out.join("src");
    std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    std::fs::write(out.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(src.join("lib.rs"), &code).map_err(|e| e.to_string())?;
    let write = started.elapsed();

    Ok(Times {
        load,
        generate,
        format,
        write,
        lines: code.lines().count(),
    })
}

/// The manifest `cargo progenitor` 0.15.1 writes (its `dependencies` function, with the client
/// code as the `progenitor-client` dependency rather than copied in).
fn manifest(generator: &Generator, crate_name: &str) -> String {
    let mut deps = vec![
        "bytes = \"1.9\"".to_owned(),
        "futures-core = \"0.3\"".to_owned(),
        "reqwest = { version = \"0.13\", default-features = false, features = [\"json\", \"query\", \"stream\"] }"
            .to_owned(),
        "serde = { version = \"1.0\", features = [\"derive\"] }".to_owned(),
        "serde_urlencoded = \"0.7\"".to_owned(),
        "progenitor-client = \"0.15.1\"".to_owned(),
    ];
    let types = generator.get_type_space();
    if types.uses_regress() {
        deps.push("regress = \"0.10\"".to_owned());
    }
    if types.uses_uuid() {
        deps.push("uuid = { version = \"1.0\", features = [\"serde\", \"v4\"] }".to_owned());
    }
    if types.uses_chrono() {
        deps.push("chrono = { version = \"0.4\", default-features = false, features = [\"serde\"] }".to_owned());
    }
    if generator.uses_futures() {
        deps.push("futures = \"0.3\"".to_owned());
    }
    if types.uses_serde_json() {
        deps.push("serde_json = \"1.0\"".to_owned());
    }
    deps.sort_unstable();
    format!(
        "[package]\nname = \"{crate_name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{}\n",
        deps.join("\n")
    )
}
