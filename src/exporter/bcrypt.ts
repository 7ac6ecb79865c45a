/**
 * bcrypt verification ($2a$, $2b$, $2y$), for the web configuration file Prometheus's exporters read
 * (exporter-toolkit: basic_auth_users maps users to bcrypt hashes). Written here rather than taken as a
 * dependency: it is one algorithm (Provos and Mazières' EksBlowfish, as OpenBSD's bcrypt.c runs it), checked
 * against hashes made by the system's crypt(3). Blowfish's P-array and S-boxes are the hexadecimal digits of
 * π's fractional part (Schneier), so they are computed once, on first use, instead of pasting 1,042 constants.
 */
import { timingSafeEqual } from 'node:crypto';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const WORDS = 18 + 4 * 256;

let piWords: Uint32Array | undefined;

/** The first 1,042 32-bit words of π's fractional part (Machin's formula in fixed point, 64 guard bits). */
function blowfishConstants(): Uint32Array {
  if (piWords) return piWords;
  const bits = BigInt(WORDS * 32 + 64);
  const one = 1n << bits;
  const atanInv = (x: bigint) => {
    let sum = 0n;
    let power = one / x;
    const x2 = x * x;
    for (let k = 1n; power !== 0n; k += 2n) {
      sum += (k & 2n ? -power : power) / k;
      power /= x2;
    }
    return sum;
  };
  const pi = 16n * atanInv(5n) - 4n * atanInv(239n);
  const frac = (pi - 3n * one) >> 64n;
  const words = new Uint32Array(WORDS);
  for (let i = 0; i < WORDS; i++) words[i] = Number((frac >> BigInt((WORDS - 1 - i) * 32)) & 0xffffffffn);
  return (piWords = words);
}

/** Blowfish's state: P (18 words) then the four S-boxes (256 words each), in one array. */
class Blowfish {
  readonly s = blowfishConstants().slice();

  private f(x: number): number {
    const s = this.s;
    return (
      (((s[18 + (x >>> 24)]! + s[274 + ((x >>> 16) & 0xff)]!) ^ s[530 + ((x >>> 8) & 0xff)]!) +
        s[786 + (x & 0xff)]!) >>>
      0
    );
  }

  /** Enciphers the pair in `lr` in place. */
  encipher(lr: Uint32Array): void {
    const p = this.s;
    let l = lr[0]! ^ p[0]!;
    let r = lr[1]!;
    for (let i = 1; i <= 16; i += 2) {
      r ^= this.f(l) ^ p[i]!;
      l ^= this.f(r) ^ p[i + 1]!;
    }
    lr[0] = (r ^ p[17]!) >>> 0;
    lr[1] = l >>> 0;
  }

  /** Blowfish_expandstate (data: the salt) and Blowfish_expand0state (no data). */
  expand(key: Uint8Array, data?: Uint8Array): void {
    const s = this.s;
    const pos = { key: 0, data: 0 };
    const word = (bytes: Uint8Array, which: 'key' | 'data') => {
      let w = 0;
      for (let i = 0; i < 4; i++) {
        w = (w << 8) | bytes[pos[which]]!;
        pos[which] = (pos[which] + 1) % bytes.length;
      }
      return w >>> 0;
    };
    for (let i = 0; i < 18; i++) s[i] = (s[i]! ^ word(key, 'key')) >>> 0;
    const lr = new Uint32Array(2);
    for (let i = 0; i < WORDS; i += 2) {
      if (data) {
        lr[0] = lr[0]! ^ word(data, 'data');
        lr[1] = lr[1]! ^ word(data, 'data');
      }
      this.encipher(lr);
      s[i] = lr[0]!;
      s[i + 1] = lr[1]!;
    }
  }
}

const toStd = (s: string) => [...s].map((c) => STD_ALPHABET[BCRYPT_ALPHABET.indexOf(c)]).join('');
const toBcrypt = (s: string) => [...s.replace(/=+$/, '')].map((c) => BCRYPT_ALPHABET[STD_ALPHABET.indexOf(c)]).join('');

/** The bcrypt hash of `password` with the cost and salt of `setting` (`$2b$10$` + 22 salt characters). */
export function bcryptHash(password: string, setting: string): string {
  const m = /^\$2([aby])\$(\d\d)\$([./A-Za-z0-9]{22})/.exec(setting);
  if (!m) throw new Error('not a bcrypt hash ($2a$, $2b$ or $2y$, a two-digit cost, a 22-character salt)');
  const cost = Number(m[2]);
  if (cost < 4 || cost > 31) throw new Error(`bcrypt cost ${cost} is outside 4–31`);
  const salt = Buffer.from(toStd(m[3]!), 'base64').subarray(0, 16);
  const key = Buffer.concat([Buffer.from(password, 'utf8'), Buffer.from([0])]).subarray(0, 72);
  const bf = new Blowfish();
  bf.expand(key, salt);
  for (let i = 0; i < 2 ** cost; i++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const text = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const c = new Uint32Array(6);
  for (let i = 0; i < 6; i++) c[i] = text.readUInt32BE(i * 4);
  const pair = new Uint32Array(2);
  for (let round = 0; round < 64; round++)
    for (let i = 0; i < 6; i += 2) {
      pair[0] = c[i]!;
      pair[1] = c[i + 1]!;
      bf.encipher(pair);
      c[i] = pair[0]!;
      c[i + 1] = pair[1]!;
    }
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeUInt32BE(c[i]!, i * 4);
  return `$2${m[1]}$${m[2]}$${m[3]}${toBcrypt(out.subarray(0, 23).toString('base64'))}`;
}

/** Whether `password` matches the bcrypt `hash` (compared in constant time). */
export function bcryptVerify(password: string, hash: string): boolean {
  const got = Buffer.from(bcryptHash(password, hash));
  const want = Buffer.from(hash);
  return got.length === want.length && timingSafeEqual(got, want);
}
