export { DEMO_PROMPTS, runDemo, type DemoJobResult, type DemoOptions, type DemoResult } from './run-demo.js';
