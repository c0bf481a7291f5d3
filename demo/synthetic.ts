// A short synthetic single-lead ECG for the demo (no data needed): Gaussian P, Q, R, S and T waves on a
// slow baseline wander with a little noise, 360 Hz, with a premature wide beat (PVC-like) every eighth
// beat. Deterministic (seeded), values in mV.

export interface SyntheticEcg {
  signal: Float32Array;
  fs: number;
  /** R peak positions of the beats generated, and which were premature wide beats. */
  beats: number[];
  premature: boolean[];
}

export function syntheticEcg(seconds = 60, fs = 360, seed = 7): SyntheticEcg {
  const n = Math.round(seconds * fs);
  const x = new Float32Array(n);
  let s = seed >>> 0 || 1;
  const rand = () => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const wave = (t0: number, amp: number, width: number) => {
    const w = width * fs, c = t0 * fs;
    for (let i = Math.max(0, Math.floor(c - 5 * w)); i < Math.min(n, Math.ceil(c + 5 * w)); i++) x[i]! += amp * Math.exp(-0.5 * ((i - c) / w) ** 2);
  };
  const beats: number[] = [], premature: boolean[] = [];
  let t = 0.4, k = 0;
  while (t < seconds - 0.6) {
    const pvc = k % 8 === 5;
    if (pvc) {
      wave(t - 0.02, -0.25, 0.03);
      wave(t, 1.6, 0.035);
      wave(t + 0.06, -0.6, 0.04);
      wave(t + 0.3, -0.45, 0.07);
    } else {
      wave(t - 0.16, 0.12, 0.025);
      wave(t - 0.03, -0.12, 0.01);
      wave(t, 1.1, 0.012);
      wave(t + 0.03, -0.25, 0.012);
      wave(t + 0.26, 0.3, 0.045);
    }
    beats.push(Math.round(t * fs));
    premature.push(pvc);
    const rr = 0.8 + 0.05 * Math.sin(k / 3) + 0.02 * (rand() - 0.5);
    t += k % 8 === 4 ? 0.5 * rr : k % 8 === 5 ? 1.4 * rr : rr;
    k++;
  }
  for (let i = 0; i < n; i++) x[i]! += 0.15 * Math.sin((2 * Math.PI * 0.25 * i) / fs) + 0.02 * (rand() - 0.5);
  return { signal: x, fs, beats, premature };
}
