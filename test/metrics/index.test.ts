import { describe, expect, it } from 'vitest';

import * as metrics from '../../src/metrics/index.js';
import type { AmiOptions, Assignment, ClusterAccuracyResult, ClusterLabels, ConfusionMatrix, Contingency, LinearSumAssignmentOptions, NmiAverage, NmiOptions, RelabeledLabels } from '../../src/metrics/index.js';

describe('src/metrics/index.ts', () => {
  it('re-exports every public metric by name', () => {
    expect(Object.keys(metrics).sort()).toEqual(
      ['ami', 'ari', 'clusterAccuracy', 'confusionMatrix', 'contingencyTable', 'entropy', 'expectedMutualInformation', 'linearSumAssignment', 'majorityVoteAccuracy', 'mutualInformation', 'nmi', 'relabel', 'rocAuc'].sort(),
    );
    for (const value of Object.values(metrics)) expect(typeof value).toBe('function');
  });

  it('exports the public types', () => {
    const labels: ClusterLabels = Int32Array.from([0, 1, 1]);
    const average: NmiAverage = 'max';
    const nmiOptions: NmiOptions = { average };
    const amiOptions: AmiOptions = nmiOptions;
    const lsaOptions: LinearSumAssignmentOptions = { maximize: true };
    const assignment: Assignment = metrics.linearSumAssignment([[1, 2], [3, 4]], lsaOptions);
    const result: ClusterAccuracyResult = metrics.clusterAccuracy(labels, [1, 0, 0]);
    const confusion: ConfusionMatrix = result.confusion;
    const table: Contingency = metrics.contingencyTable(labels, labels);
    const relabeled: RelabeledLabels = metrics.relabel(labels);
    expect(metrics.ami(labels, [1, 0, 0], amiOptions)).toBe(1);
    expect(assignment.totalCost).toBe(5);
    expect(confusion.matrix).toEqual([[0, 1], [2, 0]]);
    expect(table.n).toBe(3);
    expect(relabeled.values).toEqual([0, 1]);
  });
});
