/**
 * "OS Dev: Show Screen": the guest's display (launch.json `display`) in a webview panel.
 * While the panel is open it asks the adapter for `osdev/screenChanges` (the whole scanout
 * when it is new, then only the rectangles the guest flushed, at most 33 a second, QEMU's
 * display refresh), asks again only once the webview has drawn the last answer (so a slow
 * panel gets fewer, larger frames and never slows the guest), and draws each rectangle on
 * a canvas and the cursor on a layer above it. A guest that draws nothing costs nothing:
 * the request waits. Keys and the mouse in the panel go back as `osdev/inputEvents` for
 * the virtio keyboard and tablet (screen-input.ts), input events of the machine, so a
 * recorded run repeats them; so does resizing the panel, which offers the guest a display
 * of the panel's size (`osdev/screenSize`, as QEMU tells the guest when its window is
 * resized), and "OS Dev: Set Screen Size". The panel opens by itself the first time a
 * session's guest sets a scanout. "OS Dev: Save Screenshot" writes a PNG.
 */
import * as vscode from 'vscode';
import type { ScreenFrame, ScreenFrameJson } from '../debug-adapter';
import type { InlineAdapters } from './debug';
import { COMMANDS } from './command-ids';
import { OsdevSessions, osdevRequest } from './osdev-session';
import { displayForRoom, displayFromText, keyInput, pointerInput, wheelInput } from './screen-input';

/** What the webview sends back. */
type FromView =
  | { type: 'ready' }
  | { type: 'drawn' }
  | { type: 'key'; code: string; down: boolean }
  | { type: 'pointer'; x: number; y: number; button?: number; down?: boolean }
  | { type: 'wheel'; deltaY: number; x: number; y: number }
  /** The room the panel has for the screen (CSS pixels), sent when it opens and, settled, after each resize. */
  | { type: 'room'; width: number; height: number };

