/**
 * Line endings between a guest's serial console and VS Code's terminal. No vscode
 * import: tested in console-text.test.ts.
 */

/**
 * Guest text → terminal. The terminal is a VT: a bare \n moves down without returning
 * to column 0, so every line end becomes \r\n (guests that already send \r\n keep it).
 */
export function guestToTerminal(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/**
 * Keys → guest. A serial terminal sends \r for Enter, which is what the terminal gives
 * us for the key; pasted text carries \n or \r\n line ends, sent as \r too so the
 * guest sees one Enter per line.
 */
export function terminalToGuest(keys: string): string {
  return keys.replace(/\r\n|\n/g, '\r');
}
