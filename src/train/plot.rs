//! Loss curves as an SVG file, drawn with plotters: one line per run, a legend, labelled axes,
//! and a linear or logarithmic loss axis.
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
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
///
/// ```
/// use descent::train::loss_curves;
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
/// # Ok::<(), descent::train::PlotError>(())
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
        let (low, high) = if low == high {
            (low / 2.0, high * 2.0)
        } else {
            (low / 1.2, high * 1.2)
        };
        let y_range = (low..high).log_scale();
        draw(
            &mut svg,
            title,
            x_label,
            "loss (log scale)",
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
            &mut svg, title, x_label, "loss", x_range, y_range, series, drawable,
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

/// Draws the chart into `svg`; generic over the y axis (linear or logarithmic).
#[allow(clippy::too_many_arguments)]
fn draw<Y>(
    svg: &mut String,
    title: &str,
    x_label: &str,
    y_label: &str,
    x_range: std::ops::Range<f64>,
    y_range: Y,
    series: &[(&str, &[f64])],
    drawable: impl Fn(f64) -> bool,
) -> Result<(), String>
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
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
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|&y| tick(y))
        .max_light_lines(0)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .draw()
        .map_err(|e| text(&e))?;
    for (i, (name, ys)) in series.iter().enumerate() {
        let style = COLOURS[i % COLOURS.len()].stroke_width(2);
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
            let line = chart
                .draw_series(LineSeries::new(piece, style))
                .map_err(|e| text(&e))?;
            if k == 0 {
                line.label(*name)
                    .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style));
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

/// A loss-axis label: plain for moderate values, scientific notation for tiny or huge ones.
fn tick(y: f64) -> String {
    if y == 0.0 || (1e-2..1e4).contains(&y.abs()) {
        let text = format!("{y:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{y:.0e}")
    }
}

/// Why [`loss_curves`] could not write its plot; every variant names the file.
///
/// ```
/// use descent::train::{PlotError, loss_curves};
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
    /// use descent::train::loss_curves;
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
    fn ticks_are_short() {
        let ticks: Vec<String> = [0.0, 1.0, 2.5, 0.125, 1e-5, 3e6, -20.0].map(tick).to_vec();
        assert_eq!(ticks, ["0", "1", "2.5", "0.125", "1e-5", "3e6", "-20"]);
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
