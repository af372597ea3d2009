/* The hypervisor's object allocator: pages carved into power-of-two size
 * classes, each page opening with a header that records its class. */
#include <lib/lib.h>
#include <lib/log.h>
#include <mm/frame.h>
#include <mm/heap.h>

#define NCLASSES     8			/* 16, 32, ..., 2048 */
#define MAGIC_SMALL  0x534c4142u	/* "BALS": a page of one size class */
#define MAGIC_LARGE  0x4752414cu	/* "LARG": a large object's first frame */
#define LARGE_MAX    (1u << 30)		/* no hypervisor object is bigger */

_Static_assert(HEAP_MIN_CLASS << (NCLASSES - 1) == HEAP_MAX_CLASS,
	       "size classes do not span HEAP_MIN_CLASS..HEAP_MAX_CLASS");

/*
 * The first bytes of every heap page. kfree() finds it by rounding the
 * pointer down to its page: a small object lies in its page, and a large
 * object starts HDR_SIZE into its first frame. Pages of a class with free
 * objects sit on that class's partial list; full pages are on no list.
 */
struct page_hdr {
	uint32_t magic;
	uint32_t cls;		/* small: class index; large: frames */
	uint32_t nfree;		/* small: objects on the free list */
	uint32_t nobj;		/* small: objects the page holds */
	void *free;		/* small: free objects, linked through word 0 */
	struct page_hdr *next, *prev;	/* small: the partial list */
};

/* Objects after the header stay 16-byte aligned. The largest class fits
 * once per page after the header: such objects are few (one per guest). */
#define HDR_SIZE ALIGN_UP(sizeof(struct page_hdr), (size_t)16)

static struct {
	struct heap_page_source src;
	struct page_hdr *partial[NCLASSES];
	struct heap_stats stats;
} heap;

/* The default page source: frames, whose physical address is their
 * pointer because the hypervisor identity-maps RAM. */
static void *frames_alloc(uint32_t nframes)
{
	uint32_t pa = nframes == 1 ? frame_alloc() : frame_alloc_contig(nframes, 1);

	return (void *)(uintptr_t)pa;
}

static void frames_free(void *pages, uint32_t nframes)
{
	frame_free_contig((uint32_t)(uintptr_t)pages, nframes);
}

static const struct heap_page_source frame_source = {
	.alloc = frames_alloc,
	.free = frames_free,
};

void heap_init_source(const struct heap_page_source *src)
{
	memset(&heap, 0, sizeof(heap));
	heap.src = *src;
}

void heap_init(void)
{
	heap_init_source(&frame_source);
}

static size_t class_size(unsigned c)
{
	return (size_t)HEAP_MIN_CLASS << c;
}

static void list_add(struct page_hdr *pg)
{
	struct page_hdr **head = &heap.partial[pg->cls];

	pg->prev = NULL;
	pg->next = *head;
	if (*head)
		(*head)->prev = pg;
	*head = pg;
}

static void list_del(struct page_hdr *pg)
{
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		heap.partial[pg->cls] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	pg->next = pg->prev = NULL;
}

/* A fresh page for class c, all its objects free and on the list. */
static struct page_hdr *small_page_new(unsigned c)
{
	struct page_hdr *pg = heap.src.alloc(1);
	size_t size = class_size(c);
	uint8_t *obj;

	if (!pg)
		return NULL;
	pg->magic = MAGIC_SMALL;
	pg->cls = c;
	pg->nobj = (uint32_t)((PAGE_SIZE - HDR_SIZE) / size);
	pg->nfree = pg->nobj;
	pg->free = NULL;
	/* Link from the top down so the list hands out ascending addresses. */
	obj = (uint8_t *)pg + HDR_SIZE + (pg->nobj - 1) * size;
	for (uint32_t i = 0; i < pg->nobj; i++, obj -= size) {
		*(void **)obj = pg->free;
		pg->free = obj;
	}
	list_add(pg);
	heap.stats.small_pages++;
	return pg;
}

static void *small_alloc(unsigned c)
{
	struct page_hdr *pg = heap.partial[c];
	void *obj;

	if (!pg && !(pg = small_page_new(c)))
		return NULL;
	obj = pg->free;
	pg->free = *(void **)obj;
	if (--pg->nfree == 0)
		list_del(pg);
	heap.stats.objects++;
	heap.stats.bytes += (uint32_t)class_size(c);
	return obj;
}

static void *large_alloc(size_t size)
{
	uint32_t nframes = (uint32_t)((size + HDR_SIZE + PAGE_SIZE - 1) / PAGE_SIZE);
	struct page_hdr *pg = heap.src.alloc(nframes);

	if (!pg)
		return NULL;
	memset(pg, 0, sizeof(*pg));
	pg->magic = MAGIC_LARGE;
	pg->cls = nframes;
	heap.stats.large_frames += nframes;
	heap.stats.objects++;
	heap.stats.bytes += nframes * PAGE_SIZE;
	return (uint8_t *)pg + HDR_SIZE;
}

void *kmalloc(size_t size)
{
	void *p = NULL;

	if (size <= HEAP_MAX_CLASS) {
		unsigned c = 0;

		while (class_size(c) < size)
			c++;
		p = small_alloc(c);
	} else if (size <= LARGE_MAX) {
		p = large_alloc(size);
	}
	if (!p)
		heap.stats.failures++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static void small_free(struct page_hdr *pg, void *p)
{
	size_t size = class_size(pg->cls);
	size_t off = (size_t)((uint8_t *)p - (uint8_t *)pg);

	ASSERT(pg->cls < NCLASSES);
	ASSERT(off >= HDR_SIZE && (off - HDR_SIZE) % size == 0 &&
	       (off - HDR_SIZE) / size < pg->nobj);
	for (void *f = pg->free; f; f = *(void **)f)
		ASSERT(f != p);		/* double free */

	*(void **)p = pg->free;
	pg->free = p;
	if (++pg->nfree == 1)
		list_add(pg);		/* it was full */
	heap.stats.objects--;
	heap.stats.bytes -= (uint32_t)size;

	/* An empty page goes back, unless it is its class's last page with
	 * room: keeping that one stops a single alloc/free pair from taking
	 * and releasing a frame every time. */
	if (pg->nfree == pg->nobj && (pg->next || pg->prev)) {
		list_del(pg);
		pg->magic = 0;
		heap.stats.small_pages--;
		heap.src.free(pg, 1);
	}
}

static void large_free(struct page_hdr *pg, void *p)
{
	uint32_t nframes = pg->cls;

	ASSERT((uint8_t *)p == (uint8_t *)pg + HDR_SIZE);
	pg->magic = 0;
	heap.stats.large_frames -= nframes;
	heap.stats.objects--;
	heap.stats.bytes -= nframes * PAGE_SIZE;
	heap.src.free(pg, nframes);
}

void kfree(void *p)
{
	struct page_hdr *pg;

	if (!p)
		return;
	pg = (struct page_hdr *)ALIGN_DOWN((uintptr_t)p, (uintptr_t)PAGE_SIZE);
	if (pg->magic == MAGIC_SMALL)
		small_free(pg, p);
	else if (pg->magic == MAGIC_LARGE)
		large_free(pg, p);
	else
		ASSERT(!"kfree: not a heap pointer");
}

void heap_stats(struct heap_stats *out)
{
	*out = heap.stats;
}
