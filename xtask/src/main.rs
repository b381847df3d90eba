//! `cargo xtask codegen [--check]` regenerates the client; `cargo xtask test` runs every check;
//! `cargo xtask bench` measures and writes `BENCHMARKS.md`.
//!
//! Modules depend one way: `main` → `test` → `corpus`, `fastapi` → `generate`, `scratch` and `cmd`;
//! `bench` and `large` use those three too; `workspace` stands alone. `generate` is the only module that calls the
//! generator.

use std::process::ExitCode;

use anyhow::{bail, Result};

mod bench;
mod cmd;
mod corpus;
mod fastapi;
mod generate;
mod large;
mod scratch;
mod semver;
mod test;
mod workspace;

/// Generation allocates and frees many small values (tokens, syntax trees), which mimalloc does
/// faster than glibc's malloc; `cargo xtask bench` measures generation with it (see the notes in
/// `BENCHMARKS.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the context chain on one line: `what failed: why`.
            eprintln!("{error:#}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[&str]) -> Result<()> {
    match args {
        ["codegen"] => generate::regenerate_client(&workspace::root()?),
        ["codegen", "--check"] => generate::check_client(&workspace::root()?),
        ["test"] => test::run_all(&workspace::root()?),
        ["corpus"] => corpus::check(&workspace::root()?),
        ["fastapi"] => test::fastapi_round_trip(&workspace::root()?),
        ["corpus", "--large"] => large::large(&workspace::root()?),
        ["corpus", "--apis-guru"] => large::apis_guru(&workspace::root()?, ""),
        ["corpus", "--apis-guru", only] => large::apis_guru(&workspace::root()?, only),
        // The children of the two above, one per spec.
        ["corpus-large-one", spec, crate_name, output] => large::large_one(spec, crate_name, output),
        [large::CHILD_COMMAND, spec] => large::generate_only(spec),
        ["bench", rest @ ..] => bench::run(&workspace::root()?, rest),
        ["semver"] => semver::check(&workspace::root()?),
        // Works on any spec, from anywhere: no workspace needed.
        ["generate", spec, output] => generate::generate_any(spec, None, output),
        ["generate", spec, crate_name, output] => generate::generate_any(spec, Some(crate_name), output),
        _ => bail!("{}", usage()),
    }
}

fn usage() -> String {
    format!(
        "usage:
  cargo xtask codegen           regenerate generated-client/ from openapi/sgp-evaluations.yaml
  cargo xtask codegen --check   fail with a diff if generated-client/ is stale (changes nothing)
  cargo xtask test              install what the tests need and run every check
  cargo xtask corpus            generate and compile every spec of @readme/oas-examples; compare to tests/corpus/expectations.txt
  cargo xtask fastapi           the FastAPI round trip: tests/fastapi/app.py's OpenAPI 3.1 document → a client that calls the app on 127.0.0.1
  cargo xtask corpus --large    generate and `cargo check` Stripe, Kubernetes and GitHub, measured (minutes; not in `test`)
  cargo xtask corpus --apis-guru [PATH_PART]
                                generate every APIs.guru spec (or those whose path contains PATH_PART)
                                in memory, one child process each; count the outcomes
  cargo xtask semver            cargo-semver-checks on the previous release's crate and the client; its verdict must be the change report's
  cargo xtask generate SPEC [CRATE_NAME] OUT
                                write a client crate for any OpenAPI 3.0 or 3.1 file (YAML or JSON) into OUT
{}",
        bench::USAGE
    )
}
