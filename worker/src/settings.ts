/** A switch setting: `on`/`off` (also `true`/`false`, `1`/`0`, any case); unset or empty is `fallback`. */
export function switchSetting(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (!text) return fallback;
  if (['on', 'true', '1'].includes(text)) return true;
  if (['off', 'false', '0'].includes(text)) return false;
  throw new Error(`${name} must be on or off, not "${env[name]!.trim()}"`);
}
