//! The course's x–y charts: what `descent::train::loss_curves` cannot draw (a loss against
//! wall time, an optimizer's path in the plane, a gradient norm per layer), drawn with plotters.
//! Included by the course examples with `#[path = "course/plot.rs"] mod plot;`.
#![allow(dead_code)] // each example uses the part it needs

use plotters::prelude::*;

/// One panel: a title, two axes and its lines.
pub struct Chart<'a> {
    pub title: &'a str,
    pub x: Axis<'a>,
    pub y: Axis<'a>,
    pub lines: Vec<Line>,
}

/// An axis: its label, and whether it is logarithmic (base 10).
#[derive(Clone, Copy)]
pub struct Axis<'a> {
    pub label: &'a str,
    pub log: bool,
}

impl<'a> Axis<'a> {
    pub fn linear(label: &'a str) -> Self {
        Axis { label, log: false }
    }
    pub fn log(label: &'a str) -> Self {
        Axis { label, log: true }
    }
}

/// A named line through `points`; an empty name draws a thin grey line without a legend entry
/// (contour lines, reference lines). `markers` also marks every point.
pub struct Line {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    pub markers: bool,
}

impl Line {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Line {
            name: name.into(),
            points,
            markers: false,
        }
    }
    pub fn marked(mut self) -> Self {
        self.markers = true;
        self
    }
}

const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Writes the charts side by side into one SVG file at `path` (its directory is created).
/// Points that cannot be drawn (not finite, or not positive on a log axis) are left out.
pub fn save(path: &str, charts: &[Chart]) -> Result<(), String> {
    let mut svg = String::new();
    {
        let width = 620 * charts.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 460)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        for (area, chart) in root.split_evenly((1, charts.len())).iter().zip(charts) {
            draw(area, chart)?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{path}: {e}"))?;
    }
    std::fs::write(path, svg).map_err(|e| format!("{path}: {e}"))
}

