//! Loss curves as an SVG file, drawn with plotters: one line per run, a legend, labelled axes,
//! and a linear or logarithmic loss axis.
//!
//! Ticks are printed by plotters' float printer in one style per axis: plain when every tick
//! fits in 0.001..10000, scientific for all of them otherwise. A logarithmic axis spans whole
//! powers of ten, so the highest curve has a tick above it. Each run has its own colour and
//! dash pattern, so identical curves stay visible on top of each other.
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::data::float::FloatPrettyPrinter;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::fmt;
use std::path::{Path, PathBuf};

/// Writes the loss curves `series` (a name and one loss per iteration or epoch, from 0) to an
/// SVG file at `path`, creating its directory; `x_label` names the x axis ("epoch",
/// "iteration"). With `log_y` the loss axis is logarithmic, the right choice when losses span
/// several orders of magnitude.
///
/// Values that cannot be drawn (NaN and infinities, and zero or negative losses on a log axis)
/// break a line rather than spoil the plot, so a diverged run can be shown beside the others.
/// Runs are told apart by colour and dash pattern (solid, dashed, dotted, long dashes), so a
/// run hidden under an identical one still shows.
///
/// ```
/// use descent_train::loss_curves;
///
/// let dir = std::env::temp_dir().join(format!("descent-plot-doc-{}", std::process::id()));
/// let path = dir.join("losses.svg");
/// let sgd = [1.0, 0.5, 0.3, 0.2];
/// let adam = [1.0, 0.2, 0.05, 0.01];
/// loss_curves(&path, "digits MLP", "epoch", &[("SGD", &sgd), ("Adam", &adam)], true)?;
///
/// let svg = std::fs::read_to_string(&path).unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("Adam") && svg.contains("digits MLP"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), descent_train::PlotError>(())
/// ```
///
/// # Errors
/// [`PlotError`], naming the file: no value can be drawn, the drawing failed, or the file or
/// its directory cannot be written.
pub fn loss_curves(
    path: impl AsRef<Path>,
    title: &str,
    x_label: &str,
    series: &[(&str, &[f64])],
    log_y: bool,
) -> Result<(), PlotError> {
    let path = path.as_ref();
    let drawable = |y: f64| y.is_finite() && (!log_y || y > 0.0);
    let values = series.iter().flat_map(|(_, ys)| ys.iter().copied());
    let (low, high) = values
        .filter(|&y| drawable(y))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
    if low > high {
        return Err(PlotError::NoData {
            path: path.to_path_buf(),
            log_y,
        });
    }
    let longest = series.iter().map(|(_, ys)| ys.len()).max().unwrap_or(0);
    let x_range = 0.0..(longest.saturating_sub(1).max(1)) as f64;

    let mut svg = String::new();
    let drawn = if log_y {
        // Whole decades: a tick below the lowest value and above the highest.
        let low = 10f64.powf(low.log10().floor());
        let high = 10f64.powf(high.log10().ceil()).max(low * 10.0);
        let decades = (high / low).log10().round() as usize;
        // Within two decades, label 2×, 3×, … 9× too (plotters adds them when asked for
        // ten labels per decade).
        let labels = if decades <= 2 { 10 * decades } else { 10 };
        let y_range = (low..high).log_scale();
        draw(
            &mut svg,
            title,
            x_label,
            ("loss (log scale)", labels),
            x_range,
            y_range,
            series,
            drawable,
        )
    } else {
        let pad = if low == high {
            low.abs().max(1.0) * 0.1
        } else {
            (high - low) * 0.05
        };
        let y_range = (low - pad)..(high + pad);
        draw(
            &mut svg,
            title,
            x_label,
            ("loss", 10),
            x_range,
            y_range,
            series,
            drawable,
        )
    };
    drawn.map_err(|message| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    })?;

    let io = |source| PlotError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, svg).map_err(io)
}

/// Line colours: matplotlib's "tab10", distinct on white.
const COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Dash patterns, (dash, gap) in pixels, after the first run's solid line.
const DASHES: [(i32, i32); 3] = [(10, 5), (3, 4), (18, 6)];

