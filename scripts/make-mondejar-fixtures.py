"""Fixtures for the Mondejar-Guerra (2019) reproduction, made once with Debian's python3-sklearn 1.2.1,
python3-pywt 1.1.1 and python3-scipy 1.10.1 (/usr/bin/python3 scripts/make-mondejar-fixtures.py) and
committed; never run by the tests.
  svm.json       scikit-learn SVC (libsvm) one-vs-one decision values of RBF SVMs on seeded 2-D/5-D blobs,
                 with and without class weights, C from 0.001 to 10
  features.json  the beat descriptors of their features_ECG.py (wavelets via pywt, HOS via scipy.stats, the
                 uniform LBP and their morphology descriptor ported line by line to Python 3) on seeded
                 synthetic beats of 180 samples
"""
import json, operator
import numpy as np
import pywt, scipy.stats
from sklearn import svm

out = {}
rng = np.random.default_rng(7)
cases = []
for (d, K, n, C, weighted) in [(2, 3, 40, 1.0, False), (2, 3, 40, 10.0, True), (5, 4, 30, 0.001, True), (5, 4, 30, 0.5, True)]:
    counts = [n * (k + 1) for k in range(K)]  # unbalanced classes
    X = np.concatenate([rng.normal(size=(c, d)) + 2.0 * np.eye(d)[k % d] * (1 if k < d else -1) for k, c in enumerate(counts)])
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    X = X.astype(np.float32).astype(np.float64)
    T = (rng.normal(size=(25, d)) * 1.5).astype(np.float32).astype(np.float64)
    cw = {k: len(y) / float(np.count_nonzero(y == k)) for k in range(K)} if weighted else None
    m = svm.SVC(C=C, kernel='rbf', gamma='auto', tol=1e-3, class_weight=cw, decision_function_shape='ovo', shrinking=True)
    m.fit(X, y)
    cases.append({'d': d, 'K': K, 'C': C, 'weighted': weighted, 'x': X.astype(np.float32).ravel().tolist(), 'y': y.tolist(),
                  'test': T.astype(np.float32).ravel().tolist(), 'decision': m.decision_function(T.astype(np.float32)).ravel().tolist(),
                  'nSupport': int(m.support_.size)})
json.dump({'cases': cases}, open('test/fixtures/mondejar/svm.json', 'w'))

uniform_pattern_list = np.array([0, 1, 2, 3, 4, 6, 7, 8, 12, 14, 15, 16, 24, 28, 30, 31, 32, 48, 56, 60, 62, 63, 64, 96, 112, 120, 124, 126, 127, 128,
     129, 131, 135, 143, 159, 191, 192, 193, 195, 199, 207, 223, 224, 225, 227, 231, 239, 240, 241, 243, 247, 248, 249, 251, 252, 253, 254, 255])

def lbp(signal, neigh=8):
    hist = np.zeros(59, dtype=float)
    for i in range(neigh // 2, len(signal) - neigh // 2):
        pattern = np.zeros(neigh)
        ind = 0
        for n in list(range(-neigh // 2, 0)) + list(range(1, neigh // 2 + 1)):
            if signal[i] > signal[i + n]:
                pattern[ind] = 1
            ind += 1
        pid = int("".join(str(c) for c in pattern.astype(int)), 2)
        hist[int(np.argwhere(uniform_pattern_list == pid)) if pid in uniform_pattern_list else 58] += 1.0
    return hist

def hos(beat, n_intervals=6, lag=30):
    h = np.zeros((n_intervals - 1) * 2)
    for i in range(n_intervals - 1):
        pose = lag * (i + 1)
        interval = beat[(pose - lag // 2):(pose + lag // 2)]
        h[i] = scipy.stats.skew(interval, 0, True)
        h[(n_intervals - 1) + i] = scipy.stats.kurtosis(interval, 0, False, True)
    return np.nan_to_num(h)

def my_morph(beat, winL=90, winR=90):
    R_pos = int((winL + winR) / 2)
    R_value = beat[R_pos]
    m = np.zeros(4); yv = np.zeros(4); xv = np.zeros(4)
    [xv[0], yv[0]] = max(enumerate(beat[0:40]), key=operator.itemgetter(1))
    [xv[1], yv[1]] = min(enumerate(beat[75:85]), key=operator.itemgetter(1))
    [xv[2], yv[2]] = min(enumerate(beat[95:105]), key=operator.itemgetter(1))
    [xv[3], yv[3]] = max(enumerate(beat[150:180]), key=operator.itemgetter(1))
    xv[1] += 75; xv[2] += 95; xv[3] += 150
    x_max = max(xv); y_max = max(np.append(yv, R_value)); x_min = min(xv); y_min = min(np.append(yv, R_value))
    R_pos = (R_pos - x_min) / (x_max - x_min)
    R_value = (R_value - y_min) / (y_max - y_min)
    for n in range(4):
        xv[n] = (xv[n] - x_min) / (x_max - x_min)
        yv[n] = (yv[n] - y_min) / (y_max - y_min)
        m[n] = np.linalg.norm([R_pos - xv[n], R_value - yv[n]])
    return np.nan_to_num(m)

beats = []
t = np.arange(180)
for k in range(6):
    b = (np.exp(-((t - 90) / (3 + k)) ** 2) * (1 + 0.2 * k) - 0.3 * np.exp(-((t - 100 - k) / 4) ** 2)
         + 0.25 * np.exp(-((t - 160) / 10) ** 2) + 0.1 * np.exp(-((t - 30) / 8) ** 2) + 0.02 * rng.normal(size=180))
    b = b.astype(np.float32).astype(np.float64)
    beats.append({'beat': b.tolist(), 'wavelets': pywt.wavedec(b, pywt.Wavelet('db1'), level=3)[0].tolist(),
                  'hos': hos(b).tolist(), 'lbp': lbp(b).tolist(), 'morph': my_morph(b).tolist()})
json.dump({'beats': beats}, open('test/fixtures/mondejar/features.json', 'w'))
print('wrote test/fixtures/mondejar/svm.json and features.json')
