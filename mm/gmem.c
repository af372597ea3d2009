/* Access to guest memory from the hypervisor. A guest's memory is one
 * contiguous host-physical range, identity-mapped in the host, so a
 * guest-physical address becomes a host pointer by one bounds check. Every
 * address a guest hands over goes through here. */
#include <core/guest.h>
#include <lib/lib.h>
#include <mm/mm.h>

/* A host pointer to [gpa, gpa + len) of guest memory, or NULL if any byte of
 * it lies outside the guest (with the sum checked for wrap-around). */
void *guest_range(const struct guest *g, uint32_t gpa, uint32_t len)
{
	if (len > g->mem_size || gpa > g->mem_size - len)
		return NULL;
	return (void *)(g->mem_base + gpa);
}

bool copy_from_guest(const struct guest *g, void *dst, uint32_t gpa, uint32_t len)
{
	const void *src = guest_range(g, gpa, len);

	if (!src)
		return false;
	memcpy(dst, src, len);
	return true;
}

bool copy_to_guest(const struct guest *g, uint32_t gpa, const void *src, uint32_t len)
{
	void *dst = guest_range(g, gpa, len);

	if (!dst)
		return false;
	memcpy(dst, src, len);
	return true;
}

/* Copy a NUL-terminated string of at most size - 1 bytes. False if it runs
 * off the guest's memory first; a string that is too long is cut short. */
bool copy_string_from_guest(const struct guest *g, char *dst, uint32_t gpa, uint32_t size)
{
	uint32_t i;

	for (i = 0; i + 1 < size; i++) {
		const char *c = guest_range(g, gpa + i, 1);
		if (!c || gpa + i < gpa)
			return false;
		if (!(dst[i] = *c))
			return true;
	}
	dst[i] = '\0';
	return true;
}
