import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import {
  markdownFiles,
  githubSlug,
  anchorsOf,
  linksOf,
  linkProblems,
  headingText,
  isExternal,
} from '../../support/markdown-links';

// README.md and docs/**/*.md: relative links, images and #anchors resolve (test/support/markdown-links.ts).
// Each check is also shown to fail on a small set of broken files written to a temporary folder.

const ROOT = join(__dirname, '..', '..', '..');

describe('GitHub heading slugs', () => {
  it.each([
    ['Quick start', 'quick-start'],
    ['CI/CD', 'cicd'],
    ["The API's limits", 'the-apis-limits'],
    ['Monitoring and the CM → CT loop', 'monitoring-and-the-cm--ct-loop'],
    ['Offline variant (air-gapped sites)', 'offline-variant-air-gapped-sites'],
    ['`temporal_default`', 'temporal_default'],
    ['Training (`npm run bench:train`)', 'training-npm-run-benchtrain'],
    [
      'How each piece scales out, and what our code guarantees for it',
      'how-each-piece-scales-out-and-what-our-code-guarantees-for-it',
    ],
    ['A [linked](other.md) *word*', 'a-linked-word'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(headingText(heading))).toBe(slug);
  });

  it('numbers repeated headings, skips code, and reads setext headings and HTML ids', () => {
    const anchors = anchorsOf(
      [
        '# Title',
        '## Notes',
        '## Notes',
        '```',
        '# not a heading',
        '```',
        'Setext two',
        '----------',
        '<a id="custom-spot"></a>',
      ].join('\n'),
    );
    expect([...anchors].sort()).toEqual(['custom-spot', 'notes', 'notes-1', 'setext-two', 'title']);
  });
});

describe('the link checker', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'docs-links-'));
    writeFileSync(join(folder, 'target.md'), '# Target\n\n## A section\n');
    writeFileSync(join(folder, 'image.png'), '');
    writeFileSync(
      join(folder, 'page.md'),
      [
        '# Page',
        '[fine](target.md#a-section) ![fine](image.png "title") [here](#page) [web](https://example.com/x.md)',
        '[missing](nowhere.md)',
        '![missing image](images/none.png)',
        '[bad anchor](target.md#no-such-section)',
        '[bad local anchor](#nope)',
        '[outside](../../../etc/passwd)',
        '`[in code](ignored.md)`',
        '```',
        '[in a fence](ignored.md)',
        '```',
        '[ref]: also-missing.md',
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reports every broken link and image, with its line, and nothing else', () => {
    const problems = linkProblems(join(folder, 'page.md'), folder);
    expect(problems).toEqual([
      'page.md:3: nowhere.md → nowhere.md does not exist',
      'page.md:4: images/none.png → images/none.png does not exist',
      'page.md:5: target.md#no-such-section → no heading #no-such-section in target.md',
      'page.md:6: #nope → no heading #nope in page.md',
      'page.md:7: ../../../etc/passwd points outside the repository',
      'page.md:12: also-missing.md → also-missing.md does not exist',
    ]);
  });
});

describe('README.md and docs/', () => {
  const files = markdownFiles(ROOT);

  it('include the README and the docs pages', () => {
    const names = files.map((file) => relative(ROOT, file));
    expect(names).toContain('README.md');
    expect(names.filter((name) => name.startsWith(`docs${sep}`)).length).toBeGreaterThan(0);
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))(
    '%s: every relative link and image exists, every anchor is a heading',
    (_name, file) => {
      expect(linkProblems(file, ROOT)).toEqual([]);
    },
  );

  it('every docs page is linked from the README', () => {
    const readme = join(ROOT, 'README.md');
    const linked = new Set(
      linksOf(readFileSync(readme, 'utf8'))
        .filter(({ target }) => !isExternal(target))
        .map(({ target }) => resolve(ROOT, decodeURIComponent(target.split('#')[0]!))),
    );
    const unlinked = files
      .filter((file) => file !== readme && dirname(file) === join(ROOT, 'docs'))
      .filter((file) => !linked.has(file))
      .map((file) => relative(ROOT, file));
    expect(unlinked).toEqual([]);
  });
});