/// Draws the chart into `svg`; generic over the y axis (linear or logarithmic), whose label
/// and number of ticks are `y_axis`.
#[allow(clippy::too_many_arguments)]
fn draw<Y>(
    svg: &mut String,
    title: &str,
    x_label: &str,
    y_axis: (&str, usize),
    x_range: std::ops::Range<f64>,
    y_range: Y,
    series: &[(&str, &[f64])],
    drawable: impl Fn(f64) -> bool,
) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let (y_label, y_ticks) = y_axis;
    let text = |e: &dyn fmt::Display| e.to_string();
    let root = SVGBackend::with_string(svg, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| text(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(75)
        .build_cartesian_2d(x_range, y_range)
        .map_err(|e| text(&e))?;
    let y_range = chart.y_range();
    let y_style = TickStyle::for_range(y_range.start, y_range.end);
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .y_labels(y_ticks)
        .x_label_formatter(&|&x| TickStyle::Plain.print(x))
        .y_label_formatter(&|&y| y_style.print(y))
        .max_light_lines(0)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(|e| text(&e))?;
    for (i, (name, ys)) in series.iter().enumerate() {
        let style = COLOURS[i % COLOURS.len()].stroke_width(2);
        let dash = (i % (DASHES.len() + 1)).checked_sub(1).map(|d| DASHES[d]);
        // Split the curve at undrawable values; the first piece (maybe empty) carries the legend.
        let points = ys.iter().enumerate().map(|(x, &y)| (x as f64, y));
        let mut pieces: Vec<Vec<(f64, f64)>> = vec![vec![]];
        for (x, y) in points {
            match (drawable(y), pieces.last_mut()) {
                (true, Some(piece)) => piece.push((x, y)),
                (false, Some(piece)) if !piece.is_empty() => pieces.push(vec![]),
                _ => {}
            }
        }
        for (k, piece) in pieces.into_iter().enumerate() {
            let line = match dash {
                None => chart.draw_series(LineSeries::new(piece, style)),
                Some((size, gap)) => {
                    chart.draw_series(DashedLineSeries::new(piece, size, gap, style))
                }
            };
            let line = line.map_err(|e| text(&e))?;
            if k == 0 {
                let (size, gap) = dash.unwrap_or((30, 0));
                line.label(*name).legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 30, y)], size, gap, style)
                });
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .draw()
        .map_err(|e| text(&e))?;
    root.present().map_err(|e| text(&e))
}

/// How every tick of one axis is printed, with plotters' float printer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TickStyle {
    /// "0.25", "1000".
    Plain,
    /// "2.5e-1", "1e3".
    Scientific,
}

impl TickStyle {
    /// Plain when every value of `low..high` prints well so (0, or 0.001 ≤ |v| < 10000),
    /// scientific otherwise.
    fn for_range(low: f64, high: f64) -> TickStyle {
        let largest = low.abs().max(high.abs());
        let smallest_non_zero = match (low > 0.0, high < 0.0) {
            (true, _) => low,
            (_, true) => -high,
            _ => largest, // the range holds 0: ticks near 0 are multiples of the step
        };
        match largest < 1e4 && smallest_non_zero >= 1e-3 {
            true => TickStyle::Plain,
            false => TickStyle::Scientific,
        }
    }

    fn print(self, value: f64) -> String {
        let printer = FloatPrettyPrinter {
            allow_scientific: false,
            min_decimal: 0,
            max_decimal: 3,
        };
        if self == TickStyle::Plain || value == 0.0 {
            return printer.print(value);
        }
        let exponent = value.abs().log10().floor();
        let mantissa = value / 10f64.powf(exponent);
        // 9.9999 rounds to "10": carry it into the exponent.
        let (mantissa, exponent) = match printer.print(mantissa).as_str() {
            "10" | "-10" => (mantissa / 10.0, exponent + 1.0),
            _ => (mantissa, exponent),
        };
        format!("{}e{exponent}", printer.print(mantissa))
    }
}

/// Why [`loss_curves`] could not write its plot; every variant names the file.
///
/// ```
/// use descent_train::{PlotError, loss_curves};
/// let err = loss_curves("losses.svg", "t", "epoch", &[("run", &[0.0, -1.0])], true).unwrap_err();
/// assert!(matches!(err, PlotError::NoData { log_y: true, .. })); // nothing positive for a log axis
/// ```
#[derive(Debug)]
pub enum PlotError {
    /// No value in any series can be drawn (all NaN or infinite, or none positive on a log
    /// axis), or there are no series.
    NoData {
        /// The plot's file.
        path: PathBuf,
        /// Whether the loss axis was logarithmic.
        log_y: bool,
    },
    /// plotters failed to draw.
    Draw {
        /// The plot's file.
        path: PathBuf,
        /// plotters' message.
        message: String,
    },
    /// The file or its directory could not be written.
    Io {
        /// The plot's file.
        path: PathBuf,
        /// The error from the file system.
        source: std::io::Error,
    },
}

