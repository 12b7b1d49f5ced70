"""The ``gradkit`` command.

gradkit demo                       train a small MLP on MNIST and show what it learned
gradkit train --model mlp --dataset mnist --epochs 5 --out runs/mnist-mlp
gradkit train --nproc 2 ...        the same, data-parallel on 2 MPI ranks
gradkit launch -n 4 script.py [args]
                                   run a script on 4 MPI ranks (extra [mpi])
gradkit tour [--quick | --full] [--only ID,GROUP,...] [--out DIR]
                                   run the evidence tour and write its HTML report
gradkit explain ID|keyword         one concept: its claim, formula, code, test, and its
                                   experiment run live
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from gradkit.validation import check_int, check_number, check_probability

MODELS = ("mlp", "logreg", "lenet")
DATASETS = ("mnist", "fashion-mnist")


def build_model(name: str, hidden: int, dropout: float):
    """The networks ``gradkit train`` knows by name."""
    import gradkit as gk
    from gradkit import nn

    if name == "logreg":
        return gk.Sequential([nn.Flatten(), nn.Linear(784, 10)])
    if name == "mlp":
        return gk.Sequential(
            [
                nn.Flatten(),
                nn.Linear(784, hidden),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden, hidden // 2),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden // 2, 10),
            ]
        )
    if name == "lenet":
        from gradkit.models import LeNet5

        return gk.Model(LeNet5())
    raise ValueError(f"Unknown model {name!r}; valid models are {list(MODELS)}")


def load_dataset(name: str, split: str):
    from gradkit.data import datasets

    loader = {"mnist": datasets.load_mnist, "fashion-mnist": datasets.load_fashion_mnist}[name]
    x, y = loader(split=split)
    return x.reshape(len(x), 1, 28, 28), y


def train(args) -> dict:
    import functools

    import numpy as np

    import gradkit as gk
    from gradkit import optim

    gk.manual_seed(args.seed)
    chief = _join_job(args)
    x_train, y_train = load_dataset(args.dataset, "train")
    x_test, y_test = load_dataset(args.dataset, "test")
    if args.limit:
        x_train, y_train = x_train[: args.limit], y_train[: args.limit]
    model = build_model(args.model, args.hidden, args.dropout)
    opt_cls = {"adam": optim.Adam, "sgd": optim.SGD, "rmsprop": optim.RMSprop}[args.optimizer]
    model.compile(
        optimizer=functools.partial(opt_cls, lr=args.lr),
        loss="cross_entropy",
        metrics=["accuracy"],
    )
    out = Path(args.out)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
    callbacks = [
        gk.train.CSVLogger(out / "metrics.csv"),
        gk.train.ModelCheckpoint(
            out / "model.safetensors", monitor="val_accuracy", save_best_only=True
        ),
    ]
    start = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_split=args.validation_split,
        callbacks=callbacks,
        verbose=1,
        seed=args.seed,
        distributed=getattr(args, "nproc", 1) > 1,
    )
    seconds = time.perf_counter() - start
    if not chief:  # rank 0 reports; the others' work is done
        return {}
    best = gk.load_model(out / "model.safetensors")
    best.compile(loss="cross_entropy", metrics=["accuracy"])
    test_loss, test_acc = best.evaluate(x_test, y_test, batch_size=512)
    print(
        f"\n{args.model} on {args.dataset}: test accuracy {test_acc:.4f}, test loss "
        f"{test_loss:.4f} ({seconds:.1f} s of training)"
    )
    print(f"checkpoint: {out / 'model.safetensors'}   metrics: {out / 'metrics.csv'}")
    return {"model": best, "x_test": x_test, "y_test": y_test, "test_accuracy": test_acc, "np": np}


def demo(args) -> None:
    """The main job: train an MLP on MNIST with the autograd engine, then show what it
    learned — test accuracy, a confusion of the hardest digits, and a few predictions."""
    args.model, args.dataset = "mlp", "mnist"
    result = train(args)
    np = result["np"]
    probs = result["model"].predict(result["x_test"][:2000], batch_size=500)
    pred = probs.argmax(axis=1)
    truth = result["y_test"][:2000]
    per_class = [float(np.mean(pred[truth == k] == k)) for k in range(10)]
    print("per-digit test accuracy: " + "  ".join(f"{k}:{a:.3f}" for k, a in enumerate(per_class)))
    print("first 20 test digits  true: " + " ".join(map(str, truth[:20])))
    print("                 predicted: " + " ".join(map(str, pred[:20])))


def _arg(check, **bounds):
    """An argparse ``type=`` that parses a number and applies a :mod:`gradkit.validation`
    check, so ``--batch-size 0`` is refused with the reason, before any work starts."""

    def parse(text: str):
        try:
            number = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        try:
            return check("", "value", number, **bounds)
        except (TypeError, ValueError) as exc:
            raise argparse.ArgumentTypeError(str(exc).replace("`value` ", "")) from None

    parse.__name__ = check.__name__.removeprefix("check_")
    return parse


def add_tour_commands(sub) -> None:
    """The ``tour`` and ``explain`` subcommands (concept evidence, issue #20)."""
    p = sub.add_parser("tour", help="run the evidence tour and write its HTML report")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick", dest="quick", action="store_true", default=True,
        help="small data, few epochs: all experiments in minutes (the default)",
    )  # fmt: skip
    mode.add_argument(
        "--full", dest="quick", action="store_false",
        help="bigger data and more epochs for tighter numbers",
    )  # fmt: skip
    p.add_argument(
        "--only", default=None, metavar="ID,GROUP,...",
        help="run only these concept IDs and groups (e.g. T-FFT,O,L)",
    )  # fmt: skip
    p.add_argument("--out", default="tour-report", help="folder for the HTML report")
    p = sub.add_parser("explain", help="explain one concept and run its experiment live")
    p.add_argument("query", metavar="ID|keyword", help="a concept ID (T-FFT) or a keyword")
    p.add_argument("--full", dest="quick", action="store_false", default=True,
                   help="run the experiment in full mode")  # fmt: skip


