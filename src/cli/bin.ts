import { main } from './main.js';

// The process entry: bin/ferry.js loads this from dist/ (tests load it from their own build dir).
process.exitCode = await main(process.argv);