impl fmt::Display for PlotError {
    /// ```
    /// use descent_train::loss_curves;
    /// let err = loss_curves("plots/empty.svg", "nothing", "epoch", &[("run", &[f64::NAN])], false)
    ///     .unwrap_err();
    /// assert_eq!(err.to_string(), "plots/empty.svg: nothing to plot: no finite loss values");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::NoData { path, log_y: false } => {
                write!(
                    f,
                    "{}: nothing to plot: no finite loss values",
                    path.display()
                )
            }
            PlotError::NoData { path, log_y: true } => write!(
                f,
                "{}: nothing to plot: no finite, positive loss values for a log scale",
                path.display()
            ),
            PlotError::Draw { path, message } => {
                write!(f, "{}: cannot draw the plot: {message}", path.display())
            }
            PlotError::Io { path, source } => {
                write!(f, "{}: cannot write the plot: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for PlotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlotError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("descent-plot-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_diverged_run_breaks_its_line_but_keeps_its_legend() {
        let path = temp("diverged.svg");
        let good = [1.0, 0.1, 0.01];
        let bad = [1.0, 50.0, f64::INFINITY, f64::NAN];
        loss_curves(
            &path,
            "lr",
            "iteration",
            &[("good", &good), ("too large", &bad)],
            true,
        )
        .unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("\ngood\n") && svg.contains("\ntoo large\n"));
        assert!(svg.contains("loss (log scale)") && svg.contains("iteration"));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn one_style_per_axis() {
        let plain = TickStyle::for_range(0.01, 5000.0);
        assert_eq!(plain, TickStyle::Plain);
        let ticks: Vec<String> = [0.0, 1.0, 2.5, 0.125, 1000.0, -20.0]
            .map(|v| plain.print(v))
            .to_vec();
        assert_eq!(ticks, ["0", "1", "2.5", "0.125", "1000", "-20"]);

        // 1000 and 10000 on one axis: both scientific, never "1000" beside "1e4".
        let wide = TickStyle::for_range(1.0, 1e4);
        assert_eq!(wide, TickStyle::Scientific);
        let ticks: Vec<String> = [1.0, 1000.0, 1e4, 25000.0, 0.0, 9.99999e2]
            .map(|v| wide.print(v))
            .to_vec();
        assert_eq!(ticks, ["1e0", "1e3", "1e4", "2.5e4", "0", "1e3"]);
        assert_eq!(TickStyle::for_range(1e-5, 1.0).print(2e-5), "2e-5");
        assert_eq!(TickStyle::for_range(-0.5, 0.5), TickStyle::Plain);
    }

    /// The text of every y-axis tick label in an SVG (labels right-aligned left of the axis).
    fn labels(svg: &str) -> Vec<String> {
        svg.split("<text")
            .filter(|t| t.contains("text-anchor=\"end\""))
            .filter_map(|t| Some(t.split('>').nth(1)?.split('<').next()?.trim().to_string()))
            .collect()
    }

    #[test]
    fn a_log_axis_has_a_tick_above_the_highest_value_and_one_style() {
        let path = temp("decades.svg");
        loss_curves(&path, "t", "x", &[("a", &[3.0, 50.0, 9000.0])], true).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        let ticks = labels(&svg);
        assert!(ticks.contains(&"1e4".to_string()), "{ticks:?}"); // above 9000
        assert!(ticks.contains(&"1e0".to_string()), "{ticks:?}"); // below 3
        assert!(ticks.iter().all(|t| t.contains('e')), "{ticks:?}");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn identical_runs_are_drawn_solid_and_dashed() {
        let path = temp("identical.svg");
        let curve = [1.0, 0.5, 0.25];
        loss_curves(&path, "t", "x", &[("a", &curve), ("b", &curve)], false).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        let solid = svg.matches("<polyline").count();
        let dashes = svg.matches("<line").count() + svg.matches("<path").count();
        assert!(
            solid >= 1 && dashes > 4,
            "solid {solid}, dash pieces {dashes}"
        );
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn linear_axis_takes_negative_and_constant_values() {
        let path = temp("linear.svg");
        loss_curves(
            &path,
            "flat",
            "step",
            &[("constant", &[2.0, 2.0]), ("neg", &[-1.0])],
            false,
        )
        .unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("\nneg\n"));
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn nothing_positive_on_a_log_axis_is_an_error_naming_the_file() {
        let err =
            loss_curves(temp("zero.svg"), "t", "x", &[("zero", &[0.0, -1.0])], true).unwrap_err();
        assert!(matches!(err, PlotError::NoData { log_y: true, .. }));
        assert!(err.to_string().contains("zero.svg: nothing to plot"));
        let none = loss_curves(temp("none.svg"), "t", "x", &[], false).unwrap_err();
        assert!(matches!(none, PlotError::NoData { log_y: false, .. }));
    }

    #[test]
    fn an_unwritable_path_is_an_io_error() {
        let file = temp("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let err =
            loss_curves(file.join("plot.svg"), "t", "x", &[("a", &[1.0])], false).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(
            err.to_string()
                .contains("not-a-dir/plot.svg: cannot write the plot: ")
        );
        assert!(std::error::Error::source(&err).is_some());
        std::fs::remove_file(&file).unwrap();
    }
}
