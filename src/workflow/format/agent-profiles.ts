/**
 * The one wording of "not an agent profile", shared by the load-time checks (`workflow.integration`,
 * `requires`, a step's literal `integration`) and the run-time check of a name an expression gave.
 */

/** The profiles there are, for a message: `profiles: a, b`, or that there are none. */
export function knownProfiles(agents: readonly string[]): string {
  return agents.length > 0 ? `profiles: ${agents.join(', ')}` : 'the configuration has no agents';
}

/** What is wrong with `name` as an agent profile, or `undefined`; any name is fine when the profiles are not known. */
export function profileProblem(name: string, agents: readonly string[] | undefined): string | undefined {
  if (agents === undefined || agents.includes(name)) return undefined;
  return `"${name}" is not an agent profile of the configuration (${knownProfiles(agents)})`;
}

/** `profileProblem` for a name written in the file: `auto` and expressions are checked when they resolve. */
export function writtenProfileProblem(
  name: string,
  agents: readonly string[] | undefined,
): string | undefined {
  return name === 'auto' || name.includes('{{') ? undefined : profileProblem(name, agents);
}
