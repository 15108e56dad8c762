/**
 * The import rules of docs/architecture.md, checked by `npm run boundaries` (part of `npm run check`).
 * Each layer may import only the layers listed for it; nothing may form a cycle; a folder is entered only
 * through its index.ts; `cli` may import everything and nothing imports it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const foundation = ['core', 'events', 'config', 'store', 'exec', 'workspace', 'agents'];
const capabilities = ['plan', 'qa', 'suites'];
const allowed = {
  // The engine: pure concurrency, then the parts every capability stands on.
  core: [],
  events: ['core'],
  config: ['core'],
  store: ['core', 'events'],
  exec: ['core', 'events'],
  workspace: ['core', 'events', 'exec', 'config'],
  agents: ['core', 'events', 'exec', 'config'],
  // The agent job service (the local scheduler and its interface).
  jobs: [...foundation],
  // Workflows know the job scheduler (agent steps) and never a capability.
  workflow: [...foundation, 'jobs'],
  // Capabilities export their step types (the workflow's StepType contract) and may submit jobs.
  plan: [...foundation, 'jobs', 'workflow'],
  qa: [...foundation, 'workflow'],
  suites: [...foundation, 'workflow'],
  // A distributed job scheduler implements the jobs interface; QA crawls spread over workers too.
  distributed: [...foundation, 'jobs', 'qa'],
  // The one composition root: opens the store and the services, registers every step type.
  runtime: [...foundation, 'jobs', 'workflow', ...capabilities, 'distributed'],
  demo: [...foundation, 'runtime', 'qa', 'plan'],
  server: [...foundation, 'jobs', 'workflow', ...capabilities, 'distributed', 'runtime'],
};
const layers = Object.keys(allowed);

/** The rooms of `src/workflow/`, each with the rooms it may import (through their index.ts). */
const workflowRooms = {
  expressions: [],
  format: ['expressions'],
  engine: ['expressions', 'format'],
  steps: ['expressions', 'format', 'engine'],
};

const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'Imports point one way; a cycle means two modules are one concept or the layering is wrong.',
    from: {},
    to: { circular: true },
  },
  {
    name: 'no-unresolvable',
    severity: 'error',
    comment: 'An import that resolves to nothing fails at run time.',
    from: {},
    to: { couldNotResolve: true },
  },
  {
    name: 'no-orphans',
    severity: 'error',
    comment: 'A source file nothing imports is dead code.',
    from: {
      orphan: true,
      pathNot: ['/fixtures/', '\\.d\\.ts$', '\\.test\\.ts$', '^src/index\\.ts$', '^src/cli/bin\\.ts$'],
    },
    to: {},
  },
  {
    name: 'enter-folders-through-index',
    severity: 'error',
    comment: 'A folder is entered from outside only through its index.ts.',
    from: { path: '^src/([^/]+)/' },
    to: { path: '^src/([^/]+)/(?!index\\.ts$)', pathNot: ['^src/$1/'] },
  },
  ...layers.map((layer) => ({
    name: `layer-${layer}`,
    severity: 'error',
    comment: `src/${layer} may import only: ${allowed[layer].join(', ') || 'nothing outside itself'}.`,
    from: { path: `^src/${layer}/` },
    to: {
      path: '^src/',
      pathNot: [`^src/${layer}/`, ...allowed[layer].map((dep) => `^src/${dep}/`)],
    },
  })),
  {
    name: 'enter-workflow-rooms-through-index',
    severity: 'error',
    comment: 'A room of src/workflow is entered from another room only through its index.ts.',
    from: { path: '^src/workflow/([^/]+)/' },
    to: { path: '^src/workflow/([^/]+)/(?!index\\.ts$)', pathNot: ['^src/workflow/$1/'] },
  },
  ...Object.entries(workflowRooms).map(([room, rooms]) => ({
    name: `workflow-room-${room}`,
    severity: 'error',
    comment: `src/workflow/${room} may import only the rooms: ${rooms.join(', ') || 'none'}.`,
    // Fixtures are test code: they may wire a room's neighbours together.
    from: { path: `^src/workflow/${room}/`, pathNot: '\\.fixture\\.ts$' },
    to: {
      path: '^src/workflow/',
      pathNot: [`^src/workflow/${room}/`, ...rooms.map((other) => `^src/workflow/${other}/index\\.ts$`)],
    },
  })),
  {
    name: 'nothing-imports-cli',
    severity: 'error',
    from: { path: '^src/', pathNot: '^src/cli/' },
    to: { path: '^src/cli/' },
  },
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Follow packages' `exports` maps (hono/streaming and friends).
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
