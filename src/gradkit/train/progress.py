"""A Keras-style progress bar: ``469/469 [==============================] - 3s 6ms/step -
loss: 0.2301 - accuracy: 0.9312``. Redraws in place on a terminal; on a pipe (CI logs)
prints one line per epoch."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, total: int | None, width: int = 30, stream=None) -> None:
        self.total = total
        self.width = width
        self.stream = stream or sys.stdout
        self.start = time.perf_counter()
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last_draw = 0.0

    def update(self, step: int, values: dict[str, float], final: bool = False) -> None:
        now = time.perf_counter()
        if not final and (not self.interactive or now - self._last_draw < 0.1):
            return
        self._last_draw = now
        elapsed = now - self.start
        total = self.total or step
        filled = int(self.width * step / max(total, 1))
        bar = "=" * max(filled - 1, 0) + (">" if filled < self.width else "=")
        bar = bar.ljust(self.width, ".")
        per_step = elapsed / max(step, 1)
        timing = (
            f"{elapsed:.0f}s {per_step * 1e3:.0f}ms/step"
            if final
            else f"ETA: {per_step * (total - step):.0f}s"
        )
        metrics = " - ".join(f"{k}: {v:.4f}" for k, v in values.items())
        line = f"{step:>{len(str(total))}}/{total} [{bar}] - {timing}"
        if metrics:
            line += f" - {metrics}"
        end = "\n" if final else ""
        prefix = "\r" if self.interactive else ""
        self.stream.write(prefix + line + end)
        self.stream.flush()
