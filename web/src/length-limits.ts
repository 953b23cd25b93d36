/**
 * Fields longer than the API takes. Not `maxlength`: the browser would cut a
 * pasted 2,120-character URL to 2,048 without a word and the link would be
 * saved broken. The length is checked when the form is sent, and right after
 * a paste or a change, and the error (worded as the API's, so it lands on its
 * field) says by how much.
 */
import { ApiError } from './api.ts';
import { showFieldError } from './forms.ts';

export function lengthProblem(field: string, value: string, max: number): string | undefined {
  if (value.length <= max) return undefined;
  return `${field} is longer than ${max.toLocaleString('en')} characters (it has ${value.length.toLocaleString('en')}): nothing was cut, shorten it yourself`;
}

/** Throws the first field that is too long, as the API would answer it. */
export function checkLengths(checks: Array<[field: string, value: string, max: number]>): void {
  for (const [field, value, max] of checks) {
    const problem = lengthProblem(field, value, max);
    if (problem) throw new ApiError(400, problem);
  }
}

/** Says so on the field as soon as a paste (or an edit, on leaving it) makes it too long. */
export function watchLength(form: HTMLFormElement, control: HTMLInputElement | HTMLTextAreaElement, max: number): void {
  const check = (): void => {
    const problem = lengthProblem(control.name, control.value.trim(), max);
    if (problem) showFieldError(form, control.name, problem);
  };
  // After the paste's own input event, which clears an older complaint.
  control.addEventListener('paste', () => window.setTimeout(check, 0));
  control.addEventListener('change', check);
}
