import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CPU_FRAME_MS, GPU_FRAME_MS, PlaybackController, type PlayState, stepWithin } from '../src/ui/controller.js';
import { MAX_CHUNK } from '../src/ui/pace.js';
import { failureText, hints } from '../src/ui/hints.js';
import { parameterNames } from '../src/ui/gradients.js';
import { TrainingDivergedError } from '../src/mlp/divergence.js';
import { linearTickLabels, logTickLabels } from '../src/ui/plots/plots.js';
import { LossHistory } from '../src/ui/history.js';
import type { Session, Snapshot } from '../src/ui/session.js';
import { parseSetting } from '../src/ui/state.js';
import { deadUnits, saturatedUnits } from '../src/ui/plots/network.js';
import { ACTIVATIONS, type HiddenActivation } from '../src/engine/activation.js';
import { makeModel } from '../src/mlp/model.js';

/**
 * The playback controller with fake sessions whose readbacks take real time
 * (setTimeout), so clicks land while a readback or a session build is in
 * flight, as they do on the page. A fake session throws if it is destroyed
 * while its readback is in flight, as a GPU buffer under mapAsync would.
 */
const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));

interface Fake extends Session {
  id: number;
  steps: number;
  destroyed: boolean;
  /** The parameters last written by setParams, if any. */
  written: number[] | null;
}

function harness(buildMs = 5, readMs = 3) {
  const sessions: Fake[] = [];
  let clock = 0; // each frame is 1/60 s later on the controller's clock: at 600 steps a second, 10 steps a frame
  const states: PlayState[] = [];
  const errors: Error[] = [];
  const shown: { id: number; step: number }[] = [];
  let nextId = 0;
  const make = (): Fake => {
    let inflight = false;
    const s: Fake = {
      id: nextId++,
      backend: 'cpu',
      steps: 0,
      destroyed: false,
      written: null,
      step(k) {
        if (s.destroyed) throw new Error(`session ${s.id} stepped after destroy`);
        s.steps += k;
      },
      async snapshot() {
        inflight = true;
        await tick(readMs);
        inflight = false;
        if (s.destroyed) throw new Error('Buffer was destroyed before mapping was resolved');
        return { step: s.steps, id: s.id } as unknown as Snapshot;
      },
      setLearningRate() {},
      setParams(params) {
        s.written = Array.from(params);
      },
      destroy() {
        if (inflight) errors.push(new Error(`session ${s.id} destroyed under an in-flight readback`));
        s.destroyed = true;
      },
    };
    sessions.push(s);
    return s;
  };
  const c = new PlaybackController<never>({
    create: async () => {
      await tick(buildMs);
      return make();
    },
    onSnapshot: (s) => shown.push({ id: (s as unknown as { id: number }).id, step: s.step }),
    onState: (s) => states.push(s),
    onFailure: (e) => errors.push(e),
    schedule: (fn) =>
      void setTimeout(() => {
        clock += 1000 / 60;
        fn();
      }, 1),
    rate: () => 600,
    now: () => clock,
  });
  const until = async (cond: () => boolean, what: string) => {
    for (let i = 0; i < 2000 && !cond(); i++) await tick(1);
    if (!cond()) throw new Error(`timed out waiting for ${what}`);
  };
  return { c, sessions, states, errors, shown, until };
}

