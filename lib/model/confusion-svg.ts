function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A confusion matrix as a standalone SVG: rows are true classes, columns predictions, shaded by row share. */
export function confusionMatrixSvg(
  labels: readonly string[],
  confusion: readonly (readonly number[])[],
  title = 'Confusion matrix (test set)',
): string {
  if (confusion.length !== labels.length || confusion.some((row) => row.length !== labels.length)) {
    throw new Error(`confusion matrix must be ${labels.length}×${labels.length} to match its labels`);
  }
  const cell = Math.max(28, Math.min(56, Math.floor(720 / Math.max(labels.length, 1))));
  const margin = { left: 150, top: 150 };
  const size = cell * labels.length;
  const width = margin.left + size + 20;
  const height = margin.top + size + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${margin.left}" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${margin.left + size / 2}" y="${margin.top - 120}" text-anchor="middle">predicted</text>`,
    `<text transform="translate(16 ${margin.top + size / 2}) rotate(-90)" text-anchor="middle">true</text>`,
  ];
  labels.forEach((label, i) => {
    const center = i * cell + cell / 2;
    parts.push(
      `<text x="${margin.left - 6}" y="${margin.top + center + 4}" text-anchor="end">${escapeXml(label)}</text>`,
    );
    parts.push(
      `<text transform="translate(${margin.left + center + 4} ${margin.top - 6}) rotate(-60)">${escapeXml(label)}</text>`,
    );
  });
  confusion.forEach((row, i) => {
    const total = row.reduce((sum, n) => sum + n, 0);
    row.forEach((count, j) => {
      const share = total === 0 ? 0 : count / total;
      const shade = Math.round(255 - share * 200);
      const fill = i === j ? `rgb(${shade},${Math.round(255 - share * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      const x = margin.left + j * cell;
      const y = margin.top + i * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"/>`);
      if (count > 0)
        parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle">${count}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}
