"""Tour group T: tensors, graphs and differentiation, shown working on data."""

from __future__ import annotations

import functools
import time

import numpy as np

import gradkit as gk
from gradkit.tour.registry import Check, Finding, experiment

TEST = "tests/tour/test_t.py"


def _best_time(fn, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn()`` in seconds (the least disturbed by load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _text_figure(fig, text: str, title: str) -> None:
    ax = fig.add_subplot()
    ax.axis("off")
    ax.set_title(title)
    ax.text(0.0, 1.0, text, family="monospace", fontsize=9, va="top", transform=ax.transAxes)


@experiment(
    "T-TENSOR",
    group="T",
    title="Tensors: n-dimensional arrays with dtype, shape and broadcasting",
    claim="A Tensor is an n-dimensional array with a dtype and a shape; operands of "
    "different shapes broadcast as in NumPy and PyTorch.",
    formula="shapes (3, 1) and (1, 4) broadcast to (3, 4): z[i, j] = a[i, 0] + b[0, j]",
    code=("gradkit.tensor", "Tensor"),
    test=TEST,
)
def t_tensor(quick: bool) -> Finding:
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((3, 1)).astype(np.float32)
    b_np = rng.standard_normal((1, 4)).astype(np.float32)
    a, b = gk.tensor(a_np), gk.tensor(b_np)
    z = a + b
    same = np.array_equal(z.numpy(), a_np + b_np)
    t = gk.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    i = gk.tensor([1, 2, 3])
    promoted = (i * 0.5).dtype
    cube = gk.zeros(2, 3, 4)
    return Finding(
        checks=[
            Check(
                "a tensor carries a shape, a dtype (float32 by default) and a rank",
                f"tensor of nested lists: shape {tuple(t.shape)}, dtype {t.dtype}, "
                f"{t.ndim} dims; zeros(2, 3, 4): {cube.ndim} dims, {cube.numel()} elements",
                tuple(t.shape) == (2, 3) and t.dtype == gk.float32 and cube.numel() == 24,
            ),
            Check(
                "(3, 1) + (1, 4) broadcasts to (3, 4) with NumPy's values",
                f"shape {tuple(z.shape)}, equal to NumPy's sum: {same}",
                tuple(z.shape) == (3, 4) and same,
            ),
            Check(
                "int tensor × Python float promotes to the default float dtype (PyTorch's rule)",
                f"int64 tensor × 0.5 → {promoted}",
                promoted == gk.float32,
            ),
        ],
        numbers={"broadcast_shape": list(z.shape), "equal_to_numpy": bool(same)},
        draw=lambda fig: _draw_broadcast(fig, a_np, b_np, z.numpy()),
    )


def _draw_broadcast(fig, a, b, z) -> None:
    for k, (array, name) in enumerate(((a, "a (3, 1)"), (b, "b (1, 4)"), (z, "a + b (3, 4)"))):
        ax = fig.add_subplot(1, 3, k + 1)
        ax.imshow(array, cmap="coolwarm", vmin=-2.5, vmax=2.5)
        ax.set_title(name)
        ax.set_xticks(range(array.shape[1]))
        ax.set_yticks(range(array.shape[0]))


@experiment(
    "T-HADAMARD",
    group="T",
    title="Element-wise (Hadamard) product",
    claim="a * b multiplies element by element when the shapes are equal or broadcastable, "
    "and otherwise raises a clear error naming both shapes.",
    formula="(a ⊙ b)[i, j] = a[i, j] · b[i, j]",
    code=("gradkit.ops.elementwise", "Mul"),
    test=TEST,
)
def t_hadamard(quick: bool) -> Finding:
    a_np = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
    b_np = np.array([[2.0, 0.5, -1.0], [1.0, 3.0, 0.0]], dtype=np.float32)
    product = (gk.tensor(a_np) * gk.tensor(b_np)).numpy()
    equal = np.array_equal(product, a_np * b_np)
    message = ""
    try:
        gk.ones(2, 3) * gk.ones(3, 2)
    except ValueError as exc:
        message = str(exc)
    names_both = "(2, 3)" in message and "(3, 2)" in message
    return Finding(
        checks=[
            Check(
                "equal shapes multiply element by element",
                f"(2, 3) ⊙ (2, 3) equals NumPy's a * b: {equal}",
                equal,
            ),
            Check(
                "mismatched shapes raise an error naming both shapes",
                f"(2, 3) * (3, 2) raised: {message or 'nothing'}",
                names_both,
            ),
        ],
        numbers={"error_message": message, "product": product.ravel().tolist()},
        draw=lambda fig: _draw_hadamard(fig, a_np, b_np, product, message),
    )


def _draw_hadamard(fig, a, b, product, message) -> None:
    for k, (array, name) in enumerate(((a, "a"), (b, "b"), (product, "a ⊙ b"))):
        ax = fig.add_subplot(2, 3, k + 1)
        ax.imshow(array, cmap="viridis")
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        for (i, j), v in np.ndenumerate(array):
            ax.text(j, i, f"{v:g}", ha="center", va="center", color="w")
    ax = fig.add_subplot(2, 1, 2)
    ax.axis("off")
    ax.text(0, 0.5, "ones(2, 3) * ones(3, 2):\n" + message.replace(" (each", "\n(each"),
            family="monospace", fontsize=9, va="center")  # fmt: skip


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
    "T-CONST-VAR-PH",
    group="T",
    title="Constants, variables and placeholders",
    claim="TensorFlow's three kinds of tensor map to gradkit: constants (tensors without "
    "grad) stay fixed, Parameters are the trainable variables an optimizer updates, and a "
    "model's symbolic Input stands for data of any batch size.",
    formula="θ ← θ − α ∇J(θ) for Parameters only; Input(shape=(3,)) has shape (None, 3)",
    code=("gradkit.nn.parameter", "Parameter"),
    test=TEST,
)
def t_const_var_ph(quick: bool) -> Finding:
    from gradkit import keras

    gk.manual_seed(0)
    const = gk.tensor([2.0, -1.0, 0.5])
    layer = gk.nn.Linear(3, 1)
    params = dict(layer.named_parameters())
    before = {k: v.detach().numpy().copy() for k, v in params.items()}
    opt = gk.optim.SGD(layer.parameters(), lr=0.1)
    loss = ((layer(const.reshape(1, 3)) - 1.0) ** 2).sum()
    loss.backward()
    opt.step()
    moved = {k: bool(np.any(v.detach().numpy() != before[k])) for k, v in params.items()}
    const_same = np.array_equal(const.numpy(), [2.0, -1.0, 0.5]) and const.grad is None
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    shapes = [tuple(model(np.ones((n, 3), np.float32)).shape) for n in (1, 7)]
    return Finding(
        checks=[
            Check(
                "a constant takes part in the computation and stays fixed",
                f"constant unchanged and without gradient after a step: {const_same}",
                const_same,
            ),
            Check(
                "Parameters are the trainable variables the optimizer updates",
                f"parameters {sorted(params)} changed by one SGD step: {moved}",
                sorted(params) == ["bias", "weight"] and all(moved.values()),
            ),
            Check(
                "a symbolic Input is a placeholder for any batch size",
                f"Input shape {tuple(inputs.shape)}; the model maps batches of 1 and 7 to "
                f"{shapes[0]} and {shapes[1]}",
                tuple(inputs.shape) == (None, 3) and shapes == [(1, 2), (7, 2)],
            ),
        ],
        numbers={"parameters": sorted(params), "output_shapes": [list(s) for s in shapes]},
    )


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

    t_grad = _best_time(lambda: model(x), repeat)
    t_nograd = _best_time(infer_no_grad, repeat)
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


@experiment(
    "T-DEVICE",
    group="T",
    title="Training on CPU and GPU",
    claim="The same model code trains on the CPU, and on a GPU where a GPU backend is "
    "available; asking for a GPU that is not there fails with a clear error, never silently.",
    formula="model.to(device); x.to(device); one SGD step per batch",
    code=("gradkit.backend", "device"),
    test=TEST,
)
def t_device(quick: bool) -> Finding:
    gk.manual_seed(0)
    device = "cuda" if gk.cuda.is_available() else "cpu"
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((1024, 64)).astype(np.float32)
    y_np = (x_np[:, :8].sum(axis=1) > 0).astype(np.int64)
    model = gk.nn.Sequential(gk.nn.Linear(64, 128), gk.nn.ReLU(), gk.nn.Linear(128, 2))
    model.to("cpu")
    x, y = gk.tensor(x_np).to("cpu"), gk.tensor(y_np).to("cpu")
    opt = gk.optim.SGD(model.parameters(), lr=0.5)
    losses = []
    steps = 100 if quick else 300
    start = time.perf_counter()
    for _ in range(steps):
        opt.zero_grad()
        loss = gk.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(float(loss))
    ms_per_step = (time.perf_counter() - start) / steps * 1e3
    gpu = gk.cuda.is_available()
    refusal = ""
    if not gpu:
        try:
            gk.ones(2).to("cuda")
        except RuntimeError as exc:
            refusal = str(exc)
    gpu_text = (
        "a GPU backend is available"
        if gpu
        else "no GPU backend is available here (gradkit.cuda.is_available() is False): "
        f"no GPU time measured; .to('cuda') raised: {refusal[:110]}"
    )
    return Finding(
        checks=[
            Check(
                "the model trains on the CPU",
                f"{steps} full-batch steps on {device}: loss {losses[0]:.3f} → {losses[-1]:.3f}, "
                f"{ms_per_step:.2f} ms per step",
                losses[-1] < 0.5 * losses[0],
            ),
            Check(
                "a GPU is used where one exists, and a missing one is refused clearly",
                gpu_text,
                gpu or ("not available" in refusal and "cpu" in refusal.lower()),
            ),
        ],
        numbers={
            "cpu_ms_per_step": ms_per_step,
            "gpu_available": gpu,
            "loss_first": losses[0],
            "loss_last": losses[-1],
        },  # fmt: skip
        draw=lambda fig: _draw_loss(fig, losses, f"CPU training: {ms_per_step:.2f} ms/step"),
    )


def _draw_loss(fig, losses, title) -> None:
    ax = fig.add_subplot()
    ax.plot(range(1, len(losses) + 1), losses)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title)