describe('PlaybackController', () => {
  it('Play pressed before the first session exists is remembered and starts it', async () => {
    const h = harness(20);
    h.c.play();
    expect(h.c.state).toBe('starting');
    void h.c.reset();
    await h.until(() => (h.sessions[0]?.steps ?? 0) >= 50, 'steps on the first session');
    expect(h.c.state).toBe('playing');
    expect(h.errors).toEqual([]);
  });

  it('keeps playing across a reset, on the new session', async () => {
    const h = harness();
    await h.c.reset();
    h.c.play();
    await h.until(() => h.sessions[0]!.steps >= 30, 'steps on session 0');
    void h.c.reset();
    await h.until(() => (h.sessions[1]?.steps ?? 0) >= 30, 'steps on session 1');
    expect(h.c.state).toBe('playing');
    expect(h.sessions[0]!.destroyed).toBe(true);
    expect(h.c.liveSessions).toBe(1);
    expect(h.errors).toEqual([]);
  });

  it('of six overlapping resets the last wins; every other session is destroyed, none under a readback', async () => {
    const h = harness(8, 4);
    await h.c.reset();
    h.c.play();
    for (let k = 0; k < 6; k++) {
      void h.c.reset();
      await tick(k % 2 === 0 ? 1 : 3); // some land while a build is in flight, some while a readback is
    }
    await h.until(() => (h.sessions[6]?.steps ?? 0) >= 20, 'steps on the last session');
    await h.until(() => h.c.liveSessions === 1, 'old sessions destroyed');
    expect(h.sessions.slice(0, 6).every((s) => s.destroyed)).toBe(true);
    expect(h.sessions[6]!.destroyed).toBe(false);
    const after = h.shown.filter((s) => s.id !== 6);
    await tick(30);
    expect(h.shown.filter((s) => s.id !== 6)).toEqual(after); // nothing from an old session is drawn later
    expect(h.errors).toEqual([]);
  });

  it('setParams is refused while playing, and while paused writes the session and draws a snapshot at the same step', async () => {
    const h = harness();
    await h.c.reset();
    h.c.play();
    await h.until(() => h.sessions[0]!.steps >= 20, 'steps');
    expect(await h.c.setParams([1, 2])).toBeNull();
    expect(h.sessions[0]!.written).toBeNull();
    h.c.pause();
    await h.until(() => h.c.state === 'idle', 'idle');
    const n = h.sessions[0]!.steps;
    const drawn = h.shown.length;
    const s = await h.c.setParams([1, 2]);
    expect(h.sessions[0]!.written).toEqual([1, 2]);
    expect(s?.step).toBe(n);
    expect(h.shown.length).toBe(drawn + 1);
    expect(h.sessions[0]!.steps, 'no step taken').toBe(n);
    expect(h.c.state).toBe('idle');
    expect(h.errors).toEqual([]);
  });

  it('pause stops stepping; step is ignored while playing and works while paused', async () => {
    const h = harness();
    await h.c.reset();
    h.c.play();
    await h.until(() => h.sessions[0]!.steps >= 20, 'steps');
    await h.c.stepOnce(); // ignored while playing: no extra single step
    expect(h.sessions[0]!.steps % 10).toBe(0); // 10 steps a frame, the first included
    h.c.pause();
    await tick(20);
    const n = h.sessions[0]!.steps;
    await tick(20);
    expect(h.sessions[0]!.steps).toBe(n);
    await h.c.stepOnce();
    expect(h.sessions[0]!.steps).toBe(n + 1);
    expect(h.shown.at(-1)!.step).toBe(n + 1);
    expect(h.c.state).toBe('idle');
  });

  it('a pause that lands during a readback is "pausing" until that frame is drawn, then "idle", and nothing is drawn after', async () => {
    const h = harness(5, 40); // readbacks slow enough that the pause lands inside one
    await h.c.reset();
    h.c.play();
    await h.until(() => h.shown.length >= 2, 'a frame drawn while playing');
    const inFrame = h.shown.length;
    // stepped, not yet read back
    await h.until(() => h.sessions[0]!.steps > (h.shown.at(-1)?.step ?? 0), 'a frame in flight');
    h.c.pause();
    expect(h.c.state).toBe('pausing');
    expect(h.states.at(-1)).toBe('pausing');
    await h.until(() => h.c.state === 'idle', 'idle');
    expect(h.shown.length).toBeGreaterThan(inFrame); // the frame in flight was drawn, and only then was the state idle
    expect(h.shown.at(-1)!.step).toBe(h.sessions[0]!.steps);
    const drawn = h.shown.length;
    await tick(100);
    expect(h.shown.length).toBe(drawn); // idle: the numbers stay as they are
    expect(h.states.slice(-2)).toEqual(['pausing', 'idle']);
    expect(h.errors).toEqual([]);
  });

  it('a failing readback stops playback in the failed state; a reset leaves it', async () => {
    const h = harness();
    await h.c.reset();
    h.sessions[0]!.snapshot = async () => {
      throw new Error('training diverged at step 7');
    };
    h.c.play();
    await h.until(() => h.c.state === 'failed', 'failed');
    expect(h.c.wanted).toBe(false);
    expect(h.errors.map((e) => e.message)).toEqual(['training diverged at step 7']);
    await h.c.reset();
    expect(h.c.state).toBe('idle');
  });

  it('Play after a failure starts a new run from the settings and plays it; the failed session is destroyed', async () => {
    const h = harness();
    await h.c.reset();
    h.sessions[0]!.snapshot = async () => {
      throw new Error('training diverged at step 3');
    };
    h.c.play();
    await h.until(() => h.c.state === 'failed', 'failed');
    h.c.play();
    expect(h.c.wanted).toBe(true);
    expect(h.c.state).toBe('resetting');
    await h.until(() => (h.sessions[1]?.steps ?? 0) >= 20, 'steps on the new session');
    expect(h.c.state).toBe('playing');
    await h.until(() => h.sessions[0]!.destroyed, 'the failed session destroyed');
    expect(h.c.liveSessions).toBe(1);
  });
});

