"""Reference values and gradients from PyTorch for crates/autograd/tests/autograd/pytorch_agreement.rs.

Run with a Python that has torch: `python scripts/torch_reference_ops.py`. It prints the
`CASES` table of that test (name, value, gradient of Σ w · f with respect to the first input,
with w = 1 for scalar outputs and the fixed weights W otherwise), all in float64.
"""
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
X = [[0.3, -1.2, 2.0], [-0.7, 0.0, 1.5]]
T = [[0.1, -1.0, 2.5], [0.2, 0.3, 1.4]]
W = [[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]]
Z = [[[0.5, -0.3], [1.2, 0.0], [-0.8, 0.9]], [[0.1, 0.4], [-1.1, 2.0], [0.7, -0.6]]]
Z_LABELS = [[0, 2], [1, 1]]
X_LABELS = [2, 0]


def case(name, f, first):
    x = torch.tensor(first, requires_grad=True)
    y = f(x)
    w = torch.ones(()) if y.dim() == 0 else torch.tensor(W).flatten()[: y.numel()].reshape(y.shape)
    (y * w).sum().backward()
    value = ", ".join(repr(v) for v in y.detach().flatten().tolist())
    grad = ", ".join(repr(v) for v in x.grad.flatten().tolist())
    print(f'    ("{name}", &[{value}], &[{grad}]),')


t = torch.tensor(T)
zl = torch.tensor(Z_LABELS)
xl = torch.tensor(X_LABELS)
print("const CASES: &[(&str, &[f64], &[f64])] = &[")
for name, f in [
    ("gelu", F.gelu),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")),
    ("silu", F.silu),
    ("mish", F.mish),
    ("selu", F.selu),
    ("softsign", F.softsign),
    ("log_sigmoid", F.logsigmoid),
    ("sin", torch.sin),
    ("cos", torch.cos),
    ("erf", torch.erf),
    ("std", lambda x: torch.std(x, dim=1)),
    ("std_all", torch.std),
    ("std_with_0", lambda x: torch.std(x, dim=0, correction=0)),
    ("prod", lambda x: torch.prod(x, dim=1)),
    ("cumsum", lambda x: torch.cumsum(x, dim=-1)),
    ("norm", lambda x: torch.linalg.vector_norm(x, dim=1)),
    ("mse", lambda x: F.mse_loss(x, t)),
    ("mse_sum", lambda x: F.mse_loss(x, t, reduction="sum")),
    ("mse_none", lambda x: F.mse_loss(x, t, reduction="none")),
    ("l1", lambda x: F.l1_loss(x, t)),
    ("l1_sum", lambda x: F.l1_loss(x, t, reduction="sum")),
    ("smooth_l1", lambda x: F.smooth_l1_loss(x, t, beta=0.5)),
    ("smooth_l1_none", lambda x: F.smooth_l1_loss(x, t, beta=0.5, reduction="none")),
    ("huber", lambda x: F.huber_loss(x, t, delta=0.8)),
    ("huber_sum", lambda x: F.huber_loss(x, t, delta=0.8, reduction="sum")),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, torch.sigmoid(t))),
    ("bce_with_logits_none", lambda x: F.binary_cross_entropy_with_logits(x, torch.sigmoid(t), reduction="none")),
    ("kl_div", lambda x: F.kl_div(F.log_softmax(x, 1), F.softmax(t, 1), reduction="batchmean")),
    ("cosine_similarity", lambda x: F.cosine_similarity(x, t)),
    ("cross_entropy", lambda x: F.cross_entropy(x, xl)),
    ("cross_entropy_smooth_sum", lambda x: F.cross_entropy(x, xl, label_smoothing=0.1, reduction="sum")),
    ("cross_entropy_smooth_none", lambda x: F.cross_entropy(x, xl, label_smoothing=0.1, reduction="none")),
]:
    case(name, f, X)
for name, f in [
    ("cross_entropy_nd", lambda z: F.cross_entropy(z, zl)),
    ("cross_entropy_nd_smooth", lambda z: F.cross_entropy(z, zl, label_smoothing=0.2)),
    ("cross_entropy_nd_smooth_none", lambda z: F.cross_entropy(z, zl, label_smoothing=0.2, reduction="none")),
    ("nll_loss_nd", lambda z: F.nll_loss(F.log_softmax(z, 1), zl)),
    ("nll_loss_nd_sum", lambda z: F.nll_loss(F.log_softmax(z, 1), zl, reduction="sum")),
]:
    case(name, f, Z)
print("];")
