"""Which element wins among ties and NaN: torch's CPU selection kernels, step for step.

topk, kthvalue and mode return indices, and their gradients go where the indices point.
With distinct values any correct algorithm gives the same indices; with ties (0. and -0.
included) or NaN the answer is whatever torch's algorithm leaves where: kthvalue runs a
median-of-three quickselect, topk the C++ standard library's nth_element and sort
(libstdc++'s introselect and introsort), mode a sort by value then a scan. These functions
replay those algorithms on one row of (value, index) pairs, in Python: callers use them
only for the rows that have ties or NaN. NumPy-only (plain Python on host values).
"""

from __future__ import annotations

import math


def rows_with_ties_or_nan(rows):
    """The numbers of the rows (of a 2-D NumPy array) holding equal values (0. == -0.) or
    NaN: only those can come out differently from torch's algorithms."""
    if rows.shape[1] < 2:
        return []
    ordered = rows.copy()
    ordered.sort(axis=1)
    flagged = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1) | (ordered != ordered).any(axis=1)
    return [int(r) for r in flagged.nonzero()[0]]


def _isnan(v) -> bool:
    return v != v


def greater_or_nan(x, y) -> bool:
    """torch's order for "largest": NaN above everything."""
    return (_isnan(x) and not _isnan(y)) or x > y


def less_or_not_nan(x, y) -> bool:
    """torch's order for "smallest": NaN below nothing."""
    return (not _isnan(x) and _isnan(y)) or x < y


def less(x, y) -> bool:
    return x < y


# --------------------------------------------------------------------------- kthvalue


def quickselect_index(values, k) -> int:
    """The original index that torch's kthvalue quickselect leaves at position k (0-based)."""
    arr = values.tolist()
    idx = list(range(len(arr)))

    def swap(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]

    gt = greater_or_nan
    low, high = 0, len(arr) - 1
    while True:
        if high <= low:
            return idx[k]
        if high == low + 1:
            if gt(arr[low], arr[high]):
                swap(low, high)
            return idx[k]
        middle = low + (high - low) // 2
        swap(middle, low + 1)
        if gt(arr[low + 1], arr[high]):
            swap(low + 1, high)
        if gt(arr[low], arr[high]):
            swap(low, high)
        if gt(arr[low + 1], arr[low]):
            swap(low + 1, low)
        i, j, pivot = low + 1, high, arr[low]
        while True:
            i += 1
            while gt(pivot, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], pivot):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(low, j)
        if j <= k:
            low = i
        if j >= k:
            high = j - 1


# --------------------------------------------------------------------------- libstdc++


def _insertion_sort(a, first, last, comp):
    for i in range(first + 1, last):
        value = a[i]
        if comp(value[0], a[first][0]):
            a[first + 1 : i + 1] = a[first:i]
            a[first] = value
        else:
            _linear_insert(a, i, comp)


def _linear_insert(a, last, comp):
    value = a[last]
    before = last - 1
    while comp(value[0], a[before][0]):
        a[last] = a[before]
        last = before
        before -= 1
    a[last] = value


def _median_to_first(a, result, x, y, z, comp):
    if comp(a[x][0], a[y][0]):
        if comp(a[y][0], a[z][0]):
            pick = y
        elif comp(a[x][0], a[z][0]):
            pick = z
        else:
            pick = x
    elif comp(a[x][0], a[z][0]):
        pick = x
    elif comp(a[y][0], a[z][0]):
        pick = z
    else:
        pick = y
    a[result], a[pick] = a[pick], a[result]


def _partition_pivot(a, first, last, comp):
    middle = first + (last - first) // 2
    _median_to_first(a, first, first + 1, middle, last - 1, comp)
    pivot = a[first][0]
    lo, hi = first + 1, last
    while True:
        while comp(a[lo][0], pivot):
            lo += 1
        hi -= 1
        while comp(pivot, a[hi][0]):
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _depth(n) -> int:
    return 2 * (n.bit_length() - 1)


def nth_element(a, nth, comp):
    """std::nth_element (introselect). The heap fallback after too many poor partitions is
    replaced by an insertion sort (same selection; its order may differ in that rare case)."""
    first, last = 0, len(a)
    if first == last or nth == last:
        return
    depth = _depth(last - first)
    while last - first > 3:
        if depth == 0:
            break
        depth -= 1
        cut = _partition_pivot(a, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, comp)


def sort_range(a, first, last, comp):
    """std::sort on a[first:last] (introsort, then the final insertion sort)."""
    if last - first < 2:
        return
    _introsort(a, first, last, _depth(last - first), comp)
    if last - first > 16:
        _insertion_sort(a, first, first + 16, comp)
        for i in range(first + 16, last):
            _linear_insert(a, i, comp)
    else:
        _insertion_sort(a, first, last, comp)


def _introsort(a, first, last, depth, comp):
    while last - first > 16:
        if depth == 0:  # heapsort in libstdc++: rare; the final insertion sort orders it
            return
        depth -= 1
        cut = _partition_pivot(a, first, last, comp)
        _introsort(a, cut, last, depth, comp)
        last = cut


# --------------------------------------------------------------------------- topk / mode


def topk_indices(values, k, largest) -> list[int] | None:
    """The original indices of torch's topk of one row, or None where torch takes its
    partial_sort path (k * 64 <= n), which is not replayed."""
    n = len(values)
    if k == 0 or k * 64 <= n:
        return None
    comp = greater_or_nan if largest else less_or_not_nan
    pairs = [(v, j) for j, v in enumerate(values.tolist())]
    nth_element(pairs, k - 1, comp)
    sort_range(pairs, 0, k - 1, comp)
    return [j for _, j in pairs[:k]]


def mode_index(values) -> tuple[float, int]:
    """torch's mode of one row: sorted by value, the last index of the longest run (the
    first such run wins)."""
    pairs = [(v, j) for j, v in enumerate(values.tolist())]
    sort_range(pairs, 0, len(pairs), less)
    best_value, best_index, best_count, count = math.nan, 0, 0, 0
    for i, (value, j) in enumerate(pairs):
        count += 1
        if i == len(pairs) - 1 or value != pairs[i + 1][0]:
            if count > best_count:
                best_value, best_index, best_count = value, j, count
            count = 0
    return best_value, best_index