describe("stepWithin (a CPU frame's time budget)", () => {
  /** A session whose every step advances a fake clock by `ms`. */
  const timed = (ms: number) => {
    const clock = { t: 0, steps: 0, calls: 0 };
    return {
      clock,
      session: { step: (n: number) => ((clock.t += n * ms), (clock.steps += n), clock.calls++) },
      now: () => clock.t,
    };
  };
  it('does every step asked for when they fit the budget', () => {
    const { clock, session, now } = timed(0.001);
    expect(stepWithin(session, 500, CPU_FRAME_MS, now)).toBe(500);
    expect(clock.steps).toBe(500);
    expect(clock.calls).toBeLessThan(20); // in slices, not one call per step
  });
  it('stops near the budget when 20,000 slow steps are asked for, and says how many it did', () => {
    const { clock, session, now } = timed(0.5); // 0.5 ms a step: 20,000 would take 10 s
    const done = stepWithin(session, 20_000, CPU_FRAME_MS, now);
    expect(done).toBe(clock.steps);
    expect(clock.t).toBeGreaterThanOrEqual(CPU_FRAME_MS);
    expect(clock.t).toBeLessThanOrEqual(1.5 * CPU_FRAME_MS);
  });
  it('stays near the budget on a coarse clock, where the first fast steps read as 0 ms', () => {
    const clock = { real: 0, steps: 0 };
    const session = { step: (n: number) => ((clock.real += n * 0.04), (clock.steps += n)) }; // 40 µs a step
    const now = () => Math.floor(clock.real / 5) * 5; // a clock that ticks every 5 ms
    stepWithin(session, 20_000, CPU_FRAME_MS, now);
    expect(clock.real).toBeGreaterThanOrEqual(CPU_FRAME_MS);
    expect(clock.real).toBeLessThanOrEqual(2 * CPU_FRAME_MS + 5);
  });
  it('always does at least one step, even one longer than the budget', () => {
    const { session, now } = timed(100);
    expect(stepWithin(session, 20, CPU_FRAME_MS, now)).toBe(1);
  });
});

