/* Basic types and helpers shared by every part of the hypervisor.
 * Freestanding: only the compiler's own headers are used. */
#ifndef RV_TYPES_H
#define RV_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)     (sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)  ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)    ALIGN_DOWN((x) + (a) - 1, (a))
#define IS_ALIGNED(x, a)  (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)         ((a) < (b) ? (a) : (b))
#define MAX(a, b)         ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

#define __packed     __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn   __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __unused     __attribute__((unused))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define KiB 1024u
#define MiB (1024u * 1024u)

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096u
#define PAGE_MASK  (~(PAGE_SIZE - 1))

#endif
