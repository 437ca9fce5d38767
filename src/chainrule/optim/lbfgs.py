"""torch.optim.LBFGS: limited-memory BFGS with an optional strong-Wolfe line search.

The two-loop recursion builds the search direction from the last ``history_size`` pairs
(s = step taken, y = change of gradient). Scalars that torch keeps as 0-d float tensors
(dot products, step sizes) stay NumPy scalars of the parameters' dtype here, so float32 runs
round the same way.
"""

from __future__ import annotations

from .._backend import from_numpy_dtype, xp
from .._graph import enable_grad, no_grad
from .._tensor import Tensor, make
from .optimizer import Optimizer, check_non_negative

__all__ = ["LBFGS"]


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds``."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = xp.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, low), high)
    return (low + high) / 2.0


def _fit(al, history):
    """The scratch list of the two-loop recursion, long enough for ``history`` pairs."""
    al = list(al) if al is not None else []
    return al + [None] * (history - len(al))


def _to_tensors(value):
    """State for storage: arrays and NumPy scalars become tensors (lists stay lists)."""
    if isinstance(value, list):
        return [_to_tensors(v) for v in value]
    if isinstance(value, (xp.ndarray, xp.generic)):
        array = xp.asarray(value)
        return make(array.copy(), from_numpy_dtype(array.dtype))
    return value


def _to_arrays(value):
    """The inverse of ``_to_tensors``: tensors back to arrays, 0-d ones to NumPy scalars."""
    if isinstance(value, list):
        return [_to_arrays(v) for v in value]
    if isinstance(value, Tensor):
        return value._data[()] if value.ndim == 0 else value._data
    return value


def _as_float(loss) -> float:
    return float(loss.detach()) if hasattr(loss, "detach") else float(loss)


