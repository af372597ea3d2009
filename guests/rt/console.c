/* The guest console: Ringvisor's own hypercalls for bytes out and in. */
#include "rv.h"

/* The host may take fewer bytes than offered (it blocks the guest rather
 * than drop output), so offer the rest until all are taken. */
void rv_console_write(const void *buf, uint32_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		uint32_t taken = rv_hcall2(HC_RV_CONSOLE_WRITE, rv_gpa(p), len);

		if (taken > len)	/* nothing can be printed then */
			rv_shutdown("rv: the console write took more bytes than it was "
				    "given");
		p += taken;
		len -= taken;
	}
}

void rv_puts(const char *s)
{
	rv_console_write(s, strlen(s));
}

uint32_t rv_console_read(void *buf, uint32_t len)
{
	if (len == 0)
		return 0;
	return rv_hcall2(HC_RV_CONSOLE_READ, rv_gpa(buf), len);
}
