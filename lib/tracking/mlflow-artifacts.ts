import { MlflowError } from './mlflow-error';
import { MlflowHttp } from './mlflow-http';
import type { FileInfo, Run } from './types';

const ARTIFACT_PROXY = 'mlflow-artifacts:/';

/** A run's artifacts, read and written through the tracking server (`mlflow server --serve-artifacts`). */
export class MlflowArtifacts extends MlflowHttp {
  private artifactRoot(run: Run): string {
    const uri = run.info.artifact_uri;
    if (!uri.startsWith(ARTIFACT_PROXY)) {
      throw new MlflowError(
        `run ${run.info.run_id} stores artifacts at ${uri}; this client needs the tracking server to proxy artifacts (mlflow server --serve-artifacts)`,
        undefined,
        undefined,
      );
    }
    return uri.slice(ARTIFACT_PROXY.length).replace(/^\/+/, '').replace(/\/+$/, '');
  }

  private artifactUrlPath(run: Run, path: string): string {
    const full = path ? `${this.artifactRoot(run)}/${path.replace(/^\/+/, '')}` : this.artifactRoot(run);
    return `/api/2.0/mlflow-artifacts/artifacts/${full.split('/').map(encodeURIComponent).join('/')}`;
  }

  async uploadArtifact(
    run: Run,
    path: string,
    content: Buffer | string,
    contentType = 'application/octet-stream',
  ): Promise<void> {
    const response = await this.send(
      'PUT',
      this.artifactUrlPath(run, path),
      typeof content === 'string' ? content : new Uint8Array(content),
      contentType,
    );
    if (!response.ok)
      throw new MlflowError(
        `uploading artifact ${path}: ${response.status} ${await response.text()}`,
        response.status,
        undefined,
      );
  }

  async downloadArtifact(run: Run, path: string): Promise<Buffer> {
    const urlPath = this.artifactUrlPath(run, path);
    let response: Response;
    try {
      response = await this.send('GET', urlPath, undefined, undefined, 'unless-answered');
    } catch (error) {
      // With an S3 artifact store MLflow answers a missing file with 500 (boto's 404 inside): the
      // listing of its folder tells a missing file from a failing server, which is asked again.
      if (!(error instanceof MlflowError) || error.status === undefined) throw error;
      if (!(await this.artifactListed(run, path))) throw this.missingArtifact(run, path, error.message);
      response = await this.send('GET', urlPath);
    }
    if (response.status === 404) throw this.missingArtifact(run, path, (await response.text()).slice(0, 200));
    if (!response.ok)
      throw new MlflowError(
        `artifact ${path} of run ${run.info.run_id}: ${response.status} ${(await response.text()).slice(0, 200)}`,
        response.status,
        undefined,
      );
    return Buffer.from(await response.arrayBuffer());
  }

  private missingArtifact(run: Run, path: string, detail: string): MlflowError {
    return new MlflowError(`artifact ${path} of run ${run.info.run_id}: 404 ${detail}`, 404, 'RESOURCE_DOES_NOT_EXIST');
  }

  private async artifactListed(run: Run, path: string): Promise<boolean> {
    const folder = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    try {
      return (await this.listArtifacts(run, folder)).some((file) => file.path === path);
    } catch {
      return true; // the listing failed too: the server is at fault, not the file
    }
  }

  /** Files directly under `path` of the run's artifacts (paths relative to the run's root). */
  async listArtifacts(run: Run, path = ''): Promise<FileInfo[]> {
    const root = this.artifactRoot(run);
    const query = new URLSearchParams({ path: path ? `${root}/${path}` : root });
    const response = await this.send('GET', `/api/2.0/mlflow-artifacts/artifacts?${query}`);
    if (!response.ok)
      throw new MlflowError(
        `listing artifacts ${path}: ${response.status} ${await response.text()}`,
        response.status,
        undefined,
      );
    const { files } = (await response.json()) as { files?: FileInfo[] };
    return (files ?? []).map((file) => ({ ...file, path: path ? `${path}/${file.path}` : file.path }));
  }
}