export class ScreenPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private session: vscode.DebugSession | undefined;
  private size = { width: 0, height: 0 };
  /** Bumps when the panel is shown for a session: an older pump loop sees it and ends. */
  private pumpRun = 0;
  private drawn: (() => void) | null = null;
  /** The panel's room last seen: the first report is where it opened, each different one after it a resize. */
  private room: { width: number; height: number } | null = null;
  /** Sessions whose panel opened by itself once (closing it then keeps it closed). */
  private readonly opened = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly sessions: OsdevSessions, private readonly inline: InlineAdapters) {
    this.disposables.push(
      sessions.onEvent('osdev/screen', (e) => this.onSize(e.session, e.body)),
      sessions.onDidEnd((s) => {
        if (this.session?.id !== s.id) return;
        this.post({ type: 'ended' });
        this.session = undefined;
        this.pumpRun++;
      }),
      vscode.commands.registerCommand(COMMANDS.showScreen, () => this.show(sessions.active, true)),
      vscode.commands.registerCommand(COMMANDS.saveScreenshot, () => this.save(sessions.active)),
      vscode.commands.registerCommand(COMMANDS.setScreenSize, () => this.askSize(sessions.active)),
    );
  }

  /** The scanout's size changed: the panel opens by itself the first time a session's guest shows something. */
  private onSize(session: vscode.DebugSession, size: { width: number; height: number }): void {
    if (size.width === 0 || this.opened.has(session.id)) return;
    this.opened.add(session.id);
    if (this.panel === undefined || this.session?.id !== session.id) void this.show(session, false);
  }

  /** Open (or reveal) the panel for `session` with the whole screen as it is now. */
  private async show(session: vscode.DebugSession | undefined, focus: boolean): Promise<void> {
    if (session === undefined) { void vscode.window.showInformationMessage('OS Dev: no emulator session is running.'); return; }
    this.session = session;
    if (this.panel === undefined) {
      this.panel = vscode.window.createWebviewPanel('osdev.screen', 'Guest Screen', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: !focus },
        { enableScripts: true, retainContextWhenHidden: true });
      this.panel.webview.html = html(this.panel.webview.cspSource, nonce());
      this.panel.webview.onDidReceiveMessage((m: FromView) => this.fromView(m), undefined, this.disposables);
      this.panel.onDidDispose(() => { this.panel = undefined; this.pumpRun++; this.drawn?.(); }, undefined, this.disposables);
    } else {
      this.panel.reveal(undefined, !focus);
    }
    await this.sendWhole();
    void this.pump(session, ++this.pumpRun);
  }

  /**
   * Changes, one answer at a time: the next request goes out as soon as an answer
   * arrives, while the webview draws it (the round trip through VS Code overlaps the
   * drawing), and an answer is posted only once the one before was drawn. Ends with the
   * panel or the session. The adapter runs in this process, so the changes come from it
   * directly, each PNG as bytes the webview decodes: through the debug protocol they are
   * base64 in JSON on each hop (extension host, workbench, extension host).
   */
  private async pump(session: vscode.DebugSession, run: number): Promise<void> {
    const adapter = this.inline.get(session);
    const ask = (): Promise<ScreenFrame | ScreenFrameJson | null> => adapter !== undefined ? adapter.screenChanges()
      : osdevRequest(session, 'osdev/screenChanges', {}).then((r) => r.frame, () => null);
    let next = ask();
    let drawn: Promise<void> = Promise.resolve();
    while (this.panel !== undefined && this.pumpRun === run) {
      const frame = await next;
      if (frame === null || this.panel === undefined || this.pumpRun !== run) return; // the guest powered off, or the session ended
      next = ask();
      await drawn;
      if (frame.width > 0) this.size = { width: frame.width, height: frame.height };
      drawn = new Promise<void>((resolve) => { this.drawn = resolve; });
      this.post({ type: 'frame', frame });
    }
  }

  private async sendWhole(): Promise<void> {
    const s = this.session;
    if (s === undefined) return;
    try {
      const { frame } = await osdevRequest(s, 'osdev/screen', {});
      if (frame === null) { this.post({ type: 'message', text: 'This session has no display: launch with "display": true.' }); return; }
      if (frame.width > 0) this.size = { width: frame.width, height: frame.height };
      this.post({ type: 'frame', frame });
    } catch (e) {
      this.post({ type: 'message', text: `No screen: ${(e as Error).message}` });
    }
  }

  private fromView(m: FromView): void {
    const s = this.session;
    if (m.type === 'ready') { this.drawn?.(); this.room = null; void this.sendWhole(); return; } // a reloaded webview draws no frame it was sent before
    if (m.type === 'drawn') { this.drawn?.(); this.drawn = null; return; }
    if (s === undefined) return;
    if (m.type === 'room') { this.onRoom(s, displayForRoom(m.width, m.height)); return; }
    const { width, height } = this.size;
    let device: 'keyboard' | 'tablet' = 'tablet';
    let events: number[] | undefined;
    if (m.type === 'key') { device = 'keyboard'; events = keyInput(m.code, m.down); }
    else if (m.type === 'pointer') events = pointerInput(m.x, m.y, width, height, m.button === undefined ? undefined : { button: m.button, down: m.down === true });
    else events = [...pointerInput(m.x, m.y, width, height).slice(0, -3), ...wheelInput(m.deltaY)];
    if (events === undefined || events.length === 0) return;
    osdevRequest(s, 'osdev/inputEvents', { device, events }).catch((e: Error) => this.post({ type: 'message', text: e.message }));
  }

  /**
   * The panel was resized: the guest's display becomes its room, as QEMU's window resize
   * tells the guest (`osdev/screenSize`, a display event through the machine's input
   * queue). Opening the panel is no resize: the guest keeps the size it was launched with.
   */
  private onRoom(session: vscode.DebugSession, size: { width: number; height: number }): void {
    const last = this.room;
    this.room = size;
    if (last === null || (last.width === size.width && last.height === size.height)) return;
    osdevRequest(session, 'osdev/screenSize', size).catch((e: Error) => this.post({ type: 'message', text: e.message }));
  }

  /** "OS Dev: Set Screen Size": the display size the guest is offered, typed as WxH. */
  private async askSize(session: vscode.DebugSession | undefined): Promise<void> {
    if (session === undefined) { void vscode.window.showInformationMessage('OS Dev: no emulator session is running.'); return; }
    const text = await vscode.window.showInputBox({ title: 'OS Dev: Set Screen Size', prompt: 'The display size the guest is offered, as when its window is resized',
      placeHolder: '1024x768', validateInput: (v) => { const d = displayFromText(v); return typeof d === 'string' ? d : undefined; } });
    if (text === undefined) return;
    const d = displayFromText(text);
    if (typeof d === 'string') return;
    try { await osdevRequest(session, 'osdev/screenSize', d); } catch (e) { void vscode.window.showErrorMessage(`OS Dev: ${(e as Error).message}`); }
  }

  private async save(session: vscode.DebugSession | undefined): Promise<void> {
    if (session === undefined) { void vscode.window.showInformationMessage('OS Dev: no emulator session is running.'); return; }
    let frame: ScreenFrameJson | null;
    try { frame = (await osdevRequest(session, 'osdev/screen', {})).frame; } catch (e) {
      void vscode.window.showErrorMessage(`OS Dev: cannot read the screen: ${(e as Error).message}`);
      return;
    }
    if (frame === null || frame.width === 0) { void vscode.window.showInformationMessage('OS Dev: the guest shows nothing yet (no display, or no scanout set).'); return; }
    const where = await vscode.window.showSaveDialog({ filters: { 'PNG image': ['png'] }, saveLabel: 'Save Screenshot',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri.with({ path: `${vscode.workspace.workspaceFolders[0].uri.path}/screen.png` }) });
    if (where === undefined) return;
    // The whole screen is one rectangle, already a PNG.
    await vscode.workspace.fs.writeFile(where, Uint8Array.from(atob(frame.rects[0].png), (c) => c.charCodeAt(0)));
    void vscode.window.showInformationMessage(`OS Dev: screenshot saved to ${vscode.workspace.asRelativePath(where)}`);
  }

  private post(m: unknown): void { void this.panel?.webview.postMessage(m); }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function nonce(): string {
  let s = '';
  for (let i = 0; i < 32; i++) s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(Math.random() * 62)];
  return s;
}

