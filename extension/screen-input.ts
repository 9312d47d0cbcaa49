/**
 * Keys and the mouse in the screen panel, as evdev events for the guest's virtio keyboard
 * and tablet: KeyboardEvent.code (the key's place, not its letter: the guest applies its
 * own layout, as QEMU's keyboard does) to Linux key codes (input-event-codes.h), and a
 * position on the scanout to the tablet's 0..ABS_MAX axes; the panel's size as the
 * display size the guest is offered. Pure: no VS Code here.
 */
import { ABS_MAX, BTN, keyEvents, MAX_DISPLAY, MIN_DISPLAY, parseDisplay, pointerEvents } from '../emulator';

/** KeyboardEvent.code → Linux KEY_* (the keys of a 105-key PC keyboard). */
export const LINUX_KEYS: Readonly<Record<string, number>> = {
  Escape: 1, Digit1: 2, Digit2: 3, Digit3: 4, Digit4: 5, Digit5: 6, Digit6: 7, Digit7: 8, Digit8: 9, Digit9: 10, Digit0: 11,
  Minus: 12, Equal: 13, Backspace: 14, Tab: 15,
  KeyQ: 16, KeyW: 17, KeyE: 18, KeyR: 19, KeyT: 20, KeyY: 21, KeyU: 22, KeyI: 23, KeyO: 24, KeyP: 25,
  BracketLeft: 26, BracketRight: 27, Enter: 28, ControlLeft: 29,
  KeyA: 30, KeyS: 31, KeyD: 32, KeyF: 33, KeyG: 34, KeyH: 35, KeyJ: 36, KeyK: 37, KeyL: 38,
  Semicolon: 39, Quote: 40, Backquote: 41, ShiftLeft: 42, Backslash: 43,
  KeyZ: 44, KeyX: 45, KeyC: 46, KeyV: 47, KeyB: 48, KeyN: 49, KeyM: 50, Comma: 51, Period: 52, Slash: 53,
  ShiftRight: 54, NumpadMultiply: 55, AltLeft: 56, Space: 57, CapsLock: 58,
  F1: 59, F2: 60, F3: 61, F4: 62, F5: 63, F6: 64, F7: 65, F8: 66, F9: 67, F10: 68,
  NumLock: 69, ScrollLock: 70, Numpad7: 71, Numpad8: 72, Numpad9: 73, NumpadSubtract: 74, Numpad4: 75, Numpad5: 76,
  Numpad6: 77, NumpadAdd: 78, Numpad1: 79, Numpad2: 80, Numpad3: 81, Numpad0: 82, NumpadDecimal: 83,
  IntlBackslash: 86, F11: 87, F12: 88, NumpadEnter: 96, ControlRight: 97, NumpadDivide: 98, PrintScreen: 99, AltRight: 100,
  Home: 102, ArrowUp: 103, PageUp: 104, ArrowLeft: 105, ArrowRight: 106, End: 107, ArrowDown: 108, PageDown: 109,
  Insert: 110, Delete: 111, Pause: 119, MetaLeft: 125, MetaRight: 126, ContextMenu: 127,
};

/** The events for a key going down or up, or undefined for a key the guest's keyboard does not have. */
export function keyInput(code: string, down: boolean): number[] | undefined {
  const key = Object.hasOwn(LINUX_KEYS, code) ? LINUX_KEYS[code] : undefined;
  return key === undefined ? undefined : keyEvents(key, down);
}

/** MouseEvent.button → Linux BTN_*. */
const BUTTONS: Readonly<Record<number, number>> = { 0: BTN.LEFT, 1: BTN.MIDDLE, 2: BTN.RIGHT };

/**
 * The tablet at pixel (x, y) of a `width` × `height` scanout, with a button going down or
 * up if given: the axes scale as QEMU's (pixel × 0x8000 / size, so each pixel has its value).
 */
export function pointerInput(x: number, y: number, width: number, height: number, button?: { button: number; down: boolean }): number[] {
  const axis = (v: number, size: number) => Math.min(ABS_MAX, Math.max(0, Math.floor(v * (ABS_MAX + 1) / Math.max(1, size))));
  const code = button === undefined ? undefined : BUTTONS[button.button] as number | undefined;
  return pointerEvents(axis(x, width), axis(y, height), code === undefined || button === undefined ? [] : [{ code, down: button.down }]);
}

/** A wheel turn: REL_WHEEL, positive away from the user (DOM deltaY is positive towards). */
export function wheelInput(deltaY: number): number[] {
  const EV_REL = 2, REL_WHEEL = 8;
  return deltaY === 0 ? [] : [EV_REL, REL_WHEEL, deltaY < 0 ? 1 : -1, 0, 0, 0];
}

/** The display size to offer for the panel's room (CSS pixels): whole pixels, within the sides virtio-gpu offers. */
export function displayForRoom(width: number, height: number): { width: number; height: number } {
  const side = (v: number) => Math.min(MAX_DISPLAY, Math.max(MIN_DISPLAY, Math.floor(Number.isFinite(v) ? v : 0)));
  return { width: side(width), height: side(height) };
}

/** "OS Dev: Set Screen Size" input: `WxH`, or the message for the input box. */
export function displayFromText(text: string): { width: number; height: number } | string {
  const d = text.trim() === '' ? 'empty' : parseDisplay(text.trim());
  return typeof d === 'string' ? `a size WxH, each side from ${MIN_DISPLAY} to ${MAX_DISPLAY} (like 1024x768)` : d;
}
