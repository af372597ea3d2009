/* Reflection: a trap the hypervisor saw first, or a virtual interrupt,
 * delivered onto the guest's stack exactly as the CPU would have delivered
 * it through the guest's own gate, and virtual interrupts under the rules
 * of the virtual interrupt flag (shared/lguest-abi.md). */
#include <abi.h>
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <core/guest.h>
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/mm.h>
#include <mutation.h>
#include <traps/traps.h>

/* Write one word at guest-virtual va as the guest kernel would: through its
 * page tables, needing a writable mapping. A word that straddles two pages
 * is written a byte at a time. */
static bool write_guest_word(struct guest *g, uint32_t va, uint32_t val)
{
	for (unsigned i = 0; i < 4;) {
		uint32_t gpa;
		enum shadow_result r = shadow_walk(g, va + i, true, false, &gpa);
		if (r == SHADOW_GUEST_FAULT)
			kill_guest(g, "cannot push a trap frame: its stack at %08x is not "
				   "mapped writable", va + i);
		if (r != SHADOW_OK)
			return false;
		unsigned n = MIN(4 - i, PAGE_SIZE - (gpa & ~PAGE_MASK));
		uint8_t *dst = guest_range(g, gpa, n);
		ASSERT(dst);		/* shadow_walk checked the frame */
		memcpy(dst, (uint8_t *)&val + i, n);
		i += n;
	}
	return true;
}

static bool read_guest_word(struct guest *g, uint32_t va, uint32_t *val)
{
	for (unsigned i = 0; i < 4;) {
		uint32_t gpa;
		enum shadow_result r = shadow_walk(g, va + i, false, false, &gpa);
		if (r != SHADOW_OK)
			return false;
		unsigned n = MIN(4 - i, PAGE_SIZE - (gpa & ~PAGE_MASK));
		memcpy((uint8_t *)val + i, guest_range(g, gpa, n), n);
		i += n;
	}
	return true;
}

/* Write a trap frame of n words ending just below sp, as the CPU pushes
 * it: the last word lowest. One walk when the frame lies in one page (it
 * nearly always does); a word at a time when it crosses into the next. */
static bool push_frame(struct guest *g, uint32_t sp, const uint32_t *words, unsigned n)
{
	uint32_t low = sp - n * 4, gpa;

	if ((low & PAGE_MASK) == ((sp - 1) & PAGE_MASK) && IS_ALIGNED(low, 4)) {
		enum shadow_result r = shadow_walk(g, low, true, false, &gpa);
		if (r == SHADOW_GUEST_FAULT)	/* named by the first push, as the CPU would */
			kill_guest(g, "cannot push a trap frame: its stack at %08x is not "
				   "mapped writable", sp - 4);
		if (r != SHADOW_OK)
			return false;
		uint32_t *dst = guest_range(g, gpa, n * 4);
		ASSERT(dst);		/* shadow_walk checked the frame */
		for (unsigned i = 0; i < n; i++)
			dst[i] = words[n - 1 - i];
		return true;
	}
	for (unsigned i = 0; i < n; i++)
		if (!write_guest_word(g, sp - (i + 1) * 4, words[i]))
			return false;
	return true;
}

/* Deliver through the guest's gate for vector: what the CPU does for an
 * interrupt or exception. From ring 3 it first switches to the ring-1
 * stack given by SET_STACK and saves the user ss:esp there; then eflags
 * (its IF being the virtual one), cs, eip and, for some exceptions, the
 * error code. An interrupt gate also clears the virtual IF. */
static bool deliver(struct guest *g, unsigned vector, bool has_err)
{
	struct guest_regs *r = g->regs;
	uint32_t lo = g->idt_lo[vector], hi = g->idt_hi[vector];
	uint32_t sp, ss, eflags = r->eflags;
	uint32_t frame[6];		/* in push order */
	unsigned n = 0;

	if (!(hi & GATE_P)) {
		if (vector == 14)
			kill_guest(g, "unhandled %s at eip %08x (address %08x, error %x): "
				   "no handler installed", exception_name(vector), r->eip,
				   g->last_pagefault, r->errcode);
		else if (vector < 32)
			kill_guest(g, "unhandled %s at eip %08x (error %x): no handler installed",
				   exception_name(vector), r->eip, r->errcode);
		else
			kill_guest(g, "interrupt %u at eip %08x: no handler installed",
				   vector, r->eip);
		return false;
	}
	if ((r->cs & 3) != GUEST_PL) {
		if (!g->stack_pages) {
			kill_guest(g, "trap %u from ring 3 before SET_STACK gave a kernel stack",
				   vector);
			return false;
		}
		sp = g->esp1;
		ss = g->ss1;
		frame[n++] = r->ss;
		frame[n++] = r->esp;
	} else {
		sp = r->esp;
		ss = r->ss;
	}
	if (g->lguest_data && !(g->lguest_data->irq_enabled & LGUEST_IF))
		eflags &= ~EFLAGS_IF;
	frame[n++] = eflags;
	frame[n++] = r->cs;
	frame[n++] = r->eip;
	if (has_err)
		frame[n++] = r->errcode;
	if (!push_frame(g, sp, frame, n))
		return false;
	sp -= n * 4;

	r->ss = ss;
	r->esp = sp;
	r->cs = GUEST_CS;
	r->eip = GATE_OFFSET(lo, hi);
	r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
	if (GATE_TYPE(hi) == IDT_GATE_INTERRUPT && g->lguest_data)
		g->lguest_data->irq_enabled = 0;
	return true;
}

