/** DTS inputs for the dtc comparison tests (written here; each one exercises a corner of dtc's semantics). */

/** `symbols`: compiled with dtc -@ (and ours with `symbols: true`). */
export interface Fixture { name: string; text: string; files?: Record<string, string>; symbols?: boolean }

/** One overlay, compiled as it is and with -@: fragments for targets outside the file (a label, a path), a local merge, __fixups__ and __local_fixups__. */
const OVERLAY = `/dts-v1/;
/plugin/;
&uart0 {
	status = "okay";
	mine: child@1 { reg = <1>; intr = <&gpio 3 &mine>; };
};
&{/soc/i2c@100} {
	x = <&mine>;
	y = <&{/soc/foo}>;
};
/ {
	frag: top { p = <&uart0 &frag>; };
};
&mine { q; };
`;

export const FIXTURES: Fixture[] = [
  {
    name: 'basic',
    text: `/dts-v1/;
/memreserve/ 0x80000000 0x10000;
/memreserve/ 0x90000000 (4096 * 2);
/ {
	#address-cells = <2>;
	#size-cells = <2>;
	compatible = "acme,board", "acme,soc";
	model = "Acme \\"quoted\\" \\t tab \\x41\\101";
	cpus {
		#address-cells = <1>;
		#size-cells = <0>;
		cpu0: cpu@0 { device_type = "cpu"; reg = <0>; compatible = "riscv";
			intc0: interrupt-controller { #interrupt-cells = <1>; #address-cells = <0>; interrupt-controller; compatible = "riscv,cpu-intc"; };
		};
	};
	memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x8000000>; };
	soc {
		#address-cells = <2>;
		#size-cells = <2>;
		compatible = "simple-bus";
		ranges;
		plic: interrupt-controller@c000000 {
			#interrupt-cells = <1>;
			#address-cells = <0>;
			interrupt-controller;
			reg = <0x0 0xc000000 0x0 0x4000000>;
			interrupts-extended = <&intc0 11 &intc0 9>;
		};
		uart0: serial@10000000 {
			compatible = "ns16550a";
			reg = <0x0 0x10000000 0x0 0x100>;
			interrupt-parent = <&plic>;
			interrupts = <10>;
			clock-frequency = <(3686400 / 2 * 2)>;
		};
	};
	values {
		b8 = /bits/ 8 <1 0xff 'a' '\\n' (-1)>;
		b16 = /bits/ 16 <0x1234 (1 << 15)>;
		b64 = /bits/ 64 <0x123456789abcdef0 (~0)>;
		bytes = [00 01 02 03 0405 ab];
		mixed = "one", <1 2>, [ff], "two";
		empty;
		expr = <(1 + 2 * 3) (10 % 3) (7 / 2) (1 ? 2 : 3) (0 || 5) (6 & 3 | 8 ^ 1) (1 < 2) (2 >= 3) (!0) (~0 & 0xff)>;
		chars = <'x' '\\'' '\\\\'>;
		octal = <010 0x10 10>;
		pathref = &uart0;
		pathref2 = &{/soc/serial@10000000};
		phandles = <&uart0 &{/cpus/cpu@0}>;
		lbl_in_value = start: <1 mid: 2> end:;
	};
	chosen { stdout-path = &uart0; };
};
`,
  },
  {
    name: 'merge-delete',
    text: `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	a: node-a { p1 = <1>; p2 = "x"; p3; child@1 { reg = <1 1>; }; child@2 { reg = <2 1>; }; };
	b: node-b { keep = <1>; drop = <2>; };
	c: node-c { gone; };
	d: node-d { };
};
/ {
	node-a { p2 = "replaced"; p4 = <4>; /delete-node/ child@1; child@3 { reg = <3 1>; }; };
};
&b { /delete-property/ drop; added = <&a>; };
/delete-node/ &c;
&{/node-d} { late = <&d>; };
&a { p1 = <11>; /delete-property/ p3; p3 = "back"; };
/ { x: node-x { explicit = <1>; phandle = <7>; }; node-y { ref = <&x &a &b>; }; };
`,
  },
  {
    name: 'phandle-order',
    text: `/dts-v1/;
/ {
	n1: first { phandle = <1>; };
	n2: second { };
	n3: third { linux,phandle = <3>; };
	n4: fourth { };
	user { a = <&n4 &n2 &n3 &n1>; b = <&n4>; };
	n5: fifth { };
	user2 { c = <&n5>; };
};
`,
  },
  {
    name: 'cpp',
    files: {
      'include/dt-bindings/irq.h': `#ifndef IRQ_H
#define IRQ_H
#define IRQ_TYPE_LEVEL_HIGH 4
#define GIC_SPI 0
#define SPI(n) GIC_SPI (n) IRQ_TYPE_LEVEL_HIGH
#endif
`,
      'board.dtsi': `#include <dt-bindings/irq.h>
#include "irq-again.h"
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	gic: interrupt-controller@1000 { reg = <0x1000 0x100>; interrupt-controller; #interrupt-cells = <3>; #address-cells = <0>; };
};
`,
      'irq-again.h': '#include <dt-bindings/irq.h>\n#define TWICE(x) ((x) * 2)\n',
    },
    text: `/dts-v1/;
#include "board.dtsi"
#define STR(x) #x
#define CAT(a, b) a ## b
#define BASE 0x2000
#if defined(IRQ_H) && TWICE(2) == 4
#define OK_VALUE 1
#elif 1
#define OK_VALUE 2
#else
#error not reached
#endif
#ifdef NOT_DEFINED
/ { bad; };
#endif
/ {
	dev@2000 {
		reg = <BASE 0x100>;
		interrupt-parent = <&gic>;
		interrupts = <SPI(5)>, <SPI(TWICE(3))>;
		name-str = STR(hello);
		CAT(pro, p) = <OK_VALUE>;
		multi = <TWICE(TWICE(1))>; /* BASE in a comment stays */
		s = "BASE in a string stays";
	};
};
`,
  },
  {
    name: 'omit-and-labels',
    text: `/dts-v1/;
/ {
	/omit-if-no-ref/ unused: unused-node { a = <1>; };
	/omit-if-no-ref/ used: used-node { a = <1>; };
	user { r = <&used>; };
	l1: l2: multi-label { };
	uses { r = <&l2>; };
};
`,
  },
  {
    name: 'warnings',
    text: `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	intc: intc@100 { reg = <0x100 0x10>; interrupt-controller; #interrupt-cells = <2>; #address-cells = <0>; };
	noreg@200 { compat = "x"; };
	hasreg { reg = <0x300 0x10>; };
	badreg@400 { reg = <0x400>; };
	dev@500 { reg = <0x500 0x10>; interrupt-parent = <&intc>; interrupts = <1 2 3>; };
	zero@0600 { reg = <0x600 0x10>; };
	hex@0x700 { reg = <0x700 0x10>; };
	dup@800 { reg = <0x800 0x10>; };
	other@800 { reg = <0x800 0x4>; };
	nochildreg { #address-cells = <1>; #size-cells = <0>; sub { }; };
	bus { #address-cells = <1>; #size-cells = <1>; ranges = <0 0x1000>; };
	nocells { child@1 { reg = <1 2>; }; };
	soc { compatible = "simple-bus"; #address-cells = <1>; #size-cells = <1>; ranges;
		thing@10 { reg = <0x20 0x4>; };
	};
	pic2: pic2 { interrupt-controller; };
};
`,
  },
  {
    // PCI, I2C and SPI buses whose bridges are right: the device checks run.
    name: 'bus-devices',
    text: `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	i2c@1000 {
		reg = <0x1000 0x100>;
		#address-cells = <1>;
		#size-cells = <0>;
		eeprom@50 { reg = <0x50>; };
		rtc@68 { reg = <0x40000068>; };
		bad@10 { reg = <0x11>; };
		big@80 { reg = <0x80>; };
		ten@80000123 { reg = <0x80000123>; };
		tenbig@80000400 { reg = <0x80000400>; };
		two@1a { reg = <0x1a 0x90>; };
		noreg { };
		i2c-bus { #address-cells = <1>; #size-cells = <0>; dev@3 { reg = <3>; }; };
	};
	spi@2000 {
		reg = <0x2000 0x100>;
		#address-cells = <1>;
		#size-cells = <0>;
		flash@0 { reg = <0>; spi-max-frequency = <1000>; };
		flash@01 { reg = <1>; };
	};
	spi-slave@3000 {
		reg = <0x3000 0x100>;
		#address-cells = <0>;
		#size-cells = <0>;
		spi-slave;
		x@9 { };
	};
	pci@40000000 {
		device_type = "pci";
		reg = <0x40000000 0x1000>;
		#address-cells = <3>;
		#size-cells = <2>;
		ranges = <0x2000000 0 0x0 0x50000000 0 0x100000>;
		bus-range = <0 0x10>;
		dev@1 { reg = <0x800 0 0 0 0>; };
		dev@2,1 { reg = <0x1100 0 0 0 0>; };
		dev@3 { reg = <0x1900 0 0 0 0>; };
		dev@4 { reg = <0x2000 1 0 0 0>; };
		dev@5 { reg = <0x12002805 0 0 0 0>; };
		dev@6 { reg = <0x00203000 0 0 0 0>; };
		dev@0x7 { reg = <0x3800 0 0 0 0>; };
	};
};
`,
  },
  {
    // Bridges that are wrong: their device checks, and unit_address_format, do not run.
    name: 'bus-bridges',
    text: `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	i2c@1000 {
		reg = <0x1000 0x100>;
		#address-cells = <2>;
		#size-cells = <1>;
		dev@0,50 { reg = <0 0x50 1>; };
	};
	i2c@1100 { reg = <0x1100 0x100>; };
	i2c-arb { #address-cells = <1>; #size-cells = <1>; x@1 { reg = <1 1>; }; };
	i2c-mux {
		#address-cells = <1>; #size-cells = <1>;
		i2c-bus@1 { reg = <1 1>; };
	};
	spi@2000 {
		reg = <0x2000 0x100>;
		#address-cells = <1>;
		#size-cells = <1>;
		flash@0 { reg = <0 1>; };
	};
	qspi@3000 {
		reg = <0x3000 0x100>;
		#address-cells = <1>;
		#size-cells = <0>;
		flash@0 { reg = <0>; spi-max-frequency = <10>; };
	};
	ctl {
		#address-cells = <1>;
		#size-cells = <0>;
		flash@0 { reg = <0>; spi-cpha; };
	};
	spi@4000 {
		reg = <0x4000 0x100>;
		spi-slave;
		#address-cells = <1>;
		#size-cells = <0>;
		s@0 { reg = <0>; };
	};
	spi@5000 { reg = <0x5000 0x100>; };
	pcie@40000000 {
		device_type = "pci";
		reg = <0x40000000 0x1000>;
		#address-cells = <2>;
		#size-cells = <1>;
		bus-range = <0x10 0x1ff>;
		d@0 { reg = <0 0 1>; };
	};
	host@50000000 {
		device_type = "pci";
		reg = <0x50000000 0x1000>;
		#address-cells = <3>;
		#size-cells = <2>;
		ranges = <0x2000000 0 0x0 0x60000000 0 0x100000>;
		bus-range = <0x1>;
	};
	pci@70000000 {
		device_type = "pci";
		reg = <0x70000000 0x1000>;
		bus-range = <1 2>;
	};
};
`,
  },
  {
    // dtc 1.6.1's own: bus-range read from its first cell only; an i2c node with i2c-bus children is still a bus.
    name: 'bus-quirks',
    text: `/dts-v1/;
/ {
	#address-cells = <1>;
	#size-cells = <1>;
	pci@40000000 {
		device_type = "pci";
		reg = <0x40000000 0x1000>;
		#address-cells = <3>;
		#size-cells = <2>;
		ranges = <0x2000000 0 0x0 0x50000000 0 0x100000>;
		d@0 { };
		e@1 { reg = <0x10800 0 0 0 0>; };
	};
	i2c {
		#address-cells = <2>;
		#size-cells = <0>;
		i2c-bus { #address-cells = <1>; #size-cells = <0>; a@1 { reg = <1>; }; };
	};
	i2c@2 { reg = <2 1>; #address-cells = <1>; #size-cells = <0>; a@1 { reg = <1>; }; i2c-bus { }; };
};
`,
  },
  {
    // Fragments for targets outside the file (a label, a path), a local merge, __fixups__ and __local_fixups__.
    name: 'overlay',
    text: OVERLAY,
  },
  {
    // The same overlay with -@: __symbols__ with paths into the fragments.
    name: 'overlay-symbols',
    symbols: true,
    text: OVERLAY,
  },
  {
    // -@ on a board: labels in dtc's order (added to an existing node: in front), a phandle for each, labelled /omit-if-no-ref/ nodes kept.
    name: 'symbols',
    symbols: true,
    text: `/dts-v1/;
/ {
	a: b: n { r = <&c>; };
	c: m { };
	l: x { y: z {}; };
	/omit-if-no-ref/ kept: unreferenced { };
	/omit-if-no-ref/ dropped { };
};
&a { d: e {}; };
g: &b { k; };
/ { f: n {}; h: x {}; };
/ { q { p = <&f>; }; };
`,
  },
];
