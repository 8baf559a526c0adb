"""PyTorch's side of descent's state_dict interop (crates/layers/tests/layers/torch.rs).

    python scripts/torch_state_dict.py make
        Writes crates/layers/tests/fixtures/torch_mlp.safetensors, the state_dict of
        nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)) (seed 0), and
        torch_mlp_io.safetensors: an input [5, 4] and that model's output [5, 3].

    python scripts/torch_state_dict.py check MODEL IO
        Loads MODEL, written by descent's checkpoint::save_torch, into the same architecture
        with load_state_dict(..., strict=True) and checks that its output on IO's "input"
        equals IO's "output" (descent's predictions). `cargo test -p descent-layers --test
        layers torch::` writes both files under target/tmp/ and prints their paths.

Needs torch and safetensors (pip install torch safetensors). CI has no torch: the Rust test
reads the committed fixtures.
"""
import pathlib
import sys

import torch
from safetensors.torch import load_file, save_file

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "crates/layers/tests/fixtures"


def model():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def make():
    torch.manual_seed(0)
    net = model()
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = net(x)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    save_file(net.state_dict(), FIXTURES / "torch_mlp.safetensors")
    save_file({"input": x, "output": y}, FIXTURES / "torch_mlp_io.safetensors")
    for name, tensor in net.state_dict().items():
        print(f"{name}: {list(tensor.shape)}")
    print(f"wrote {FIXTURES}/torch_mlp.safetensors and torch_mlp_io.safetensors")


def check(model_path, io_path):
    net = model()
    net.load_state_dict(load_file(model_path), strict=True)
    io = load_file(io_path)
    with torch.no_grad():
        y = net(io["input"])
    error = (y - io["output"]).abs().max().item()
    print(f"load_state_dict(strict=True) took {model_path}; "
          f"largest difference from descent's predictions: {error:.3g}")
    assert error < 1e-5, error


if __name__ == "__main__":
    if sys.argv[1:] == ["make"]:
        make()
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