class _Bracket:
    """The two ends of an interval known to contain a point satisfying the Wolfe conditions."""

    def __init__(self, ts, fs, gs, gtds):
        self.t, self.f, self.g, self.gtd = list(ts), list(fs), list(gs), list(gtds)

    def order(self):
        """(index of the lower function value, index of the other end)."""
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)

    def set(self, i, t, f, g, gtd):
        self.t[i], self.f[i], self.g[i], self.gtd[i] = t, f, g, gtd


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along ``d`` from step ``t``: bracket, then zoom (Nocedal & Wright, alg. 3.5).

    ``evaluate(t)`` returns (loss, flat gradient) at x + t d. Returns (f, g, t, evaluations).
    """
    d_norm = xp.abs(d).max()
    g = g.copy()
    f_new, g_new = evaluate(t)
    evals = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    bracket = None
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])  # fmt: skip
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = _Bracket([t], [f_new], [g_new], [gtd_new])
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])  # fmt: skip
            break
        # extrapolate: the minimum of the cubic, at least 1% past t and at most 10 t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, (min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new.copy(), gtd_new
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = _Bracket([0, t], [f, f_new], [g, g_new], [gtd, gtd_new])
    low, high = bracket.order()
    insufficient_progress = False
    while not done and ls_iter < max_ls:
        ts = bracket.t
        if abs(ts[1] - ts[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(ts[0], bracket.f[0], bracket.gtd[0], ts[1], bracket.f[1],
                           bracket.gtd[1])  # fmt: skip
        t, insufficient_progress = _keep_away_from_ends(t, ts, insufficient_progress)
        f_new, g_new = evaluate(t)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket.f[low]:
            bracket.set(high, t, f_new, g_new.copy(), gtd_new)
            low, high = bracket.order()
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (ts[high] - ts[low]) >= 0:
                bracket.set(high, ts[low], bracket.f[low], bracket.g[low], bracket.gtd[low])
            bracket.set(low, t, f_new, g_new.copy(), gtd_new)
    return bracket.f[low], bracket.g[low], bracket.t[low], evals


def _keep_away_from_ends(t, ts, insufficient_progress):
    """Move a trial step that lands too close to an end of the bracket (within 10%) inwards."""
    top, bottom = max(ts), min(ts)
    margin = 0.1 * (top - bottom)
    if min(top - t, t - bottom) < margin:
        if insufficient_progress or t >= top or t <= bottom:
            t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
            return t, False
        return t, True
    return t, False


class LBFGS(Optimizer):
    """L-BFGS. ``step`` needs a closure that clears the gradients, computes the loss, calls
    ``backward`` and returns the loss; it may call it many times per step.

    >>> w = nn.Parameter(tensor([3., -2.]))
    >>> opt = optim.LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - 1) ** 2).sum()
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure); w
    Parameter containing:
    tensor([1.0000, 1.0000], requires_grad=True)
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):  # fmt: skip
        check_non_negative("lr", lr, "learning rate")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ flat views
    def _flat_grad(self):
        parts = []
        for p in self._params:
            if p.grad is None:
                parts.append(xp.zeros(p._data.size, p._data.dtype))
            else:
                parts.append(p.grad._data.reshape(-1))
        return xp.concatenate(parts)

    def _add_direction(self, t, d):
        offset = 0
        for p in self._params:
            n = p._data.size
            p._data += t * d[offset : offset + n].reshape(p._data.shape)
            p._vbox[0] += 1
            offset += n

    def _set_params(self, values):
        for p, value in zip(self._params, values):
            xp.copyto(p._data, value)
            p._vbox[0] += 1

    def _evaluate_at(self, closure, x, t, d):
        """Loss and flat gradient at x + t d; the parameters are put back to x afterwards."""
        self._add_direction(t, d)
        with enable_grad():
            loss = _as_float(closure())
        flat_grad = self._flat_grad().copy()
        self._set_params(x)
        return loss, flat_grad

    # ------------------------------------------------------------------ the step
    def step(self, closure):
        """Up to ``max_iter`` L-BFGS iterations; returns the loss of the first evaluation."""
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        with enable_grad():
            orig_loss = closure()
        loss = _as_float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        saved = {k: _to_arrays(v) for k, v in state.items()}
        d, t = saved.get("d"), saved.get("t")
        old_dirs, old_stps, ro = saved.get("old_dirs"), saved.get("old_stps"), saved.get("ro")
        h_diag = saved.get("H_diag")
        prev_flat_grad, prev_loss = saved.get("prev_flat_grad"), saved.get("prev_loss")
        al = saved.get("al")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                h_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / y.dot(y)
                al = _fit(al, len(old_dirs))
                d = self._two_loop(al, flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / xp.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = [p._data.copy() for p in self._params]
                evaluate = lambda step, x=x_init, d=d: self._evaluate_at(closure, x, step, d)
                loss, flat_grad, t, evals = _strong_wolfe(evaluate, t, d, loss, flat_grad, gtd)
                self._add_direction(t, d)
                converged = xp.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_direction(t, d)
                converged = False
                if n_iter != max_iter:
                    with enable_grad():
                        loss = _as_float(closure())
                    flat_grad = self._flat_grad()
                    converged = xp.abs(flat_grad).max() <= tolerance_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if n_iter == max_iter or current_evals >= max_eval or converged:
                break
            if xp.abs(d * t).max() <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        # kept as tensors, as torch keeps them (so state_dict() can be saved and reloaded)
        final = dict(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=h_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss, al=al)  # fmt: skip
        state.update({k: _to_tensors(v) for k, v in final.items() if v is not None})
        return orig_loss

    @staticmethod
    def _two_loop(al, flat_grad, old_dirs, old_stps, ro, h_diag):
        """The L-BFGS direction -H g from the stored (s, y) pairs (two-loop recursion)."""
        history = len(old_dirs)
        q = -flat_grad
        for i in range(history - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q = q + (-al[i]) * old_dirs[i]
        r = q * h_diag
        for i in range(history):
            be_i = old_dirs[i].dot(r) * ro[i]
            r = r + (al[i] - be_i) * old_stps[i]
        return r
