//! The specs the benchmarks run on: ours, and synthetic ones of several sizes written to
//! `target/bench/specs/`.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::settings::Settings;
use super::synth;
use crate::generate::{self, SPEC};

/// Synthetic spec sizes, in operations.
const SIZES: &[usize] = &[10, 100, 1_000, 5_000];

/// One spec the benchmarks run on.
#[derive(Clone, Debug)]
pub struct SpecFile {
    /// `sgp-evaluations` or `synthetic-100`.
    pub name: String,
    pub path: PathBuf,
    /// Path relative to the repository root, for the tables.
    pub display: String,
    /// The progenitor-compatible variant, for synthetic specs.
    pub progenitor_variant: Option<PathBuf>,
}

/// Our spec and the synthetic specs.
pub struct Specs {
    pub ours: SpecFile,
    pub synthetic: Vec<SpecFile>,
}

/// Writes the synthetic specs (both flavors) and names ours.
pub fn write(settings: &Settings) -> Result<Specs> {
    let dir = settings.scratch("specs")?;
    let mut synthetic = Vec::new();
    for &size in SIZES {
        let write = |flavor: synth::Flavor, suffix: &str| -> Result<PathBuf> {
            let path = dir.join(format!("synthetic-{size}{suffix}.yaml"));
            fs::write(&path, synth::spec(size, flavor)).with_context(|| format!("writing {}", path.display()))?;
            Ok(path)
        };
        let path = write(synth::Flavor::Ours, "")?;
        let progenitor = write(synth::Flavor::Progenitor, "-progenitor")?;
        synthetic.push(SpecFile {
            name: format!("synthetic-{size}"),
            display: generate::display_path(&settings.root, &path),
            path,
            progenitor_variant: Some(progenitor),
        });
    }
    let ours = SpecFile {
        name: "sgp-evaluations".to_owned(),
        display: SPEC.to_owned(),
        path: settings.root.join(SPEC),
        progenitor_variant: None,
    };
    Ok(Specs { ours, synthetic })
}
