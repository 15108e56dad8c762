import type { ResolvedConfig } from '../config/index.js';
import { ServerError } from './server-error.js';

/** An agent profile as OpenAI's model object: what `GET /v1/models` lists and `/v1/models/{id}` gives. */
export interface ModelObject {
  readonly id: string;
  readonly object: 'model';
  /** Unix seconds: when the server started, as profiles have no date of their own. */
  readonly created: number;
  readonly owned_by: 'flotilla';
}

/** The model object of the agent profile `id`. */
export function modelObject(id: string, created: number): ModelObject {
  return { id, object: 'model', created, owned_by: 'flotilla' };
}

/**
 * The 404 of a model that is no agent profile: OpenAI's `model_not_found`, which the OpenAI SDK raises
 * as `NotFoundError` (a 400 would say the request was malformed; the model may be configured later).
 */
export function modelNotFound(
  model: string,
  config: Pick<ResolvedConfig, 'agents'>,
  field?: string,
): ServerError {
  const known = Object.keys(config.agents).join(', ') || 'none configured';
  return new ServerError(
    'E_NOT_FOUND',
    `The model "${model}" does not exist: a model names an agent profile (known: ${known})`,
    { openAiCode: 'model_not_found', ...(field === undefined ? {} : { field }) },
  );
}
