"""``keras.utils.Progbar``: Keras 3's progress bar, character for character.

``verbose=1``: ``12/50 ━━━━━━━━━━━━━━━━━━━━ 1s 21ms/step - accuracy: 0.8123 - loss:
0.4511`` redrawn in place on a terminal, in Jupyter (``ipykernel`` loaded) and on POSIX
consoles; one line per update elsewhere. ``verbose=2``: one line when the bar finishes.
The time per step (and the ETA) leaves out the first step, which includes start-up
work, once more than one step has run.
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np


def _dynamic_display() -> bool:
    return (
        (hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
        or "ipykernel" in sys.modules
        or "posix" in sys.modules
        or "PYCHARM_HOSTED" in os.environ
    )


def _write(message: str) -> None:
    sys.stdout.write(message)
    sys.stdout.flush()


class Progbar:
    """A progress bar over ``target`` steps (None: unknown).

    Parameters
    ----------
    target : int or None
    width : int
        Bar width in characters (20).
    verbose : int
        0 silent, 1 live bar, 2 one line at the end.
    interval : float
        Minimum seconds between redraws.
    stateful_metrics, stateless_metrics : iterable of str, optional
        Metrics shown as given (stateful) or averaged over steps by the bar.
    unit_name : str
        ``"step"`` in ``21ms/step``.
    """

    def __init__(
        self,
        target,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided."
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateful_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = set(stateful_metrics), None
        elif stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics, self.stateless_metrics = set(), None
        self._dynamic_display = _dynamic_display()
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def update(self, current: int, values=None, finalize=None) -> None:
        """Show step ``current`` with ``values``, a list of ``(name, value)``."""
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        for key, value in values or []:
            if key not in self._values_order:
                self._values_order.append(key)
            if self.stateful_metrics is not None:
                stateless = key not in self.stateful_metrics
            else:
                stateless = key in self.stateless_metrics
            if stateless:
                if finalize:
                    self._values[key] = [value, 1]
                else:
                    base = max(current - self._seen_so_far, 1)
                    if key not in self._values:
                        self._values[key] = [value * base, base]
                    else:
                        self._values[key][0] += value * base
                        self._values[key][1] += base
            else:
                self._values[key] = [value, 1]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
            special = 0
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = f"\x1b[1m{current:{digits}d}/{self.target}\x1b[0m "
                special += 8
                filled = int(self.width * float(current) / self.target)
                if filled > 0:
                    bar += f"\33[32m{'━' * filled}\x1b[0m"
                    special += 9
                bar += f"\33[37m{'━' * (self.width - filled)}\x1b[0m"
                special += 9
            else:
                bar = f"{current:7d}/Unknown"
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                eta = time_per_unit * (self.target - current)
                if eta > 3600:
                    hours, minutes = int(eta // 3600), int((eta % 3600) // 60)
                    eta_text = f"{hours}:{minutes:02d}:{int(eta % 60):02d}"
                elif eta > 60:
                    eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
                else:
                    eta_text = f"{int(eta)}s"
                info = f" \x1b[1m{eta_text}\x1b[0m"
            else:
                info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
            special += 8
            info += self._format_time(time_per_unit)
            for key in self._values_order:
                total, count = self._values[key]
                avg = float(np.mean(total)) / max(1, count)
                info += f" - {key}: {avg:.4f}" if abs(avg) > 1e-3 else f" - {key}: {avg:.4e}"
            message += info
            total_width = len(bar) + len(info) - special
            if self._prev_total_width > total_width:
                message += " " * (self._prev_total_width - total_width)
            if finalize:
                message += "\n"
            _write(message)
            self._prev_total_width = total_width
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            digits = int(math.log10(self.target)) + 1
            info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s"
            info += f" -{self._format_time(time_per_unit)}"
            for key in self._values_order:
                total, count = self._values[key]
                avg = float(np.mean(total)) / max(1, count)
                info += f" - {key}: {avg:.4f}" if avg > 1e-3 else f" - {key}: {avg:.4e}"
            _write(info + "\n")
        self._last_update = now

    def add(self, n: int, values=None) -> None:
        self.update(self._seen_so_far + n, values)

    def _format_time(self, time_per_unit: float) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, leaving the first step out once a second one has run."""
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step