fn draw(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &Chart,
) -> Result<(), String> {
    let text = |e: &dyn std::fmt::Display| e.to_string();
    let scale = |axis: &Axis, v: f64| if axis.log { v.log10() } else { v };
    let drawable = |axis: &Axis, v: f64| v.is_finite() && (!axis.log || v > 0.0);
    let lines: Vec<(&Line, Vec<(f64, f64)>)> = chart
        .lines
        .iter()
        .map(|line| {
            let points = line
                .points
                .iter()
                .filter(|&&(x, y)| drawable(&chart.x, x) && drawable(&chart.y, y));
            let points: Vec<(f64, f64)> = points
                .map(|&(x, y)| (scale(&chart.x, x), scale(&chart.y, y)))
                .collect();
            (line, thin(points))
        })
        .collect();
    let all = lines.iter().flat_map(|(_, points)| points.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        return Err(format!("{}: nothing to draw", chart.title));
    }
    // A linear axis gets a small margin; a log axis spans whole powers of ten, so that the
    // highest line has a tick above it and the lowest one below.
    let span = |axis: &Axis, lo: f64, hi: f64| match axis.log {
        true => (lo.floor(), hi.ceil().max(lo.floor() + 1.0)),
        false => {
            let pad = ((hi - lo) * 0.04).max(1e-9);
            (lo - pad, hi + pad)
        }
    };
    let (x_span, y_span) = (span(&chart.x, x0, x1), span(&chart.y, y0, y1));
    let mut plot = ChartBuilder::on(area)
        .caption(chart.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(62)
        .build_cartesian_2d(x_span.0..x_span.1, y_span.0..y_span.1)
        .map_err(|e| text(&e))?;
    // One style for all the ticks of an axis: plain when every value fits 0.001..10000 (or is
    // 0), scientific otherwise; never "1000" beside "1e4".
    let tick = |axis: Axis<'_>, (lo, hi): (f64, f64)| {
        let unscaled = move |v: f64| if axis.log { 10f64.powf(v) } else { v };
        let (lo, hi) = (unscaled(lo), unscaled(hi));
        let plain = match lo <= 0.0 && hi >= 0.0 {
            true => lo.abs().max(hi.abs()) < 1e4,
            false => lo.abs().min(hi.abs()) >= 1e-3 && lo.abs().max(hi.abs()) < 1e4,
        };
        move |v: &f64| {
            let v = unscaled(*v);
            if plain || v == 0.0 {
                let s = format!("{v:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                let s = format!("{v:.2e}"); // "2.50e-1", "1.00e3"
                let (mantissa, exponent) = s.split_once('e').expect("scientific");
                let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
                format!("{mantissa}e{exponent}")
            }
        }
    };
    let (x_tick, y_tick) = (tick(chart.x, x_span), tick(chart.y, y_span));
    let with_scale = |axis: &Axis| {
        if axis.log {
            format!("{} (log scale)", axis.label)
        } else {
            axis.label.to_string()
        }
    };
    // A log axis is labelled at its powers of ten only.
    let labels = |axis: &Axis, (lo, hi): (f64, f64)| match axis.log {
        true => (hi - lo) as usize + 1,
        false => 10,
    };
    plot.configure_mesh()
        .x_labels(labels(&chart.x, x_span))
        .y_labels(labels(&chart.y, y_span))
        .x_desc(with_scale(&chart.x))
        .y_desc(with_scale(&chart.y))
        .x_label_formatter(&x_tick)
        .y_label_formatter(&y_tick)
        .max_light_lines(0)
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(|e| text(&e))?;
    let legend = emptiest_corner(&lines, x_span, y_span);
    let mut colour = 0;
    for (line, points) in lines {
        if line.name.is_empty() {
            let grey = RGBColor(200, 200, 200).stroke_width(1);
            plot.draw_series(LineSeries::new(points, grey))
                .map_err(|e| text(&e))?;
            continue;
        }
        let style = COLOURS[colour % COLOURS.len()].stroke_width(2);
        colour += 1;
        if line.markers {
            plot.draw_series(points.iter().map(|&p| Circle::new(p, 3, style.filled())))
                .map_err(|e| text(&e))?;
        }
        plot.draw_series(LineSeries::new(points, style))
            .map_err(|e| text(&e))?
            .label(line.name.clone())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
    }
    plot.configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(|e| text(&e))
}

/// The corner of the chart where the legend hides the fewest points: the one whose box (the
/// outer 45% of the width, 30% of the height) holds the fewest.
fn emptiest_corner(
    lines: &[(&Line, Vec<(f64, f64)>)],
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> SeriesLabelPosition {
    let points = || lines.iter().flat_map(|(_, points)| points.iter());
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let hidden = |&(_, right, upper): &(SeriesLabelPosition, bool, bool)| {
        let inside = |&&(x, y): &&(f64, f64)| {
            let (fx, fy) = ((x - x0) / (x1 - x0), (y - y0) / (y1 - y0));
            (if right { fx > 0.55 } else { fx < 0.45 }) && (if upper { fy > 0.7 } else { fy < 0.3 })
        };
        points().filter(inside).count()
    };
    let best = corners.into_iter().min_by_key(hidden);
    best.map_or(SeriesLabelPosition::UpperRight, |(position, _, _)| position)
}

/// At most about 600 points of a long line, evenly spaced along x (as drawn), with the first
/// and the last: a 10,000-update run stays a small file.
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    const MAX: usize = 600;
    if points.len() <= MAX {
        return points;
    }
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let step = (last - first) / MAX as f64;
    let mut kept: Vec<(f64, f64)> = vec![];
    for (i, &p) in points.iter().enumerate() {
        let due = kept.last().is_none_or(|k| p.0 - k.0 >= step);
        if due || i == points.len() - 1 {
            kept.push(p);
        }
    }
    kept
}
