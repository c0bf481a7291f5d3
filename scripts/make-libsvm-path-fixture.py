"""The libsvm path fixture (test/fixtures/mondejar/libsvm-path.json), made once with Debian's python3-sklearn
1.2.1 (/usr/bin/python3 scripts/make-libsvm-path-fixture.py) and committed; never run by the tests.
Per case and one-vs-one pair: scikit-learn SVC's solver steps (n_iter_), rho (-intercept_) and the number of
support vectors, with shrinking on (scikit-learn's default) and off, on seeded overlapping blobs large enough
for libsvm's shrinking to act (it first runs after min(n, 1000) steps). svm-rbf.ts started at alpha = 0, with
shrinking and the pair's samples grouped by class, should take the same steps and reach the same rho.
"""
import json
import numpy as np
from sklearn import svm

rng = np.random.default_rng(11)
cases = []
for (d, K, n, C, weighted, shrinking) in [(3, 3, 150, 10.0, False, True), (3, 3, 150, 10.0, False, False),
                                          (2, 3, 200, 100.0, True, True), (4, 4, 120, 0.001, True, True),
                                          (4, 4, 120, 1.0, True, True)]:
    counts = [n * (k + 1) for k in range(K)]
    X = np.concatenate([rng.normal(size=(c, d)) + 0.8 * np.eye(d)[k % d] for k, c in enumerate(counts)])
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    order = rng.permutation(len(y))  # classes interleaved, as dataset rows are
    X, y = X[order].astype(np.float32).astype(np.float64), y[order]
    cw = {k: len(y) / float(np.count_nonzero(y == k)) for k in range(K)} if weighted else None
    m = svm.SVC(C=C, kernel='rbf', gamma='auto', tol=1e-3, class_weight=cw, decision_function_shape='ovo', shrinking=shrinking)
    m.fit(X, y)
    cases.append({'d': d, 'K': K, 'C': C, 'weighted': weighted, 'shrinking': shrinking,
                  'x': X.astype(np.float32).ravel().tolist(), 'y': y.tolist(),
                  'iterations': [int(v) for v in m.n_iter_], 'rho': (-m.intercept_).tolist(), 'nSupport': int(m.support_.size)})
json.dump({'cases': cases}, open('test/fixtures/mondejar/libsvm-path.json', 'w'))
print([c['iterations'] for c in cases])
