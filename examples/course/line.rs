//! The straight line of the first lessons: the least-squares fit the descent examples compare
//! with. Included by the course examples with `#[path = "course/line.rs"] mod line;`.

/// The normal equation for one feature, θ = (XᵀX)⁻¹Xᵀy with X = [1, x], solved in closed form:
/// θ1 = cov(x, y) / var(x), θ0 = ȳ − θ1·x̄. Returns (θ0, θ1).
pub fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let t1 = cov / var;
    (my - t1 * mx, t1)
}