describe('LossHistory', () => {
  it('stays bounded and keeps the first point and the recent points whole', () => {
    const h = new LossHistory(100);
    for (let s = 0; s <= 10_000; s++) h.add({ step: s, loss: 1 / (s + 1) });
    expect(h.points.length).toBeLessThan(100);
    expect(h.points[0]!.step).toBe(0);
    expect(h.points.at(-1)!.step).toBe(10_000);
    const steps = h.points.map((p) => p.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(steps.slice(-20)).toEqual(Array.from({ length: 20 }, (_, i) => 10_000 - 19 + i));
  });
});

describe('failure hints', () => {
  const base = {
    step: 1000,
    hidden: 2,
    dead: 0,
    yHat: [0.1, 0.9, 0.9, 0.1],
    accuracy: 1,
    firstLoss: 0.7,
    minLoss: 0.01,
    loss: 0.01,
    pastLoss: 0.05,
    lr: 0.5,
  };
  const stuckRun = { ...base, yHat: [0.5, 0.51, 0.49, 0.5], accuracy: 0.5, loss: 0.69, minLoss: 0.69, pastLoss: 0.69 };
  it('say nothing for a run that learns', () => expect(hints(base)).toEqual([]));
  it('name dead units, a stuck output and a growing loss', () => {
    expect(hints({ ...stuckRun, dead: 2 }).map((h) => h.id)).toEqual(['dead', 'stuck']);
    expect(hints({ ...base, dead: 2 })[0]!.text).toMatch(
      /^2 of 2 hidden units are dead.*ŷ cannot depend on x at all: try another seed/,
    );
    expect(hints({ ...stuckRun, hidden: 3, dead: 1, yHat: [0.1, 0.9, 0.9, 0.9], accuracy: 0.75 })[0]!.text).toMatch(
      /^1 of 3 hidden units is dead.*The other 2 units are all the network has left/,
    );
    expect(hints({ ...stuckRun }).map((h) => h.id)).toEqual(['stuck']);
    expect(hints({ ...stuckRun, step: 10 })).toEqual([]);
    const grows = hints({ ...base, lr: 1000, loss: 133, minLoss: 0.7, accuracy: 0.5 });
    expect(grows.map((h) => h.id)).toEqual(['grows']);
    expect(grows[0]!.text).toMatch(/grew from 0\.700 at step 0 to 133.*Lower the learning rate/);
  });
  it('call dead units a note while the run learns, a warning once it fails', () => {
    // the default run: H = 8, 4 units dead, every point right, the loss falling
    const learning = hints({ ...base, hidden: 8, dead: 4 });
    expect(learning.map((h) => [h.id, h.level])).toEqual([['dead', 'info']]);
    expect(learning[0]!.text).toMatch(/The other 4 units are enough here: the run is still learning/);
    // early in a run that will succeed: not yet 100%, but the loss is falling
    expect(hints({ ...base, hidden: 8, dead: 4, step: 1500, accuracy: 0.75, loss: 0.3, pastLoss: 0.5 })[0]!.level).toBe(
      'info',
    );
    // stalled: short of 100% and the loss no longer falling
    const stalled = hints({ ...base, hidden: 8, dead: 4, step: 1500, accuracy: 0.75, loss: 0.35, pastLoss: 0.351 });
    expect(stalled.map((h) => [h.id, h.level])).toEqual([['dead', 'warn']]);
    expect(stalled[0]!.text).not.toMatch(/enough here/);
  });
  it('give one diagnosis for H = 2, seed 0: one unit dead, ŷ stuck at 0.5', () => {
    const t = hints({ ...stuckRun, dead: 1 })
      .map((h) => h.text)
      .join('\n');
    expect(t).toMatch(
      /^1 of 2 hidden units is dead.*The other unit is all the network has left.*one ReLU unit bends it along a single line/,
    );
    expect(t).toMatch(/ŷ is stuck near 0\.5/);
    expect(t).not.toMatch(/no working units|enough here/); // the unit is alive: nothing may say otherwise
  });
  it('say "lower the learning rate" for MSE too: a loss that rose, or ŷ pinned at 0 or 1 on wrong points', () => {
    // MSE at lr = 1000: from 0.25 at step 0 up to 0.5 with ŷ → 0 everywhere (loss only 2× its start)
    const mse = {
      ...base,
      lr: 1000,
      firstLoss: 0.26,
      minLoss: 0.25,
      loss: 0.5,
      pastLoss: 0.5,
      yHat: [1e-9, 2e-9, 0, 1e-12],
      accuracy: 0.5,
      hidden: 8,
      dead: 8,
    };
    const h = hints(mse);
    expect(h.map((x) => x.id)).toEqual(['dead', 'grows']);
    expect(h[1]!.text).toMatch(
      /grew from 0\.260 at step 0 to 0\.500: the learning rate 1000 is too large.*Lower the learning rate/,
    );
    // the loss not above its start, but ŷ saturated on points it gets wrong
    const pinned = hints({ ...mse, firstLoss: 0.6, dead: 0 });
    expect(pinned.map((x) => x.id)).toEqual(['grows']);
    expect(pinned[0]!.text).toMatch(
      /^ŷ is pinned at 0 or 1 on every point, some of them wrong.*Lower the learning rate/,
    );
    // a run that learned has ŷ near 0 and 1 too, but right: no hint
    expect(hints({ ...base, yHat: [1e-6, 1 - 1e-6, 1 - 1e-6, 1e-6] })).toEqual([]);
  });
});

describe('the failure banner', () => {
  it('names the step of a divergence and says what to do', () => {
    const fault = { step: 1234, kind: 'parameter', index: 0, value: -Infinity, precision: 'f32' } as const;
    const t = failureText(new TrainingDivergedError(fault, { d: 2, H: 8 }));
    // the page counts from 1, as its gradient table does: flat index 0 is W1[1][1] there, W1[0][0] in code and JSON
    expect(t).toMatch(
      /^step 1234: W1\[1\]\[1\] became −Infinity \(the update overflowed f32\); training stopped and kept the parameters after step 1233\. Training blew up: .*Lower the learning rate .* rescale the inputs .*press Play or Reset to start a new run\.$/,
    );
    expect(t.match(/lower the learning rate/gi)).toHaveLength(1);
    expect(t.match(/1234/g)).toHaveLength(1); // the step is said once
    // the page shows the last state it read back, which may be older than the one the run kept: it says so
    expect(failureText(new TrainingDivergedError(fault, { d: 2, H: 8 }), 1200)).toMatch(
      / The page still shows step 1200, the last state it read back\.$/,
    );
    expect(failureText(new TrainingDivergedError(fault, { d: 2, H: 8 }), 1233)).not.toMatch(/still shows/);
    const nan = failureText(
      new TrainingDivergedError({ ...fault, kind: 'loss', index: 1, value: NaN }, { d: 2, H: 8 }),
    );
    expect(nan).toMatch(
      /^step 1234: the loss of sample 2 became NaN \(not a number\) \(the forward pass overflowed f32\)/,
    );
    expect(new TrainingDivergedError(fault, { d: 2, H: 8 }).message).toMatch(/^step 1234: W1\[0\]\[0\] became/);
  });
  it('names every element and sample as the gradient table and the graph do', () => {
    const spec = { d: 3, H: 5 };
    const said = (kind: 'loss' | 'gradient' | 'parameter', index: number) =>
      failureText(new TrainingDivergedError({ step: 3, kind, index, value: NaN, precision: 'f32' }, spec)).split(
        ' became',
      )[0];
    // the flat layout of d = 3, H = 5: W1 at 0–14 (row j at 3j), b1 at 15–19, W2 at 20–24, b2 at 25
    expect(parameterNames({ d: 3, hidden: [5] })).toHaveLength(26);
    expect(said('parameter', 0)).toBe('step 3: W1[1][1]');
    expect(said('gradient', 13)).toBe('step 3: dW1[5][2]'); // unit 5 (j = 4), input 2 (i = 1): 4·3 + 1
    expect(said('gradient', 19)).toBe('step 3: db1[5]');
    expect(said('parameter', 24)).toBe('step 3: W2[5]');
    expect(said('parameter', 25)).toBe('step 3: b2');
    expect(said('loss', 0)).toBe('step 3: the loss of sample 1');
  });
  it('asks for a reset after any other error', () => {
    expect(failureText(new Error('uncaptured WebGPU error: out of memory.'))).toBe(
      'uncaptured WebGPU error: out of memory. Press Play or Reset to start a new run.',
    );
  });
});

describe('settings accept decimal numbers only', () => {
  it.each(['0x10', '0b11', '0o7', 'Infinity', '', ' ', '1,5', '5.'.repeat(2)])(
    'refuses %j with the field and range',
    (raw) => {
      const r = parseSetting('points', raw);
      expect(r).toHaveProperty('error');
      expect((r as { error: string }).error).toMatch(/^points N must be an integer in \[4, 2000\]/);
    },
  );
  it('gives integer fields an integer example and real fields a decimal one', () => {
    const hex = (parseSetting('points', '0x10') as { error: string }).error;
    expect(hex).toBe("points N must be an integer in [4, 2000], written as decimal digits (like 8), got '0x10'");
    expect(hex).not.toMatch(/0\.5|1e-3/);
    expect((parseSetting('seed', '0b1') as { error: string }).error).toMatch(/written as decimal digits \(like 8\)/);
    expect((parseSetting('lr', '0x1') as { error: string }).error).toMatch(
      /^learning rate must be .*written as a decimal number \(like 0\.5 or 1e-3\)/,
    );
  });
  it('hidden layers: a list of decimal widths, each refused by its layer', () => {
    expect(parseSetting('hidden', '16')).toEqual({ value: [16] });
    expect(parseSetting('hidden', '1,5')).toEqual({ value: [1, 5] });
    expect(parseSetting('hidden', ' 8, 4 ')).toEqual({ value: [8, 4] });
    for (const raw of ['0x10', '0b11', 'Infinity', '5.5', '-1']) {
      expect((parseSetting('hidden', raw) as { error: string }).error).toBe(
        `hidden layers: layer 1's width must be an integer in [1, 4096], got ${JSON.stringify(raw)}`,
      );
    }
    expect((parseSetting('hidden', '8,') as { error: string }).error).toMatch(/layer 2's width is empty/);
  });
  it('accepts decimals, exponents included', () => {
    expect(parseSetting('points', '16')).toEqual({ value: 16 });
    expect(parseSetting('lr', '0.5')).toEqual({ value: 0.5 });
    expect(parseSetting('lr', '1e-3')).toEqual({ value: 0.001 });
    expect(parseSetting('lr', '.25')).toEqual({ value: 0.25 });
  });
});

describe('the decision boundary raster', () => {
  it('equals the reference forward pass at every grid centre', async () => {
    const { yHatOverGrid } = await import('../src/ui/plots/plots.js');
    const { forward } = await import('../src/mlp/reference.js');
    const { initParams } = await import('../src/mlp/init.js');
    for (const H of [1, 8, 64]) {
      // larger weights: more units on and off
      const p = initParams({ d: 2, H }, H + 3).map((v, i) => v * (1 + (i % 3)));
      const grid = 17;
      const x = new Float64Array(grid * grid * 2);
      for (let r = 0; r < grid; r++) {
        for (let c = 0; c < grid; c++) {
          x[2 * (r * grid + c)] = -0.5 + ((c + 0.5) / grid) * 2;
          x[2 * (r * grid + c) + 1] = 1.5 - ((r + 0.5) / grid) * 2;
        }
      }
      const want = forward({ d: 2, H }, p, { d: 2, N: grid * grid, x, y: new Float64Array(grid * grid) }).yHat;
      const got = yHatOverGrid({ d: 2, H }, p, -0.5, 1.5, grid);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `H = ${H}, cell ${i}`).toBeLessThan(1e-12));
      expect(Math.max(...want) - Math.min(...want)).toBeGreaterThan(0.01); // not a flat picture
    }
  });
});

