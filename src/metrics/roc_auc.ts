import { checkNumberArray } from '../data/checks.js';
/**
 * Area under the ROC curve of scores for a binary labelling (1 = positive, 0 = negative): the
 * probability that a random positive scores higher than a random negative, ties counting one
 * half (the Mann–Whitney U statistic / (n₊ n₋)), as scikit-learn's `roc_auc_score`.
 *
 * @param labels 0 or 1 per sample.
 * @param scores higher = more positive (e.g. an anomaly score).
 * @throws on a length mismatch, labels other than 0/1, NaN scores, or when one class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkNumberArray(labels, 'labels', 'rocAuc');
  checkNumberArray(scores, 'scores', 'rocAuc');
  const n = labels.length;
  if (n !== scores.length) throw new Error(`rocAuc: labels has ${n} entries but scores has ${scores.length}.`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`rocAuc: labels must be 0 or 1, got ${labels[i]} at index ${i}.`);
    if (Number.isNaN(scores[i])) throw new Error(`rocAuc: score at index ${i} is NaN.`);
    positives += labels[i];
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new Error(`rocAuc: needs both classes, got ${positives} positives and ${negatives} negatives.`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Sum of the positives' ranks, with tied scores sharing their mean rank.
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && scores[order[end + 1]] === scores[order[start]]) end++;
    const meanRank = (start + end) / 2 + 1;
    for (let j = start; j <= end; j++) if (labels[order[j]] === 1) rankSum += meanRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
