//! Samples of repeated measurements and how they are printed, and the measurements read from a
//! child process's output (JSON lines) or from a generated crate (lines of Rust).

use std::fs;
use std::path::Path;

/// Repeated measurements of one quantity (seconds, bytes, ...).
#[derive(Clone, Debug, Default)]
pub struct Sample(pub Vec<f64>);

impl Sample {
    pub fn push(&mut self, value: f64) {
        self.0.push(value);
    }

    fn sorted(&self) -> Vec<f64> {
        let mut values = self.0.clone();
        values.sort_by(f64::total_cmp);
        values
    }

    pub fn median(&self) -> f64 {
        let values = self.sorted();
        match values.len() {
            0 => f64::NAN,
            n if n % 2 == 1 => values[n / 2],
            n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
        }
    }

    pub fn min(&self) -> f64 {
        self.sorted().first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.sorted().last().copied().unwrap_or(f64::NAN)
    }

    /// `12.3 ms (11.9–13.0)`: median, then min–max, all in the median's unit.
    pub fn time_cell(&self) -> String {
        let (unit, scale) = time_unit(self.median());
        format!(
            "{} {unit} ({}–{})",
            digits(self.median() * scale),
            digits(self.min() * scale),
            digits(self.max() * scale)
        )
    }
}

/// A time in seconds, in the unit that suits it.
pub fn time(seconds: f64) -> String {
    let (unit, scale) = time_unit(seconds);
    format!("{} {unit}", digits(seconds * scale))
}

fn time_unit(seconds: f64) -> (&'static str, f64) {
    if seconds >= 1.0 {
        ("s", 1.0)
    } else if seconds >= 1e-3 {
        ("ms", 1e3)
    } else {
        ("µs", 1e6)
    }
}

/// Three significant digits, without exponent.
pub fn digits(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// `0.42×`
pub fn ratio(value: f64) -> String {
    format!("{value:.2}×")
}

/// Thousands separated with commas: `100,000`.
pub fn count(value: usize) -> String {
    let text = value.to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `met` or `**missed**`.
pub fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

/// One JSON object per line; lines that are not JSON objects (progress) are skipped.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(serde_json::Value::is_object)
        .collect()
}

/// A number field of a JSON line.
pub fn number(line: &serde_json::Value, key: &str) -> f64 {
    line.get(key).and_then(serde_json::Value::as_f64).unwrap_or(f64::NAN)
}

/// Lines of all `.rs` files under `dir`.
pub fn rust_lines(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .map(|path| {
            if path.is_dir() {
                rust_lines(&path)
            } else if path.extension().is_some_and(|e| e == "rs") {
                fs::read_to_string(&path).map_or(0, |text| text.lines().count())
            } else {
                0
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max_and_cells() {
        let sample = Sample(vec![0.013, 0.0119, 0.0123, 0.0125, 0.012]);
        assert_eq!(sample.median(), 0.0123);
        assert_eq!(sample.time_cell(), "12.3 ms (11.9–13.0)");
        assert_eq!(Sample(vec![1.0, 3.0]).median(), 2.0);
        assert_eq!(count(100000), "100,000");
        assert_eq!(count(999), "999");
        assert_eq!(time(0.000_042), "42.0 µs");
    }
}
