/** Copying a secret or a URL shown in a read-only field. */

/** Copies text: the Clipboard API where the page may use it, else the selected field and execCommand. */
export async function copy(text: string, fallbackField: HTMLInputElement): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the older way
  }
  fallbackField.focus();
  fallbackField.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
