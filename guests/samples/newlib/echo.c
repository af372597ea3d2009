/* Console input on newlib: reads lines from stdin and echoes each back
 * numbered and upper-cased ("3: HELLO"), until a line "quit" or the end
 * of input; then exits 0. A line longer than the buffer comes back in
 * pieces, each numbered. Input reaches a guest only while it has the
 * console's focus (docs/usage.md). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES 128

int main(void)
{
	char line[LINE_MAX_BYTES];
	unsigned int n = 0;

	printf("echo: ready, type lines (\"quit\" ends)\n");
	while (fgets(line, sizeof(line), stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "quit") == 0) {
			printf("echo: bye after %u lines\n", n);
			return 0;
		}
		for (char *p = line; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		printf("%u: %s\n", ++n, line);
	}
	printf("echo: end of input after %u lines\n", n);
	return 0;
}
