"""A variational autoencoder on binarized MNIST (GEN-VAE).

Run: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 GRADKIT_DATA=../shared/data \
    python examples/vae_mnist.py [--epochs N]

Binarization: stochastic, each pixel x ~ Bernoulli(grey level), drawn once with a fixed
seed (train seed 0, test seed 1), as in the usual "binarized MNIST" benchmark. The model
is an MLP VAE 784-512-256-32 (mirrored decoder, Bernoulli pixels) trained with Adam on all
60,000 training digits. Prints the test ELBO (nats per image, one reparameterized sample
per image, mean over the 10,000 test digits) after every epoch and at the end, and saves
a 10×10 grid of decoder means σ(decoder(z)), z ~ N(0, I), to
``examples/out/vae_samples.png``.
"""

import argparse
import time
from pathlib import Path

import numpy as np

import gradkit as gk
from gradkit.data import load_mnist
from gradkit.models.vae import VAE
from gradkit.optim import Adam
from gradkit.tensor import Tensor
from gradkit.utils.image import save_image_grid

OUT = Path(__file__).resolve().parent / "out"


def evaluate_elbo(vae: VAE, x: np.ndarray, batch_size: int = 1000) -> float:
    vae.eval()
    total = sum(vae.elbo(x[i : i + batch_size]).sum() for i in range(0, len(x), batch_size))
    vae.train()
    return float(total / len(x))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--hidden", type=int, nargs="+", default=[512, 256])
    ap.add_argument("--latent-dim", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)

    x, _ = load_mnist("train", flatten=True)
    xt, _ = load_mnist("test", flatten=True)
    x = (np.random.default_rng(0).random(x.shape) < x).astype(np.float32)
    xt = (np.random.default_rng(1).random(xt.shape) < xt).astype(np.float32)

    gk.manual_seed(args.seed)
    vae = VAE(784, hidden=args.hidden, latent_dim=args.latent_dim)
    opt = Adam(list(vae.parameters()), lr=args.lr)
    rng = np.random.default_rng(args.seed)
    print(f"VAE 784-{'-'.join(map(str, args.hidden))}-{args.latent_dim}, Adam lr {args.lr}")
    t0 = time.time()
    for epoch in range(args.epochs):
        t = time.time()
        order = rng.permutation(len(x))
        train_loss = 0.0
        for start in range(0, len(x), args.batch_size):
            batch = Tensor(x[order[start : start + args.batch_size]])
            loss = vae.loss(vae(batch), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            train_loss += float(loss.data) * len(batch.data)
        elbo = evaluate_elbo(vae, xt)
        print(
            f"epoch {epoch + 1:3d}  train -ELBO {train_loss / len(x):8.2f}  "
            f"test ELBO {elbo:8.2f} nats  ({time.time() - t:.0f} s)",
            flush=True,
        )
    gk.manual_seed(args.seed + 1)
    final = evaluate_elbo(vae, xt)
    print(f"final test ELBO: {final:.2f} nats per image (target > -110); "
          f"training time {time.time() - t0:.0f} s")  # fmt: skip
    samples = vae.sample(100, np.random.default_rng(2024))
    path = save_image_grid(OUT / "vae_samples.png", samples.reshape(100, 28, 28), nrow=10)
    print(f"samples: {path}")


if __name__ == "__main__":
    main()