/** The panel: a canvas for the scanout, one for the cursor, a line for messages; the script draws frames and sends input. */
function html(csp: string, n: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${csp} 'unsafe-inline'; script-src 'nonce-${n}';">
<style>
  body { margin: 0; padding: 8px; background: var(--vscode-editor-background); color: var(--vscode-foreground); font-family: var(--vscode-font-family); }
  #wrap { position: relative; display: inline-block; outline: none; max-width: 100%; }
  #wrap:focus { box-shadow: 0 0 0 1px var(--vscode-focusBorder); }
  canvas { display: block; }
  #screen { image-rendering: pixelated; background: #000; cursor: none; }
  #cursor { position: absolute; left: 0; top: 0; pointer-events: none; }
  #msg { margin-top: 6px; opacity: 0.8; font-size: 12px; }
</style></head><body>
<div id="wrap" tabindex="0"><canvas id="screen" width="0" height="0"></canvas><canvas id="cursor" width="64" height="64"></canvas></div>
<div id="msg">Waiting for the guest to set a scanout. Click the screen to type into the guest.</div>
<script nonce="${n}">
const vscode = acquireVsCodeApi();
const screen = document.getElementById('screen'), ctx = screen.getContext('2d');
const cur = document.getElementById('cursor'), cctx = cur.getContext('2d');
const wrap = document.getElementById('wrap'), msg = document.getElementById('msg');
let cursor = null;
const bytes = (b64) => { const s = atob(b64); const a = new Uint8ClampedArray(s.length); for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i); return a; };
// Whole-number zoom while the panel has room (crisp pixels), shrunk to fit when it has not.
function fit() {
  if (screen.width === 0) return;
  const room = Math.min((document.body.clientWidth - 16) / screen.width, (window.innerHeight - 48) / screen.height);
  const k = room >= 1 ? Math.floor(room) : room;
  screen.style.width = (screen.width * k) + 'px';
  placeCursor();
}
function placeCursor() {
  if (cursor === null || !cursor.visible || screen.width === 0) { cur.style.display = 'none'; return; }
  const k = screen.clientWidth / screen.width;
  cur.style.display = 'block';
  cur.style.width = (cursor.width * k) + 'px'; cur.style.height = (cursor.height * k) + 'px';
  cur.style.left = ((cursor.x - cursor.hotX) * k) + 'px'; cur.style.top = ((cursor.y - cursor.hotY) * k) + 'px';
}
// A PNG as bytes (the inline adapter's frames) or base64 (the debug protocol's).
const png = (p) => createImageBitmap(new Blob([typeof p === 'string' ? bytes(p) : p], { type: 'image/png' }));
const clamped = (u8) => new Uint8ClampedArray(u8.buffer, u8.byteOffset, u8.byteLength);
// One message at a time, in order: decoding is asynchronous.
let queue = Promise.resolve();
window.addEventListener('message', (e) => { queue = queue.then(() => handle(e.data)).catch((err) => { msg.textContent = String(err); }); });
async function handle(m) {
  if (m.type === 'message') { msg.textContent = m.text; return; }
  if (m.type === 'ended') { msg.textContent = 'The session has ended: the last picture stays.'; return; }
  if (m.type !== 'frame') return;
  const f = m.frame;
  if (f.full || screen.width !== f.width || screen.height !== f.height) {
    screen.width = f.width; screen.height = f.height;
    msg.textContent = f.width === 0 ? 'The guest shows nothing (no scanout).' : f.width + ' x ' + f.height + ' - click to type into the guest';
    fit();
  }
  // Decoded together, drawn in order (a later rectangle may cover an earlier one).
  const images = await Promise.all(f.rects.map((r) => png(r.png)));
  f.rects.forEach((r, i) => { ctx.drawImage(images[i], r.x, r.y); images[i].close(); });
  if (f.cursor !== null) {
    cursor = { ...(cursor ?? {}), ...f.cursor };
    if (f.cursor.image !== undefined) { cur.width = f.cursor.width; cur.height = f.cursor.height; cctx.putImageData(new ImageData(typeof f.cursor.image === 'string' ? bytes(f.cursor.image) : clamped(f.cursor.image), f.cursor.width, f.cursor.height), 0, 0); }
  }
  placeCursor();
  vscode.postMessage({ type: 'drawn' });
}
// The room for the screen, once a resize has settled (a dragged edge sends dozens): the extension offers it to the guest.
let roomTimer = 0;
function reportRoom() {
  clearTimeout(roomTimer);
  roomTimer = setTimeout(() => {
    const width = document.body.clientWidth - 16, height = window.innerHeight - 48;
    // A hidden or collapsed panel has no room to speak of: the guest keeps its display.
    if (document.visibilityState !== 'hidden' && width >= 16 && height >= 16) {
      // Also on the page: the end-to-end test expects the size the panel reported, not one it worked out again.
      document.body.dataset.room = width + 'x' + height;
      vscode.postMessage({ type: 'room', width, height });
    }
  }, 300);
}
window.addEventListener('resize', () => { fit(); reportRoom(); });
const at = (e) => { const r = screen.getBoundingClientRect(); return { x: (e.clientX - r.left) * screen.width / r.width, y: (e.clientY - r.top) * screen.height / r.height }; };
wrap.addEventListener('keydown', (e) => { e.preventDefault(); if (!e.repeat) vscode.postMessage({ type: 'key', code: e.code, down: true }); });
wrap.addEventListener('keyup', (e) => { e.preventDefault(); vscode.postMessage({ type: 'key', code: e.code, down: false }); });
let lastMove = 0;
screen.addEventListener('mousemove', (e) => { const now = performance.now(); if (now - lastMove < 16) return; lastMove = now; vscode.postMessage({ type: 'pointer', ...at(e) }); });
screen.addEventListener('mousedown', (e) => { wrap.focus(); e.preventDefault(); vscode.postMessage({ type: 'pointer', ...at(e), button: e.button, down: true }); });
screen.addEventListener('mouseup', (e) => { e.preventDefault(); vscode.postMessage({ type: 'pointer', ...at(e), button: e.button, down: false }); });
screen.addEventListener('contextmenu', (e) => e.preventDefault());
screen.addEventListener('wheel', (e) => { e.preventDefault(); vscode.postMessage({ type: 'wheel', deltaY: e.deltaY, ...at(e) }); }, { passive: false });
vscode.postMessage({ type: 'ready' });
reportRoom();
</script></body></html>`;
}
