/* CPU identification (CPUID vendor, signature, brand string, feature flags)
 * and the x87/SSE set-up of CR0 and CR4 that guests' floating point needs. */
#include <arch/i386/arch.h>
#include <arch/i386/x86.h>
#include <lib/lib.h>
#include <lib/log.h>

struct cpu_info cpu_info;

/* CPUID leaf 0x80000000 returns the highest extended leaf in EAX. CPUs
 * without extended leaves (QEMU's pentium2, for instance) answer an
 * out-of-range leaf with the data of their highest basic leaf, so the
 * answer only counts when it really lies in the 0x8000xxxx range. */
#define CPUID_EXT_BASE   0x80000000u
#define CPUID_EXT_BRAND0 0x80000002u	/* brand string: leaves 2, 3, 4 */
#define CPUID_EXT_BRAND2 0x80000004u

struct cpu_feature_name {
	uint8_t bit;
	const char *name;
};

/* The CPUID.1 bits that matter to a hypervisor: paging (pse pae pge pat
 * pse36), time (tsc apic tsc-deadline), state a world switch must save
 * (fpu mmx fxsr sse* avx xsave), fast system calls (sep), and whether we
 * run under another hypervisor ourselves. Not every bit there is. */
static const struct cpu_feature_name cpu_edx_names[] = {
	{ 0, "fpu" }, { 1, "vme" }, { 3, "pse" }, { 4, "tsc" }, { 5, "msr" },
	{ 6, "pae" }, { 8, "cx8" }, { 9, "apic" }, { 11, "sep" },
	{ 12, "mtrr" }, { 13, "pge" }, { 15, "cmov" }, { 16, "pat" },
	{ 17, "pse36" }, { 19, "clflush" }, { 23, "mmx" }, { 24, "fxsr" },
	{ 25, "sse" }, { 26, "sse2" },
};
static const struct cpu_feature_name cpu_ecx_names[] = {
	{ 0, "sse3" }, { 5, "vmx" }, { 9, "ssse3" }, { 13, "cx16" },
	{ 19, "sse4.1" }, { 20, "sse4.2" }, { 21, "x2apic" },
	{ 24, "tsc-deadline" }, { 26, "xsave" }, { 28, "avx" },
	{ 31, "hypervisor" },
};

/* Copies the 4 bytes of a register into a string, lowest byte first: the
 * order in which CPUID spells its vendor and brand strings. */
static void cpu_put_reg(char *dst, uint32_t r)
{
	memcpy(dst, &r, 4);
}

static void cpu_read_brand(void)
{
	uint32_t a, b, c, d, ext_max;
	char *p = cpu_info.brand;

	cpuid(CPUID_EXT_BASE, &ext_max, &b, &c, &d);
	if (ext_max < CPUID_EXT_BRAND2 || ext_max > CPUID_EXT_BASE + 0xffffu) {
		strlcpy(cpu_info.brand, "(no brand string)",
			sizeof(cpu_info.brand));
		return;
	}
	for (uint32_t leaf = CPUID_EXT_BRAND0; leaf <= CPUID_EXT_BRAND2; leaf++) {
		cpuid(leaf, &a, &b, &c, &d);
		cpu_put_reg(p, a);
		cpu_put_reg(p + 4, b);
		cpu_put_reg(p + 8, c);
		cpu_put_reg(p + 12, d);
		p += 16;
	}
	cpu_info.brand[48] = '\0';

	/* Intel pads the brand string with leading spaces; drop them. */
	size_t skip = 0;
	while (cpu_info.brand[skip] == ' ')
		skip++;
	memmove(cpu_info.brand, cpu_info.brand + skip,
		sizeof(cpu_info.brand) - skip);
}

/* Fills cpu_info. Called once, early, before anything asks cpu_has().
 * boot/entry.S has already proved that CPUID exists and that leaf 1 reports
 * an FPU, a TSC and CMOV, so leaf 1 is known to be there. */
