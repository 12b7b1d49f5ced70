"""statsmodels' example "Autoregressive Moving Average (ARMA): Sunspots data" runs on
gradkit with only its import lines changed and gives statsmodels' numbers (TS-ARIMA,
TS-ORDER, TS-FORECAST).

The program is the example notebook's code, cell by cell, with its plotting cells
removed: statsmodels/statsmodels, ``examples/notebooks/tsa_arma_0.ipynb`` as of commit
dc2d7492658550fec708e0816935baca3a8ce598 (BSD-3-Clause). One plotting cell drew random
numbers (``ax.plot(arma_t.generate_sample(nsample=50))``); its draw is kept so the
simulated series that follows is the same.

Both libraries run the same cells; for gradkit the import lines are replaced and the
three dataset lines read statsmodels' bundled data through ``statsmodels.api`` (the data
ship with statsmodels). Like a notebook, the runner keeps each cell's displayed value
(its last expression, or the arguments of a final ``print``) and the two runs are
compared value by value: parameters within 1e-4, forecasts within 1e-3 (the issue's
acceptance), everything else within 1e-5 relative.
"""

import ast
import contextlib
import difflib
import io
import warnings

import numpy as np
import pytest

sm = pytest.importorskip("statsmodels.api")
pd = pytest.importorskip("pandas")

CELLS = [
    """import numpy as np
import pandas as pd
from scipy import stats

import statsmodels.api as sm
from statsmodels.tsa.arima.model import ARIMA""",
    "print(sm.datasets.sunspots.NOTE)",
    "dta = sm.datasets.sunspots.load_pandas().data",
    """dta.index = pd.Index(sm.tsa.datetools.dates_from_range("1700", "2008"))
dta.index.freq = "YE"
del dta["YEAR"]""",
    """arma_mod20 = ARIMA(dta, order=(2, 0, 0)).fit()
print(arma_mod20.params)""",
    "arma_mod30 = ARIMA(dta, order=(3, 0, 0)).fit()",
    "print(arma_mod20.aic, arma_mod20.bic, arma_mod20.hqic)",
    "print(arma_mod30.params)",
    "print(arma_mod30.aic, arma_mod30.bic, arma_mod30.hqic)",
    "sm.stats.durbin_watson(arma_mod30.resid.values)",
    "resid = arma_mod30.resid",
    "stats.normaltest(resid)",
    """res = sm.tsa.acf(resid.values.squeeze(), fft=True, qstat=True, result_object=True)
data = np.c_[np.arange(1, 25), res.acf[1:], res.qstat, res.pvalues]""",
    """table = pd.DataFrame(data, columns=["lag", "AC", "Q", "Prob(>Q)"])
print(table.set_index("lag"))""",
    """predict_sunspots = arma_mod30.predict("1990", "2012", dynamic=True)
print(predict_sunspots)""",
    """def mean_forecast_err(y, yhat):
    return y.sub(yhat).mean()""",
    "mean_forecast_err(dta.SUNACTIVITY, predict_sunspots)",
    "from statsmodels.tsa.arima_process import ArmaProcess",
    """np.random.seed(1234)
# include zero-th lag
arparams = np.array([1, 0.75, -0.65, -0.55, 0.9])
maparams = np.array([1, 0.65])""",
    "arma_t = ArmaProcess(arparams, maparams)",
    "arma_t.isinvertible",
    "arma_t.isstationary",
    "arma_t.generate_sample(nsample=50)",  # the plotting cell's draw, plot removed
    """arparams = np.array([1, 0.35, -0.15, 0.55, 0.1])
maparams = np.array([1, 0.65])
arma_t = ArmaProcess(arparams, maparams)
arma_t.isstationary""",
    "arma_rvs = arma_t.generate_sample(nsample=500, burnin=250, scale=2.5)",
    """lags = int(10 * np.log10(arma_rvs.shape[0]))
arma11 = ARIMA(arma_rvs, order=(1, 0, 1)).fit()
resid = arma11.resid
res = sm.tsa.acf(resid, nlags=lags, fft=True, qstat=True, result_object=True)
data = np.c_[range(1, lags + 1), res.acf[1:], res.qstat, res.pvalues]
table = pd.DataFrame(data, columns=["lag", "AC", "Q", "Prob(>Q)"])
print(table.set_index("lag"))""",
    """arma41 = ARIMA(arma_rvs, order=(4, 0, 1)).fit()
resid = arma41.resid
res = sm.tsa.acf(resid, nlags=lags, fft=True, qstat=True, result_object=True)
data = np.c_[range(1, lags + 1), res.acf[1:], res.qstat, res.pvalues]
table = pd.DataFrame(data, columns=["lag", "AC", "Q", "Prob(>Q)"])
print(table.set_index("lag"))""",
    """macrodta = sm.datasets.macrodata.load_pandas().data
macrodta.index = pd.Index(sm.tsa.datetools.dates_from_range("1959Q1", "2009Q3"))
cpi = macrodta["cpi"]""",
    "print(sm.tsa.adfuller(cpi, result_object=True)[1])",
]

