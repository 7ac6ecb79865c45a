/** What a zoo.cfg's settings would become: for dry runs, where settings matter, not comments and order. */
import { parseZooCfg } from '../zookeeper/zoo-cfg.js';

/** Keys changed, removed and added between two renderings of a zoo.cfg. */
export interface SettingsDiff {
  changed: { key: string; from: string; to: string }[];
  removed: { key: string; value: string }[];
  added: { key: string; value: string }[];
}

/** Compares two zoo.cfg texts by their settings. */
export function settingsDiff(before: string, after: string): SettingsDiff {
  const a = parseZooCfg(before, 'before').entries;
  const b = parseZooCfg(after, 'after').entries;
  return {
    changed: [...a]
      .filter(([k, v]) => b.has(k) && b.get(k)!.value !== v.value)
      .map(([k, v]) => ({ key: k, from: v.value, to: b.get(k)!.value })),
    removed: [...a].filter(([k]) => !b.has(k)).map(([k, v]) => ({ key: k, value: v.value })),
    added: [...b].filter(([k]) => !a.has(k)).map(([k, v]) => ({ key: k, value: v.value })),
  };
}
