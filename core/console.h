/* The console: each guest's output, a line at a time, prefixed with its
 * name so that guests never interleave inside a line; the hypervisor's
 * messages in the same ordered stream; input to the focused guest. */
#ifndef RV_CONSOLE_H
#define RV_CONSOLE_H

#include <types.h>

struct guest;

/* console.c */
void console_write_hv(const char *s, size_t n);	/* lib/log.c's sink */
void console_flush(void);
void console_emergency(void);
void console_attach(struct guest *g);
void console_detach(struct guest *g);
uint32_t console_guest_write(struct guest *g, const char *buf, uint32_t len);
void console_guest_waits(struct guest *g);
void console_flush_guest(struct guest *g);
uint32_t console_guest_read(struct guest *g, char *buf, uint32_t len);
bool console_input_waiting(const struct guest *g);
uint32_t console_input_take(struct guest *g, char *buf, uint32_t len);
void console_input_poll(void);
void console_set_monitor(bool (*take)(char ch));
void console_prompt_set(const char *s, size_t n);
void console_prompt_keep(void);
void console_prompt_close(void);
void console_focus(struct guest *g);
void console_deliver(char ch);

#endif
