/* Console input on newlib: prompts "N> " and reads a line from stdin,
 * echoes it back numbered and upper-cased ("3: HELLO"), until a line
 * "quit" or the end of input (Ctrl-D on an empty line); then exits 0. A
 * line longer than the buffer comes back in pieces, each numbered. Input
 * reaches a guest only while it has the console's focus (docs/usage.md);
 * the runtime echoes what is typed and lets Backspace and Ctrl-U edit the
 * line before Enter sends it (docs/console.md). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define LINE_MAX_BYTES 128

int main(void)
{
	char line[LINE_MAX_BYTES];
	unsigned int n = 0;

	printf("echo: ready, type lines (\"quit\" ends)\n");
	for (;;) {
		/* A prompt without a newline: flushed, it shows at once. */
		printf("%u> ", n + 1);
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "quit") == 0) {
			printf("echo: bye after %u lines\n", n);
			return 0;
		}
		for (char *p = line; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
		printf("%u: %s\n", ++n, line);
	}
	printf("\necho: end of input after %u lines\n", n);
	return 0;
}
