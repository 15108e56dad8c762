export {
  DEMO_PROMPTS,
  runDemo,
  type DemoCrawlResult,
  type DemoJobResult,
  type DemoOptions,
  type DemoResult,
} from './run-demo.js';
