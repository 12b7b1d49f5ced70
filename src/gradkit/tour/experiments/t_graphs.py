"""Tour group T, graphs: the computational graph, reverse-mode differentiation, what
backward caches, and inference without a graph."""

from __future__ import annotations

import numpy as np

import gradkit as gk
from gradkit.tour.experiments.t_arrays import best_time
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_t.py"


def _text_figure(fig, text: str, title: str) -> None:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_title(title)
    ax.text(0.0, 1.0, text, family="monospace", fontsize=9, va="top", transform=ax.transAxes)


@experiment(
    "T-GRAPH",
    group="T",
    title="The computational graph",
    claim="Each op run on tensors that require grad is recorded as a node; the inputs are "
    "leaves; the graph is built by running the code (define-by-run), so Python control "
    "flow shapes it.",
    formula="loss = sum(tanh(w · x + b))",
    code=("gradkit.autograd.graph", "print_graph"),
    test=TEST,
)
def t_graph(quick: bool) -> Finding:
    w = gk.tensor([[0.5, -1.0], [2.0, 0.3]], requires_grad=True)
    x = gk.tensor([[1.0], [2.0]], requires_grad=True)
    b = gk.tensor([[0.1], [-0.2]], requires_grad=True)
    w.name, x.name, b.name = "w", "x", "b"
    loss = gk.tanh(w @ x + b).sum()
    text = gk.autograd.graph_str(loss)
    nodes = gk.autograd.count_nodes(loss)
    leaves = sum("leaf" in line for line in text.splitlines())
    loss.backward()
    z = w.detach().numpy() @ x.detach().numpy() + b.detach().numpy()
    expected_b = 1 - np.tanh(z) ** 2
    grads_ok = np.allclose(b.grad.numpy(), expected_b, rtol=1e-5)

    def branchy(v):  # define-by-run: the graph follows the branch taken
        y = v * 2
        if float(y.sum()) > 0:
            y = gk.exp(y) * y
        return y.sum()

    small = gk.autograd.count_nodes(branchy(gk.tensor([-1.0], requires_grad=True)))
    large = gk.autograd.count_nodes(branchy(gk.tensor([1.0], requires_grad=True)))
    return Finding(
        checks=[
            Check(
                "ops are nodes, inputs are leaves",
                f"{nodes} op nodes (matmul, add, tanh, sum), {leaves} leaves (w, x, b)",
                nodes == 4 and leaves == 3,
            ),
            Check(
                "backward walks the graph: ∂loss/∂b = 1 − tanh²(wx + b)",
                f"b.grad equals the closed form: {grads_ok}",
                grads_ok,
            ),
            Check(
                "define-by-run: the branch taken decides the graph",
                f"same function, {small} nodes for input −1 and {large} for input +1",
                small == 2 and large == 4,
            ),
        ],
        numbers={
            "graph": text,
            "nodes": nodes,
            "leaves": leaves,
            "nodes_by_branch": [small, large],
        },  # fmt: skip
        draw=lambda fig: _text_figure(fig, text, "graph_str(sum(tanh(w @ x + b)))"),
    )


def _autograd_cases(rng):
    """(name, fn, inputs) for the gradcheck table; float64 inputs."""
    F = gk.nn.functional

    def t(*shape, positive=False):
        a = rng.standard_normal(shape)
        return gk.tensor(np.abs(a) + 0.5 if positive else a, dtype=gk.float64, requires_grad=True)

    return [
        ("mul (broadcast)", lambda a, b: a * b, (t(3, 4), t(1, 4))),
        ("div", lambda a, b: a / b, (t(3, 4), t(3, 4, positive=True))),
        ("matmul", lambda a, b: a @ b, (t(3, 5), t(5, 2))),
        ("exp", gk.exp, (t(3, 4),)),
        ("log", gk.log, (t(3, 4, positive=True),)),
        ("tanh", gk.tanh, (t(3, 4),)),
        ("sigmoid", gk.sigmoid, (t(3, 4),)),
        ("softmax", lambda a: F.softmax(a, dim=1), (t(3, 4),)),
        ("logsumexp", lambda a: gk.logsumexp(a, dim=1), (t(3, 4),)),
        ("max_pool2d", lambda a: F.max_pool2d(a, 2), (t(1, 2, 4, 4),)),
        ("conv2d", lambda a, w: F.conv2d(a, w, padding=1), (t(1, 2, 5, 5), t(3, 2, 3, 3))),
        ("cross_entropy", lambda a: F.cross_entropy(a, gk.tensor([0, 3, 1])), (t(3, 4),)),
    ]


