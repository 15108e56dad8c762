/**
 * The environment every process a run starts carries (and passes on to what it starts), so that the
 * process resuming a run whose driver died can find and kill what the dead one left running, by run,
 * never by a reusable pid.
 */
export function runMarker(runId: string): Record<string, string> {
  return { FLOTILLA_RUN_ID: runId };
}
