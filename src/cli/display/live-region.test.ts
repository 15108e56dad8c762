import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Output } from '../output.js';
import { LiveRegion, runningLine, type Frame } from './live-region.js';

/** A stream that keeps what is written, seen as a terminal of `columns` or as a pipe. */
function screen(tty: boolean, columns = 80): { output: Output; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    tty ? { isTTY: true, columns } : {},
  );
  return { output: new Output(false, stream), text: () => chunks.join('') };
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

beforeEach(() => {
  vi.useFakeTimers();
  // `Output.live` is off under CI, which the test runner may set.
  vi.stubEnv('CI', undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('LiveRegion', () => {
  it('off a terminal draws nothing and prints plain lines', () => {
    const { output, text } = screen(false);
    const draw = vi.fn(() => ['never']);
    const region = new LiveRegion(output, draw);
    region.start();
    region.print('one');
    vi.advanceTimersByTime(1_000);
    region.stop();
    expect(text()).toBe('one\n');
    expect(draw).not.toHaveBeenCalled();
  });

  it('on a terminal redraws in place, prints above the region, and leaves a final frame', () => {
    const { output, text } = screen(true);
    const frames: Frame[] = [];
    const region = new LiveRegion(output, (frame) => {
      frames.push(frame);
      return frame.final ? ['done'] : ['running a', 'counts'];
    });
    region.start();
    vi.advanceTimersByTime(100);
    expect(text()).toBe('running a\ncounts\n');
    region.print('a finished');
    // The two region lines are erased, the line printed, the region drawn again below it.
    expect(text()).toBe('running a\ncounts\n\x1b[2A\x1b[Ja finished\nrunning a\ncounts\n');
    region.stop();
    expect(text().endsWith('\x1b[2A\x1b[Jdone\n')).toBe(true);
    const written = text().length;
    vi.advanceTimersByTime(1_000);
    expect(text().length).toBe(written);
    expect(frames.map((frame) => frame.final)).toEqual([false, false, true]);
    expect(frames[0]?.width).toBe(79);
    expect(frames[0]?.spinner).not.toBe(frames[1]?.spinner);
  });

  it('steps aside for a question: no redraw meanwhile, and the lines printed then follow it', async () => {
    const { output, text } = screen(true);
    const region = new LiveRegion(output, () => ['live']);
    region.start();
    vi.advanceTimersByTime(100);
    const answer = await region.aside(() => {
      output.stdout.write('Approve? ');
      region.print('held back');
      vi.advanceTimersByTime(1_000);
      return Promise.resolve('y');
    });
    expect(answer).toBe('y');
    expect(text()).toBe('live\n\x1b[1A\x1b[JApprove? held back\n');
    vi.advanceTimersByTime(100);
    expect(text().endsWith('held back\nlive\n')).toBe(true);
    region.stop();
  });
});

describe('runningLine', () => {
  it('shows the elapsed time and cuts the text to the frame’s width', () => {
    const frame: Frame = { spinner: '⠋', width: 30, final: false };
    const line = runningLine(frame, 'job_1', 1_000, 3_500, 'a very long last line of output');
    expect(plain(line)).toBe('⠋ job_1   2.5s  a very long la');
    expect(plain(line)).toHaveLength(30);
  });
});
