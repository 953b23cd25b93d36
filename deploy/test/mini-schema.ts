/**
 * A JSON Schema checker for the few keywords ./cnpg-schema.ts uses (type,
 * properties, required, additionalProperties, items, enum, minimum, minLength,
 * pattern), for a custom resource that has no kubernetes-models package.
 */
export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  minimum?: number;
  minLength?: number;
  pattern?: string;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every way `value` breaks `schema`, as `path: problem` lines; empty when it conforms. */
export function check(schema: Schema, value: unknown, path = ''): string[] {
  const at = path || '/';
  const errors: string[] = [];
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    errors.push(`${at}: must be one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`);
  }
  if (schema.type) {
    const actual = typeOf(value);
    const ok = actual === schema.type || (schema.type === 'number' && actual === 'integer');
    if (!ok) return [...errors, `${at}: must be ${schema.type === 'integer' ? 'an integer' : `a${/^[aeiou]/.test(schema.type) ? 'n' : ''} ${schema.type}`}`];
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: must not be shorter than ${schema.minLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: must match ${schema.pattern}`);
  }
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: must be at least ${schema.minimum}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, index) => errors.push(...check(schema.items!, item, `${path}/${index}`)));
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) errors.push(`${at}: must have ${name}`);
    for (const [name, inner] of Object.entries(object)) {
      const property = schema.properties?.[name];
      if (property) errors.push(...check(property, inner, `${path}/${name}`));
      else if (schema.additionalProperties === false) errors.push(`${path}/${name}: is not a known field`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...check(schema.additionalProperties, inner, `${path}/${name}`));
    }
  }
  return errors;
}
