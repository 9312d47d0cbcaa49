/**
 * One pull at a time, and never a stale last word: a refresh asked for while a pull is in
 * flight runs one more pull after it (however many were asked), so what is shown last
 * comes from a pull that started after the last request. The status bar and the Devices
 * view use it: a stop arriving while a "running" answer is on its way must still end on
 * "paused". No vscode import: tested in refresher.test.ts.
 */
export class Refresher {
  private pulling = false;
  private again = false;

  /** `pull` fetches and shows; it must not throw (it shows its own failure). */
  constructor(private readonly pull: () => Promise<void>) {}

  async refresh(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.again = false;
        await this.pull();
      } while (this.again);
    } finally {
      this.pulling = false;
    }
  }
}
