/* The user programs' image (guests/os/user/, linked at USER_TEXT and
 * flattened to a binary), page-aligned inside the kernel image so the
 * kernel can map its pages read-only into every process.
 *
 * Exports
 *   const char user_blob[], user_blob_end[];   the image, USER_TEXT onwards
 */
	.section .rodata
	.balign 4096
	.globl user_blob, user_blob_end
user_blob:
	.incbin USER_BIN
user_blob_end:
	.balign 4096

	.section .note.GNU-stack, "", @progbits
