/** (n / (classes · n_class))^power for each class present in the labels (power 1: scikit-learn's class_weight='balanced'). */
export function balancedClassWeights(labels: Int32Array, classes: number, power = 1): Record<number, number> {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]! += 1;
  const weights: Record<number, number> = {};
  counts.forEach((count, label) => {
    if (count > 0) weights[label] = (labels.length / (classes * count)) ** power;
  });
  return weights;
}