def _max_gradient_error(fn, inputs, eps=1e-6) -> float:
    """max |backprop − central difference| of L = Σ r ⊙ fn(inputs) over all inputs."""
    out = fn(*inputs)
    r = np.random.default_rng(1).standard_normal(out.shape)
    (out * gk.tensor(r)).sum().backward()
    worst = 0.0
    for x in inputs:
        data = x.detach().numpy().copy()
        for idx in np.ndindex(data.shape):
            values = []
            for sign in (1, -1):
                shifted = data.copy()
                shifted[idx] += sign * eps
                args = [gk.tensor(shifted) if y is x else y.detach() for y in inputs]
                values.append(float((fn(*args).numpy() * r).sum()))
            numeric = (values[0] - values[1]) / (2 * eps)
            worst = max(worst, abs(x.grad.numpy()[idx] - numeric))
    return worst


@experiment(
    "T-AUTODIFF",
    group="T",
    title="Reverse-mode automatic differentiation",
    claim="Every op has a backward; the chain rule composes them, and the gradients agree "
    "with finite differences.",
    formula="dL/dw = dL/da · da/dz · dz/dw;  ∂L/∂x_i ≈ (L(x + ε e_i) − L(x − ε e_i)) / 2ε",
    code=("gradkit.autograd.gradcheck", "gradcheck"),
    test=TEST,
)
def t_autodiff(quick: bool) -> Finding:
    rng = np.random.default_rng(0)
    rows = []
    for name, fn, inputs in _autograd_cases(rng):
        passed = gk.autograd.gradcheck(fn, *inputs, raise_exception=False)
        fresh = [gk.tensor(x.detach().numpy(), requires_grad=True) for x in inputs]
        rows.append((name, passed, _max_gradient_error(fn, fresh)))
    # the chain rule by hand for one sigmoid neuron with squared error
    w = gk.tensor([0.7, -0.4], dtype=gk.float64, requires_grad=True)
    x, y = np.array([1.5, 2.0]), 1.0
    z = (w * gk.tensor(x)).sum()
    a = gk.sigmoid(z)
    loss = 0.5 * (a - y) ** 2
    loss.backward()
    a_v = 1 / (1 + np.exp(-float(z)))
    by_hand = (a_v - y) * a_v * (1 - a_v) * x  # dL/da · da/dz · dz/dw
    chain_err = float(np.max(np.abs(w.grad.numpy() - by_hand)))
    worst = max(err for _, _, err in rows)
    table = "\n".join(f"{n:<16} {'pass' if p else 'FAIL'}  {e:.1e}" for n, p, e in rows)
    return Finding(
        checks=[
            Check(
                "backprop gradients agree with float64 central differences for every op",
                f"gradcheck passed {sum(p for _, p, _ in rows)}/{len(rows)} ops; largest "
                f"|analytic − numeric| {worst:.1e}",
                all(p for _, p, _ in rows) and worst < 1e-6,
            ),
            Check(
                "the gradient is the chain-rule product dL/da · da/dz · dz/dw",
                f"sigmoid neuron: |w.grad − product by hand| = {chain_err:.1e}",
                chain_err < 1e-12,
            ),
        ],
        numbers={
            "ops": [n for n, _, _ in rows],
            "max_errors": [e for _, _, e in rows],
            "chain_rule_error": chain_err,
            "table": table,
        },  # fmt: skip
        draw=lambda fig: _draw_autodiff(fig, rows),
    )


def _draw_autodiff(fig, rows) -> None:
    ax = fig.add_subplot()
    errors = [max(e, 1e-18) for _, _, e in rows]
    ax.barh([n for n, _, _ in rows], errors, color=["C2" if p else "C3" for _, p, _ in rows])
    ax.set_xscale("log")
    ax.set_xlabel("max |backprop − central difference| (float64, ε = 1e-6)")
    ax.set_title("gradcheck table: every op agrees with finite differences")
    ax.invert_yaxis()


def _graph_saved(t) -> tuple[int, int]:
    """(nodes, bytes of the arrays their contexts saved) of the graph behind ``t``."""
    from gradkit.autograd.function import Node, OutputOf, saved_arrays

    seen, stack, total = set(), [t._node] if t._node is not None else [], 0
    while stack:
        node = stack.pop()
        node = node.node if isinstance(node, OutputOf) else node
        if id(node) in seen:
            continue
        seen.add(id(node))
        total += sum(np.asarray(a).nbytes for _, _, a in saved_arrays(node.ctx))
        stack.extend(c for c in node.inputs if isinstance(c, (Node, OutputOf)))
    return len(seen), total


