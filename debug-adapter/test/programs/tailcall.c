/* Tail calls for the debugger's call stack: main calls top, which ends in a tail call to
 * middle, which ends in one to leaf. At -O2 the stack holds only leaf's and main's frames;
 * gdb rebuilds middle's and top's from the call sites' DWARF. */
#include "lib.h"

__attribute__((noinline)) int leaf(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

__attribute__((noinline)) int middle(int x)
{
	return leaf(x + 1);
}

__attribute__((noinline)) int top(int x)
{
	if (x > 100)
		return 0;
	return middle(x * 2);
}

int main(void)
{
	int r = top(5);
	kprintf("tail calls: %d\n", r);
	return r == 0;
}
