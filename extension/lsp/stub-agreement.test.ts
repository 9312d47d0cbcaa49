/**
 * The language server's "becomes a passthrough stub slot" warnings say what
 * machine-from-DTS builds (issue 13): a board once warned that `compatible = "ns16550"`
 * becomes a stub while `--machine` gave it a UART. Every compatible string of every
 * device type is put in a board; the machine must build that node as that type, and the
 * server must warn on exactly the nodes the machine turns into stub slots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, diagnostics } from './features';
import { machineFromDts } from '../../emulator/machine/machine-from-dts';
import { DEVICE_TYPES, placesOf } from '../../emulator/machine/description';

/** A board with one node per device type; `compat(key, fallback)` picks each node's compatible. */
function board(compat: (key: string, fallback: string) => string): string {
  const c = (key: string, fallback: string) => `"${compat(key, fallback)}"`;
  return `/dts-v1/;
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x1000000>; };
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		timebase-frequency = <1000000>;
		cpu@0 {
			device_type = "cpu"; reg = <0>; compatible = "riscv";
			riscv,isa = "rv64imac_zicsr_zifencei"; mmu-type = "riscv,sv39";
			cpu0_intc: interrupt-controller { #interrupt-cells = <1>; interrupt-controller; compatible = "riscv,cpu-intc"; };
		};
	};
	fw-cfg@10100000 { compatible = ${c('fwCfg', 'qemu,fw-cfg-mmio')}; reg = <0x0 0x10100000 0x0 0x18>; };
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		compatible = "simple-bus";
		ranges;
		plic: interrupt-controller@40000000 {
			compatible = ${c('plic', 'sifive,plic-1.0.0')};
			reg = <0x0 0x40000000 0x0 0x600000>;
			#address-cells = <0>; #interrupt-cells = <1>; interrupt-controller; riscv,ndev = <31>;
			interrupts-extended = <&cpu0_intc 11>, <&cpu0_intc 9>;
		};
		clint@50000000 { compatible = ${c('clint', 'sifive,clint0')}; reg = <0x0 0x50000000 0x0 0x10000>; interrupts-extended = <&cpu0_intc 3>, <&cpu0_intc 7>; };
		serial@20000000 { compatible = ${c('uarts', 'ns16550a')}; reg = <0x0 0x20000000 0x0 0x100>; interrupt-parent = <&plic>; interrupts = <3>; };
		virtio_mmio@21000000 { compatible = ${c('virtio', 'virtio,mmio')}; reg = <0x0 0x21000000 0x0 0x1000>; interrupt-parent = <&plic>; interrupts = <4>; };
		rtc@22000000 { compatible = ${c('rtc', 'google,goldfish-rtc')}; reg = <0x0 0x22000000 0x0 0x1000>; interrupt-parent = <&plic>; interrupts = <5>; };
		test@23000000 { compatible = ${c('test', 'sifive,test0')}; reg = <0x0 0x23000000 0x0 0x1000>; };
		widget@24000000 { compatible = "acme,widget"; reg = <0x0 0x24000000 0x0 0x1000>; };
		regs@25000000 { compatible = "syscon"; reg = <0x0 0x25000000 0x0 0x1000>; };
		off@26000000 { compatible = "acme,off"; status = "disabled"; reg = <0x0 0x26000000 0x0 0x1000>; };
		regmap@27000000 { compatible = "acme,regmap", "syscon"; reg = <0x0 0x27000000 0x0 0x1000>; };
	};
};
`;
}

const FILE = '/boards/board.dts';
const readFile = () => undefined;

/** Node paths the server warns "becomes a passthrough stub slot" on. */
function warned(text: string): string[] {
  const a = analyze(FILE, text, { readFile });
  return diagnostics(a).filter((d) => d.code === 'passthrough_stub')
    .map((d) => { const text = String(d.message); return /: (\/\S*) becomes a passthrough stub slot$/.exec(text)?.[1] ?? text; }).sort();
}

function built(text: string) {
  const m = machineFromDts(FILE, text, { readFile });
  assert.ok(m.ok, m.ok ? '' : m.error);
  return m.value;
}

test('the server warns on exactly the nodes machine-from-DTS makes stub slots', () => {
  const text = board((_k, fallback) => fallback);
  const m = built(text);
  const stubs = m.passthrough.map((p) => p.node ?? p.name).sort();
  // A lone "syscon" is no sifive,test (its catalogue once said so); a disabled node is nothing.
  assert.deepEqual(stubs, ['/soc/regmap@27000000', '/soc/regs@25000000', '/soc/widget@24000000']);
  assert.deepEqual(warned(text), stubs);
});

test('every compatible of every device type builds that device, and the server does not call it a stub', () => {
  let checked = 0;
  for (const type of DEVICE_TYPES) {
    for (const compatible of type.model.compatible) {
      const text = board((key, fallback) => (key === type.key ? compatible : fallback));
      const m = built(text);
      const nodes = placesOf(m.board, type).map((p) => p.node);
      assert.equal(nodes.length, 1, `${compatible}: one ${type.model.model} built`);
      assert.ok(!warned(text).includes(nodes[0] as string), `${compatible}: ${nodes[0]} is built as ${type.model.model}, not a stub`);
      assert.deepEqual(warned(text), m.passthrough.map((p) => p.node).sort(), compatible);
      checked++;
    }
  }
  assert.ok(DEVICE_TYPES.some((t) => t.model.compatible.includes('ns16550')), 'ns16550 is a UART compatible');
  assert.ok(checked >= 11, `${checked} compatibles checked`);
});