describe('loss-curve ticks', () => {
  it('write each tick as the stats write its value: decimals from 0.001, exponents below, whatever the other ticks', () => {
    expect(logTickLabels([0.01, 0.1, 1])).toEqual(['0.01', '0.1', '1']);
    expect(logTickLabels([0.001, 0.01, 0.1, 1])).toEqual(['0.001', '0.01', '0.1', '1']);
    expect(logTickLabels([1e-6, 1e-4, 0.01, 1, 100])).toEqual(['1e-6', '1e-4', '0.01', '1', '100']);
    expect(logTickLabels([0.2, 0.3, 0.5])).toEqual(['0.2', '0.3', '0.5']);
    expect(logTickLabels([0.004, 0.006])).toEqual(['0.004', '0.006']);
  });
  it("on the plane's axes: decimals for ordinary data, short exponents for huge inputs, never an 18-digit label", () => {
    expect(linearTickLabels([-1, -0.5, 0, 0.5, 1])).toEqual(['−1', '−0.5', '0', '0.5', '1']);
    expect(linearTickLabels([0, 0.2, 0.4000000000000001])).toEqual(['0', '0.2', '0.4']);
    const huge = linearTickLabels([-2e18, -1e18, 0, 1e18, 2e18]); // an uploaded file with inputs near 1e18
    expect(huge).toEqual(['−2e18', '−1e18', '0', '1e18', '2e18']);
    for (const l of huge) expect(l.length).toBeLessThanOrEqual(6);
  });
});

