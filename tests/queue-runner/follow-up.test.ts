// The queue runner's follow-up tick: however often it is asked for, one call is pending at a
// time, so taking a big queue in keeps its pace instead of speeding up with every tick of
// the interval.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FollowUp } from '../../queue-runner/follow-up.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('asked for many times while one is pending, it runs once', async () => {
  let calls = 0;
  const followUp = new FollowUp(() => calls++);
  for (let i = 0; i < 10; i++) followUp.schedule(20);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(calls, 1);
  followUp.schedule('now');
  followUp.schedule('now');
  followUp.schedule(5);
  await turn();
  assert.equal(calls, 2, 'the next one is scheduled again once the last has run');
});

test('cancelled, it does not run', async () => {
  let calls = 0;
  const followUp = new FollowUp(() => calls++);
  followUp.schedule(5);
  followUp.cancel();
  followUp.schedule('now');
  followUp.cancel();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(calls, 0);
});
