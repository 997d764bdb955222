/**
 * `npm run dead-letters -- list [--consumer <c>] [--tenant <t>]`: the dead letters waiting, one a line.
 * `npm run dead-letters -- redrive <letter seq>… | --consumer <c> [--tenant <t>]`: once the cause is
 * fixed, publishes each letter's original again on its subject, then removes the letter.
 *
 * Only inputs (`KITE_IN`) are driven again: each inbound subject has one reader, which takes the
 * message as new and, by its provider id, never twice. An entry of an event store (`KITE_CONV`,
 * `KITE_CONFIG`) is read by every service; published again it would be a second entry for all of
 * them, so the command names the way instead: rebuild that service's read model (KITE_REBUILD=1),
 * which applies the stream again from its start. NATS_URL (and NATS_USER, NATS_PASSWORD or
 * NATS_CREDS), else the running `npm start`'s NATS.
 */
import { parseArgs } from 'node:util';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@kite/contracts';
import { connectNats, EventPublisher, loadNatsSettings, type DeadLetter } from '@kite/messaging';
import { readRuntime } from './runtime.js';

interface Letter extends DeadLetter {
  /** Where the letter itself is in `KITE_DLQ`. */
  letterSeq: number;
}

const DLQ = STREAMS.deadLetters.name;
const REDRIVEN_STREAMS = new Set<string>([STREAMS.inbound.name]);
const utf8 = new TextDecoder();

/** Every letter still in the dead-letter stream, oldest first. */
async function readLetters(jsm: JetStreamManager): Promise<Letter[]> {
  const { state } = await jsm.streams.info(DLQ);
  const letters: Letter[] = [];
  if (state.messages === 0) return letters;
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const stored = await jsm.streams.getMessage(DLQ, { seq }).catch(() => undefined); // removed (driven again) or expired
    if (stored) letters.push({ ...(JSON.parse(utf8.decode(stored.data)) as DeadLetter), letterSeq: seq });
  }
  return letters;
}

/** The original message: from the letter, or (left out for its size) from its stream while it keeps it. */
async function originalOf(jsm: JetStreamManager, letter: Letter): Promise<Uint8Array | undefined> {
  if (letter.payload !== undefined) return new TextEncoder().encode(letter.payload);
  if (letter.payloadBase64 !== undefined) return Buffer.from(letter.payloadBase64, 'base64');
  return (await jsm.streams.getMessage(letter.stream, { seq: letter.seq }).catch(() => undefined))?.data;
}

const tenantOf = (letter: Letter) => letter.subject.split('.')[2];
const line = (l: Letter) => `#${l.letterSeq}  ${l.deadAt}  ${l.consumer}  ${l.subject} (${l.stream} #${l.seq})  ${l.reason.length > 160 ? `${l.reason.slice(0, 160)}…` : l.reason}`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { consumer: { type: 'string' }, tenant: { type: 'string' } } });
  const [command, ...seqs] = positionals;
  const chosen = seqs.map(Number);
  if ((command !== 'list' && command !== 'redrive') || chosen.some((s) => !Number.isInteger(s) || s < 1) || (command === 'redrive' && chosen.length === 0 && !values.consumer)) {
    console.error('usage: npm run dead-letters -- list [--consumer <consumer>] [--tenant <tenant>]\n       npm run dead-letters -- redrive <letter seq>… | --consumer <consumer> [--tenant <tenant>]');
    return 2;
  }
  const settings = loadNatsSettings({ ...process.env, NATS_URL: process.env.NATS_URL || readRuntime()?.natsUrl || undefined });
  const nc = await connectNats(settings.url, 'kite-dead-letters', settings.credentials);
  try {
    const jsm = await jetstreamManager(nc);
    const letters = (await readLetters(jsm)).filter(
      (l) => (chosen.length === 0 || chosen.includes(l.letterSeq)) && (!values.consumer || l.consumer === values.consumer) && (!values.tenant || tenantOf(l) === values.tenant),
    );
    if (command === 'list') {
      for (const l of letters) console.log(line(l));
      console.log(`${letters.length} dead letter(s)`);
      return 0;
    }
    const missing = chosen.filter((s) => !letters.some((l) => l.letterSeq === s));
    for (const s of missing) console.log(`#${s}: no such dead letter`);
    const publisher = new EventPublisher(nc);
    let driven = 0;
    for (const l of letters) {
      const original = REDRIVEN_STREAMS.has(l.stream) ? await originalOf(jsm, l) : undefined;
      if (!REDRIVEN_STREAMS.has(l.stream)) {
        console.log(`#${l.letterSeq}: kept; an entry of ${l.stream} is applied again by rebuilding ${l.service} (KITE_REBUILD=1), not by publishing it again`);
      } else if (!original) {
        console.log(`#${l.letterSeq}: kept; its original (${l.stream} #${l.seq}) is no longer in the stream`);
      } else {
        // Its own message id: a second redrive of this letter within NATS's duplicate window is dropped.
        await publisher.publishRaw(l.subject, original, `redrive-${DLQ}-${l.letterSeq}`);
        await jsm.streams.deleteMessage(DLQ, l.letterSeq);
        console.log(`#${l.letterSeq}: published again on ${l.subject}`);
        driven++;
      }
    }
    console.log(`${driven} of ${letters.length} dead letter(s) driven again`);
    return missing.length > 0 || driven < letters.length ? 1 : 0;
  } finally {
    await nc.close();
  }
}

process.exitCode = await main();
