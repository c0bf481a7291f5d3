// Fused optimizer steps (docs/kernels.md, "optim.ts"). In place, one pass over contiguous f32 vectors
// of length n: parameters p, gradients g, and state (buf for SGD; m, v for Adam). SGD scalars arrive
// as f32; Adam's as f64 (derived constants are formed in double precision, then rounded once).
//
// SGD (torch.optim.SGD, maximize = false):
//   g' = g + wd·p                                   (skipped when wd = 0)
//   momentum ≠ 0: buf = first ? g' : momentum·buf + (1 − dampening)·g'
//                 d = nesterov ? g' + momentum·buf : buf
//   momentum = 0: d = g' (buf is not touched)
//   p = p − lr·d
// Adam / AdamW (torch.optim.Adam / AdamW, amsgrad = false; bc1 = 1 − β1^t, bc2 = 1 − β2^t from the host):
//   AdamW (decoupled = 1): p = p·(1 − lr·wd); g' = g.   Adam (decoupled = 0): g' = g + wd·p (wd ≠ 0).
//   m = β1·m + (1 − β1)·g';  v = β2·v + (1 − β2)·g'²
//   p = p − (lr/bc1)·m / (sqrt(v)/sqrt(bc2) + eps)    (= lr·(m/bc1)/(sqrt(v/bc2) + eps), PyTorch's order)
// Flag combinations are resolved outside the loop (each is an @inline loop specialised on constant flags).
// Both builds use the same per-element operations in the same order (bit-identical results).

// @ts-ignore: decorator
@inline function fsplat(x: f32): v128 {
  return f32x4.splat(x);
}

// @ts-ignore: decorator
@inline function sgdLoop(
  p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, wd: f32,
  hasWd: bool, hasMom: bool, nesterov: bool, first: bool,
): void {
  const damp: f32 = 1.0 - dampening;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlr = fsplat(lr), vmom = fsplat(momentum), vdamp = fsplat(damp), vwd = fsplat(wd);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      const pv = v128.load(p + off);
      let gv = v128.load(g + off);
      if (hasWd) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
      let d = gv;
      if (hasMom) {
        let b = gv;
        if (!first) b = f32x4.add(f32x4.mul(vmom, v128.load(buf + off)), f32x4.mul(vdamp, gv));
        v128.store(buf + off, b);
        d = nesterov ? f32x4.add(gv, f32x4.mul(vmom, b)) : b;
      }
      v128.store(p + off, f32x4.sub(pv, f32x4.mul(vlr, d)));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const pv = load<f32>(p + off);
    let gv = load<f32>(g + off);
    if (hasWd) gv = gv + wd * pv;
    let d = gv;
    if (hasMom) {
      let b = gv;
      if (!first) b = momentum * load<f32>(buf + off) + damp * gv;
      store<f32>(buf + off, b);
      d = nesterov ? gv + momentum * b : b;
    }
    store<f32>(p + off, pv - lr * d);
  }
}

// @ts-ignore: decorator
@inline function sgdMom(p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, wd: f32, hasWd: bool, nesterov: i32, first: i32): void {
  if (first != 0) {
    if (nesterov != 0) sgdLoop(p, g, buf, n, lr, momentum, dampening, wd, hasWd, true, true, true);
    else sgdLoop(p, g, buf, n, lr, momentum, dampening, wd, hasWd, true, false, true);
  } else {
    if (nesterov != 0) sgdLoop(p, g, buf, n, lr, momentum, dampening, wd, hasWd, true, true, false);
    else sgdLoop(p, g, buf, n, lr, momentum, dampening, wd, hasWd, true, false, false);
  }
}

/** One torch.optim.SGD step over n parameters (see header). */
export function sgdStep(
  p: usize, g: usize, buf: usize, n: i32, lr: f32, momentum: f32, dampening: f32, weightDecay: f32,
  nesterov: i32, first: i32,
): void {
  if (n <= 0) return;
  const hasWd = weightDecay != 0;
  if (momentum == 0) {
    if (hasWd) sgdLoop(p, g, buf, n, lr, momentum, dampening, weightDecay, true, false, false, false);
    else sgdLoop(p, g, buf, n, lr, momentum, dampening, weightDecay, false, false, false, false);
  } else if (hasWd) sgdMom(p, g, buf, n, lr, momentum, dampening, weightDecay, true, nesterov, first);
  else sgdMom(p, g, buf, n, lr, momentum, dampening, weightDecay, false, nesterov, first);
}

// @ts-ignore: decorator
@inline function adamLoop(
  p: usize, g: usize, m: usize, v: usize, n: i32, beta1: f32, beta2: f32, eps: f32, wd: f32,
  stepSize: f32, bc2s: f32, decay: f32, ob1: f32, ob2: f32, coupledWd: bool, decoupledWd: bool,
): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vb1 = fsplat(beta1), vb2 = fsplat(beta2), vob1 = fsplat(ob1), vob2 = fsplat(ob2);
    const veps = fsplat(eps), vwd = fsplat(wd), vss = fsplat(stepSize), vbc2s = fsplat(bc2s), vdecay = fsplat(decay);
    for (; i + 4 <= n; i += 4) {
      const off = <usize>i << 2;
      let pv = v128.load(p + off);
      let gv = v128.load(g + off);
      if (decoupledWd) pv = f32x4.mul(pv, vdecay);
      if (coupledWd) gv = f32x4.add(gv, f32x4.mul(vwd, pv));
      const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + off)), f32x4.mul(vob1, gv));
      const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + off)), f32x4.mul(vob2, f32x4.mul(gv, gv)));
      v128.store(m + off, mv);
      v128.store(v + off, vv);
      const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2s), veps);
      v128.store(p + off, f32x4.sub(pv, f32x4.mul(vss, f32x4.div(mv, denom))));
    }
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    let pv = load<f32>(p + off);
    let gv = load<f32>(g + off);
    if (decoupledWd) pv = pv * decay;
    if (coupledWd) gv = gv + wd * pv;
    const mv = beta1 * load<f32>(m + off) + ob1 * gv;
    const vv = beta2 * load<f32>(v + off) + ob2 * (gv * gv);
    store<f32>(m + off, mv);
    store<f32>(v + off, vv);
    const denom = sqrt<f32>(vv) / bc2s + eps;
    store<f32>(p + off, pv - stepSize * (mv / denom));
  }
}

/** One Adam (decoupled = 0) or AdamW (decoupled = 1) step over n parameters (see header). */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, decoupled: i32, bc1: f64, bc2: f64,
): void {
  // Scalars arrive as f64 so that 1 − β, lr/bc1 and sqrt(bc2) are formed in double precision (as
  // PyTorch does) before rounding to f32 once.
  if (n <= 0) return;
  const b1 = <f32>beta1, b2 = <f32>beta2, e = <f32>eps, wd = <f32>weightDecay;
  const ob1 = <f32>(1.0 - beta1), ob2 = <f32>(1.0 - beta2);
  const stepSize = <f32>(lr / bc1);
  const bc2s = <f32>Math.sqrt(bc2);
  const decay = <f32>(1.0 - lr * weightDecay);
  if (weightDecay == 0) adamLoop(p, g, m, v, n, b1, b2, e, wd, stepSize, bc2s, decay, ob1, ob2, false, false);
  else if (decoupled != 0) adamLoop(p, g, m, v, n, b1, b2, e, wd, stepSize, bc2s, decay, ob1, ob2, false, true);
  else adamLoop(p, g, m, v, n, b1, b2, e, wd, stepSize, bc2s, decay, ob1, ob2, true, false);
}