# the only edits: import lines, and the dataset lines read the data from statsmodels
GRADKIT_EDITS = {
    "import statsmodels.api as sm": "import gradkit.tsa.api as sm\n"
    "import statsmodels.api as statsmodels_api  # the example's data ship with statsmodels",
    "from statsmodels.tsa.arima.model import ARIMA": "from gradkit.tsa import ARIMA",
    "from statsmodels.tsa.arima_process import ArmaProcess": "from gradkit.tsa import ArmaProcess",
    "sm.datasets.": "statsmodels_api.datasets.",
}


def _gradkit_cells():
    out = []
    for cell in CELLS:
        for old, new in GRADKIT_EDITS.items():
            cell = cell.replace(old, new)
        out.append(cell)
    return out


def _run(cells):
    """Run the cells in one namespace like a notebook; return each cell's displayed
    values (the last expression, or a final print's arguments) and the namespace."""
    ns, shown = {"__name__": "__example__"}, []
    for cell in cells:
        tree = ast.parse(cell)
        last = tree.body[-1] if isinstance(tree.body[-1], ast.Expr) else None
        body = tree.body[:-1] if last else tree.body
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            exec(compile(ast.Module(body=body, type_ignores=[]), "<cell>", "exec"), ns)
            value = None
            if last is not None:
                call = last.value
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "print":
                    args = ast.fix_missing_locations(ast.Tuple(elts=call.args, ctx=ast.Load()))
                    value = eval(compile(ast.Expression(args), "<cell>", "eval"), ns)
                else:
                    value = eval(compile(ast.Expression(call), "<cell>", "eval"), ns)
        shown.append(value)
    return shown, ns


@pytest.fixture(scope="module")
def runs():
    state = np.random.get_state()
    try:
        ref = _run(CELLS)
        ours = _run(_gradkit_cells())
    finally:
        np.random.set_state(state)
    return ours, ref


def _close(a, b, rtol, atol, where):
    if isinstance(b, (pd.Series, pd.DataFrame)):
        assert type(a) is type(b), where
        assert a.index.equals(b.index), where
        if isinstance(b, pd.DataFrame):
            assert list(a.columns) == list(b.columns), where
        else:
            assert a.name == b.name, where
        np.testing.assert_allclose(
            a.to_numpy(float), b.to_numpy(float), rtol=rtol, atol=atol, err_msg=where
        )
    elif isinstance(b, tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, rtol, atol, f"{where}[{i}]")
    elif isinstance(b, (str, bool, np.bool_)) or b is None:
        assert a == b, where
    else:
        np.testing.assert_allclose(
            np.asarray(a, float), np.asarray(b, float), rtol=rtol, atol=atol, err_msg=where
        )


def test_ts_example_only_import_and_data_lines_change():
    """The gradkit program differs from statsmodels' in import and dataset lines only."""
    old = "\n".join(CELLS).splitlines()
    new = "\n".join(_gradkit_cells()).splitlines()
    changed = [
        line[1:]
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed
    for line in changed:
        assert line.startswith(("import ", "from ")) or ".datasets." in line, line


def test_ts_example_sunspots_parameters_and_forecasts(runs):
    """TS-ARIMA/TS-FORECAST: AR(2) and AR(3) parameters within 1e-4 (seen 3e-6), their
    AIC/BIC/HQIC, the dynamic 1990-2012 prediction within 1e-3 (seen 2e-7) on the same
    date index, and the mean forecast error."""
    (ours, ours_ns), (ref, ref_ns) = runs
    for name in ("arma_mod20", "arma_mod30"):
        _close(ours_ns[name].params, ref_ns[name].params, 0, 1e-4, name)
    _close(ours[4], ref[4], 0, 1e-4, "print(arma_mod20.params)")
    _close(ours[7], ref[7], 0, 1e-4, "print(arma_mod30.params)")
    for i in (6, 8):
        _close(ours[i], ref[i], 1e-8, 0, f"cell {i}: aic, bic, hqic")
    _close(ours[14], ref[14], 0, 1e-3, "predict_sunspots")
    _close(ours[16], ref[16], 0, 1e-3, "mean_forecast_err")
    assert ours_ns["predict_sunspots"].index.freqstr == ref_ns["predict_sunspots"].index.freqstr


def test_ts_example_every_displayed_value(runs):
    """TS-ORDER: every value the notebook shows: the dataset note, Durbin-Watson, the
    normality test, the residual ACF / Ljung-Box tables, the simulated ARMA process
    (same draws from np.random.seed), the ARMA(1,1) and ARMA(4,1) residual tables and
    the CPI ADF p-value -- within 1e-5 relative (1e-4 / 1e-3 for parameters / forecasts)."""
    (ours, _), (ref, _) = runs
    assert len(ours) == len(ref) == len(CELLS)
    for i, (a, b) in enumerate(zip(ours, ref)):
        if i in (4, 7):
            _close(a, b, 0, 1e-4, f"cell {i}")
        elif i in (14, 16):
            _close(a, b, 0, 1e-3, f"cell {i}")
        else:
            _close(a, b, 1e-5, 1e-12, f"cell {i}: {CELLS[i][:60]!r}")
    assert ref[20] is True and ref[21] is False  # the first process: invertible, not stationary
    np.testing.assert_array_equal(ours[22], ref[22])  # the very same simulated draws
