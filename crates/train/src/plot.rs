//! Loss curves as an SVG file, drawn with plotters: one line per run, a legend, labelled axes,
//! and a linear or logarithmic loss axis.
//!
//! Ticks are printed by plotters' float printer in one style per axis: plain when every tick
//! fits in 0.001..10000, scientific for all of them otherwise. A logarithmic axis spans whole
//! powers of ten, so the highest curve has a tick above it. Each run has its own colour and
//! dash pattern, so identical curves stay visible on top of each other.
use plotters::prelude::*;
use std::path::Path;

mod draw;
mod error;
mod ticks;

use draw::draw;
pub use error::PlotError;

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    pub(super) fn temp(name: &str) -> PathBuf {
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