describe('the focus ring', () => {
  it('has at least 3:1 contrast against the white page (WCAG 1.4.11, non-text)', () => {
    const css = readFileSync('src/ui/style.css', 'utf8');
    const hex = /:focus-visible\s*\{[^}]*outline:\s*\d+px solid (#[0-9a-f]{6})/i.exec(css)?.[1];
    expect(hex, 'a :focus-visible outline colour in style.css').toBeDefined();
    const lum = (h: string) => {
      const c = [1, 3, 5]
        .map((i) => parseInt(h.slice(i, i + 2), 16) / 255)
        .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    };
    expect(1.05 / (lum(hex!) + 0.05)).toBeGreaterThanOrEqual(3);
  });
});

describe("the map's time estimate", () => {
  it('fits a + b·H through the trial at the narrowest and widest width, sums every width, scales by the seeds', async () => {
    const { mapEstimate } = await import('../src/ui/map/map-panel.js');
    const widths = Array.from({ length: 16 }, (_, i) => i + 1);
    // a made-up cost of 100 ms + 20 ms per unit: the sum over H = 1..16 is 1600 + 20·136 ms
    const cost = (w: number) => 100 + 20 * w;
    expect(mapEstimate({ w: 1, ms: cost(1) }, { w: 16, ms: cost(16) }, widths, 1)).toBeCloseTo(
      (1600 + 20 * 136) / 1000,
      9,
    );
    expect(mapEstimate({ w: 1, ms: cost(1) }, { w: 16, ms: cost(16) }, widths, 32)).toBeCloseTo(
      (32 * (1600 + 20 * 136)) / 1000,
      9,
    );
    // a GPU whose time does not grow with H: 16 times one width, not scaled up by the width
    expect(mapEstimate({ w: 1, ms: 300 }, { w: 16, ms: 290 }, widths, 1)).toBeCloseTo(16 * 0.3, 9);
  });
});

describe('dead and saturated units: any unit, the last one included', () => {
  const N = 4;
  const H = 3;
  /** A snapshot whose z1 is `pinned` (per unit) on every sample where given, else alternating ±1 (alive). */
  const withZ1 = (activation: HiddenActivation, pinned: Record<number, readonly number[]>): Snapshot => {
    const z1 = new Float64Array(N * H);
    for (let n = 0; n < N; n++) for (let j = 0; j < H; j++) z1[n * H + j] = pinned[j]?.[n] ?? (n % 2 ? 1 : -1);
    const a1 = z1.map((z) => ACTIVATIONS[activation].output(z));
    return {
      model: makeModel({ d: 2, hidden: [H], activation }),
      data: { d: 2, N, x: new Float64Array(2 * N), y: new Float64Array(N) },
      layers: { z: [z1, new Float64Array(N)], a: [a1] },
    } as unknown as Snapshot;
  };
  const off = [-1, 0, -2, -0.5]; // z1 ≤ 0 on every sample, 0 included: ReLU passes nothing back
  const far = [-60, -55, -70, -80]; // f′ far below 1% of its largest value, for tanh and σ

  it.each([[[0]], [[1]], [[2]], [[0, 2]], [[0, 1, 2]], [[]]])(
    'ReLU: units %j dead, found wherever they are',
    (units) => {
      const s = withZ1('relu', Object.fromEntries(units.map((j) => [j, off])));
      expect(deadUnits(s)).toEqual([units]);
    },
  );

  it('ReLU: a unit positive on one sample only (the last) is alive', () => {
    expect(deadUnits(withZ1('relu', { 2: [-1, -1, -1, 1e-30] }))).toEqual([[]]);
  });

  it.each([['tanh'], ['sigmoid']] as const)('%s: units saturated first, middle or last are all found', (activation) => {
    for (const units of [[0], [1], [2], [1, 2]]) {
      expect(saturatedUnits(withZ1(activation, Object.fromEntries(units.map((j) => [j, far])))), `${units}`).toEqual([
        units,
      ]);
    }
  });
});

describe('a heavy GPU run', () => {
  it("asks each frame for no more steps than took GPU_FRAME_MS before, so Pause never waits long; a light one keeps 'max'", async () => {
    for (const msPerStep of [1, 0.001]) {
      let clock = 0;
      const asked: number[] = [];
      let steps = 0;
      const session = {
        backend: 'gpu',
        step(k: number) {
          asked.push(k);
          steps += k;
          clock += k * msPerStep; // the steps' time, as a readback waits for it
        },
        async snapshot() {
          await tick(1);
          return { step: steps } as unknown as Snapshot;
        },
        setLearningRate() {},
        setParams() {},
        destroy() {},
      } as unknown as Session;
      const c = new PlaybackController<never>({
        create: async () => session,
        onSnapshot: () => {},
        onState: () => {},
        onFailure: (e) => {
          throw e;
        },
        schedule: (fn) => void setTimeout(fn, 1),
        rate: () => 'max',
        now: () => clock,
      });
      await c.reset();
      c.play();
      for (let i = 0; i < 2000 && asked.length < 4; i++) await tick(1);
      c.pause();
      expect(asked[0], 'the first frame: the pace alone').toBe(MAX_CHUNK);
      const cap = Math.max(1, Math.min(MAX_CHUNK, Math.floor(GPU_FRAME_MS / msPerStep)));
      // 1 ms a step: 200 steps a frame (0.2 s); 1 µs a step: the whole 20,000 (20 ms)
      expect(asked.slice(1, 4), `${msPerStep} ms a step`).toEqual([cap, cap, cap]);
    }
  });
});
