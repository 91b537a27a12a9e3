import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runTrain, type TrainReport } from '../src/cli/train.js';
import { detectFormat, parseDataset } from '../src/mlp/data-file.js';

describe('data-file.ts', () => {
  it('reads CSV with or without a header, and JSON', () => {
    const csv = parseDataset('x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n', 'csv');
    expect([csv.d, csv.N, Array.from(csv.y)]).toEqual([2, 4, [0, 1, 1, 0]]);
    const bare = parseDataset('0.5, -1, 2.5, 0.25\n# a comment\n\n1,2,3,1\n', 'csv');
    expect([bare.d, bare.N, Array.from(bare.x)]).toEqual([3, 2, [0.5, -1, 2.5, 1, 2, 3]]);
    const json = parseDataset('{"x": [[1], [2], [3]], "y": [0, 0.5, 1]}', 'json');
    expect([json.d, json.N]).toEqual([1, 3]);
  });

  it('tells JSON from CSV by name or by content', () => {
    expect(detectFormat('points.json', '')).toBe('json');
    expect(detectFormat('points.txt', '  {"x": []}')).toBe('json');
    expect(detectFormat('points.csv', '1,2,0')).toBe('csv');
  });

  it.each([
    ['', 'csv', /the file is empty/],
    ['x1,y\n', 'csv', /a header but no rows/],
    ['1,2,0\n3,1\n', 'csv', /line 2 has 2 columns, line 1 has 3/],
    ['1,2,0\n3,abc,1\n', 'csv', /line 2, column 2: 'abc' is not a finite number/],
    ['1,2,0\n3,,1\n', 'csv', /line 2, column 2: '' is not a finite number/],
    ['1,2,0\n3,4,2\n', 'csv', /line 2: the label y = 2 is outside \[0, 1\]/],
    ['1\n2\n', 'csv', /need x1..xd and y/],
    ['{"x": [[1, 2], [3]], "y": [0, 1]}', 'json', /row 1 has 1 features, row 0 has 2/],
    ['{"x": [[1, "a"]], "y": [0]}', 'json', /x\[0\]\[1\] is a, must be a finite number/],
    ['{"x": [[1]], "y": [-0.5]}', 'json', /y\[0\] is -0\.5, must be a number in \[0, 1\]/],
    ['{"x": [[1]]}', 'json', /JSON must be an object/],
    ['{"x": [[1]], ', 'json', /not valid JSON/],
  ] as const)('refuses %j (%s)', (text, format, message) => {
    expect(() => parseDataset(text, format)).toThrow(message);
  });
});

describe('npm run train --data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  async function train(...argv: string[]) {
    let out = '';
    let err = '';
    const errStream = new PassThrough() as unknown as NodeJS.WriteStream;
    const code = await runTrain(argv, { out: (t) => (out += t), err: (t) => (err += t), errStream });
    return { code, out, err };
  }

  it.each(['cpu', 'gpu'])('trains on a CSV file of the user’s points (%s)', async (backend) => {
    // two clusters in 3-d, separable
    const rows = Array.from({ length: 12 }, (_, n) => `${n % 2 ? 1 : -1},${(n % 3) - 1},${n / 12},${n % 2}`);
    const r = await train('--backend', backend, '--data', file('clusters.csv', `x1,x2,x3,y\n${rows.join('\n')}\n`), '--steps', '300', '--json');
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as TrainReport;
    expect(report.config).toMatchObject({ d: 3, N: 12 });
    expect(report.final.accuracy).toBe(1);
    if (backend === 'gpu') expect(report.final.gradientCheck?.pass).toBe(true);
  });

  it.each([
    ['a missing file', () => join(dir, 'nope.csv'), /--data: cannot read '.*nope\.csv': no such file/],
    ['an empty file', () => file('empty.csv', ''), /the file is empty/],
    ['a ragged row', () => file('ragged.csv', '1,2,0\n1,1\n'), /line 2 has 2 columns/],
    ['a non-numeric cell', () => file('text.csv', '1,x,0\n'), /line 1, column 2: 'x' is not a finite number/],
    ['a label outside [0, 1]', () => file('label.json', '{"x": [[1]], "y": [3]}'), /y\[0\] is 3, must be a number in \[0, 1\]/],
  ])('refuses %s with status 2', async (_, path, message) => {
    const r = await train('--backend', 'cpu', '--data', path());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
