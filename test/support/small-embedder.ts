import { join } from 'node:path';
import { paperText } from '../../lib/arxiv/record';
import { readSnapshot } from '../../lib/arxiv/snapshot';
import { SAMPLE_PATH } from '../../lib/arxiv/sources';
import type { AppConfig } from '../../lib/config/config';
import { projectRoot } from '../../lib/config/paths';
import { DEFAULT_LSA_CONFIG, fitLsaEmbedder, saveEmbedder, setCurrentEmbedder } from '../../lib/embedding';
import { openObjectStore } from '../../lib/storage';

/** A small embedder fitted on 600 sample papers and made current, so a run spends its time embedding rather than fitting. */
export async function installSmallEmbedder(config: AppConfig): Promise<void> {
  const texts: string[] = [];
  for await (const { item } of readSnapshot(join(projectRoot(), SAMPLE_PATH))) {
    if (item.ok && texts.length < 600) texts.push(paperText(item.record));
  }
  const embedder = fitLsaEmbedder(texts, {
    ...DEFAULT_LSA_CONFIG,
    dimensions: 32,
    powerIterations: 2,
    tfidf: { ...DEFAULT_LSA_CONFIG.tfidf, maxFeatures: 3_000 },
  });
  const store = openObjectStore(config);
  try {
    await setCurrentEmbedder(store, await saveEmbedder(store, embedder, 'test corpus'));
  } finally {
    await store.close();
  }
}
