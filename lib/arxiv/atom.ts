import { extractCandidate, rejectedItem, type ExtractedItem } from './extracted';
import { asArray, child, parseXml, textOf, type XmlNode } from './xml';

/** One page of an arXiv API (`/api/query`) Atom response. */
export interface AtomPage {
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  items: ExtractedItem[];
}

export class AtomFormatError extends Error {
  override readonly name = 'AtomFormatError';
}

function intOf(node: unknown, name: string): number {
  const value = Number(textOf(node));
  if (!Number.isFinite(value)) throw new AtomFormatError(`the feed's ${name} is missing or not a number`);
  return value;
}

function entryToItem(entry: XmlNode): ExtractedItem {
  const id = textOf(child(entry, 'id')) ?? '';
  if (/\/api\/errors/.test(id)) {
    const message = textOf(child(entry, 'summary'))?.trim() ?? 'unknown error';
    return rejectedItem('api_error', `the arXiv API answered with an error: ${message}`, JSON.stringify(entry));
  }
  const categories = asArray(child(entry, 'category') as XmlNode[] | undefined)
    .map((category) => textOf(category['@_term']))
    .filter((term): term is string => term !== undefined);
  return extractCandidate(
    {
      id,
      title: textOf(child(entry, 'title')),
      abstract: textOf(child(entry, 'summary')),
      categories,
      primaryCategory: textOf(child(child(entry, 'primary_category'), '@_term')),
      published: textOf(child(entry, 'published')),
      updated: textOf(child(entry, 'updated')),
    },
    () => JSON.stringify(entry),
  );
}

/** Parses both the current and the 2016 format of the arXiv API's Atom feed. */
export function parseAtomPage(xml: string): AtomPage {
  const feed = child(parseXml(xml), 'feed');
  if (!feed) throw new AtomFormatError('the response is not an Atom feed');
  const entries = asArray(child(feed, 'entry') as XmlNode[] | undefined);
  return {
    totalResults: intOf(child(feed, 'totalResults'), 'totalResults'),
    startIndex: intOf(child(feed, 'startIndex'), 'startIndex'),
    itemsPerPage: intOf(child(feed, 'itemsPerPage'), 'itemsPerPage'),
    items: entries.map(entryToItem),
  };
}