@experiment(
    "T-CACHE",
    group="T",
    title="Forward values cached for the backward pass",
    claim="An op's context saves what its backward needs and nothing more: nothing under "
    "no_grad, and changing a saved tensor in place makes backward raise (version counters).",
    formula="z = a ⊙ b saves b only if a needs a gradient (∂z/∂a = b) and a only if b does",
    code=("gradkit.autograd.function", "Context"),
    test=TEST,
)
def t_cache(quick: bool) -> Finding:
    from gradkit.autograd.function import saved_arrays

    gk.manual_seed(0)
    a = gk.randn(256, 64)
    b = gk.randn(256, 64, requires_grad=True)
    only_b = [name for name, _, _ in saved_arrays((a * b)._node.ctx)]
    a.requires_grad_(True)
    both = sorted(name for name, _, _ in saved_arrays((a * b)._node.ctx))
    model = gk.nn.Sequential(gk.nn.Linear(64, 128), gk.nn.ReLU(), gk.nn.Linear(128, 10))
    x = gk.randn(256, 64)
    nodes_grad, bytes_grad = _graph_saved(model(x))
    with gk.no_grad():
        out = model(x)
    nodes_nograd, bytes_nograd = _graph_saved(out)
    w = gk.randn(4, requires_grad=True)
    v = gk.randn(4)
    y = (v * w).sum()
    v.mul_(2.0)  # v was saved by the product for ∂y/∂w
    raised = ""
    try:
        y.backward()
    except RuntimeError as exc:
        raised = str(exc)
    return Finding(
        checks=[
            Check(
                "a product saves only the factor the other input's gradient needs",
                f"a ⊙ b with only b requiring grad saves {only_b}; with both: {both}",
                only_b == ["a"] and both == ["a", "b"],
            ),
            Check(
                "no_grad saves nothing for backward",
                f"MLP forward on 256×64: {nodes_grad} nodes holding {bytes_grad / 1024:.0f} KiB "
                f"with grad; {nodes_nograd} nodes, {bytes_nograd} bytes under no_grad",
                nodes_grad > 0 and bytes_grad > 0 and nodes_nograd == 0 and bytes_nograd == 0,
            ),
            Check(
                "changing a saved tensor in place makes backward raise",
                f"v.mul_(2) after y = (v ⊙ w).sum(), then y.backward(): "
                f"{raised[:150] or 'no error'}",
                "version" in raised,
            ),
        ],
        numbers={
            "saved_kib_with_grad": bytes_grad / 1024,
            "saved_bytes_no_grad": bytes_nograd,
            "nodes_with_grad": nodes_grad,
            "nodes_no_grad": nodes_nograd,
            "inplace_error": raised,
        },  # fmt: skip
        draw=lambda fig: _draw_bars(
            fig,
            ["with grad", "no_grad"],
            [bytes_grad / 1024, bytes_nograd / 1024],
            "KiB saved for backward",
            "MLP forward, batch 256",
        ),
    )


def _draw_bars(fig, labels, values, ylabel, title, log=False) -> None:
    ax = fig.add_subplot()
    bars = ax.bar(labels, values, color=[f"C{i}" for i in range(len(labels))])
    ax.bar_label(bars, fmt="%.3g")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if log:
        ax.set_yscale("log")


@experiment(
    "T-NOGRAD",
    group="T",
    title="Inference without building a graph",
    claim="Under no_grad nothing is recorded (outputs need no grad, no nodes), and "
    "detach() cuts a tensor out of the graph so no gradient flows through it.",
    formula="z = detach(y) · x  ⇒  ∂z/∂x = y,  ∂z/∂(y's inputs) = 0",
    code=("gradkit.autograd.grad_mode", "no_grad"),
    test=TEST,
)
def t_nograd(quick: bool) -> Finding:
    gk.manual_seed(0)
    width = 256 if quick else 1024
    model = gk.nn.Sequential(gk.nn.Linear(784, width), gk.nn.ReLU(), gk.nn.Linear(width, 10))
    x = gk.randn(512, 784)
    with gk.no_grad():
        out = model(x)
    recorded = model(x)
    repeat = 5 if quick else 20

    def infer_no_grad():
        with gk.no_grad():
            model(x)

    t_grad = best_time(lambda: model(x), repeat)
    t_nograd = best_time(infer_no_grad, repeat)
    w = gk.tensor([1.0, 2.0], requires_grad=True)
    v = gk.tensor([3.0, -1.0], requires_grad=True)
    y = w * w
    z = (y.detach() * v).sum()
    z.backward()
    detach_ok = np.array_equal(v.grad.numpy(), [1.0, 4.0]) and w.grad is None
    return Finding(
        checks=[
            Check(
                "no_grad records nothing",
                f"inside no_grad: requires_grad={out.requires_grad}, "
                f"{gk.autograd.count_nodes(out)} nodes (outside: "
                f"{gk.autograd.count_nodes(recorded)} nodes)",
                not out.requires_grad
                and gk.autograd.count_nodes(out) == 0
                and gk.autograd.count_nodes(recorded) > 0,
            ),
            Check(
                "detach() stops the gradient",
                f"z = (detach(w²) · v).sum(): v.grad = {v.grad.numpy().tolist()}, "
                f"w.grad = {w.grad}",
                detach_ok,
            ),
            Check(
                "inference without the graph costs no more time",
                f"MLP 784-{width}-10 forward, batch 512: {t_grad * 1e3:.1f} ms recording, "
                f"{t_nograd * 1e3:.1f} ms under no_grad",
                t_nograd <= t_grad * 1.25,
            ),
        ],
        numbers={"ms_with_grad": t_grad * 1e3, "ms_no_grad": t_nograd * 1e3},
    )
