import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runTrain, type TrainReport } from '../src/cli/train.js';
import { spawn, spawnSync } from 'node:child_process';
import { readTextFile } from '../src/cli/io.js';
import { detectFormat, F32_MAX, locate, parseDataset } from '../src/mlp/data/data-file.js';

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
    ['{"x": [[1, "a"]], "y": [0]}', 'json', /line 1, column 12: x\[0\]\[1\] is the string "a", must be a finite number$/],
    ['{"x": [[1]], "y": [-0.5]}', 'json', /line 1, column 20: y\[0\] is -0\.5, must be a number in \[0, 1\]$/],
    ['{"x": [["0"]], "y": [0]}', 'json', /x\[0\]\[0\] is the string "0", must be a finite number/],
    ['{"x": [[null]], "y": [0]}', 'json', /x\[0\]\[0\] is null, must be/],
    ['{"x": [[true]], "y": [0]}', 'json', /x\[0\]\[0\] is the boolean true, must be/],
    ['{"x": [[[1]]], "y": [0]}', 'json', /x\[0\]\[0\] is an array, must be/],
    ['{"x": [{"a": 1}], "y": [0]}', 'json', /x\[0\] is an object, must be an array of numbers/],
    ['{"x": [[1]], "y": ["1"]}', 'json', /y\[0\] is the string "1", must be a number in \[0, 1\]/],
    ['{"x": [[1e999]], "y": [0]}', 'json', /x\[0\]\[0\] is Infinity, must be a finite number/],
    ['[1, 2]', 'json', /JSON must be an object/],
    ['{"x": [[1]]}', 'json', /JSON must be an object/],
    ['{"x": [[1]], ', 'json', /not valid JSON/],
  ] as const)('refuses %j (%s)', (text, format, message) => {
    expect(() => parseDataset(text, format)).toThrow(message);
  });
});

