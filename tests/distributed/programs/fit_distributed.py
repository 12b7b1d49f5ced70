"""Run under ``mpiexec -n W`` with an output directory argument: Keras-style
``fit(distributed=True)`` on W ranks equals ``fit()`` in one process, in float64: the same
history, the same early-stopping epoch, the same restored best weights; checkpoints and
CSV logs are written by rank 0 alone. The last batch of each epoch (11 samples) splits
unevenly over the ranks, which the loss weighting must absorb. Prints ``FIT <world>
<stopped epoch> <max |weight difference|> <max |history difference|>`` on rank 0.
"""

import functools
import sys
from pathlib import Path

import numpy as np

import gradkit as gk
import gradkit.distributed as dist
from gradkit import nn, optim, train

out = Path(sys.argv[1])
dist.init_process_group()
rank, world = dist.get_rank(), dist.get_world_size()
rng = np.random.default_rng(1)
x = rng.standard_normal((101, 5))
y = (x[:, 0] - 0.5 * x[:, 1] + 0.1 * rng.standard_normal(101) > 0).astype(np.int64)


def run(distributed: bool, callbacks: list):
    gk.manual_seed(3)
    model = train.Sequential([nn.Linear(5, 12), nn.ReLU(), nn.Linear(12, 2)]).double()
    model.compile(
        optimizer=functools.partial(optim.SGD, lr=0.05, momentum=0.9),
        loss="cross_entropy",
        metrics=["accuracy"],
    )
    # the learning rate jumps at epoch 4, the validation loss rises and EarlyStopping,
    # on rank 0 only in the distributed run, must stop every rank at the same epoch
    schedule = train.LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 4 else 3.0)
    stopper = train.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    history = model.fit(
        x, y, epochs=12, batch_size=16, validation_split=0.1, seed=7, verbose=0,
        callbacks=[schedule, stopper, *callbacks], distributed=distributed,
    )  # fmt: skip
    return model, history, stopper


reference, ref_history, ref_stop = run(False, [])
ckpt, log = out / "best.safetensors", out / "log.csv"
model, history, stopper = run(
    True, [train.ModelCheckpoint(ckpt, save_best_only=True), train.CSVLogger(log)]
)
weights = max(
    float(np.max(np.abs(a - b))) for a, b in zip(reference.get_weights(), model.get_weights())
)
assert sorted(history.history) == sorted(ref_history.history), history.history
logs = max(
    float(np.max(np.abs(np.subtract(history.history[k], ref_history.history[k]))))
    for k in history.history
)
assert history.epoch == ref_history.epoch, (history.epoch, ref_history.epoch)
assert 0 < len(history.epoch) < 12, "the learning-rate jump must trigger early stopping"
if rank == 0:
    assert stopper.stopped_epoch == ref_stop.stopped_epoch
    rows = log.read_text().strip().splitlines()
    assert len(rows) == 1 + len(history.epoch), rows
    saved = gk.load_model(ckpt)
    for a, b in zip(saved.get_weights(), model.get_weights()):  # the file holds float32
        assert np.array_equal(a, b.astype(a.dtype)), "rank 0 checkpointed other weights"
    print(f"FIT {world} {ref_stop.stopped_epoch} {weights:.3e} {logs:.3e}", flush=True)
assert weights <= 1e-10 and logs <= 1e-10, (weights, logs)
