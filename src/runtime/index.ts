/** The composition root: one `openRuntime` opens everything a process of Flotilla works with. */
export {
  openRuntime,
  withoutSecrets,
  type Runtime,
  type RuntimeOptions,
  type RuntimeService,
} from './runtime.js';
export { stepTypes, type StepTypeDeps } from './step-types.js';
