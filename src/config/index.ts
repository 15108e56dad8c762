/**
 * The configuration: `flotilla.config.yaml` + environment + flags → one resolved, validated config.
 * Precedence: flag > environment variable > file > default.
 */
export { ConfigError, type ConfigErrorDetails, type ConfigIssue } from './config-error.js';
export { expandEnv, type Environment, type ExpandEnvOptions } from './expand-env.js';
export {
  describeValue,
  describeZodIssue,
  expectationMessages,
  forEachZodIssue,
  formatPath,
  parseRequest,
  type FieldProblem,
  type ParseRequestOptions,
} from './issues.js';
export {
  DEFAULT_CONFIG_FILE,
  DEFAULT_HOME,
  loadConfig,
  type LoadConfigOptions,
  type ResolvedConfig,
} from './load-config.js';
export {
  CONFIG_ENV_VARIABLES,
  OVERRIDABLE_SETTINGS,
  type ConfigOverrides,
  type OverridableSetting,
} from './overrides.js';
export {
  AGENT_OUTPUT_FORMATS,
  agentProfileSchema,
  flotillaConfigSchema,
  serverConfigSchema,
  type AgentOutputFormat,
  type AgentProfile,
  type CliAgentProfile,
  type FlotillaConfig,
  type OpenAiAgentProfile,
  type QaConfig,
  type RepoConfig,
  type RetryPolicy,
  type ServerConfig,
} from './schema.js';
export {
  SUITE_NAME,
  SUITE_REPORT_FORMATS,
  suitesConfigSchema,
  type SuiteConfig,
  type SuiteReportConfig,
  type SuiteReportFormat,
  type SuitesConfig,
} from './suites-schema.js';
export { locate, type LocationTarget, type SourcePosition } from './yaml-locations.js';
export { parseYamlText, unreadableFileReason, yamlData, type YamlText } from './yaml-text.js';