void cpu_detect(void)
{
	uint32_t a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	cpu_info.max_leaf = a;
	cpu_put_reg(cpu_info.vendor, b);	/* "Genu" "ineI" "ntel" */
	cpu_put_reg(cpu_info.vendor + 4, d);
	cpu_put_reg(cpu_info.vendor + 8, c);
	cpu_info.vendor[12] = '\0';

	/* Leaf 1 EAX: stepping 3:0, model 7:4, family 11:8, extended model
	 * 19:16, extended family 27:20. The SDM's rule: the extended family
	 * is added only when family is 0xF, the extended model is prefixed
	 * only when family is 6 or 0xF. */
	cpuid(1, &a, &b, &c, &d);
	cpu_info.stepping = a & 0xf;
	cpu_info.model = (a >> 4) & 0xf;
	cpu_info.family = (a >> 8) & 0xf;
	if (cpu_info.family == 0xf)
		cpu_info.family += (a >> 20) & 0xff;
	if (cpu_info.family == 6 || cpu_info.family >= 0xf)
		cpu_info.model |= ((a >> 16) & 0xf) << 4;
	cpu_info.feat_edx = d;
	cpu_info.feat_ecx = c;

	cpu_read_brand();
}

/* True when every bit of edx_bits (CPU_FEAT_* masks, arch.h) is set in
 * CPUID.1:EDX. Valid after cpu_detect(). */
bool cpu_has(uint32_t edx_bits)
{
	return (cpu_info.feat_edx & edx_bits) == edx_bits;
}

/* Appends the names of the set bits of one register to buf at *len. */
static void cpu_append_names(char *buf, size_t size, int *len, uint32_t reg,
			     const struct cpu_feature_name *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!(reg & (1u << names[i].bit)) || *len >= (int)size)
			continue;
		*len += snprintf(buf + *len, size - *len, " %s", names[i].name);
	}
}

/* Prints the CPU's identity and the features the hypervisor cares about. */
void cpu_report(void)
{
	char feats[200];
	int len = 0;

	pr_info("cpu: %s family %u model %u stepping %u \"%s\"",
		cpu_info.vendor, cpu_info.family, cpu_info.model,
		cpu_info.stepping, cpu_info.brand);

	feats[0] = '\0';
	cpu_append_names(feats, sizeof(feats), &len, cpu_info.feat_edx,
			 cpu_edx_names, ARRAY_SIZE(cpu_edx_names));
	cpu_append_names(feats, sizeof(feats), &len, cpu_info.feat_ecx,
			 cpu_ecx_names, ARRAY_SIZE(cpu_ecx_names));
	pr_info("cpu features:%s", feats);
}

/* Sets CR0 and CR4 up for the x87 and, when present, SSE, then resets the
 * x87. Called once after cpu_detect(), before any guest runs. Paging bits
 * (CR0.PG, CR0.WP, CR4.PSE/PGE) are the paging code's and left alone.
 *
 * CR0.EM=0: x87 instructions execute instead of raising #NM (EM=1 means
 *           "emulate the FPU in software").
 * CR0.MP=1: WAIT/FWAIT honours CR0.TS too, so a lazy FPU switch catches
 *           every x87 instruction (SDM Vol. 3, "CR0.MP").
 * CR0.NE=1: x87 errors raise #MF (vector 16), the native way, instead of
 *           the PC-compatible FERR# line routed to IRQ 13.
 * CR0.TS=0: no task switch is pending, so fninit below does not trap.
 * CR4.OSFXSR: the OS saves state with FXSAVE/FXRSTOR; also what makes SSE
 *           instructions legal at all (they #UD without it).
 * CR4.OSXMMEXCPT: SIMD floating-point errors raise #XM (vector 19)
 *           instead of #UD. */
void cpu_setup_control_regs(void)
{
	uint32_t cr0 = read_cr0();

	cr0 &= ~(CR0_EM | CR0_TS);
	cr0 |= CR0_MP | CR0_NE;
	write_cr0(cr0);

	if (cpu_has(CPU_FEAT_FXSR)) {
		uint32_t cr4 = read_cr4() | CR4_OSFXSR;

		if (cpu_has(CPU_FEAT_SSE))
			cr4 |= CR4_OSXMMEXCPT;
		write_cr4(cr4);
	}
	__asm__ volatile("fninit");
}
