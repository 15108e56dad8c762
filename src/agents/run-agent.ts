import type { AgentProfile } from '../config/index.js';
import { runCliAgent } from './cli-agent.js';
import { runOpenAiAgent } from './openai-agent.js';
import type { AgentRequest, AgentResult, RunAgentOptions } from './types.js';

/**
 * Runs an agent profile once on a request: a command line program (`type: cli`, see `runCliAgent`) or an
 * OpenAI-compatible endpoint (`type: openai`, see `runOpenAiAgent`). A run that starts always resolves,
 * with its status (`succeeded`, `failed`, `timed_out`, `stalled`, `cancelled`); it rejects only when it
 * cannot start.
 *
 * @throws {AgentError} `E_AGENT_CONFIG` when the profile cannot run; `E_AGENT_REQUEST` when the request
 *   cannot be given to it.
 * @throws {SpawnError} when a CLI agent's program cannot be started.
 * @throws the signal's reason when it is already aborted.
 */
export function runAgent(
  profile: AgentProfile,
  request: AgentRequest,
  options: RunAgentOptions = {},
): Promise<AgentResult> {
  return profile.type === 'openai'
    ? runOpenAiAgent(profile, request, options)
    : runCliAgent(profile, request, options);
}
