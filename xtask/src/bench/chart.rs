//! `BENCHMARKS-scaling.svg`: generation time per operation against spec size, drawn by hand as
//! SVG (no plotting dependency).

use std::fmt::Write as _;

use super::stats::{count, digits};

/// A line of the chart: name, colour, `(operations, µs per operation)` points.
pub type Series = (&'static str, &'static str, Vec<(f64, f64)>);

/// One line per series on a log-scaled x axis (operations) and a linear y axis (µs per operation).
pub fn scaling_svg(series: &[Series]) -> String {
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
