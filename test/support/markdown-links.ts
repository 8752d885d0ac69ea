import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// Every relative link and image in README.md and docs/**/*.md points to a file that exists, and
// every #anchor into a markdown file matches one of its headings, slugged as GitHub slugs them.
// No markdown parser is installed, so the markdown is read with regexes: code (fenced, indented
// fences in lists, inline spans) and HTML comments are blanked first, keeping line numbers.

/** README.md and every .md under docs/, as absolute paths. */
export function markdownFiles(root: string): string[] {
  const found = [join(root, 'README.md')];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return found.sort();
}

const blank = (text: string): string => text.replace(/[^\n]/g, ' ');

/** The text with fenced code blocks and HTML comments replaced by spaces (headings are read from this). */
function stripBlocks(markdown: string): string {
  const lines = markdown.split('\n');
  let fence: { char: string; length: number } | null = null;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (fence === null) {
      const opening = /^\s*(`{3,}|~{3,})/.exec(line);
      if (opening) {
        fence = { char: opening[1]![0]!, length: opening[1]!.length };
        lines[index] = blank(line);
      }
      continue;
    }
    const closing = /^\s*(`{3,}|~{3,})\s*$/.exec(line);
    if (closing && closing[1]![0] === fence.char && closing[1]!.length >= fence.length) fence = null;
    lines[index] = blank(line);
  }
  return lines.join('\n').replace(/<!--[\s\S]*?-->/g, blank);
}

const CODE_SPAN = /(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g;

/** The text with code blocks, HTML comments and inline code spans replaced by spaces (links are read from this). */
function stripCode(markdown: string): string {
  return stripBlocks(markdown).replace(CODE_SPAN, blank);
}

/** GitHub's heading anchor (github-slugger): lowercase, punctuation dropped except - and _, spaces → -. */
export function githubSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The text a heading renders to: code spans by their content; links and images by their text, no emphasis or tags. */
export function headingText(source: string): string {
  const plain = (text: string): string =>
    text
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
      .replace(/<[^>]+>/g, '')
      .replace(/(^|[^\p{L}\p{N}])_{1,2}([^_]+?)_{1,2}(?=[^\p{L}\p{N}]|$)/gu, '$1$2')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'");
  let text = '';
  let last = 0;
  for (const span of source.matchAll(CODE_SPAN)) {
    text += plain(source.slice(last, span.index)) + span[2]!;
    last = span.index! + span[0].length;
  }
  return (text + plain(source.slice(last))).trim();
}

/** Every anchor a markdown file defines: its headings' slugs (duplicates numbered as GitHub does) and HTML ids and names. */
export function anchorsOf(markdown: string): Set<string> {
  const text = stripBlocks(markdown);
  const lines = text.split('\n');
  const anchors = new Set<string>();
  const occurrences = new Map<string, number>();
  const add = (heading: string): void => {
    const base = githubSlug(headingText(heading));
    let slug = base;
    while (occurrences.has(slug)) {
      const count = occurrences.get(base)! + 1;
      occurrences.set(base, count);
      slug = `${base}-${count}`;
    }
    occurrences.set(slug, 0);
    anchors.add(slug);
  };
  lines.forEach((line, index) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      add(atx[1] ?? '');
      return;
    }
    const previous = lines[index - 1];
    if (
      index > 0 &&
      /^ {0,3}(=+|-+)[ \t]*$/.test(line) &&
      previous !== undefined &&
      previous.trim() !== '' &&
      !/^ {0,3}(#|[-*+] |\d+[.)] |>|\||=+\s*$|-+\s*$)/.test(previous)
    ) {
      add(previous.trim());
    }
  });
  for (const match of text.matchAll(/<[a-z][^>]*?\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) anchors.add(match[1]!);
  return anchors;
}

interface Link {
  line: number;
  target: string;
}

/** Inline links and images, reference definitions and HTML src/href attributes, outside code. */
export function linksOf(markdown: string): Link[] {
  const text = stripCode(markdown);
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  const links: Link[] = [];
  const destination = String.raw`(<[^>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)`;
  const title = String.raw`(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?`;
  const label = String.raw`\[(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*\]`;
  const inline = new RegExp(String.raw`!?${label}\(\s*${destination}${title}\s*\)`, 'g');
  const definition = new RegExp(String.raw`^ {0,3}\[[^\]\n]+\]:\s*${destination}`, 'gm');
  const html = /<(?:a|img|source)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']*)["']/gi;
  for (const pattern of [inline, definition, html]) {
    for (const match of text.matchAll(pattern)) {
      const target = match[1]!.replace(/^<(.*)>$/, '$1');
      links.push({ line: lineOf(match.index!), target });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

export const isExternal = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** What is wrong with the links of one markdown file: missing files, files outside the root, unknown anchors. */
export function linkProblems(file: string, root: string): string[] {
  const problems: string[] = [];
  const name = relative(root, file);
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string): Set<string> => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, 'utf8')));
    return anchorCache.get(path)!;
  };
  for (const { line, target } of linksOf(readFileSync(file, 'utf8'))) {
    if (target === '' || isExternal(target)) continue;
    const hash = target.indexOf('#');
    const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
    const anchor = hash === -1 ? null : target.slice(hash + 1);
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathPart);
    } catch {
      problems.push(`${name}:${line}: ${target} is not a valid URL path`);
      continue;
    }
    const resolved =
      decoded === '' ? file : resolve(decoded.startsWith('/') ? root : dirname(file), decoded.replace(/^\//, ''));
    if (resolved !== root && !resolved.startsWith(root + sep)) {
      problems.push(`${name}:${line}: ${target} points outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${name}:${line}: ${target} → ${relative(root, resolved)} does not exist`);
      continue;
    }
    if (anchor !== null && anchor !== '' && resolved.toLowerCase().endsWith('.md')) {
      let wanted: string;
      try {
        wanted = decodeURIComponent(anchor);
      } catch {
        wanted = anchor;
      }
      if (!anchorsIn(resolved).has(wanted))
        problems.push(`${name}:${line}: ${target} → no heading #${wanted} in ${relative(root, resolved)}`);
    }
  }
  return problems;
}
