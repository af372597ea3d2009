/* Shadow page tables: the real page tables a guest runs on, filled on
 * demand from the guest's own, with every entry checked on the way in. */
#ifndef RV_SHADOW_H
#define RV_SHADOW_H

#include <param.h>
#include <types.h>

struct guest;

#define SHADOW_KPINS 4		/* kernel stacks remembered as pinned */

/* A ring-1 stack pinned in the shadow (top and pages; esp1 0 for none),
 * forgotten whenever an entry that may map it goes: a process switch back
 * to a stack still pinned needs no pinning. */
struct shadow_pin {
	uint32_t esp1;
	unsigned pages;
};

/* One cached shadow page directory: the shadow of the guest directory at
 * guest-physical `gpa` (or of the linear map, before NEW_PGTABLE). */
struct shadow_dir {
	uint32_t gpa;
	uint32_t *pd;		/* host frame; NULL when the slot is free */
	uint64_t last_used;
	uint32_t tables[32];	/* bit i: PDE i has a shadow page table */
	struct shadow_pin pin;	/* a stack below the shared kernel tables */
};

struct shadow {
	bool linear;		/* no NEW_PGTABLE yet: va == pa, supervisor */
	unsigned cur;		/* index of the directory in use */
	struct shadow_dir dirs[SHADOW_DIRS_MAX];
	/* The kernel's shadow page tables (PDEs from kernel_address up, the
	 * same in every guest directory): one set, shared by every cached
	 * directory. Entry i is the host frame for PDE i, or 0. */
	uint32_t kernel_pts[1024];
	/* Stacks in them, pinned in every directory at once: one per
	 * process a guest switches between, the oldest replaced. */
	struct shadow_pin kpin[SHADOW_KPINS];
	unsigned kpin_next;
	uint32_t budget;	/* frames reserved for it at admission */
	uint32_t frames;	/* frames charged to the guest (<= budget),
				 * the spare ones included */
	/* Tables evicted or dropped: unhooked at once, given back to the
	 * pool only at the guest's end, and reused before any new frame is
	 * taken. A list linked through each frame's first word (0 ends it),
	 * so an eviction costs a few instructions per table, however many. */
	uint32_t spare;
	uint32_t nr_spare;
	uint32_t peak_frames;	/* the most it was charged at once */
	uint64_t tick;		/* for least-recently-used eviction */
	bool needs_pin;		/* entries went: pin the stack again */
};

/* What a fault or a walk found. */
enum shadow_result {
	SHADOW_OK,		/* filled (or translated) */
	SHADOW_GUEST_FAULT,	/* the guest's own tables say no: reflect */
	SHADOW_KILLED,		/* the guest broke a rule and was killed */
	SHADOW_MMIO,		/* allowed, but the frame is device memory in
				 * the MMIO window: emulate the access */
};

/* shadow.c */
uint32_t shadow_budget(uint32_t mem, uint32_t shadow_frames);
void shadow_init(struct guest *g, uint32_t budget);
bool shadow_release(struct guest *g);

/* The shadow page directory the guest runs on now (for CR3). */
static inline uint32_t shadow_cr3(const struct shadow *s)
{
	return (uint32_t)s->dirs[s->cur].pd;
}
enum shadow_result shadow_fault(struct guest *g, uint32_t va, uint32_t *err,
				uint32_t *mmio_pa);
enum shadow_result shadow_walk(struct guest *g, uint32_t va, bool write, bool user,
			       uint32_t *gpa);
void shadow_new_pgtable(struct guest *g, uint32_t gpa);
void shadow_flush(struct guest *g, bool all);
void shadow_set_pte(struct guest *g, uint32_t pgdir_gpa, uint32_t va, uint32_t pte);
void shadow_set_pgd(struct guest *g, uint32_t pgdir_gpa, uint32_t index);
bool shadow_pin_stack(struct guest *g);

#endif
