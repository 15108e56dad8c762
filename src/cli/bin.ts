#!/usr/bin/env node
import { main } from './main.js';

// The one place that ends the process: `main` never does, so it can be tested in-process. Exiting
// explicitly means a forgotten timer can never keep a finished command alive; stdout and stderr are
// synchronous on Linux pipes, files and TTYs, so nothing written is lost.
process.exit(await main(process.argv));
