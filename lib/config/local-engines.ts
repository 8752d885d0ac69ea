/** Where the engines that `mlops stack up` launches listen. Only loopback: they are for this machine. */
export const LOCAL_HOST = '127.0.0.1';

export const LOCAL_PORTS = {
  temporal: 7233,
  temporalUi: 8233,
  redis: 6379,
  mongo: 27017,
  mlflow: 5000,
  s3: 8333,
} as const;

/** Credentials of the local S3-compatible server; never used for a remote endpoint. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'mlops-local', secretAccessKey: 'mlops-local-secret' } as const;

export const localUrls = {
  temporal: `${LOCAL_HOST}:${LOCAL_PORTS.temporal}`,
  temporalUi: `http://${LOCAL_HOST}:${LOCAL_PORTS.temporalUi}`,
  redis: `redis://${LOCAL_HOST}:${LOCAL_PORTS.redis}`,
  mongo: `mongodb://${LOCAL_HOST}:${LOCAL_PORTS.mongo}`,
  mlflow: `http://${LOCAL_HOST}:${LOCAL_PORTS.mlflow}`,
  s3: `http://${LOCAL_HOST}:${LOCAL_PORTS.s3}`,
} as const;