/* Hand a trap the host took to the guest's own handler. False if the
 * guest was killed instead (no handler, or no stack to push onto). */
bool reflect_trap(struct guest *g, unsigned vector)
{
	g->stats.reflected_traps++;
	return deliver(g, vector, vector < 32 && vector_has_error_code(vector));
}

static void write_wallclock(struct guest *g)
{
	uint64_t ns = wallclock_ns();

	g->lguest_data->time.tv_sec = (int32_t)(ns / 1000000000u);
	g->lguest_data->time.tv_nsec = (int32_t)(ns % 1000000000u);
}

/* Before every entry: deliver the lowest pending, unblocked virtual IRQ if
 * the guest can take it now: its virtual IF is on (or it sits on its iret
 * instruction, whose frame's IF then counts), its gate is present, and
 * neither its eip nor that iret's return eip is in the ROM page (a stub's
 * no-interrupt region).
 * Otherwise irq_pending tells the guest to ask (SEND_INTERRUPTS) once it
 * enables interrupts again. */
void irq_deliver(struct guest *g)
{
	struct lguest_data *ld = g->lguest_data;
	struct guest_regs *r = g->regs;

	if (!ld)
		return;
	uint32_t pending = g->irqs_pending & ~ld->blocked_interrupts;
	if (!pending) {
		ld->irq_pending = 0;
		return;
	}
	unsigned irq = __builtin_ctz(pending);
	unsigned vector = LGUEST_IRQ_VECTOR_BASE + irq;

	/* A ROM stub has not yet moved the virtual IF into its frame: the
	 * interrupt waits until the handler it jumps to enables them. */
	if (rom_contains(r->eip) && !MUTATED(MUT_ROM_NOIRQ)) {
		ld->irq_pending = LGUEST_IF;
		return;
	}
	if (r->eip == g->noirq_iret && g->noirq_iret) {
		/* On top of the iret frame: finish the iret first, then take
		 * the interrupt where it would have returned to. Everything
		 * read here is the guest's; the sanitiser checks it before
		 * entry like any other register. */
		uint32_t eip, cs, eflags, esp = r->esp, ss = r->ss;
		if (!read_guest_word(g, esp, &eip) || !read_guest_word(g, esp + 4, &cs) ||
		    !read_guest_word(g, esp + 8, &eflags))
			return;		/* the iret itself will fault */
		if (!(eflags & EFLAGS_IF) ||
		    (rom_contains(eip) && !MUTATED(MUT_ROM_NOIRQ))) {
			ld->irq_pending = LGUEST_IF;
			return;
		}
		if ((cs & 3) != GUEST_PL) {
			uint32_t frame = r->esp;
			if (!read_guest_word(g, frame + 12, &esp) ||
			    !read_guest_word(g, frame + 16, &ss))
				return;
		} else {
			esp += 12;
		}
		if (!(g->idt_hi[vector] & GATE_P))
			return;
		r->eip = eip;
		r->cs = cs;
		r->eflags = eflags;
		r->esp = esp;
		r->ss = ss;
		ld->irq_enabled = LGUEST_IF;
	} else if (!(ld->irq_enabled & LGUEST_IF)) {
		ld->irq_pending = LGUEST_IF;
		return;
	} else if (!(g->idt_hi[vector] & GATE_P)) {
		return;
	}
	if (!deliver(g, vector, false))
		return;
	g->irqs_pending &= ~(1u << irq);
	if (irq == RV_IRQ_TIMER)
		g->stats.timer_irqs++;
	write_wallclock(g);
	ld->irq_pending = (g->irqs_pending & ~ld->blocked_interrupts) ? LGUEST_IF : 0;
}
