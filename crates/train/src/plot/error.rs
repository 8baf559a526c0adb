//! [`PlotError`]: why [`loss_curves`] could not write its plot.
#[cfg(doc)]
use super::loss_curves;
use std::fmt;
use std::path::PathBuf;

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