describe('data files: places, types, byte-order marks and f32', () => {
  it('names the line and column of a JSON value spread over lines', () => {
    const text = '{\n  "y": [0, 1],\n  "x": [\n    [1, 2],\n    [3, {"k": "]"}]\n  ]\n}';
    expect(() => parseDataset(text, 'json')).toThrow(/^data: line 5, column 9: x\[1\]\[1\] is an object, must be a finite number$/);
    expect(locate(text, ['x', 1, 1])).toMatchObject({ line: 5, column: 9 });
    expect(locate(text, ['y', 1])).toMatchObject({ line: 2, column: 12 });
    // a repeated key: JSON.parse keeps the last, and so does the place
    expect(locate('{"x": [[1]], "x": [[2, "s"]]}', ['x', 0, 1])).toMatchObject({ line: 1, column: 24 });
    expect(() => parseDataset('{"x": [[1]], "x": [[2, "s"]], "y": [0]}', 'json')).toThrow(/line 1, column 24: x\[0\]\[1\] is the string "s"/);
  });

  it('ignores a byte-order mark in JSON as in CSV', () => {
    const json = parseDataset('\uFEFF{"x": [[1, 2]], "y": [1]}', 'json');
    expect([json.N, json.d, Array.from(json.x)]).toEqual([1, 2, [1, 2]]);
    const csv = parseDataset('\uFEFFx1,y\n0.5,1\n', 'csv');
    expect([csv.N, csv.d, Array.from(csv.x)]).toEqual([1, 1, [0.5]]);
    expect(detectFormat('points.txt', '\uFEFF{"x": []}')).toBe('json');
  });

  it('refuses values beyond f32 at parse time for the GPU, with their place and as written', () => {
    expect(() => parseDataset('1,2,0\n3,1e39,1\n', 'csv', { f32: true })).toThrow(
      /^data: line 2, column 2: '1e39' is beyond f32's range \(\|v\| ≤ 3\.4028235e38\), which the GPU computes in; rescale the data, or use --backend cpu \(f64\)$/,
    );
    expect(() => parseDataset('{"x": [[1],\n [-4e38]], "y": [0, 1]}', 'json', { f32: true })).toThrow(/^data: line 2, column 3: x\[1\]\[0\] = -4e38 is beyond f32's range/);
    // f32's largest value, 2¹²⁸ − 2¹⁰⁴, passes; anything that rounds beyond it does not
    expect(F32_MAX).toBe(2 ** 128 - 2 ** 104);
    expect(parseDataset(`${F32_MAX},1\n`, 'csv', { f32: true }).x[0]).toBe(F32_MAX);
    expect(() => parseDataset(`${2 ** 128},1\n`, 'csv', { f32: true })).toThrow(/beyond f32's range/);
    // the CPU computes in f64: the same file is fine there
    expect(parseDataset('1,2,0\n3,1e39,1\n', 'csv').x[3]).toBe(1e39);
  });
});

describe('reading a data file (bounded, regular files and pipes only)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-read-'));
  it.each([
    ['/dev/zero', /^not a regular file \(a character device\)/],
    [dir, /^not a regular file \(a directory\)/],
  ])('refuses %s at once', (path, message) => {
    expect(() => readTextFile(path)).toThrow(message);
  });

  it('refuses binary content, text that is not UTF-8, and files over the cap', () => {
    const bin = join(dir, 'model.bin');
    writeFileSync(bin, Buffer.from([0x31, 0x2c, 0x30, 0x0a, 0x00, 0x01]));
    expect(() => readTextFile(bin)).toThrow(/^a binary file \(a NUL byte at offset 4\)/);
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from([0x78, 0xe9, 0x2c, 0x79, 0x0a]));
    expect(() => readTextFile(latin1)).toThrow(/^not UTF-8 text/);
    const big = join(dir, 'big.csv');
    writeFileSync(big, '0,1\n'.repeat(300));
    expect(() => readTextFile(big, 1000)).toThrow(/^0\.0 MiB is more than the 0\.0 MiB a data file may have/);
    expect(readTextFile(big, 1200)).toHaveLength(1200);
  });

  it('reads a pipe up to the cap and no further', async () => {
    const mkfifo = (name: string) => {
      const path = join(dir, name);
      spawnSync('mkfifo', [path]);
      return path;
    };
    const endless = mkfifo('endless');
    const writer = spawn('bash', ['-c', 'exec yes 0,1 > "$0"', endless], { stdio: 'ignore' }); // never ends by itself
    try {
      expect(() => readTextFile(endless, 4096)).toThrow(/^more than the 0\.0 MiB a data file may have/);
    } finally {
      writer.kill();
    }
    const finite = mkfifo('finite');
    const done = new Promise((resolve) => spawn('bash', ['-c', 'printf "0,0\\n1,1\\n" > "$0"', finite], { stdio: 'ignore' }).on('exit', resolve));
    expect(readTextFile(finite)).toBe('0,0\n1,1\n');
    await done;
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
    ['a string in JSON', () => file('string.json', '{"x": [["0"]], "y": [1]}'), /x\[0\]\[0\] is the string "0", must be a finite number/],
    ['/dev/zero', () => '/dev/zero', /--data: cannot read '\/dev\/zero': not a regular file \(a character device\)/],
    ['a directory', () => dir, /--data: cannot read '.*': not a regular file \(a directory\)/],
    ['a binary file', () => file('nul.csv', '0,1\n\0'), /--data: cannot read '.*nul\.csv': a binary file \(a NUL byte at offset 4\)/],
  ])('refuses %s with status 2', async (_, path, message) => {
    const r = await train('--backend', 'cpu', '--data', path());
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('refuses 1e39 for the GPU at parse time (status 2, line and column), and takes it on the CPU', async () => {
    const path = file('huge.csv', 'x1,y\n0,0\n1e39,1\n');
    const gpu = await train('--data', path, '--steps', '1');
    expect(gpu.code).toBe(2);
    expect(gpu.err).toMatch(/^train: --data .*huge\.csv: line 3, column 1: '1e39' is beyond f32's range .* use --backend cpu \(f64\)\n$/);
    expect(gpu.out).toBe('');
    const cpu = await train('--backend', 'cpu', '--data', path, '--steps', '0', '--json');
    expect(cpu.code, cpu.err).toBe(0);
    expect((JSON.parse(cpu.out) as TrainReport).config.N).toBe(2);
  });

  it('takes a file with a byte-order mark in JSON', async () => {
    const r = await train('--backend', 'cpu', '--data', file('bom.json', '\uFEFF{"x": [[0], [1]], "y": [0, 1]}'), '--steps', '10', '--json');
    expect(r.code, r.err).toBe(0);
  });
});