def tour(args) -> int:
    """``gradkit tour``: run the selected experiments, print the summary table, write
    the report. Exit status 1 when an experiment raised, 2 for an unknown name."""
    from gradkit.tour import load_all
    from gradkit.tour.report import write_report
    from gradkit.tour.runner import ERROR, run_tour, select, summary_table

    experiments = load_all()
    try:
        chosen = select(experiments, args.only)
    except ValueError as exc:
        print(f"gradkit tour: {exc}", file=sys.stderr)
        return 2
    mode = "quick" if args.quick else "full"
    print(f"gradkit tour ({mode}): {len(chosen)} experiments")
    results = run_tour(chosen, quick=args.quick, stream=sys.stdout)
    print()
    print(summary_table(results))
    print("\ndrawing the figures ...", flush=True)
    index = write_report(results, args.out, experiments)
    print(f"report: open file://{index.resolve()} in a browser")
    return 1 if any(r.status == ERROR for r in results) else 0


def find_concepts(experiments: dict, query: str) -> list:
    """The experiment whose ID is ``query`` (any case), else every experiment whose ID,
    title or claim contains all of ``query``'s words (any case), in tour order."""
    from gradkit.tour.runner import select

    ordered = select(experiments, None)
    exact = [exp for exp in ordered if exp.id.upper() == query.strip().upper()]
    if exact:
        return exact
    words = query.lower().split()
    return [
        exp
        for exp in ordered
        if words and all(w in f"{exp.id} {exp.title} {exp.claim}".lower() for w in words)
    ]


def _docstring(module: str, symbol: str) -> str:
    """The first paragraph of the docstring of ``module.symbol`` (dotted), or ""."""
    import importlib
    import inspect

    try:
        obj = importlib.import_module(module)
        for part in symbol.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return ""
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n")[0].strip()


