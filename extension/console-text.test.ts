import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guestToTerminal, terminalToGuest } from './console-text';

test('guest line ends become CR LF for the terminal, existing CR LF kept', () => {
  assert.equal(guestToTerminal('a\nb\r\nc'), 'a\r\nb\r\nc');
  assert.equal(guestToTerminal('no end'), 'no end');
  assert.equal(guestToTerminal('\n\n'), '\r\n\r\n');
});

test('Enter and pasted line ends reach the guest as CR, other keys unchanged', () => {
  assert.equal(terminalToGuest('ls\r'), 'ls\r');
  assert.equal(terminalToGuest('one\ntwo\r\n'), 'one\rtwo\r');
  assert.equal(terminalToGuest('\x7f\x1b[A'), '\x7f\x1b[A');
});
