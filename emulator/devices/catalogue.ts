/** Every device model the emulator implements: what `osdev-emu devices` prints and later views read. */
import { DeviceModel } from './regmap';
import { UART_MODEL } from './uart-ns16550a';
import { CLINT_MODEL } from './clint';
import { PLIC_MODEL } from './plic';
import { RTC_MODEL } from './goldfish-rtc';
import { SIFIVE_TEST_MODEL } from './sifive-test';
import { VIRTIO_MMIO_MODEL } from './virtio/mmio';

export const DEVICE_MODELS: readonly DeviceModel[] = [UART_MODEL, CLINT_MODEL, PLIC_MODEL, RTC_MODEL, SIFIVE_TEST_MODEL, VIRTIO_MMIO_MODEL];
