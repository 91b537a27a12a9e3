/**
 * The npm package as a user meets it: the library built (vite.lib.config.ts, tsconfig.lib.json) into a temporary folder
 * with the files `npm pack` takes, packed, installed into an empty project, and the README's example (cut from between
 * its markers, so the two cannot drift) run with node and type-checked against the installed declarations. Nothing is
 * written into the checkout; installs use npm's cache where it holds the packages, the registry otherwise.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../src/gpu/contract.js';

const root = process.cwd();
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const manifest = readJson(join(root, 'package.json'));
/** What a user needs: the build, the README, the licence and the manifest. */
const needed = (path: string) =>
  path.startsWith('dist/lib/') || /^(package\.json|README\.md|LICEN[CS]E(\.\w+)?)$/i.test(path);

/** Runs a command to completion; a failure throws with everything it printed. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
    });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: e });
  }
}

/** `npm pack --json` in a folder, scripts off: the tarball's name and the files it holds. */
function pack(cwd: string, ...flags: string[]): { filename: string; files: string[] } {
  const [result] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', ...flags], cwd));
  return { filename: result.filename, files: result.files.map((f: { path: string }) => f.path) };
}

/** The README's library example: the code block between the markers. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- library-example:start -->\s*```js\n([\s\S]*?)```\s*<!-- library-example:end -->/.exec(readme);
  if (!m) throw new Error('README.md: no ```js block between <!-- library-example:start --> and its :end marker');
  return m[1]!;
}

/** Every module specifier a built file imports, statically or dynamically. */
function specifiers(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g)].map((m) => m[1]!);
}

const installedVersion = (name: string) => readJson(join(root, 'node_modules', name, 'package.json')).version as string;
const vite = join(root, 'node_modules/vite/bin/vite.js');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

let tmp: string;
let packageDir: string;
let app: string;
let tarball: { filename: string; files: string[] };

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'backprop-lab-package-'));
  packageDir = join(tmp, 'package');
  app = join(tmp, 'app');
  // The checkout's files as `npm pack` takes them, then the library built beside them: the two steps of `build:lib`.
  for (const path of pack(root, '--dry-run').files.filter((p) => !p.startsWith('dist/'))) {
    mkdirSync(dirname(join(packageDir, path)), { recursive: true });
    copyFileSync(join(root, path), join(packageDir, path));
  }
  const out = join(packageDir, 'dist/lib');
  run(process.execPath, [vite, 'build', '-c', 'vite.lib.config.ts', '--outDir', out, '--emptyOutDir'], root);
  run(process.execPath, [tsc, '-p', 'tsconfig.lib.json', '--outDir', join(out, 'types')], root);
  tarball = pack(packageDir, '--pack-destination', tmp);

  // An empty project: the tarball, Dawn (the optional peer, for Node) and Node's types for the type check.
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'example', private: true, type: 'module' }));
  // the versions tested here
  const pinned = ['webgpu', '@types/node'].map((name) => `${name}@${installedVersion(name)}`);
  const deps = [join(tmp, tarball.filename), ...pinned];
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...deps], app);
  writeFileSync(join(app, 'example.mjs'), readmeExample());
}, 240_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('is publishable and packs only what a user needs: the build, the README, the manifest', () => {
    expect(manifest.private).toBeUndefined();
    const fromCheckout = pack(root, '--dry-run').files;
    expect(fromCheckout.filter((p) => !needed(p))).toEqual([]);
    expect(fromCheckout).toContain('README.md');
    expect(fromCheckout).toContain('LICENSE');
    expect(tarball.files.filter((p) => !needed(p))).toEqual([]);
    // Every path `exports` names is in the tarball, for its code and its declarations.
    const targets = Object.values(manifest.exports as Record<string, string | Record<string, string>>).flatMap((t) =>
      typeof t === 'string' ? [t] : Object.values(t),
    );
    expect(targets.length).toBeGreaterThan(2);
    for (const target of targets) expect(tarball.files).toContain(target.replace(/^\.\//, ''));
  });

  it('keeps Dawn and Node built-ins out of the main entry, so a browser bundle never meets them', () => {
    const dir = join(app, 'node_modules/backprop-lab');
    const seen = new Set<string>();
    const external: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of specifiers(readFileSync(file, 'utf8'))) {
        if (s.startsWith('.')) walk(join(dirname(file), s));
        else external.push(s);
      }
    };
    walk(join(dir, readJson(join(dir, 'package.json')).exports['.'].default));
    expect(seen.size).toBeGreaterThan(1); // the shared chunk is reached, so the walk follows imports
    expect(external).toEqual([]);
    const node = readFileSync(join(dir, 'dist/lib/node.js'), 'utf8');
    expect(specifiers(node)).toContain('webgpu');
  });

  it("runs the README's example: XOR trained on the GPU, its gradients within bounds of the oracle", () => {
    const out = run(process.execPath, ['example.mjs'], app);
    const kernel = /^kernel (\S+) on \S/m.exec(out)?.[1];
    expect(KERNEL_NAMES).toContain(kernel);
    const loss = Number(/^loss after 2000 steps: (\S+)$/m.exec(out)?.[1]);
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeLessThan(0.01); // XOR learned (README: 0.000683 from these defaults)
    expect(out).toMatch(/^gradient check: pass \(the worst element used [\d.]+% of its bound\)$/m);
  });

  it("type-checks the README's example against the installed declarations, as a Node project would", () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          lib: ['es2022'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          types: ['node'],
          allowJs: true,
          checkJs: true,
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['example.mjs'],
      }),
    );
    let output = '';
    try {
      run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], app);
    } catch (e) {
      output = (e as Error).message;
    }
    // @webgpu/types assumes the DOM library (EventTarget, ImageBitmap, ...), which a Node project lacks; its own
    // complaints are its business. Ours (and the example's) must be none: a missing declaration, an unresolvable
    // import or a wrong type in the example all land in these files.
    const ours = (line: string) => /error TS\d+/.test(line) && !line.startsWith('node_modules/@webgpu/types/');
    const errors = output.split('\n').filter(ours);
    expect(errors).toEqual([]);
  });
});
