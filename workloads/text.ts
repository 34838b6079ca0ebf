/**
 * The `text` workload: English-like prose from a word model. A fixed vocabulary (the most common
 * English words, then pronounceable made-up words) is drawn with Zipf frequencies (word of rank
 * `k` with probability proportional to `1 / k^1.1`); each page also has 48 topic words it uses
 * often, and repeats phrases from earlier in the page, as documents do. Sentences of 4 to 22
 * words with capitals, commas and full stops; lines wrapped near 72 columns; blank lines between
 * paragraphs.
 *
 * The topic and phrase shares were tuned with lz4-wasm 0.9.2 on 400 pages of 4096 bytes to a mean
 * lz4 ratio of 2.01 (seeds 3 and 99), like the license texts and Python sources of the kernel
 * oracle's `text.pages` (2.04 with the same codec).
 *
 * @module
 */

import { z } from "zod";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { Rng, seed32 } from "./_random.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `text`: only the pattern options (see `patterns.ts`). */
const TextOptionsSchema = z.object({ ...patternOptionShape }).strict();

const SALT_TEXT = 0x7e47;

const COMMON_WORDS = (
  "the of and to a in is that for it as was with be by on not he this are or his from at which " +
  "but have an they you were her she there been one all we their has would when if so no will " +
  "more can its other into some than them what only time may these any new two also then such " +
  "who our first after out use made over used many most where between each well even should " +
  "being under work same must through those part both how because people before while world " +
  "could very state shall year system found given without number however case set during " +
  "program software license terms copyright source code free distribution file data value " +
  "function return error list type name object class method default module version provided " +
  "following conditions permission notice including without limitation rights"
).split(" ");

const VOCABULARY_SIZE = 6000;
const ZIPF_EXPONENT = 1.1;
const LINE_WIDTH = 72;
/** Ranks below this are common words; topic words come from the rest. */
const COMMON_RANKS = 100;
/** Topic words per page. */
const TOPIC_WORDS = 48;
/** Chance, in 256ths, that a word is a topic word. */
const TOPIC_PER_256 = 80;
/** Chance, in 256ths, that a phrase from earlier in the page is repeated instead of a word. */
const REPEAT_PER_256 = 88;
/** Recent word starts a repeated phrase may begin at. */
const RECENT_STARTS = 64;
/** Repeated phrase length: PHRASE_MIN + [0, PHRASE_SPAN) bytes. */
const PHRASE_MIN = 10;
const PHRASE_SPAN = 24;

interface Vocabulary {
  bytes: Uint8Array;
  start: Uint32Array;
  length: Uint8Array;
  /** Maps 16 random bits to a word index with Zipf frequencies. */
  pick: Uint16Array;
}

let vocabulary: Vocabulary | undefined;

