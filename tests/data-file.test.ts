import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrain, type TrainReport } from '../src/cli/train.js';
import { spawn, spawnSync } from 'node:child_process';
import { readTextFile } from '../src/cli/io.js';
import { detectFormat, F32_MAX, locate, MAX_ROWS, MAX_VALUES, parseDataset } from '../src/mlp/data/data-file.js';
import { buildCli, PEAK_RSS_PRELOAD } from './support/cli-build.js';

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
    ['1,2,0\n3,abc,1\n', 'csv', /line 2, column 2: 'abc' is not a finite number$/],
    ['1,2,0\n3,,1\n', 'csv', /line 2, column 2: '' is not a decimal number \(empty; write a decimal number/],
    ['1,2,0\n3,1e999,1\n', 'csv', /line 2, column 2: '1e999' is not a finite number$/],
    ['1,2,0\n3,4,2\n', 'csv', /line 2: the label y = 2 is outside \[0, 1\]/],
    ['1\n2\n', 'csv', /need x1..xd and y/],
    // column 16 is the '[' of [3], counted by hand
    ['{"x": [[1, 2], [3]], "y": [0, 1]}', 'json', /^data: line 1, column 16: x\[1\] has 1 value, x\[0\] has 2$/],
    ['{"x": [[1],\n  [2, 3, 4]], "y": [0, 1]}', 'json', /^data: line 2, column 3: x\[1\] has 3 values, x\[0\] has 1$/],
    ['{"x": [[]], "y": [0]}', 'json', /^data: line 1, column 8: x\[0\] has 0 values; a row has 1 to 1024 features$/],
    [
      '{"x": [[1, "a"]], "y": [0]}',
      'json',
      /line 1, column 12: x\[0\]\[1\] is the string "a", must be a finite number$/,
    ],
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

describe('data files: decimal numbers only', () => {
  it.each([
    ['0x10', /hexadecimal/],
    ['0X1f', /hexadecimal/],
    ['0b11', /binary/],
    ['0o7', /octal/],
    ['Infinity', /not a finite number/],
    ['-Infinity', /not a finite number/],
    ['NaN', /not a finite number/],
    ['1_000', /a digit separator '_'/],
    ['\u0661', /the digit '\u0661' \(U\+0661\); digits are 0-9/],
    ['\u22121', /the dash '\u2212' \(U\+2212\); a minus sign is '-'/],
    ['1 2', /a blank inside/],
  ])("refuses the cell '%s' with its line and column, as the page's upload does, naming its notation", (cell, why) => {
    const text = `x1,y\n0,0\n${cell},1\n`;
    expect(() => parseDataset(text, 'csv')).toThrow(
      new RegExp(`^data: line 3, column 1: '${cell}' is not a decimal number \\(`),
    );
    expect(() => parseDataset(text, 'csv')).toThrow(why);
  });

  it.each(['1e', '--1', 'abc', '.'])(
    "refuses the cell '%s', which is no number at all, as not a finite number",
    (cell) => {
      expect(() => parseDataset(`0,0\n${cell},1\n`, 'csv')).toThrow(
        new RegExp(`^data: line 2, column 1: '${cell}' is not a finite number$`),
      );
    },
  );

  it('takes every decimal form: sign, point before or after the digits, exponent', () => {
    const data = parseDataset('+1,.5,5.,1e-3,1E+2,-0,  -2.5e1 ,1\n', 'csv');
    expect(Array.from(data.x)).toEqual([1, 0.5, 5, 0.001, 100, -0, -25]);
  });
});

describe('data files: sizes are checked before numbers are parsed', () => {
  it('the limits: 2²⁴ rows (the largest batch N) and 2²⁵ numbers (a 128 MiB f32 buffer)', () => {
    expect([MAX_ROWS, MAX_VALUES]).toEqual([16_777_216, 33_554_432]);
  });

  it('CSV: refuses the first row past 16,777,216, counting header, comment and blank lines, in about a second', () => {
    const text = `x1,y\n# points\n\n${'0,1\n'.repeat(16_777_217)}`;
    const t0 = performance.now();
    // 3 lines before the rows: row 16,777,217 is line 16,777,220
    expect(() => parseDataset(text, 'csv')).toThrow(
      /^data: line 16777220: more than 16,777,216 rows; the batch size N is at most 16,777,216 on every backend$/,
    );
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('CSV: refuses the first row past 33,554,432 numbers (rows × columns)', () => {
    // 3 columns: row 11,184,811 brings 33,554,433 numbers
    const t0 = performance.now();
    expect(() => parseDataset('0,0,1\n'.repeat(11_184_811), 'csv')).toThrow(
      /^data: line 11184811: more than 33,554,432 numbers \(rows × columns\)/,
    );
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(() => parseDataset('0,0,1\n'.repeat(11_184_810).slice(0, 60), 'csv')).not.toThrow();
  });

  it('JSON: refuses the row past 16,777,216 in x and the number past 33,554,432, with line and column', () => {
    // '{"x": [' is 7 characters and each row '[0],' 4: row k starts at column 8 + 4k
    const rows = `{"x": [${'[0],'.repeat(16_777_216)}[0]], "y": []}`;
    expect(() => parseDataset(rows, 'json')).toThrow(
      /^data: line 1, column 67108872: x has more than 16,777,216 rows;/,
    );
    // '{"y": [' then '0,' each: number k starts at column 8 + 2k; strings and nesting elsewhere do not count
    const numbers = `{"note": "[[1, 2]]", "y": [${'0,'.repeat(33_554_432)}0], "x": []}`;
    expect(() => parseDataset(numbers, 'json')).toThrow(
      /^data: line 1, column 67108892: the file has more than 33,554,432 numbers/,
    );
  });

  it('a file at either limit passes the count: the first row is parsed, and its bad cell named', () => {
    // At the limit, the count lets the file through, and the parse stops at once at line 1 (a full parse takes seconds).
    const atRows = `z,1\n${'0,1\n'.repeat(16_777_215)}`;
    expect(() => parseDataset(atRows, 'csv')).toThrow(/^data: line 1, column 1: 'z' is not a finite number$/);
    const atValues = `z,0,1\n${'0,0,1\n'.repeat(11_184_809)}`; // 11,184,810 rows of 3: 33,554,430 numbers
    expect(() => parseDataset(atValues, 'csv')).toThrow(/^data: line 1, column 1: 'z' is not a finite number$/);
    // JSON with the count's worth of rows, and a syntax error at its start that JSON.parse meets at once
    const json = `{"x" [${'[0],'.repeat(16_777_215)}[0]], "y": []}`;
    expect(() => parseDataset(json, 'json')).toThrow(/^data: not valid JSON/);
  });
});

describe('data files: places, types, byte-order marks and f32', () => {
  it('names the line and column of a JSON value spread over lines', () => {
    const text = '{\n  "y": [0, 1],\n  "x": [\n    [1, 2],\n    [3, {"k": "]"}]\n  ]\n}';
    expect(() => parseDataset(text, 'json')).toThrow(
      /^data: line 5, column 9: x\[1\]\[1\] is an object, must be a finite number$/,
    );
    expect(locate(text, ['x', 1, 1])).toMatchObject({ line: 5, column: 9 });
    expect(locate(text, ['y', 1])).toMatchObject({ line: 2, column: 12 });
    // a repeated key: JSON.parse keeps the last, and so does the place
    expect(locate('{"x": [[1]], "x": [[2, "s"]]}', ['x', 0, 1])).toMatchObject({ line: 1, column: 24 });
    expect(() => parseDataset('{"x": [[1]], "x": [[2, "s"]], "y": [0]}', 'json')).toThrow(
      /line 1, column 24: x\[0\]\[1\] is the string "s"/,
    );
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
    expect(() => parseDataset('{"x": [[1],\n [-4e38]], "y": [0, 1]}', 'json', { f32: true })).toThrow(
      /^data: line 2, column 3: x\[1\]\[0\] = -4e38 is beyond f32's range/,
    );
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

  it('refuses a FIFO without opening it, even with a writer waiting', async () => {
    const fifo = join(dir, 'with-writer');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The writer's open waits for a reader: had the FIFO been opened, the writer would go on and exit.
    const writer = spawn('bash', ['-c', 'printf "0,0\\n1,1\\n" > "$0"', fifo], { stdio: 'ignore' });
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the writer is in its open by now
      expect(() => readTextFile(fifo)).toThrow(/^not a regular file \(a FIFO or pipe\); give a CSV or JSON file$/);
      expect(writer.exitCode).toBeNull();
    } finally {
      writer.kill();
      await exited;
    }
  });
});

describe('npm run train --data (the built command, as a process)', () => {
  let cli = '';
  const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-data-'));
  beforeAll(async () => {
    cli = await buildCli('data-file');
    writeFileSync(join(dir, 'peak.cjs'), PEAK_RSS_PRELOAD);
  });
  const run = (...argv: string[]) => {
    const t0 = performance.now();
    // SIGKILL at the timeout: a process blocked in open() never sees SIGTERM
    const p = spawnSync(process.execPath, ['-r', join(dir, 'peak.cjs'), `${cli}/train.js`, ...argv], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    return { status: p.status, signal: p.signal, stderr: p.stderr, seconds: (performance.now() - t0) / 1000 };
  };

  it('a FIFO with no writer: exit 2 at once, naming it (it used to block in open, deaf to Ctrl-C)', () => {
    const fifo = join(dir, 'no-writer');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = run('--backend', 'cpu', '--data', fifo);
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 2, signal: null });
    expect(r.stderr).toMatch(
      /^train: --data: cannot read '.*no-writer': not a regular file \(a FIFO or pipe\); give a CSV or JSON file\n/,
    );
    expect(r.seconds).toBeLessThan(2);
  });

  it('a CSV one row past the limit: exit 2 within seconds, its memory under 1 GiB', () => {
    const big = join(dir, 'big.csv');
    writeFileSync(big, '0,1\n'.repeat(16_777_217)); // 64 MiB
    const r = run('--backend', 'cpu', '--data', big);
    rmSync(big);
    expect({ status: r.status, signal: r.signal }, r.stderr).toEqual({ status: 2, signal: null });
    expect(r.stderr).toMatch(
      /^train: --data .*big\.csv: line 16777217: more than 16,777,216 rows; the batch size N is at most 16,777,216 on every backend\n/,
    );
    expect(r.seconds).toBeLessThan(5);
    const peak = Number(/peak-rss-kib=(\d+)/.exec(r.stderr)?.[1]);
    expect(peak, r.stderr).toBeLessThan(1024 * 1024);
  }, 60_000);
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
    const r = await train(
      '--backend',
      backend,
      '--data',
      file('clusters.csv', `x1,x2,x3,y\n${rows.join('\n')}\n`),
      '--steps',
      '300',
      '--json',
    );
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
    [
      'a hexadecimal cell',
      () => file('hex.csv', '1,0x10,0\n'),
      /line 1, column 2: '0x10' is not a decimal number \(hexadecimal; /,
    ],
    [
      'a label outside [0, 1]',
      () => file('label.json', '{"x": [[1]], "y": [3]}'),
      /y\[0\] is 3, must be a number in \[0, 1\]/,
    ],
    [
      'a string in JSON',
      () => file('string.json', '{"x": [["0"]], "y": [1]}'),
      /x\[0\]\[0\] is the string "0", must be a finite number/,
    ],
    ['/dev/zero', () => '/dev/zero', /--data: cannot read '\/dev\/zero': not a regular file \(a character device\)/],
    ['a directory', () => dir, /--data: cannot read '.*': not a regular file \(a directory\)/],
    [
      'a binary file',
      () => file('nul.csv', '0,1\n\0'),
      /--data: cannot read '.*nul\.csv': a binary file \(a NUL byte at offset 4\)/,
    ],
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
    expect(gpu.err).toMatch(
      /^train: --data .*huge\.csv: line 3, column 1: '1e39' is beyond f32's range .* use --backend cpu \(f64\)\n$/,
    );
    expect(gpu.out).toBe('');
    const cpu = await train('--backend', 'cpu', '--data', path, '--steps', '0', '--json');
    expect(cpu.code, cpu.err).toBe(0);
    expect((JSON.parse(cpu.out) as TrainReport).config.N).toBe(2);
  });

  it('takes a file with a byte-order mark in JSON', async () => {
    const r = await train(
      '--backend',
      'cpu',
      '--data',
      file('bom.json', '\uFEFF{"x": [[0], [1]], "y": [0, 1]}'),
      '--steps',
      '10',
      '--json',
    );
    expect(r.code, r.err).toBe(0);
  });
});
