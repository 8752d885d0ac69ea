export { loadConfig, usesS3 } from './config';
export { ConfigError } from './config-checks';
export { CONFIG_VARIABLES } from './env-schema';
export type { AppConfig, EngineEndpoint, S3Settings } from './app-config';
export { projectRoot, resolveFromRoot } from './paths';
export { LOCAL_HOST, LOCAL_PORTS, LOCAL_S3_CREDENTIALS, localUrls } from './local-engines';
export { redactUrls } from './redact';
