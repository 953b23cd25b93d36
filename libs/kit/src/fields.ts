/**
 * Request fields matched as the original Go services matched them: encoding/json
 * takes a key spelled exactly as the field, else one equal to it ignoring case.
 * The original clients send PascalCase (`Username`), the original gateway and
 * ours snake_case (`username`, `add_tags`); one lookup serves both.
 */
export type Fields = Record<string, unknown>;

/** The value of the first of `names` present in `fields`, each matched exactly, then ignoring case. */
export function fieldOf(fields: Fields, ...names: string[]): unknown {
  for (const name of names) {
    if (fields[name] !== undefined) return fields[name];
    const folded = name.toLowerCase();
    for (const key of Object.keys(fields)) {
      if (key.toLowerCase() === folded && fields[key] !== undefined) return fields[key];
    }
  }
  return undefined;
}