@experiment(
    "T-FFT",
    group="T",
    title="FFT convolution",
    claim="Convolution by the FFT gives the same results as the direct (im2col) algorithm, "
    "and its cost does not grow with the kernel size, so it wins for large kernels.",
    formula="x ⋆ w = IFFT(FFT(x) · conj(FFT(w)))  (convolution theorem)",
    code=("gradkit.ops.fft_conv", "Conv2dFFT"),
    test=TEST,
)
def t_fft(quick: bool) -> Finding:
    F = gk.nn.functional
    gk.manual_seed(0)
    sizes = (3, 7, 11, 15) if quick else (3, 5, 7, 9, 11, 15, 21)
    n, side = (4, 48) if quick else (8, 96)
    x = gk.randn(n, 4, side, side)
    repeat = 3 if quick else 7
    direct_ms, fft_ms, errors = [], [], []
    with gk.no_grad():
        for k in sizes:
            w = gk.randn(8, 4, k, k) / k
            d = F.conv2d(x, w, algorithm="direct").numpy()
            f = F.conv2d(x, w, algorithm="fft").numpy()
            errors.append(float(np.max(np.abs(d - f)) / np.max(np.abs(d))))
            for algorithm, times in (("direct", direct_ms), ("fft", fft_ms)):
                run = functools.partial(F.conv2d, x, w, algorithm=algorithm)
                times.append(_best_time(run, repeat) * 1e3)
    worst = max(errors)
    growth_direct = direct_ms[-1] / direct_ms[0]
    growth_fft = fft_ms[-1] / fft_ms[0]
    table = ", ".join(f"{k}×{k}: {d:.1f}/{f:.1f} ms" for k, d, f in zip(sizes, direct_ms, fft_ms))
    return Finding(
        checks=[
            Check(
                "FFT and direct convolution give the same result",
                f"largest relative difference over kernels {sizes[0]}…{sizes[-1]}: {worst:.1e} "
                "(float32)",
                worst < 1e-4,
            ),
            Check(
                "direct cost grows with the kernel, FFT cost hardly does; FFT wins for large "
                "kernels",
                f"direct/FFT time {table}; growth from {sizes[0]}×{sizes[0]} to "
                f"{sizes[-1]}×{sizes[-1]}: direct ×{growth_direct:.1f}, FFT ×{growth_fft:.1f}",
                growth_direct > 2 * growth_fft and fft_ms[-1] < direct_ms[-1],
            ),
        ],
        numbers={
            "kernel_sizes": list(sizes),
            "direct_ms": direct_ms,
            "fft_ms": fft_ms,
            "relative_errors": errors,
        },  # fmt: skip
        draw=lambda fig: _draw_fft(fig, sizes, direct_ms, fft_ms, n, side),
    )


def _draw_fft(fig, sizes, direct_ms, fft_ms, n, side) -> None:
    ax = fig.add_subplot()
    ax.plot(sizes, direct_ms, "o-", label="direct (im2col + GEMM)")
    ax.plot(sizes, fft_ms, "s-", label="FFT")
    ax.set_xlabel("kernel size k (k × k)")
    ax.set_ylabel("forward time (ms)")
    ax.set_title(f"conv2d, input {n}×4×{side}×{side}, 8 filters")
    ax.legend()
