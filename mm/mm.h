/* Memory management: the hypervisor's page tables (paging.c) and access to
 * guest memory (gmem.c). The frame allocator, the memory map, the object
 * heap and the shadow page tables have their own headers in this folder. */
#ifndef RV_MM_H
#define RV_MM_H

#include <types.h>

/* x86 page-table entry bits (SDM Vol. 3A, 4.3). */
#define PTE_P    0x001u
#define PTE_RW   0x002u
#define PTE_US   0x004u
#define PTE_PWT  0x008u
#define PTE_PCD  0x010u
#define PTE_A    0x020u
#define PTE_D    0x040u
#define PTE_PSE  0x080u		/* in a PDE: 4 MiB page */
#define PTE_G    0x100u

struct guest;

/* gmem.c */
void *guest_range(const struct guest *g, uint32_t gpa, uint32_t len);
bool copy_from_guest(const struct guest *g, void *dst, uint32_t gpa, uint32_t len);
bool copy_to_guest(const struct guest *g, uint32_t gpa, const void *src, uint32_t len);
bool copy_string_from_guest(const struct guest *g, char *dst, uint32_t gpa, uint32_t size);

/* paging.c */
void paging_init(uint32_t map_end);
void paging_map(uint32_t va, uint32_t pa, uint32_t flags);
uint32_t paging_host_cr3(void);
uint32_t *paging_table_of(uint32_t va);

#endif
