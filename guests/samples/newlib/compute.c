/* A CPU-bound guest on newlib: a floating-point Mandelbrot set and a sieve
 * of Eratosthenes, each timed with clock() and gettimeofday(), each ending
 * in a checksum that does not depend on the machine or its speed.
 *
 * Arguments (after `--`): the Mandelbrot's size and iteration limit, and
 * the sieve's bound; defaults 160 80 256 2000000. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* Microseconds of wall-clock time since some fixed moment. */
static long long now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The Mandelbrot set over [-2, 1] x [-1.2, 1.2] on a width x height grid:
 * the sum of every point's escape iteration count (at most limit), and
 * in *inside the number of points that never escaped. */
static unsigned long long mandelbrot(int width, int height, int limit,
				     int *inside)
{
	unsigned long long sum = 0;

	*inside = 0;
	for (int y = 0; y < height; y++) {
		double ci = -1.2 + 2.4 * y / (height - 1);

		for (int x = 0; x < width; x++) {
			double cr = -2.0 + 3.0 * x / (width - 1);
			double zr = 0, zi = 0;
			int n = 0;

			while (n < limit && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;

				zi = 2 * zr * zi + ci;
				zr = t;
				n++;
			}
			sum += (unsigned long long)n;
			*inside += n == limit;
		}
	}
	return sum;
}

/* The primes below bound: their count, and in *sum their sum. */
static long sieve(long bound, unsigned long long *sum)
{
	char *composite = calloc((size_t)bound, 1);
	long count = 0;

	if (composite == NULL) {
		printf("compute: no memory for a sieve of %ld\n", bound);
		exit(1);
	}
	*sum = 0;
	for (long i = 2; i < bound; i++) {
		if (composite[i])
			continue;
		count++;
		*sum += (unsigned long long)i;
		for (long long j = (long long)i * i; j < bound; j += i)
			composite[j] = 1;
	}
	free(composite);
	return count;
}

/* Print how long the work since (c0, t0) took, by both clocks. */
static void report_time(const char *what, clock_t c0, long long t0)
{
	clock_t c1 = clock();
	long long t1 = now_us();

	printf("compute: %s took %.1f ms by clock(), %lld us by gettimeofday\n",
	       what, (double)(c1 - c0) * 1000.0 / CLOCKS_PER_SEC, t1 - t0);
}

int main(int argc, char **argv)
{
	int width = argc > 1 ? atoi(argv[1]) : 160;
	int height = argc > 2 ? atoi(argv[2]) : 80;
	int limit = argc > 3 ? atoi(argv[3]) : 256;
	long bound = argc > 4 ? atol(argv[4]) : 2000000;
	unsigned long long prime_sum;
	int inside;

	if (width < 2 || height < 2 || limit < 1 || bound < 2) {
		printf("usage: compute [WIDTH HEIGHT LIMIT [BOUND]]\n");
		return 2;
	}

	clock_t c0 = clock();
	long long t0 = now_us();
	unsigned long long msum = mandelbrot(width, height, limit, &inside);

	printf("compute: mandelbrot %dx%d limit %d: checksum %llu, %d inside\n",
	       width, height, limit, msum, inside);
	report_time("mandelbrot", c0, t0);

	c0 = clock();
	t0 = now_us();
	long count = sieve(bound, &prime_sum);

	printf("compute: primes below %ld: %ld, sum %llu\n", bound, count,
	       prime_sum);
	report_time("sieve", c0, t0);
	return 0;
}
