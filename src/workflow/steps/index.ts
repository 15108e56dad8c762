import type { AnyStepType } from '../engine/index.js';
import { agentStep } from './agent-step.js';
import { fanInStep } from './fan-in-step.js';
import { fanOutStep } from './fan-out-step.js';
import { gateStep } from './gate-step.js';
import { ifStep } from './if-step.js';
import { shellStep } from './shell-step.js';

export { runAgentJob, type AgentJobRequest, type AgentOutput } from './agent-step.js';
export type { FanInOutput } from './fan-in-step.js';
export type { FanOutCounts, FanOutOutput } from './fan-out-step.js';
export type { GateOutput } from './gate-step.js';
export type { IfOutput } from './if-step.js';
export type { ShellOutput } from './shell-step.js';

/** The step types every workflow may use, in the order messages list them. */
export const BUILTIN_STEP_TYPES: readonly AnyStepType[] = [
  shellStep,
  agentStep,
  fanOutStep,
  fanInStep,
  ifStep,
  gateStep,
];
