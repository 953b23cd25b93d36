/**
 * One user's bad input cannot take the service away from the others: a NUL
 * byte in every field a user can fill is a 400 naming the field, and however
 * many of them arrive, the circuit breakers between the gateway and the
 * services stay closed: other users keep signing in and listing their links
 * without a single failure. Against one `delinkcious start` process, whose
 * services call each other over HTTP through those breakers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call, type Answer } from './support/http.ts';

const requestsPerField = 50;
const concurrency = 8;
const bystanders = 4;

let deployment: Deployment | undefined;
before(async () => {
  deployment = await startEmbedded({ extraEnv: { RATE_LIMIT_PER_MINUTE: '0' } });
}, { timeout: 120_000 });
after(() => deployment?.stop(), { timeout: 60_000 });

/** A request carrying NUL in `field`, and the field its 400 must name. */
type BadRequest = { field: string; send: (base: string, token: string, n: number) => Promise<Answer> };

const link = (n: number) => ({ url: `https://example.com/page-${n}`, title: 'a title', description: 'a description', tags: ['ok'] });
const badRequests: BadRequest[] = [
  { field: 'title', send: (base, token, n) => call(base, 'POST', '/v1/links', { token, json: { ...link(n), title: `bad\u0000title ${n}` } }) },
  { field: 'url', send: (base, token, n) => call(base, 'POST', '/v1/links', { token, json: { ...link(n), url: `https://example.com/\u0000${n}` } }) },
  {
    field: 'description',
    send: (base, token, n) => call(base, 'POST', '/v1/links', { token, json: { ...link(n), description: `bad\u0000description ${n}` } }),
  },
  { field: 'tag', send: (base, token, n) => call(base, 'POST', '/v1/links', { token, json: { ...link(n), tags: [`bad\u0000tag${n}`] } }) },
  { field: 'name', send: (base, token, n) => call(base, 'POST', '/v1/tokens', { token, json: { name: `bad\u0000name ${n}` } }) },
  { field: 'username', send: (base, _token, n) => call(base, 'POST', '/login/dev', { json: { username: `bad\u0000user${n}` } }) },
];

/** Runs `task(0..count-1)`, `width` at a time. */
async function inParallel(count: number, width: number, task: (n: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

test(`${requestsPerField} requests with NUL in each field are 400s naming it, while other users sign in and list links without a failure`, { timeout: 300_000 }, async () => {
  const { baseUrl } = deployment!;
  const attacker = await deployment!.signIn('nul-sender');
  let attacking = true;

  // Bystanders: sign in and list links, again and again, until the attack is over.
  const bystanderFailures: string[] = [];
  let bystanderCalls = 0;
  const bystanding = Promise.all(
    Array.from({ length: bystanders }, async (_, b) => {
      do {
        try {
          const token = await deployment!.signIn(`bystander-${b}`);
          const listed = await call(baseUrl, 'GET', '/v1/links', { token });
          bystanderCalls += 2;
          if (listed.status !== 200) bystanderFailures.push(`list links: ${listed.status} ${listed.text.slice(0, 200)}`);
        } catch (error) {
          bystanderCalls++;
          bystanderFailures.push(`sign-in: ${error instanceof Error ? error.message : String(error)}`);
        }
      } while (attacking);
    }),
  );

  const wrongAnswers: string[] = [];
  try {
    for (const bad of badRequests) {
      await inParallel(requestsPerField, concurrency, async (n) => {
        const answer = await bad.send(baseUrl, attacker, n);
        const err = typeof answer.body?.err === 'string' ? (answer.body.err as string) : '';
        if (answer.status !== 400 || !new RegExp(`\\b${bad.field}s?\\b`).test(err)) {
          wrongAnswers.push(`${bad.field}: ${answer.status} ${answer.text.slice(0, 200)}`);
        }
      });
    }
  } finally {
    attacking = false;
    await bystanding;
  }

  assert.deepEqual(wrongAnswers, [], 'every request with NUL is a 400 naming its field');
  assert.ok(bystanderCalls >= bystanders * 2, `the bystanders kept calling (${bystanderCalls} calls)`);
  assert.deepEqual(bystanderFailures, [], `other users saw no failure in ${bystanderCalls} calls`);

  // And the attacker, too, is served as soon as the input is right.
  const fine = await call(baseUrl, 'POST', '/v1/links', { token: attacker, json: link(0) });
  assert.equal(fine.status, 200, fine.text);
});
