"""Generates test/fixtures/metrics-sklearn-extra.json: more scikit-learn / scipy reference values
for src/metrics (every average method, entropies, mutual information, EMI, majority-vote accuracy,
rectangular and maximising assignments, and large generated labelings up to n = 1,000,000).

Run once with the system Python that has scikit-learn 1.2.1 and scipy 1.10.1:
    /usr/bin/python3 test/metrics/make_metrics_extra_fixture.py
The tests never call Python; they only read the JSON this writes.

Large labelings are not stored: they come from a Park-Miller generator that the TypeScript tests
reproduce bit for bit (see `generatedLabels` in test/metrics/helpers.ts).
"""
import json
import math
import os

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    mutual_info_score,
    normalized_mutual_info_score,
)
from sklearn.metrics.cluster import contingency_matrix, entropy
from sklearn.metrics.cluster._expected_mutual_info_fast import expected_mutual_information

AVERAGES = ["arithmetic", "geometric", "min", "max"]
MODULUS = 2147483647


def generated_labels(seed, n, classes, clusters, agreement):
    """Park-Miller minimal standard generator; mirrored in test/metrics/helpers.ts."""
    x = seed
    true, pred = [], []

    def uniform():
        nonlocal x
        x = (16807 * x) % MODULUS
        return x / MODULUS

    for _ in range(n):
        u = uniform()
        v = uniform()
        w = uniform()
        t = math.floor(u * u * classes)
        if v < agreement:
            p = (t * 7 + math.floor(w * 3)) % clusters
        else:
            p = math.floor(w * w * clusters)
        true.append(t)
        pred.append(p)
    return true, pred


def accuracies(labels_true, labels_pred):
    c = contingency_matrix(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(c, maximize=True)
    n = len(labels_true)
    return int(c[rows, cols].sum()) / n, int(c.max(axis=0).sum()) / n


def scores(labels_true, labels_pred, averages=AVERAGES):
    n = len(labels_true)
    contingency = contingency_matrix(labels_true, labels_pred, sparse=True).astype(np.float64)
    hungarian, majority = accuracies(labels_true, labels_pred)
    return {
        "nmi": {a: float(normalized_mutual_info_score(labels_true, labels_pred, average_method=a)) for a in averages},
        "ami": {a: float(adjusted_mutual_info_score(labels_true, labels_pred, average_method=a)) for a in averages},
        "ari": float(adjusted_rand_score(labels_true, labels_pred)),
        "mutualInformation": float(mutual_info_score(labels_true, labels_pred)),
        "entropyTrue": float(entropy(labels_true)),
        "entropyPred": float(entropy(labels_pred)),
        "emi": float(expected_mutual_information(contingency, n)),
        "accuracy": hungarian,
        "majorityAccuracy": majority,
    }


def explicit(name, labels_true, labels_pred, averages=AVERAGES):
    case = {"name": name, "labelsTrue": labels_true, "labelsPred": labels_pred}
    case.update(scores(labels_true, labels_pred, averages))
    return case


def generated(name, seed, n, classes, clusters, agreement):
    labels_true, labels_pred = generated_labels(seed, n, classes, clusters, agreement)
    case = {"name": name, "generator": {"seed": seed, "n": n, "classes": classes, "clusters": clusters, "agreement": agreement}}
    case.update(scores(labels_true, labels_pred))
    return case


rng = np.random.RandomState(20240611)

explicit_cases = [
    explicit("negative labels with gaps", [-5, -5, 3, 3, 100, 100, 100, -5], [7, 7, -1, 2, 2, 2, -1, 7]),
    explicit("prediction a single cluster", [0, 0, 1, 1, 2, 2, 3], [4, 4, 4, 4, 4, 4, 4]),
    explicit("truth a single cluster", [9, 9, 9, 9, 9, 9], [0, 1, 1, 2, 2, 2]),
    explicit("independent halves", [0, 0, 1, 1], [0, 1, 0, 1]),
    explicit("identical up to renaming", [0, 0, 1, 1, 1, 2, 2, 2, 2], [5, 5, -3, -3, -3, 8, 8, 8, 8]),
    # 'min' leaves out: H(true) = log n equals EMI there, so scikit-learn divides rounding noise by eps.
    explicit("truth all singletons", list(range(12)), [0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4], ["arithmetic", "geometric", "max"]),
    explicit("one sample", [3], [8]),
    explicit("two samples, prediction merged", [0, 1], [0, 0]),
    explicit("more clusters than classes", [0, 0, 0, 0, 1, 1, 1, 1, 2, 2], [0, 0, 0, 1, 2, 2, 3, 1, 4, 5]),
    explicit("fewer clusters than classes", [0, 0, 1, 1, 2, 2, 3, 3, 3], [0, 0, 1, 1, 1, 1, 0, 2, 2]),
    explicit(
        "random 3 classes vs 40 clusters",
        [int(v) for v in rng.randint(0, 3, size=400)],
        [int(v) for v in rng.randint(0, 40, size=400)],
    ),
]

generated_cases = [
    generated("generated n=100000, 20 classes, 50 clusters", 12345, 100_000, 20, 50, 0.6),
    generated("generated n=20000, 4 classes, 300 clusters", 777, 20_000, 4, 300, 0.5),
    generated("generated n=1000000, 10 classes, 13 clusters", 2024, 1_000_000, 10, 13, 0.7),
]


def assignment(name, cost, maximize=False):
    cost = np.round(np.asarray(cost, dtype=np.float64), 6)
    rows, cols = linear_sum_assignment(cost, maximize=maximize)
    return {
        "name": name,
        "cost": cost.tolist(),
        "maximize": maximize,
        "total": float(cost[rows, cols].sum()),
        "rows": [int(r) for r in rows],
        "cols": [int(c) for c in cols],
    }


assignment_cases = [
    assignment("wide 3x8", rng.uniform(0, 100, size=(3, 8))),
    assignment("tall 12x3", rng.uniform(0, 100, size=(12, 3))),
    assignment("tall 60x4 (more rows than columns squared)", rng.uniform(0, 100, size=(60, 4))),
    assignment("wide 5x70", rng.uniform(0, 100, size=(5, 70))),
    assignment("negative costs 6x6", rng.uniform(-50, 50, size=(6, 6))),
    assignment("maximize 6x6", rng.uniform(0, 100, size=(6, 6)), maximize=True),
    assignment("maximize tall 40x3", rng.uniform(-20, 80, size=(40, 3)), maximize=True),
    assignment("maximize wide 4x9", rng.uniform(0, 1, size=(4, 9)), maximize=True),
    assignment("single row", rng.uniform(0, 10, size=(1, 5))),
    assignment("single column", rng.uniform(0, 10, size=(5, 1)), maximize=True),
]

out = {
    "reference": f"scikit-learn {sklearn.__version__}, scipy {scipy.__version__}",
    "clustering": explicit_cases,
    "generated": generated_cases,
    "assignment": assignment_cases,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "metrics-sklearn-extra.json")
with open(path, "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
    f.write("\n")
print("wrote", os.path.normpath(path))
