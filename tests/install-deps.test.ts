/**
 * scripts/install-system-deps.sh as the README's quick start runs it, in a fake system: PATH holds only stubs (id,
 * ldconfig, apt-get, and sudo when the case has it) that record what they are asked, so nothing is installed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BASH = '/bin/bash';

function fakeSystem({ uid, sudo }: { uid: number; sudo: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-lab-deps-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!${BASH}\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `[ "$1" = -u ] && echo ${uid}`);
  stub('ldconfig', 'exit 0'); // no libvulkan.so.1 listed: libvulkan1 is needed
  stub('apt-get', `echo "apt-get $*" >> '${log}'`);
  if (sudo) stub('sudo', `echo "sudo $1" >> '${log}'; "$@"`);
  const grep = ['/usr/bin/grep', '/bin/grep'].find((p) => existsSync(p))!;
  symlinkSync(grep, join(bin, 'grep'));
  const p = spawnSync(BASH, ['scripts/install-system-deps.sh'], {
    env: { PATH: bin },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return {
    status: p.status,
    stderr: p.stderr,
    calls: readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l !== ''),
  };
}

describe('scripts/install-system-deps.sh, as the quick start runs it', () => {
  it('the README runs it with bash, not sudo (a root container has no sudo)', () => {
    const readme = readFileSync('README.md', 'utf8');
    const quickStart = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
    );
    const line = quickStart.split('\n').find((l) => l.includes('install-system-deps.sh'))!;
    expect(line).toMatch(/^bash scripts\/install-system-deps\.sh && npm test\b/);
  });

  it('as root without sudo: installs with apt-get directly', () => {
    const r = fakeSystem({ uid: 0, sudo: false });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends chromium libvulkan1',
    ]);
    expect(r.stderr).toBe('install-system-deps: installing chromium libvulkan1\n');
  });

  it('as a user with sudo: installs through sudo', () => {
    const r = fakeSystem({ uid: 1000, sudo: true });
    expect(r.status, r.stderr).toBe(0);
    expect(r.calls).toEqual([
      'sudo apt-get',
      'apt-get update -qq',
      'sudo apt-get',
      'apt-get install -y -qq --no-install-recommends chromium libvulkan1',
    ]);
  });

  it('as a user without sudo: one line saying what it needs, status 1, nothing run', () => {
    const r = fakeSystem({ uid: 1000, sudo: false });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'install-system-deps: installing chromium libvulkan1 needs root: run this script as root, or install sudo\n',
    );
    expect(r.calls).toEqual([]);
  });
});
