export { loadConfig, usesS3, ConfigError, CONFIG_VARIABLES } from './config';
export type { AppConfig, EngineEndpoint, S3Settings } from './config';
export { projectRoot, resolveFromRoot } from './paths';
export { LOCAL_HOST, LOCAL_PORTS, LOCAL_S3_CREDENTIALS, localUrls } from './local-engines';
export { redactUrls } from './redact';