def explain(args) -> int:
    """``gradkit explain``: print one concept and run its experiment live. Several
    matches are listed (exit 0); none is exit 2; an experiment that raises is exit 1."""
    import functools
    import textwrap

    from gradkit.tour import load_all
    from gradkit.tour.runner import ERROR, SUPPORTED, format_value, run_experiment, select

    experiments = load_all()
    matches = find_concepts(experiments, args.query)
    if not matches:
        ids = " ".join(exp.id for exp in select(experiments, None))
        print(
            f"gradkit explain: no concept matches {args.query!r}; give a concept ID or "
            f"words from a title or claim. The IDs: {ids}",
            file=sys.stderr,
        )
        return 2
    if len(matches) > 1:
        print(f"{len(matches)} concepts match {args.query!r}; name one:")
        for exp in matches:
            print(f"  {exp.id:<18} {exp.title}")
        return 0
    exp = matches[0]
    module, symbol = exp.code
    wrap = functools.partial(textwrap.fill, width=88, subsequent_indent="  ")
    print(f"{exp.id}: {exp.title}  (group {exp.group})\n")
    print(wrap(f"Claim: {exp.claim}"))
    if exp.formula:
        print(wrap(f"Formula: {exp.formula}"))
    doc = _docstring(module, symbol)
    print(f"Code: {module}.{symbol}")
    if doc:
        print(textwrap.indent(doc, "  | "))
    print(f"Test: {exp.test}")
    if exp.note:
        print(wrap(f"Note on the seed text: {exp.note}"))
    print(f"\nrunning the experiment ({'quick' if args.quick else 'full'} mode) ...", flush=True)
    result = run_experiment(exp, args.quick)
    if result.status == ERROR:
        print(result.error, file=sys.stderr)
        print(f"{exp.id}: the experiment raised after {result.seconds:.1f} s", file=sys.stderr)
        return 1
    for check in result.finding.checks:
        mark = SUPPORTED if check.supported else "CONTRADICTED"
        print(wrap(f"[{mark}] {check.claim}: {check.measured}"))
    for name, value in result.finding.numbers.items():
        if isinstance(value, str) and "\n" in value:
            print(f"  {name}:\n" + textwrap.indent(value, "    "))
        else:
            print(f"  {name} = {format_value(value)}")
    print(f"\n{exp.id}: {result.status} ({result.seconds:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gradkit", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("train", "demo"):
        p = sub.add_parser(name, help="train a network" if name == "train" else "the demo job")
        p.add_argument("--model", choices=MODELS, default="mlp")
        p.add_argument("--dataset", choices=DATASETS, default="mnist")
        p.add_argument("--epochs", type=_arg(check_int, low=1), default=5)
        p.add_argument("--batch-size", type=_arg(check_int, low=1), default=128)
        p.add_argument("--lr", type=_arg(check_number, low=0.0, low_open=True), default=1e-3)
        p.add_argument("--optimizer", choices=("adam", "sgd", "rmsprop"), default="adam")
        p.add_argument("--hidden", type=_arg(check_int, low=1), default=256)
        p.add_argument("--dropout", type=_arg(check_probability, high_open=True), default=0.2)
        p.add_argument(
            "--validation-split", type=_arg(check_probability, high_open=True), default=0.1
        )
        p.add_argument(
            "--limit", type=_arg(check_int, low=0), default=0,
            help="use only the first N training images (0: all)",
        )  # fmt: skip
        p.add_argument("--seed", type=_arg(check_int, low=0), default=0)
        p.add_argument("--out", default=f"runs/{name}")
    add_tour_commands(sub)
    _add_distributed_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "tour":
        return tour(args)
    if args.command == "explain":
        return explain(args)
    if args.command == "launch":
        return run_launch(args)
    if args.command == "train" and args.nproc > 1 and not _in_mpi_job():
        return _relaunch_train(args, sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "train":
            train(args)
        else:
            demo(args)
    except FileNotFoundError as exc:
        print(f"gradkit: {exc}", file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------- distributed (MPI)
def _add_distributed_commands(sub) -> None:
    """``gradkit launch`` and ``gradkit train --nproc N`` (optional extra ``[mpi]``)."""
    sub.choices["train"].add_argument(
        "--nproc", type=_arg(check_int, low=1), default=1,
        help="train data-parallel on N MPI ranks (launched through mpiexec; extra [mpi])",
    )  # fmt: skip
    p = sub.add_parser(
        "launch",
        help="run a script on N MPI ranks (mpiexec; extra [mpi])",
        description="Run `script.py [args]` (or `-m module [args]`) on N MPI ranks through "
        "mpiexec. An exception on any rank ends the whole job with that rank's traceback. "
        "Each rank uses one BLAS/OpenMP thread unless OMP_NUM_THREADS etc. are set.",
    )
    p.add_argument("-n", "--nproc", type=_arg(check_int, low=1), required=True)
    p.add_argument("--hosts", help="comma-separated machines, e.g. node1,node2")
    p.add_argument("--hostfile", help="a file naming the machines (MPI's hostfile format)")
    p.add_argument("-m", dest="module", action="store_true", help="the target is a module")
    p.add_argument("target", help="the script to run (or module name with -m)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")


def _in_mpi_job() -> bool:
    from gradkit.distributed.launch import in_mpi_job

    return in_mpi_job()


def run_launch(args) -> int:
    from gradkit.distributed.launch import launch

    try:
        return launch(
            args.nproc, args.target, args.args, module=args.module, hosts=args.hosts,
            hostfile=args.hostfile,
        )  # fmt: skip
    except (FileNotFoundError, ValueError) as exc:
        print(f"gradkit launch: {exc}", file=sys.stderr)
        return 2


def _relaunch_train(args, argv: list[str]) -> int:
    """``gradkit train --nproc N ...`` outside an MPI job: start N ranks of the same
    command (each sees it is inside the job and trains its share)."""
    from gradkit.distributed.launch import launch

    try:
        return launch(args.nproc, "gradkit.cli", list(argv), module=True)
    except FileNotFoundError as exc:
        print(f"gradkit train --nproc: {exc}", file=sys.stderr)
        return 2


def _join_job(args) -> bool:
    """Inside an MPI job (``--nproc N`` > 1) join its process group; whether this process
    is rank 0, which reports, logs and checkpoints."""
    nproc = getattr(args, "nproc", 1)
    if nproc == 1:
        return True
    import gradkit.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group()
    if dist.get_world_size() != nproc:
        raise ValueError(
            f"--nproc {nproc} but this MPI job has {dist.get_world_size()} ranks; run "
            "`gradkit train --nproc N` directly, or give mpiexec -n the same N"
        )
    return dist.get_rank() == 0


if __name__ == "__main__":
    sys.exit(main())
