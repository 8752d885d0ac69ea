/** One held-out row as monitoring compares it with production data. */
export interface ReferenceRow {
  arxivId: string;
  published: Date | null;
  vector: Float32Array;
  label: string;
  prediction: string;
  titleChars: number;
  abstractChars: number;
  abstractWords: number;
  /** Absent for papers embedded before the share was stored. */
  oovShare?: number;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * reference_data.csv: the data monitoring compares production against — embedding columns
 * (emb_0 …), the true label, the model's prediction and the text descriptors (lengths, and the
 * share of words outside the embedder's vocabulary).
 */
export function referenceDataCsv(rows: readonly ReferenceRow[]): string {
  const dimensions = rows[0]?.vector.length ?? 0;
  const header = [
    'arxiv_id',
    'published',
    ...Array.from({ length: dimensions }, (_, i) => `emb_${i}`),
    'label',
    'prediction',
    'title_chars',
    'abstract_chars',
    'abstract_words',
    'oov_share',
  ];
  const lines = rows.map((row) => {
    if (row.vector.length !== dimensions) {
      throw new Error(
        `reference row ${row.arxivId} has ${row.vector.length} embedding dimensions, the first row ${dimensions}`,
      );
    }
    return [
      csvField(row.arxivId),
      row.published ? row.published.toISOString() : '',
      ...Array.from(row.vector, (value) => value.toPrecision(7)),
      csvField(row.label),
      csvField(row.prediction),
      String(row.titleChars),
      String(row.abstractChars),
      String(row.abstractWords),
      row.oovShare === undefined ? '' : row.oovShare.toPrecision(6),
    ].join(',');
  });
  return [header.join(','), ...lines].map((line) => `${line}\n`).join('');
}

export type SplitPart = 'test' | 'validation' | 'train';

export interface ReferenceChoice<T> {
  rows: Array<{ row: T; part: SplitPart }>;
  /** The embedder was fitted on these papers (it kept none out, or none of them are left): monitoring will see drift that is not there. */
  embedderInSample: boolean;
}

/**
 * The reference rows of a training run: the test papers the embedder was not fitted on — papers
 * neither the embedder nor the model learned from, in the test set's class mix — up to `limit`.
 * Without knowing what the embedder saw, the test set, flagged as in-sample for the embedder.
 * (Never training papers: the model's predictions on them are better than on anything new; nor
 * validation papers, whose held-out share differs by class and would tilt the class mix.)
 */
export function chooseReferenceRows<T extends { arxivId: string }>(
  split: { train: readonly T[]; validation: readonly T[]; test: readonly T[] },
  unseenByEmbedder: ((arxivId: string) => boolean) | undefined,
  limit: number,
): ReferenceChoice<T> {
  const testRows = split.test.slice(0, limit).map((row) => ({ row, part: 'test' as const }));
  if (!unseenByEmbedder) return { rows: testRows, embedderInSample: true };
  const rows: ReferenceChoice<T>['rows'] = [];
  for (const part of ['test'] as const) {
    for (const row of split[part]) {
      if (rows.length >= limit) break;
      if (unseenByEmbedder(row.arxivId)) rows.push({ row, part });
    }
  }
  return rows.length > 0 ? { rows, embedderInSample: false } : { rows: testRows, embedderInSample: true };
}