/** The fixed vocabulary, built once from a fixed seed (not the workload's). */
function getVocabulary(): Vocabulary {
  if (vocabulary !== undefined) return vocabulary;
  const words = [...new Set(COMMON_WORDS)];
  const seen = new Set(words);
  const onsets = "b c d f g h j k l m n p r s t v w br ch cl cr dr fl gr pl pr sh st th tr".split(
    " ",
  );
  const vowels = "a e i o u a e i o ea ai ou io".split(" ");
  const codas = ["", "", "", "n", "r", "s", "t", "l", "nd", "st", "ng", "ck"];
  const rng = new Rng(0x5eed, SALT_TEXT, 0);
  while (words.length < VOCABULARY_SIZE) {
    const syllables = 1 + rng.below(3) + (rng.below(4) === 0 ? 1 : 0);
    let w = "";
    for (let s = 0; s < syllables; s++) {
      w += onsets[rng.below(onsets.length)] + vowels[rng.below(vowels.length)];
    }
    w += codas[rng.below(codas.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  const encoder = new TextEncoder();
  const encoded = words.map((w) => encoder.encode(w));
  const bytes = new Uint8Array(encoded.reduce((n, w) => n + w.length, 0));
  const start = new Uint32Array(words.length);
  const length = new Uint8Array(words.length);
  let at = 0;
  encoded.forEach((w, i) => {
    bytes.set(w, at);
    start[i] = at;
    length[i] = w.length;
    at += w.length;
  });
  const weights = words.map((_, k) => Math.pow(k + 1, -ZIPF_EXPONENT));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = new Uint16Array(65536);
  let cumulative = 0;
  let slot = 0;
  for (let k = 0; k < words.length; k++) {
    cumulative += weights[k] / total;
    const end = k === words.length - 1 ? 65536 : Math.round(cumulative * 65536);
    for (; slot < end; slot++) pick[slot] = k;
  }
  vocabulary = { bytes, start, length, pick };
  return vocabulary;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const STOP = 0x2e;
const QUESTION = 0x3f;

/** Text pages from the word model, seeded by (seed, page id). */
export class TextPages {
  readonly #seed: number;
  readonly #rng: Rng;
  readonly #v: Vocabulary;
  readonly #topic = new Uint16Array(TOPIC_WORDS);
  readonly #starts = new Int32Array(RECENT_STARTS);

  /**
   * Make the generator.
   *
   * @param seed The workload seed.
   */
  constructor(seed: number) {
    this.#seed = seed32(seed);
    this.#rng = new Rng(this.#seed, SALT_TEXT, 0);
    this.#v = getVocabulary();
  }

  /**
   * Write page `pageId`: prose that starts at a sentence and is cut at the page end.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    const rng = this.#rng;
    rng.reseed(this.#seed, SALT_TEXT, pageId);
    const { bytes, start, length, pick } = this.#v;
    // the page's topic: words outside the most common that this page uses often
    const topic = this.#topic;
    const vocabularySize = length.length;
    for (let i = 0; i < TOPIC_WORDS; i++) {
      topic[i] = COMMON_RANKS + rng.below(vocabularySize - COMMON_RANKS);
    }
    const starts = this.#starts;
    let recent = 0;
    const n = into.length;
    let pos = 0;
    let col = 0;
    let left = 0; // words left in the sentence
    while (pos < n) {
      const r = rng.nextU32();
      const r2 = rng.nextU32();
      const capital = left === 0;
      if (capital) left = 4 + (r >>> 27) % 19;
      if (recent >= 8 && (r2 & 0xff) < REPEAT_PER_256 && !capital) {
        // a phrase seen earlier in the page, from the start of one of the recent words
        if (col > 0 && into[pos - 1] !== SPACE) {
          into[pos++] = col + PHRASE_MIN > LINE_WIDTH ? NEWLINE : SPACE;
          col = into[pos - 1] === NEWLINE ? 0 : col + 1;
        }
        const span = recent < RECENT_STARTS ? recent : RECENT_STARTS;
        let from = starts[(r2 >>> 8) % span];
        const stop = Math.min(n, pos + PHRASE_MIN + ((r2 >>> 16) % PHRASE_SPAN));
        while (pos < stop) {
          // re-wrap the copy: its line breaks become spaces, and a space past the margin breaks
          let b = into[from++];
          if (b === NEWLINE) b = SPACE;
          if (b === SPACE && col >= LINE_WIDTH - 8) b = NEWLINE;
          into[pos++] = b;
          col = b === NEWLINE ? 0 : col + 1;
        }
        left -= 3;
        if (left < 1) left = 1;
        continue;
      }
      const w = ((r2 >>> 8) & 0xff) < TOPIC_PER_256
        ? topic[(r2 >>> 16) % TOPIC_WORDS]
        : pick[r & 0xffff];
      const len = length[w];
      // separator before the word: a line break when it would pass the margin
      if (col > 0 && into[pos - 1] !== SPACE && pos < n) {
        if (col + len + 1 > LINE_WIDTH) {
          into[pos++] = NEWLINE;
          col = 0;
        } else {
          into[pos++] = SPACE;
          col++;
        }
      }
      starts[recent++ % RECENT_STARTS] = pos;
      const from = start[w];
      for (let j = 0; j < len && pos < n; j++) {
        const b = bytes[from + j];
        into[pos++] = capital && j === 0 ? b - 32 : b;
      }
      col += len;
      left--;
      if (pos >= n) break;
      const bits = (r >>> 16) & 0x7ff;
      if (left === 0) {
        into[pos++] = (bits & 15) === 0 ? QUESTION : STOP;
        col++;
        if ((bits >>> 4) % 6 === 0 && pos < n) {
          // paragraph break
          into[pos++] = NEWLINE;
          if (pos < n) into[pos++] = NEWLINE;
          col = 0;
        }
      } else if ((bits >>> 4) % 11 === 0) {
        into[pos++] = COMMA;
        col++;
      }
    }
  }
}

/**
 * The `text` workload plugin.
 *
 * @example
 * ```ts
 * import { textWorkload } from "./text.ts";
 * const w = await textWorkload.create({ pageSize: 4096, seed: 1, pages: 4, options: {} });
 * const page = new Uint8Array(4096);
 * w.page(0, page);
 * console.log(new TextDecoder().decode(page.subarray(0, 80)));
 * ```
 */
export const textWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "text",
  description: "English-like prose from a Zipf word model (lz4 ratio about 2)",
  optionsSchema: TextOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const o = parseOptions(TextOptionsSchema, env.options, "text");
    const pattern = resolvePattern(o, env.pages, "text");
    return contentWorkload(env.pages, env.seed, pattern, new TextPages(env.seed));
  },
};
