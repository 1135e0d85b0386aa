"""scikit-learn's reference pipeline for scripts/bench-cluster.ts.

TfidfVectorizer(max_df=0.5, min_df=5, stop_words='english', sublinear_tf=True) -> TruncatedSVD(100)
-> Normalizer -> KMeans(n_init=10), once per seed, timed per stage.

Input (argv[1]): a JSON file {"texts": [...], "labels": [...], "k": int, "seeds": [...], "warmup": int}.
Output (stdout): one JSON object {"sklearn": version, "runs": [{seed, nmi, ari, v_measure, timings}],
"warmup": [total ms of each warm-up run]}. The warm-up runs (seeds 1000, 1001, ...) come first and
are not scored, as on the TypeScript side.
"""
import json
import sys
import time

import sklearn
from sklearn import metrics
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import Normalizer


def timed_pipeline(texts, k, seed):
    """The pipeline once: its predicted clusters and the milliseconds of each stage."""
    start = time.perf_counter()
    matrix = TfidfVectorizer(max_df=0.5, min_df=5, stop_words="english", sublinear_tf=True).fit_transform(texts)
    vectorised = time.perf_counter()
    reduced = Normalizer(copy=False).fit_transform(TruncatedSVD(100, random_state=seed).fit_transform(matrix))
    reduced_at = time.perf_counter()
    predicted = KMeans(k, n_init=10, random_state=seed).fit(reduced).labels_
    clustered = time.perf_counter()
    timings = {
        "vectorise": (vectorised - start) * 1000,
        "reduce": (reduced_at - vectorised) * 1000,
        "cluster": (clustered - reduced_at) * 1000,
        "total": (clustered - start) * 1000,
    }
    return predicted, timings


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        job = json.load(handle)
    texts, labels, k = job["texts"], job["labels"], job["k"]
    warmup = [timed_pipeline(texts, k, 1000 + run)[1]["total"] for run in range(job.get("warmup", 0))]
    runs = []
    for seed in job["seeds"]:
        predicted, timings = timed_pipeline(texts, k, seed)
        runs.append(
            {
                "seed": seed,
                "nmi": metrics.normalized_mutual_info_score(labels, predicted),
                "ari": metrics.adjusted_rand_score(labels, predicted),
                "v_measure": metrics.v_measure_score(labels, predicted),
                "timings": timings,
            }
        )
    json.dump({"sklearn": sklearn.__version__, "runs": runs, "warmup": warmup}, sys.stdout)


if __name__ == "__main__":
    main()
