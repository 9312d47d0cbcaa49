/*
 * exit3: ends through sifive_test with fail code 3 on purpose, so the
 * harness can check exit codes: QEMU exits with status 3.
 */
#include "lib.h"

int main(void)
{
    kprintf("exit3: rv%d, exiting with fail code 3\n", XLEN);
    exit_fail(3);
}
