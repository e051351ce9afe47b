// Moved to src/spec (diagnostics escape with it, and spec is pure): kept here for the CLI's imports.
export { terminalLines, visibleText } from '../spec/visible-text.js';
