//! The training helpers of `descent::train`: stopping rules on synthetic loss sequences and on
//! a real loop, the plot file, and the progress display when nobody is watching.

use descent::prelude::*;
use std::process::{Command, Stdio};

/// Feeds `losses` to `stopping` as iterations 0, 1, 2, … until a rule fires.
fn first_stop(stopping: &mut Stopping, losses: impl IntoIterator<Item = f64>) -> Option<Stop> {
    let mut losses = losses.into_iter().enumerate();
    losses.find_map(|(i, loss)| stopping.check(i, loss, None, None))
}

#[test]
fn a_geometric_decay_converges_when_it_crosses_the_threshold() {
    // 0.5^i < 1e-4 first at i = 14 (0.5^14 ≈ 6.1e-5).
    let losses = (0..100).map(|i| 0.5f64.powi(i));
    let stop = first_stop(&mut Stopping::new().loss_below(1e-4), losses).unwrap();
    assert_eq!(stop.iteration(), 14);
    assert!(stop.converged());
    assert_eq!(
        stop.to_string(),
        "converged at iteration 14: loss 6.104e-5 is below 1e-4"
    );
}

#[test]
fn doubling_loss_diverges_once_it_is_a_thousand_times_the_best() {
    // Falls to 0.25 at iteration 2, then doubles: 0.25·2^k > 250 first at k = 10, iteration 12.
    let losses = (0..100).map(|i| {
        if i <= 2 {
            1.0 / 2f64.powi(i)
        } else {
            0.25 * 2f64.powi(i - 2)
        }
    });
    let stop = first_stop(&mut Stopping::new().max_iterations(50), losses).unwrap();
    assert_eq!(
        stop,
        Stop::Diverged {
            iteration: 12,
            loss: 256.0,
            best: 0.25,
            factor: 1e3
        }
    );
    assert_eq!(
        stop.to_string(),
        "diverged at iteration 12: loss 2.560e2 has grown beyond 1000× its best (2.500e-1); \
         lower the learning rate"
    );
}

#[test]
fn nan_stops_at_once_with_an_actionable_message() {
    let losses = [1.0, 0.9, f64::NAN, 0.1];
    let stop = first_stop(&mut Stopping::new().loss_below(0.5), losses).unwrap();
    assert!(stop.diverged() && stop.iteration() == 2);
    assert!(
        stop.to_string()
            .ends_with("loss is NaN; lower the learning rate")
    );
}

#[test]
fn a_slow_decay_hits_the_iteration_limit() {
    let losses = (0..).map(|i| 1.0 / (1.0 + i as f64));
    let mut stopping = Stopping::new().loss_below(1e-3).max_iterations(100);
    assert_eq!(
        first_stop(&mut stopping, losses),
        Some(Stop::MaxIterations {
            iteration: 99,
            limit: 100
        })
    );
}

#[test]
fn early_stopping_on_a_validation_curve_that_turns_up() {
    // Training loss keeps falling; validation falls until iteration 10, then overfits.
    let mut stopping = Stopping::new().patience(5).max_iterations(1000);
    let validation = |i: usize| 1.0 + (i as f64 - 10.0).powi(2) / 100.0;
    let stop = (0..1000)
        .find_map(|i| stopping.check(i, 1.0 / (1.0 + i as f64), None, Some(validation(i))))
        .unwrap();
    assert_eq!(
        stop,
        Stop::NoImprovement {
            iteration: 15,
            checks: 5,
            best: 1.0,
            best_iteration: 10
        }
    );
    assert_eq!(stopping.best_validation(), Some((10, 1.0)));
    assert!(!stop.converged() && !stop.diverged());
}

#[test]
fn validation_measured_every_few_iterations_counts_checks_not_iterations() {
    let mut stopping = Stopping::new().patience(2);
    // Validation every 10 iterations: 0.5, 0.4, 0.45, 0.41 → two checks without improvement.
    let validation = [0.5, 0.4, 0.45, 0.41];
    let stop = (0..40)
        .find_map(|i| stopping.check(i, 1.0, None, (i % 10 == 0).then(|| validation[i / 10])))
        .unwrap();
    assert_eq!(stop.iteration(), 30);
}

#[test]
fn gradient_descent_stops_at_a_zero_gradient() {
    // A real loop: least squares for w in x·w ≈ y, stopped by the global gradient norm.
    let x = Tensor::from_vec(vec![1.0f64, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2]);
    let y = Tensor::from_vec(vec![1.0, -2.0, -1.0], &[3, 1]);
    let w = Variable::named("w", Tensor::zeros(&[2, 1]));
    let variables = [w.clone()];
    let mut optimizer = Sgd::new(0.2);
    let mut stopping = Stopping::new()
        .gradient_norm_below(1e-9)
        .max_iterations(10_000);
    let stop = (0..)
        .find_map(|iteration| {
            let tape = Tape::new();
            let loss = tape
                .watch(x.clone())
                .matmul(&tape.read(&w))
                .mse(&tape.watch(y.clone()));
            let mut grads = tape.gradient(&loss, &variables);
            let norm = clip_by_global_norm(&mut grads, 10.0); // the norm comes for free here
            optimizer.apply_gradients(&grads, &variables);
            stopping.check(iteration, loss.item(), Some(norm), None)
        })
        .unwrap();
    assert!(matches!(stop, Stop::GradientNearZero { .. }), "{stop}");
    let w = w.value().to_vec();
    assert!(
        (w[0] - 1.0).abs() < 1e-8 && (w[1] + 2.0).abs() < 1e-8,
        "{w:?}"
    );
}

