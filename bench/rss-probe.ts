/**
 * Preloaded into each measured `ferry run` (`node --import …/rss-probe.js`): at exit it writes the
 * process's peak resident set (getrusage ru_maxrss, in KiB) to $FERRY_BENCH_RSS_FILE. It measures
 * exactly the Ferry process, needs no GNU time or /proc polling, and cannot miss a short peak.
 */
import { writeFileSync } from 'node:fs';

const file = process.env['FERRY_BENCH_RSS_FILE'];
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
