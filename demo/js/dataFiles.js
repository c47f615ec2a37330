// The data files demo/prepare.mjs puts in demo/generated/ (copied or built from npm packages at
// build time; nothing is downloaded at run time), fetched once per page and kept.

const cache = new Map();

/**
 * The bytes or text of /generated/<name>, fetched once (a failed fetch is retried next time).
 * @param {string} name  e.g. 'co2-concentration.csv'
 * @param {'text' | 'bytes'} as
 */
export function fetchGenerated(name, as) {
  const key = `${as}:${name}`;
  if (!cache.has(key)) {
    cache.set(key, (async () => {
      const path = `/generated/${name}`;
      const res = await fetch(path);
      if (!res.ok) throw new Error(`${path}: HTTP ${res.status} (${(await res.text()).slice(0, 200)}); \`npm run demo\` (demo/prepare.mjs) generates it`);
      return as === 'text' ? res.text() : new Uint8Array(await res.arrayBuffer());
    })().catch((err) => {
      cache.delete(key);
      throw err;
    }));
  }
  return cache.get(key);
}
