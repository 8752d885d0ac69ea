/** Classes ↔ integer codes, like scikit-learn's LabelEncoder: classes sorted, code = index. */
export class LabelEncoder {
  private readonly index: Map<string, number>;

  constructor(readonly classes: readonly string[]) {
    const sorted = [...classes].sort();
    if (sorted.some((label, i) => label !== classes[i])) throw new Error('LabelEncoder classes must be sorted');
    if (new Set(classes).size !== classes.length) throw new Error('LabelEncoder classes must be unique');
    this.index = new Map(classes.map((label, i) => [label, i]));
  }

  /** Learns the classes from labels (scikit-learn: `LabelEncoder().fit(labels)`). */
  static fromLabels(labels: Iterable<string>): LabelEncoder {
    return new LabelEncoder([...new Set(labels)].sort());
  }

  /** Reads what JSON.stringify(encoder) wrote: {"type": "LabelEncoder", "classes": [...]} (type optional). */
  static fromJSON(json: string): LabelEncoder {
    const parsed = JSON.parse(json) as unknown;
    const { type, classes } = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as {
      type?: unknown;
      classes?: unknown;
    };
    if (
      (type !== undefined && type !== 'LabelEncoder') ||
      !Array.isArray(classes) ||
      !classes.every((label) => typeof label === 'string')
    ) {
      throw new Error('label encoder JSON must be {"type": "LabelEncoder", "classes": [string, …]}');
    }
    return new LabelEncoder(classes as string[]);
  }

  get size(): number {
    return this.classes.length;
  }

  has(label: string): boolean {
    return this.index.has(label);
  }

  encode(label: string): number {
    const code = this.index.get(label);
    if (code === undefined) throw new Error(`unknown label "${label}" (known: ${this.classes.join(', ')})`);
    return code;
  }

  decode(code: number): string {
    const label = this.classes[code];
    if (label === undefined) throw new Error(`no class with code ${code}`);
    return label;
  }

  toJSON(): { type: string; classes: string[] } {
    return { type: 'LabelEncoder', classes: [...this.classes] };
  }
}
