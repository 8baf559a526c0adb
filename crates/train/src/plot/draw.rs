//! Drawing the chart with plotters: axes and their labels, one line per run in its colour and
//! dash pattern, broken where a value cannot be drawn, and the legend.
use super::ticks::TickStyle;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::fmt;

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
pub(super) fn draw<Y>(
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

#[cfg(test)]
mod tests {
    use crate::loss_curves;
    use crate::plot::tests::temp;

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
}
