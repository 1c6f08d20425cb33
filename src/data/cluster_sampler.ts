import { seededRandom } from '../core/random.js';
import { checkNumber, checkNumberArray } from './checks.js';

/**
 * DeepCluster's sampler (Caron et al. 2018, `UnifLabelSampler`): `total` indices drawn so that
 * every non-empty cluster is drawn equally often, `⌈total / k'⌉` times for k' non-empty clusters,
 * without replacement inside a cluster while it has enough members, with replacement only for
 * clusters smaller than their share. The result is shuffled and cut to `total`. Seeded.
 *
 * @param assignments cluster id of every row (ids in [0, numClusters)).
 * @throws when there are no rows, an id is out of range, or `total` < 1.
 */
export function uniformClusterSampler(assignments: ArrayLike<number>, numClusters: number, total: number, seed: number): Int32Array {
  checkNumberArray(assignments, 'assignments', 'uniformClusterSampler');
  checkNumber(numClusters, 'numClusters', 'uniformClusterSampler', { integer: true, min: 1 });
  if (assignments.length === 0) throw new Error('uniformClusterSampler: no assignments.');
  if (!Number.isInteger(total) || total < 1) throw new Error(`uniformClusterSampler: total must be a positive integer, got ${total}.`);
  const members: number[][] = Array.from({ length: numClusters }, () => []);
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClusters) throw new Error(`uniformClusterSampler: assignment ${c} of row ${i} is not in [0, ${numClusters}).`);
    members[c].push(i);
  }
  const nonEmpty = members.filter((m) => m.length > 0);
  const share = Math.ceil(total / nonEmpty.length);
  const random = seededRandom(seed, 'uniformClusterSampler');
  const drawn: number[] = [];
  for (const cluster of nonEmpty) {
    if (cluster.length >= share) {
      const order = random.permutation(cluster.length);
      for (let j = 0; j < share; j++) drawn.push(cluster[order[j]]);
    } else {
      for (let j = 0; j < share; j++) drawn.push(cluster[random.int(cluster.length)]);
    }
  }
  random.shuffle(drawn);
  return Int32Array.from(drawn.slice(0, total));
}
