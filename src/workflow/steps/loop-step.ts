import type { LoopStep } from '../format/index.js';
import { evaluateCondition, type ExpressionScope } from '../expressions/index.js';
import type { StepContext, StepType } from '../engine/index.js';
import { builtinSchema } from './builtin-schema.js';

/** What a `while` or `do-while` step's `output` holds. */
export interface LoopOutput {
  readonly loop_type: 'while' | 'do-while';
  /** How many times the body ran. */
  readonly iterations: number;
  readonly max_iterations: number;
  /** The condition's last value: `true` with `exhausted` means the bound stopped the loop. */
  readonly condition_result: boolean;
  /** Whether the loop stopped at `max_iterations` with its condition still true. */
  readonly exhausted: boolean;
  /** The outputs of the body's steps in the last iteration, by id. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * `while` checks its condition before each iteration; `do-while` runs the body once, then checks it after
 * each. Either stops at `max_iterations`, so no loop is endless. Each iteration's steps are stored apart
 * (`LOOP:N:STEP`, N from 1), so a resumed run skips the iterations that finished. The condition reads the
 * body's latest outputs first, then the rest of the run; a step of the body reading a later step of the
 * body gets that step's previous iteration (nothing in the first), as spec-kit's review loops do.
 */
function loopStep(type: 'while' | 'do-while'): StepType<LoopStep> {
  return {
    ...builtinSchema(type),
    async execute(step, context) {
      // The body's latest outputs: a step of the body reads a later one's from the previous iteration.
      let latest: Readonly<Record<string, unknown>> = {};
      let outputs: Readonly<Record<string, unknown>> = {};
      let iterations = 0;
      let holds = type === 'do-while' || evaluateCondition(step.condition, context.scope);
      while (holds && iterations < step.max_iterations) {
        iterations += 1;
        outputs = await context.runSteps(step.steps, { namespace: String(iterations), earlier: latest });
        latest = { ...latest, ...outputs };
        holds = evaluateCondition(step.condition, bodyScope(context, latest));
      }
      const output: LoopOutput = {
        loop_type: type,
        iterations,
        max_iterations: step.max_iterations,
        condition_result: holds,
        exhausted: holds && iterations >= step.max_iterations,
        outputs,
      };
      return output;
    },
  };
}

/** The scope a condition is read in after an iteration: the body's outputs first, then the run's. */
function bodyScope(context: StepContext, outputs: Readonly<Record<string, unknown>>): ExpressionScope {
  const outer = context.scope;
  return {
    ...outer,
    steps: (id) => (Object.hasOwn(outputs, id) ? { output: outputs[id] } : outer.steps(id)),
  };
}

export const whileStep = loopStep('while');
export const doWhileStep = loopStep('do-while');
