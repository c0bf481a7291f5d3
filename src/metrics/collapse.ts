// A collapsed model: (nearly) every beat predicted as one class although the beats hold several. A
// learning rate far too high (or a loss that ignores the minority classes) ends a run this way with a
// finite loss, so no divergence check catches it; reports and the CLI name it instead.

/** Share of all predictions above which one predicted class counts as a collapse. */
const COLLAPSE_SHARE = 0.995;

/**
 * The class that at least 99.5% of the beats were predicted as, when at least 1% of the beats truly
 * belong to other classes (so a test set of one class never counts); else null.
 */
export function collapsedClass(confusion: number[][], classes: string[]): { cls: string; count: number; total: number } | null {
  const predicted = classes.map((_, j) => confusion.reduce((a, row) => a + (row[j] ?? 0), 0));
  const total = predicted.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const top = predicted.indexOf(Math.max(...predicted));
  const share = predicted[top]! / total;
  const trueShare = (confusion[top] ?? []).reduce((a, b) => a + b, 0) / total;
  return share >= COLLAPSE_SHARE && trueShare <= 0.99 ? { cls: classes[top]!, count: predicted[top]!, total } : null;
}

/** The warning a report and the CLI print for a collapsed model. */
export function collapseWarning(model: string, c: { cls: string; count: number; total: number }, split = 'test'): string {
  return `${model} predicts ${c.cls} for ${c.count} of the ${c.total} ${split} beats: the run collapsed (a learning rate far too high, ` +
    'or too few epochs) and its figures measure the class balance, not the model; lower --lr, clip gradients (--clip) or train longer';
}
