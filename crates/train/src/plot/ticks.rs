//! Tick labels: one style per axis, plain or scientific, printed with plotters' float printer.
use plotters::data::float::FloatPrettyPrinter;

/// How every tick of one axis is printed, with plotters' float printer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TickStyle {
    /// "0.25", "1000".
    Plain,
    /// "2.5e-1", "1e3".
    Scientific,
}

impl TickStyle {
    /// Plain when every value of `low..high` prints well so (0, or 0.001 ≤ |v| < 10000),
    /// scientific otherwise.
    pub(super) fn for_range(low: f64, high: f64) -> TickStyle {
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

    pub(super) fn print(self, value: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
