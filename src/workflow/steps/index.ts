import type { AnyStepType } from '../engine/index.js';
import { agentStep } from './agent-step.js';
import { fanInStep } from './fan-in-step.js';
import { fanOutStep } from './fan-out-step.js';
import { gateStep } from './gate-step.js';
import { ifStep } from './if-step.js';
import { initStep } from './init-step.js';
import { doWhileStep, whileStep } from './loop-step.js';
import { commandStep, promptStep } from './prompt-step.js';
import { shellStep } from './shell-step.js';
import { switchStep } from './switch-step.js';

export { runAgentJob, type AgentJobRequest, type AgentOutput } from './agent-step.js';
export type { FanInOutput } from './fan-in-step.js';
export type { FanOutCounts, FanOutOutput } from './fan-out-step.js';
export type { GateOutput } from './gate-step.js';
export type { IfOutput } from './if-step.js';
export type { LoopOutput } from './loop-step.js';
export type { CommandOutput, PromptOutput } from './prompt-step.js';
export type { ShellOutput } from './shell-step.js';
export type { SwitchOutput } from './switch-step.js';

/** The step types every workflow may use, in the order messages list them. */
export const BUILTIN_STEP_TYPES: readonly AnyStepType[] = [
  shellStep,
  agentStep,
  commandStep,
  promptStep,
  fanOutStep,
  fanInStep,
  ifStep,
  switchStep,
  whileStep,
  doWhileStep,
  gateStep,
  initStep,
];
