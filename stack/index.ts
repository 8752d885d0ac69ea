export { stackUp, stackDown, stackStatus, StackError } from './stack';
export type { EngineStatus, EngineState } from './stack';
export { ENGINES, engineByName, findBinary, EngineNotInstalledError } from './engines';
export type { Engine, EngineName } from './engines';
export { removeIsolatedData } from './isolated-data';
