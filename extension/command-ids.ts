/** Command ids, as contributed in package.json `contributes.commands` and `menus`. */
export const COMMANDS = {
  showVersion: 'osdev.showVersion',
  openDemo: 'osdev.openDemo',
  refreshDevices: 'osdev.devices.refresh',
  editRegister: 'osdev.devices.editValue',
  resetDevice: 'osdev.devices.reset',
  copyAddress: 'osdev.devices.copyAddress',
  plugDevice: 'osdev.devices.plug',
  unplugDevice: 'osdev.devices.unplug',
  switchBackend: 'osdev.devices.switchBackend',
  addDataBreakpoint: 'osdev.devices.addDataBreakpoint',
  removeDataBreakpoint: 'osdev.devices.removeDataBreakpoint',
  startTrace: 'osdev.trace.start',
  stopTrace: 'osdev.trace.stop',
  filterTrace: 'osdev.trace.filter',
  traceToFile: 'osdev.trace.toFile',
  showConsole: 'osdev.console.show',
  startProfiling: 'osdev.profile.start',
  stopProfiling: 'osdev.profile.stop',
  showScreen: 'osdev.screen.show',
  saveScreenshot: 'osdev.screen.save',
  setScreenSize: 'osdev.screen.setSize',
  saveReplay: 'osdev.replay.save',
  openReplay: 'osdev.replay.open',
} as const;

/** The Devices tree view's id (package.json `contributes.views.debug`). */
export const DEVICES_VIEW_ID = 'osdev.devices';

/** The device-tree language's id (package.json `contributes.languages`). */
export const DTS_LANGUAGE_ID = 'dts';
