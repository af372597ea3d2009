/* An ordinary C program as a guest, on newlib: formatted output of
 * integers, strings and floating point, the heap, the time, and exit(3). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define HEAP_BLOCKS     64
#define BLOCK_SIZE      4096

/* Allocate, fill and check a few blocks, then free them; 0 if all fine. */
static int check_heap(void)
{
	char *blocks[HEAP_BLOCKS];

	for (int i = 0; i < HEAP_BLOCKS; i++) {
		blocks[i] = malloc(BLOCK_SIZE);
		if (blocks[i] == NULL) {
			printf("malloc of block %d failed: %s\n", i,
			       strerror(errno));
			return 1;
		}
		memset(blocks[i], i, BLOCK_SIZE);
	}
	for (int i = 0; i < HEAP_BLOCKS; i++) {
		for (int j = 0; j < BLOCK_SIZE; j++)
			if (blocks[i][j] != (char)i) {
				printf("block %d byte %d corrupted\n", i, j);
				return 1;
			}
		free(blocks[i]);
	}
	printf("heap: %d blocks of %d bytes allocated, checked and freed\n",
	       HEAP_BLOCKS, BLOCK_SIZE);

	/* The heap ends below the top of guest memory: a huge request fails
	 * cleanly instead of crashing. */
	void *huge = malloc(1u << 30);

	printf("malloc(1 GiB) %s\n", huge == NULL ? "failed, as it should"
						  : "succeeded?!");
	free(huge);
	return huge != NULL;
}

int main(int argc, char **argv)
{
	struct timeval tv;
	char line[64];

	printf("hello from newlib, argc = %d, argv[0] = \"%s\"\n", argc,
	       argv[0]);
	printf("integers: %d %u %x %lld %+05d\n", -42, 42u, 0xbeefu,
	       (long long)INT64_MAX, 7);
	printf("floats: %.3f %e %g sqrt(2) = %.10f\n", 3.14159, 6.02214076e23,
	       0.0001, sqrt(2.0));
	snprintf(line, sizeof(line), "%s|%-6s|%6s|", "str", "left", "right");
	printf("strings: %s\n", line);

	if (check_heap() != 0)
		return 1;

	time_t now = time(NULL);
	gettimeofday(&tv, NULL);
	printf("time(): %lld, gettimeofday: %lld.%06ld, clock(): %ld\n",
	       (long long)now, (long long)tv.tv_sec, (long)tv.tv_usec,
	       (long)clock());

	printf("exiting with status 3");        /* no newline: exit flushes */
	exit(3);
}
