"""Python peer of bench/utilities.ts: scikit-learn / SciPy timings of k-means, NMI, Hungarian-matched
clustering accuracy and the linear sum assignment, on the very data the TypeScript side wrote.

Run with Debian's /usr/bin/python3 (apt-get install -y python3-sklearn python3-scipy). One task
per call; prints one JSON line {"ms": median milliseconds, "reps": ..., ...results}:

    utilities_peer.py kmeans   --data X.f64 --init C.f64 --n N --d D --k K --iterations I [--threads T]
    utilities_peer.py nmi      --true A.i32 --pred B.i32
    utilities_peer.py accuracy --true A.i32 --pred B.i32
    utilities_peer.py lsa      --cost M.f64 --m M

Files are raw little-endian float64 (row-major) or int32 arrays. Timing: one run; if it took under
1 s it counts as warm-up and the task is repeated (at least 3 times, until 0.3 s have passed, at
most 20), and the median is reported, as bench/utilities.ts does.
"""
import argparse
import json
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits


def timed(fn):
    """(median ms, reps, last result), with the warm-up rule of the module docstring."""
    start = time.perf_counter()
    result = fn()
    first = (time.perf_counter() - start) * 1000
    if first >= 1000:
        return first, 1, result
    times, spent = [], 0.0
    while len(times) < 3 or (spent < 300 and len(times) < 20):
        start = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - start) * 1000
        times.append(ms)
        spent += ms
    return statistics.median(times), len(times), result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["kmeans", "nmi", "accuracy", "lsa"])
    ap.add_argument("--data")
    ap.add_argument("--init")
    ap.add_argument("--n", type=int)
    ap.add_argument("--d", type=int)
    ap.add_argument("--k", type=int)
    ap.add_argument("--iterations", type=int)
    ap.add_argument("--threads", type=int, default=None, help="BLAS/OpenMP threads (default: all cores)")
    ap.add_argument("--true")
    ap.add_argument("--pred")
    ap.add_argument("--cost")
    ap.add_argument("--m", type=int)
    a = ap.parse_args()

    import scipy
    import sklearn

    out = {"task": a.task, "sklearn": sklearn.__version__, "scipy": scipy.__version__}
    with threadpool_limits(limits=a.threads):
        if a.task == "kmeans":
            from sklearn.cluster import KMeans

            x = np.fromfile(a.data, dtype="<f8").reshape(a.n, a.d)
            init = np.fromfile(a.init, dtype="<f8").reshape(a.k, a.d)

            def run():
                # Lloyd's algorithm from the given centres, a fixed number of iterations (tol = 0:
                # only an unchanged labelling stops it early), one initialisation.
                return KMeans(n_clusters=a.k, init=init, n_init=1, max_iter=a.iterations, tol=0, algorithm="lloyd").fit(x)

            ms, reps, km = timed(run)
            out.update(inertia=float(km.inertia_), iterations=int(km.n_iter_))
        elif a.task in ("nmi", "accuracy"):
            from sklearn.metrics import normalized_mutual_info_score
            from sklearn.metrics.cluster import contingency_matrix
            from scipy.optimize import linear_sum_assignment

            y = np.fromfile(a.true, dtype="<i4")
            p = np.fromfile(a.pred, dtype="<i4")
            if a.task == "nmi":
                ms, reps, value = timed(lambda: normalized_mutual_info_score(y, p))
            else:

                def accuracy():
                    # The usual "cluster accuracy" recipe of deep-clustering code bases.
                    c = contingency_matrix(y, p)
                    rows, cols = linear_sum_assignment(-c)
                    return c[rows, cols].sum() / y.size

                ms, reps, value = timed(accuracy)
            out.update(value=float(value))
        else:
            from scipy.optimize import linear_sum_assignment

            cost = np.fromfile(a.cost, dtype="<f8").reshape(a.m, a.m)

            def lsa():
                rows, cols = linear_sum_assignment(cost)
                return cost[rows, cols].sum()

            ms, reps, total = timed(lsa)
            out.update(totalCost=float(total))
    out.update(ms=round(ms, 3), reps=reps, threads=a.threads or "all")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
