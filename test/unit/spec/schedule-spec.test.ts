import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/spec/diagnostics.js';
import { parsePipeline } from '../../../src/spec/parse-pipeline.js';

const exportYaml = (extra: string): string => `source:\n  connection: users\ntarget:\n  file: out/users.json\n${extra}`;
const lines = (text: string): string[] => parsePipeline('p.yaml', text).diagnostics.map(formatDiagnostic);

describe('pipeline schedule keys', () => {
  it('defaults catch_up to once and accepts skip', () => {
    expect(parsePipeline('p.yaml', exportYaml('schedule: "0 2 * * *"\n')).pipeline?.catch_up).toBe('once');
    expect(parsePipeline('p.yaml', exportYaml('schedule: "0 2 * * *"\ntimezone: Europe/Paris\ncatch_up: skip\n')).pipeline).toMatchObject({
      catch_up: 'skip',
      timezone: 'Europe/Paris',
    });
  });

  it('reports a bad catch_up, catch_up without a schedule, and a typo of the key', () => {
    expect(lines(exportYaml('schedule: "0 2 * * *"\ncatch_up: always\n'))).toEqual(['p.yaml:6:11 catch_up: expected one of "once", "skip", got "always"']);
    expect(lines(exportYaml('catch_up: skip\n'))).toEqual(['p.yaml:5:1 catch_up: catch_up applies to scheduled pipelines; set schedule too']);
    expect(lines(exportYaml('schedule: "0 2 * * *"\ncatchup: once\n'))).toEqual(['p.yaml:6:1 catchup: unknown key "catchup" (did you mean "catch_up"?)']);
  });

  it('reports an empty timezone', () => {
    expect(lines(exportYaml('schedule: "0 2 * * *"\ntimezone: ""\n'))).toEqual([
      "p.yaml:6:11 timezone: timezone is empty: name an IANA time zone (e.g. Europe/Paris), or leave the key out for the server's",
    ]);
  });
});
