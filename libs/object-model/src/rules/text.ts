/**
 * The rule for every free-text input: no control characters (PostgreSQL text
 * cannot even hold NUL), no lone surrogates (they cannot be encoded as UTF-8),
 * and a length limit. Each failure is a ValidationError naming the field.
 */
import { ValidationError } from '../errors.ts';

export interface TextRule {
  /** The most UTF-16 code units the field may hold. */
  max?: number;
  /** Multi-line text (a description): tab, line feed and carriage return are allowed. */
  lineBreaks?: boolean;
}

/* eslint-disable no-control-regex -- control characters are exactly what is looked for */
/** Unicode's control characters (C0, DEL and C1). */
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;
/** The same, less tab (\u0009), line feed (\u000a) and carriage return (\u000d). */
const controlOtherThanLineBreak = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

// String.prototype.isWellFormed is ES2024: in Node 20 and current browsers, not in this project's ES2023 lib.
const isWellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Answers `text` unchanged when it follows the rule. */
export function checkText(text: string, field: string, rule: TextRule = {}): string {
  if ((rule.lineBreaks ? controlOtherThanLineBreak : controlCharacter).test(text)) {
    throw new ValidationError(`${field} must not contain control characters`);
  }
  if (!isWellFormed(text)) throw new ValidationError(`${field} must be well-formed Unicode (it holds a lone surrogate)`);
  if (rule.max !== undefined && text.length > rule.max) throw new ValidationError(`${field} is longer than ${rule.max} characters`);
  return text;
}

function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A required text field, answered trimmed: absent or blank is "required", anything but text "must be text". */
export function requireText(value: unknown, field: string, rule: TextRule = {}): string {
  if (isAbsent(value) || (typeof value === 'string' && value.trim() === '')) throw new ValidationError(`${field} is required`);
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  return checkText(value.trim(), field, rule);
}

/** An optional text field, answered trimmed; absent is ''. */
export function optionalText(value: unknown, field: string, rule: TextRule = {}): string {
  if (isAbsent(value)) return '';
  if (typeof value !== 'string') throw new ValidationError(`${field} must be text`);
  return checkText(value.trim(), field, rule);
}
