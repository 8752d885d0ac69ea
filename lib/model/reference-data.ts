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
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * reference_data.csv: the data monitoring compares production against — embedding columns
 * (emb_0 …), the true label, the model's prediction and the text descriptors.
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
  ];
  const lines = rows.map((row) => {
    if (row.vector.length !== dimensions) {
      throw new Error(`reference row ${row.arxivId} has ${row.vector.length} embedding dimensions, the first row ${dimensions}`);
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
    ].join(',');
  });
  return [header.join(','), ...lines].map((line) => `${line}\n`).join('');
}
