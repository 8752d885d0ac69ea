import { extractCandidate, type ExtractedItem } from './extracted';
import { categoryFromSubject } from './taxonomy';
import { asArray, child, parseXml, textOf, type XmlNode } from './xml';

/** One OAI-PMH ListRecords (or GetRecord) response. */
export interface OaiPage {
  items: ExtractedItem[];
  /** Records that the repository marks as deleted; they carry no metadata and are skipped. */
  deleted: number;
  /** Absent or empty when this was the last page. */
  resumptionToken: string | undefined;
  completeListSize: number | undefined;
}

export class OaiError extends Error {
  override readonly name = 'OaiError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function arxivFormat(metadata: XmlNode, identifier: string): ExtractedItem {
  return extractCandidate(
    {
      id: textOf(child(metadata, 'id')) ?? identifier,
      title: textOf(child(metadata, 'title')),
      abstract: textOf(child(metadata, 'abstract')),
      categories: textOf(child(metadata, 'categories')),
      published: textOf(child(metadata, 'created')) ?? textOf(asArray(child(metadata, 'date') as unknown[])[0]),
      updated: textOf(child(metadata, 'updated')),
    },
    () => JSON.stringify(metadata),
  );
}

function dublinCoreFormat(metadata: XmlNode, identifier: string): ExtractedItem {
  const subjects = asArray(child(metadata, 'subject') as unknown[]).map((subject) => textOf(subject) ?? '');
  const descriptions = asArray(child(metadata, 'description') as unknown[]).map((d) => textOf(d) ?? '');
  const dates = asArray(child(metadata, 'date') as unknown[]).map((d) => textOf(d) ?? '');
  return extractCandidate(
    {
      id: identifier,
      title: textOf(child(metadata, 'title')),
      // arXiv's oai_dc puts the abstract first and "Comment: …" lines after it.
      abstract: descriptions.find((d) => !/^\s*Comment:/.test(d)),
      categories: subjects.map(categoryFromSubject).filter((code): code is string => code !== undefined),
      published: dates[0],
      updated: dates.length > 1 ? dates[dates.length - 1] : undefined,
    },
    () => JSON.stringify(metadata),
  );
}

function recordToItem(record: XmlNode): ExtractedItem | 'deleted' {
  const header = child(record, 'header') as XmlNode | undefined;
  if (header?.['@_status'] === 'deleted') return 'deleted';
  const identifier = textOf(asArray(child(header, 'identifier') as unknown[])[0]) ?? '';
  const metadata = child(record, 'metadata') as XmlNode | undefined;
  const arxiv = child(metadata, 'arXiv') as XmlNode | undefined;
  if (arxiv) return arxivFormat(arxiv, identifier);
  const dc = child(metadata, 'dc') as XmlNode | undefined;
  return dublinCoreFormat(dc ?? {}, identifier);
}

/** Parses an OAI-PMH response in the `arXiv` or `oai_dc` metadata format. */
export function parseOaiPage(xml: string): OaiPage {
  const root = child(parseXml(xml), 'OAI-PMH');
  if (!root) throw new OaiError('badResponse', 'the response is not an OAI-PMH document');
  // OAI-PMH allows several <error> elements in one response (e.g. badArgument and cannotDisseminateFormat).
  const errors = asArray(child(root, 'error') as unknown[] | undefined).map((error) => ({
    code: textOf(child(error, '@_code')) ?? 'unknown',
    message: (textOf(error) ?? '').trim(),
  }));
  if (errors.length > 0) {
    if (errors.every(({ code }) => code === 'noRecordsMatch')) {
      return { items: [], deleted: 0, resumptionToken: undefined, completeListSize: 0 };
    }
    const { code } = errors.find((error) => error.code !== 'noRecordsMatch')!;
    throw new OaiError(code, `OAI-PMH error ${errors.map((error) => `${error.code}: ${error.message}`).join('; ')}`);
  }
  const container = (child(root, 'ListRecords') ?? child(root, 'GetRecord')) as XmlNode | undefined;
  const records = asArray(child(container, 'record') as XmlNode[] | undefined);
  const items: ExtractedItem[] = [];
  let deleted = 0;
  for (const record of records) {
    const item = recordToItem(record);
    if (item === 'deleted') deleted += 1;
    else items.push(item);
  }
  const token = child(container, 'resumptionToken');
  const tokenText = textOf(token)?.trim();
  const size = Number(textOf(child(token, '@_completeListSize')));
  return {
    items,
    deleted,
    resumptionToken: tokenText ? tokenText : undefined,
    completeListSize: Number.isFinite(size) ? size : undefined,
  };
}
