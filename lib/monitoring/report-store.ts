import type { Collection, Db } from 'mongodb';
import type { MonitoringSummary } from './summary';

export const MONITORING_REPORTS_COLLECTION = 'monitoring_reports';

/** One monitoring run as MongoDB keeps it: the verdicts, where its report is, what it compared. */
export interface MonitoringReportDocument {
  /** The monitoring workflow id: a retried write replaces, never duplicates. */
  _id: string;
  at: Date;
  servingRunId: string;
  modelName: string;
  modelVersion: string | null;
  window: string;
  drift: boolean;
  qualityAlert: boolean;
  reasons: string[];
  datasetDrift: boolean;
  driftShare: number;
  numberOfColumns: number;
  driftedColumns: string[];
  embeddingDrift: MonitoringSummary['embeddingDrift'];
  predictionDrift: MonitoringSummary['predictionDrift'];
  quality: MonitoringSummary['quality'];
  rows: MonitoringSummary['rows'];
  reportUrl: string;
  summaryUrl: string;
  mlflowRunId: string | null;
}

/** Drifted columns listed in a document at most (a 384-dimension embedding can drift in every one). */
const MAX_LISTED_COLUMNS = 100;

export class MonitoringReportStore {
  readonly collection: Collection<MonitoringReportDocument>;

  constructor(db: Db) {
    this.collection = db.collection<MonitoringReportDocument>(MONITORING_REPORTS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ at: -1 }, { name: 'latest_first' });
    await this.collection.createIndex({ servingRunId: 1, at: -1 }, { name: 'by_serving_run' });
  }

  async save(document: MonitoringReportDocument): Promise<void> {
    const listed = { ...document, driftedColumns: document.driftedColumns.slice(0, MAX_LISTED_COLUMNS) };
    await this.collection.replaceOne({ _id: document._id }, listed, { upsert: true });
  }

  get(id: string): Promise<MonitoringReportDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  latest(limit = 20): Promise<MonitoringReportDocument[]> {
    return this.collection.find({}).sort({ at: -1 }).limit(limit).toArray();
  }
}