#[test]
fn gradient_norm_matches_clip_by_global_norm() {
    let grads = vec![
        Tensor::from_vec(vec![1.0f32, -2.0], &[2]),
        Tensor::from_vec(vec![2.0, 0.0, 4.0, 0.0], &[2, 2]),
    ];
    let mut clipped = grads.clone();
    let clip_norm = clip_by_global_norm(&mut clipped, 1.0);
    assert_eq!(gradient_norm(&grads), 5.0);
    assert_eq!(f64::from(clip_norm), gradient_norm(&grads));
    assert_eq!(grads[1].to_vec(), vec![2.0, 0.0, 4.0, 0.0]); // not scaled
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("descent-train-test-{}-{name}", std::process::id()))
}

#[test]
fn loss_curves_writes_an_svg_with_every_series_and_creates_the_directory() {
    let dir = temp_dir("plot");
    let path = dir.join("nested/losses.svg");
    let sgd: Vec<f64> = (0..50).map(|i| 2.0 * 0.9f64.powi(i)).collect();
    let adam: Vec<f64> = (0..30).map(|i| 2.0 * 0.8f64.powi(i)).collect();
    let diverged = [2.0, 20.0, 2e5, f64::INFINITY, f64::NAN];
    let series: [(&str, &[f64]); 3] = [("SGD", &sgd), ("Adam & co", &adam), ("lr 10", &diverged)];
    loss_curves(&path, "Three <runs>", "epoch", &series, true).unwrap();

    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    for text in [
        "SGD",
        "Adam &amp; co",
        "lr 10",
        "Three &lt;runs&gt;",
        "epoch",
        "loss (log scale)",
    ] {
        assert!(
            svg.contains(&format!("\n{text}\n")),
            "{text} missing from the plot"
        );
    }
    assert!(
        !svg.contains("NaN") && !svg.contains("inf"),
        "undrawable points leaked into the SVG"
    );
    // Every opened element is closed: as many `<` openings (not `</`) as closings and `/>`.
    let opened = svg.matches('<').count() - svg.matches("</").count();
    let closed = svg.matches("</").count() + svg.matches("/>").count();
    assert_eq!(opened, closed);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loss_curves_on_a_linear_axis_and_its_errors() {
    let dir = temp_dir("linear");
    let path = dir.join("linear.svg");
    loss_curves(
        &path,
        "linear",
        "iteration",
        &[("one", &[3.0, 1.0, 0.0, -1.0])],
        false,
    )
    .unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.contains("\nloss\n") && svg.contains("\none\n"));

    let err = loss_curves(&path, "t", "x", &[("nan", &[f64::NAN])], true).unwrap_err();
    assert!(matches!(err, PlotError::NoData { .. }));
    assert!(
        err.to_string()
            .starts_with(&format!("{}: nothing to plot", path.display()))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn progress_counts_while_hidden() {
    let mut progress = Progress::hidden(3, 2);
    for epoch in 0..3 {
        progress.batch(1.0 + epoch as f64, 10);
        progress.batch(3.0 + epoch as f64, 30);
        assert_eq!(progress.epoch_loss(), 2.5 + epoch as f64);
        progress.epoch_done(format!("epoch {epoch}"));
    }
    assert!(progress.is_hidden());
    assert_eq!(progress.samples(), 120);
    assert!(progress.samples_per_second() > 0.0);
    progress.finish();
}

/// Run by `progress_is_silent_when_stderr_is_a_pipe` in a child process whose stderr is a
/// pipe, as in CI.
#[test]
#[ignore = "run as a child process by progress_is_silent_when_stderr_is_a_pipe"]
fn progress_child() {
    let mut progress = Progress::new(2, 50);
    for epoch in 0..2 {
        for _ in 0..50 {
            progress.batch(0.5f32, 8);
            std::thread::sleep(std::time::Duration::from_millis(2)); // long enough to redraw
        }
        progress.epoch_done(format!("epoch {epoch} done"));
    }
    progress.finish();
}

#[test]
fn progress_is_silent_when_stderr_is_a_pipe() {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "train::progress_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("TERM")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "child failed: {stdout}\n{stderr}");
    assert!(
        stdout.contains("epoch 0 done\nepoch 1 done"),
        "the epoch lines go to stdout: {stdout}"
    );
    assert!(stderr.is_empty(), "the bar drew on a pipe: {stderr:?}");
}
