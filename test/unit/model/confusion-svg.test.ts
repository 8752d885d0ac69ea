import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { confusionMatrixSvg } from '../../../lib/model/confusion-svg';

/** Every text node of the SVG, entities decoded, in document order. */
function texts(svg: string): string[] {
  const parsed = new XMLParser({ ignoreAttributes: true, processEntities: true, htmlEntities: true }).parse(svg) as {
    svg: { text: Array<string | number> };
  };
  return parsed.svg.text.map(String);
}

describe('confusionMatrixSvg', () => {
  const labels = ['cs.AI', 'cs.LG', 'math.ST'];
  const confusion = [
    [12, 3, 0],
    [1, 20, 4],
    [0, 2, 7],
  ];

  it('is well-formed XML with an svg root in the SVG namespace', () => {
    const svg = confusionMatrixSvg(labels, confusion);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('shows the title, every label as a row and a column heading, and every non-zero count', () => {
    const shown = texts(confusionMatrixSvg(labels, confusion));
    expect(shown).toContain('Confusion matrix (test set)');
    for (const label of labels) expect(shown.filter((text) => text === label)).toHaveLength(2);
    const counts = shown.filter((text) => /^\d+$/.test(text)).map(Number);
    expect(counts.sort((a, b) => a - b)).toEqual(
      confusion
        .flat()
        .filter((n) => n > 0)
        .sort((a, b) => a - b),
    );
  });

  it('draws one cell per pair of classes', () => {
    const svg = confusionMatrixSvg(labels, confusion);
    expect(svg.match(/<rect x=/g)).toHaveLength(labels.length * labels.length);
  });

  it('escapes XML special characters in labels and title', () => {
    const tricky = ['a<b', 'R&D "quoted"', "it's>"];
    const svg = confusionMatrixSvg(
      tricky,
      [
        [1, 0, 0],
        [0, 2, 0],
        [0, 0, 3],
      ],
      'Fish & <chips>',
    );
    expect(XMLValidator.validate(svg)).toBe(true);
    const shown = texts(svg);
    expect(shown).toContain('Fish & <chips>');
    for (const label of tricky) expect(shown.filter((text) => text === label)).toHaveLength(2);
  });

  it('refuses a matrix whose size does not match its labels', () => {
    expect(() => confusionMatrixSvg(['a', 'b'], [[1, 2]])).toThrow('confusion matrix must be 2×2 to match its labels');
  });
});
